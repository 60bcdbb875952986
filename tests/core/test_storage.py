"""The lab's file storage: keys labkit makes, atomic writes, and nothing outside the folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from labkit.storage import LocalStorage, MissingFile, StorageError, check_key, new_key


@pytest.mark.parametrize("key", ["../etc/passwd", "a/../../b", "/abs", "A/upper", "a//b", "a/./b", "", "a/..", "x\\y", "a/b\x00"])
def test_a_key_not_made_by_labkit_is_refused(key: str) -> None:
    with pytest.raises(ValueError):
        check_key(key)


def test_new_keys_are_random_and_valid() -> None:
    first, second = new_key("challenges", "pdf"), new_key("challenges", "pdf")
    assert first != second and first.startswith("challenges/") and first.endswith(".pdf")
    assert check_key(first) == first


async def test_local_storage_keeps_reads_lists_and_deletes(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "uploads")
    await store.put("images/ab12/480.webp", b"one", media_type="image/webp")
    await store.put("challenges/x.pdf", b"%PDF-1.4", media_type="application/pdf")
    await store.put("images/ab12/480.webp", b"two", media_type="image/webp")
    assert await store.get("images/ab12/480.webp") == b"two"
    assert (tmp_path / "uploads" / "images" / "ab12" / "480.webp").read_bytes() == b"two"
    assert sorted([key async for key in store.keys()]) == ["challenges/x.pdf", "images/ab12/480.webp"]
    assert [key async for key in store.keys("images/")] == ["images/ab12/480.webp"]
    assert not list((tmp_path / "uploads" / "images" / "ab12").glob(".*"))  # no temporary file left
    await store.delete("images/ab12/480.webp")
    await store.delete("images/ab12/480.webp")  # already gone: no error
    assert not await store.exists("images/ab12/480.webp")
    with pytest.raises(MissingFile):
        await store.get("images/ab12/480.webp")


async def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "uploads").write_text("a file where the folder should be")
    store = LocalStorage(tmp_path / "uploads")
    with pytest.raises(StorageError, match="cannot be written"):
        await store.put("images/a.webp", b"x", media_type="image/webp")
