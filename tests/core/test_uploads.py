"""labkit.uploads: files are recognised by content, capped in size, stored under random names and
served back only as downloads, with no way out of the uploads folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from labkit import uploads
from labkit.storage import LocalStorage, MissingFile
from labkit.uploads import UploadError


class FakeUpload:
    """What Starlette hands over for a file field: a name and an async ``read``."""

    def __init__(self, filename: str, data: bytes) -> None:
        self.filename = filename
        self._buffer = io.BytesIO(data)

    async def read(self, size: int = -1) -> bytes:
        return self._buffer.read(size)


def odt() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


def plain_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("a.pdf", b"%PDF-1.7\n...", "pdf"), ("a.PNG", b"\x89PNG\r\n\x1a\n....", "png"), ("a.jpeg", b"\xff\xd8\xff\xe0..", "jpg"),
    ("doc.odt", odt(), "odt"), ("code.zip", plain_zip(), "zip"), ("notes.txt", "olá".encode(), "txt"),
])
def test_types_are_recognised_by_their_content(name: str, data: bytes, kind: str) -> None:
    assert uploads.identify(data, name, uploads.FILE_TYPES).name == kind


@pytest.mark.parametrize(("name", "data", "message"), [
    ("x.exe", b"MZ", "not accepted"), ("x", b"%PDF-", "not accepted"), ("fake.pdf", b"<script>", "does not match"),
    ("fake.odt", plain_zip(), "does not match"), ("fake.zip", b"PK\x03\x04broken", "does not match"),
    ("empty.pdf", b"", "empty"), ("bin.txt", b"\x00\x01", "does not match"),
])
def test_other_files_are_refused_with_a_reason(name: str, data: bytes, message: str) -> None:
    with pytest.raises(UploadError) as refused:
        uploads.identify(data, name, ["pdf", "png", "odt", "zip", "txt"])
    assert message in refused.value.text()


def test_only_the_allowed_types_pass() -> None:
    with pytest.raises(UploadError, match="Accepted types: PDF"):
        uploads.identify(b"\x89PNG\r\n\x1a\n", "a.png", ["pdf"])


async def test_store_keeps_the_file_under_a_random_name_and_caps_the_size(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "uploads")
    stored = await uploads.store(storage, "things", FakeUpload("../../etc/Relatório.pdf", b"%PDF-1.4 data"),
                                 allowed=["pdf"], max_bytes=100)
    assert stored.original_name == "Relatório.pdf" and stored.file_type == "pdf" and stored.size == 13
    path = tmp_path / "uploads" / "things" / stored.stored_name
    assert path.read_bytes() == b"%PDF-1.4 data"
    assert stored.stored_name != "Relatório.pdf" and stored.stored_name.endswith(".pdf")
    with pytest.raises(UploadError, match="too large"):
        await uploads.store(storage, "things", FakeUpload("big.pdf", b"%PDF-" + b"0" * 200), allowed=["pdf"], max_bytes=100)
    assert [p.name for p in (tmp_path / "uploads" / "things").iterdir()] == [stored.stored_name]
    await uploads.delete(storage, "things", stored.stored_name)
    assert not path.exists()


@pytest.mark.parametrize("name", ["../lab.toml", "..", "/etc/passwd", "0123456789abcdef0123456789abcdef.pdf/../x",
                                  "0123456789ABCDEF0123456789ABCDEF.pdf", ""])
async def test_names_that_are_not_stored_names_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        uploads.key_of("things", name)
    with pytest.raises(ValueError):
        await uploads.download_response(LocalStorage(tmp_path), "things", name, "x.pdf", "application/pdf")


def test_area_names_are_checked() -> None:
    with pytest.raises(ValueError):
        uploads.key_of("../up", "0123456789abcdef0123456789abcdef.pdf")


async def test_downloads_are_attachments_that_never_run(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "uploads")
    stored = await uploads.save(storage, "things", b"%PDF-1.4", uploads.FILE_TYPES["pdf"], 'Plano "final"\r\n.pdf')
    response = await uploads.download_response(storage, "things", stored.stored_name, stored.original_name,
                                               stored.media_type)
    assert response.body == b"%PDF-1.4"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="Plano _final_.pdf"') and "\r" not in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert response.media_type == "application/pdf"
    with pytest.raises(MissingFile):
        await uploads.download_response(storage, "things", "0" * 32 + ".pdf", "x.pdf", "application/pdf")


def test_clean_filename() -> None:
    assert uploads.clean_filename("C:\\Users\\ana\\foto.png") == "foto.png"
    assert uploads.clean_filename("\x00\x1f.hidden") == "hidden"
    assert uploads.clean_filename("") == "file"
    long = uploads.clean_filename("a" * 300 + ".pdf")
    assert len(long) == 150 and long.endswith(".pdf")
