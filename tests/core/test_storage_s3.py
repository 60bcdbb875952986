"""The ``s3`` storage backend against a real S3-protocol server on loopback (moto's), a server that
is down and one that never answers: every failure is one readable StorageError, quickly."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from labkit.config import ConfigError, StorageSection, load_settings
from labkit.storage import MissingFile, StorageError, open_storage
from labkit.storage_s3 import S3Storage
from labkit.testing_server import free_port

from tests.conftest import S3Server


def s3(endpoint: str, bucket: str, **more: object) -> S3Storage:
    return S3Storage(StorageSection(backend="s3", bucket=bucket, endpoint_url=endpoint, access_key_id="labkit-test",
                                    secret_access_key="labkit-test-secret", **more))  # type: ignore[arg-type]


async def test_a_bucket_keeps_reads_lists_and_deletes_under_the_lab_prefix(s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    store = s3(s3_server.endpoint, bucket, prefix="recife")
    await store.put("challenges/a1.pdf", b"%PDF-1.4 one", media_type="application/pdf")
    await store.put("images/ab12/480.webp", b"RIFF....WEBP", media_type="image/webp")
    await store.put("challenges/a1.pdf", b"%PDF-1.4 two", media_type="application/pdf")
    assert await store.get("challenges/a1.pdf") == b"%PDF-1.4 two"
    # another client sees the objects under the prefix, with their media type
    assert s3_server.objects(bucket) == {"recife/challenges/a1.pdf": b"%PDF-1.4 two",
                                         "recife/images/ab12/480.webp": b"RIFF....WEBP"}
    head = s3_server.client().head_object(Bucket=bucket, Key="recife/challenges/a1.pdf")
    assert head["ContentType"] == "application/pdf"
    assert sorted([key async for key in store.keys()]) == ["challenges/a1.pdf", "images/ab12/480.webp"]
    assert [key async for key in store.keys("chall")] == ["challenges/a1.pdf"]
    assert [key async for key in store.keys("images/ab")] == ["images/ab12/480.webp"]
    assert await store.exists("challenges/a1.pdf") and not await store.exists("challenges/zz.pdf")
    await store.delete("challenges/a1.pdf")
    await store.delete("challenges/a1.pdf")  # already gone: no error
    with pytest.raises(MissingFile):
        await store.get("challenges/a1.pdf")
    await store.probe()  # what `labkit check` does leaves nothing behind
    assert list(s3_server.objects(bucket)) == ["recife/images/ab12/480.webp"]
    with pytest.raises(ValueError):
        await store.put("../escape", b"x", media_type="text/plain")


async def test_a_missing_bucket_is_named(s3_server: S3Server) -> None:
    store = s3(s3_server.endpoint, "no-such-bucket")
    for attempt in (store.put("a/b.txt", b"x", media_type="text/plain"), store.get("a/b.txt"), store.probe()):
        with pytest.raises(StorageError, match="the bucket 'no-such-bucket' does not exist on http://127.0.0.1"):
            await attempt


async def test_a_server_that_is_down_is_a_quick_clear_error(s3_server: S3Server) -> None:
    store = s3(f"http://127.0.0.1:{free_port()}", "lab-files")
    started = time.monotonic()
    for attempt in (store.put("a/b.txt", b"x", media_type="text/plain"), store.get("a/b.txt"), store.exists("a/b.txt"),
                    store.delete("a/b.txt")):
        with pytest.raises(StorageError, match=r"the object storage at http://127\.0\.0\.1:\d+ cannot be reached") as error:
            await attempt
        assert "\n" not in str(error.value) and "Debug" not in str(error.value)
    with pytest.raises(StorageError, match="cannot be reached"):
        [key async for key in store.keys()]
    assert time.monotonic() - started < 10


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


async def test_a_server_that_never_answers_does_not_hang_the_lab(silent_server: str) -> None:
    store = s3(silent_server, "lab-files", timeout_seconds=1)
    started = time.monotonic()
    with pytest.raises(StorageError, match="cannot be reached or did not answer in time"):
        await store.get("a/b.txt")
    assert time.monotonic() - started < 8


def test_credentials_come_from_the_environment_only(tmp_path: Path) -> None:
    secret = {"LABKIT_SECRET_KEY": "s" * 32}
    (tmp_path / "lab.toml").write_text('[storage]\nbackend = "s3"\nbucket = "lab-files"\nsecret_access_key = "x"\n')
    with pytest.raises(ConfigError, match="set LABKIT_STORAGE_SECRET_ACCESS_KEY in the environment"):
        load_settings(tmp_path, secret)
    (tmp_path / "lab.toml").write_text('[storage]\nbackend = "s3"\nbucket = "lab-files"\n')
    with pytest.raises(ConfigError, match=r"\[storage\]: LABKIT_STORAGE_ACCESS_KEY_ID and LABKIT_STORAGE_SECRET"):
        load_settings(tmp_path, secret)
    (tmp_path / ".env").write_text("LABKIT_STORAGE_ACCESS_KEY_ID=id\nLABKIT_STORAGE_SECRET_ACCESS_KEY=very-secret\n")
    settings = load_settings(tmp_path, secret)
    assert settings.storage.secret_access_key == "very-secret" and "very-secret" not in repr(settings)
    assert isinstance(open_storage(settings), S3Storage)
    assert open_storage(settings, "local").name == "local"


@pytest.fixture
def s3_with_authentication() -> Iterator[str]:
    """moto's S3 server as a process that checks every request's credentials (none are known to it)."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               env={**os.environ, "INITIAL_NO_AUTH_ACTION_COUNT": "0"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        assert time.monotonic() < deadline and process.poll() is None, "moto's server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


async def test_refused_credentials_are_named(s3_with_authentication: str) -> None:
    store = s3(s3_with_authentication, "lab-files")
    for attempt in (store.put("a/b.txt", b"x", media_type="text/plain"), store.get("a/b.txt"), store.exists("a/b.txt")):
        with pytest.raises(StorageError, match=r"refused the lab's credentials for the bucket 'lab-files' "
                                               r"\(LABKIT_STORAGE_ACCESS_KEY_ID, LABKIT_STORAGE_SECRET_ACCESS_KEY\)"):
            await attempt
