"""``labkit storage migrate`` and ``labkit check``'s storage line, as real processes on a lab folder
and a bucket of moto's S3 server on loopback."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

import tomli_w

from labkit.testing import write_lab
from labkit.testing_server import free_port

from tests.conftest import S3Server
from tests.test_cli import assert_one_line_error, labkit

FILES = {"challenges/" + "a" * 32 + ".pdf": b"%PDF-1.4 plan", "images/" + "b" * 32 + "/480.webp": b"RIFF....WEBP"}


def s3_lab(folder: Path, storage: dict[str, object]) -> Path:
    """A lab folder whose ``[storage]`` table is ``storage`` (credentials in its ``.env``)."""
    write_lab(folder, [], {"storage": storage})
    with (folder / ".env").open("a") as env:
        env.writelines(f"{name}={value}\n" for name, value in S3Server.CREDENTIALS.items())
    return folder


def set_backend(folder: Path, backend: str) -> None:
    settings = tomllib.loads((folder / "lab.toml").read_text())
    settings["storage"]["backend"] = backend
    (folder / "lab.toml").write_text(tomli_w.dumps(settings))


def test_migrate_copies_to_the_bucket_resumes_and_comes_back(tmp_path: Path, s3_server: S3Server) -> None:
    bucket = s3_server.new_bucket()
    lab = s3_lab(tmp_path / "lab", {**s3_server.settings(bucket, prefix="recife"), "backend": "local"})
    for key, data in FILES.items():
        (lab / "uploads" / key).parent.mkdir(parents=True, exist_ok=True)
        (lab / "uploads" / key).write_bytes(data)
    (lab / "uploads" / "README.TXT").write_text("put here by hand")  # no key labkit makes: left alone

    copied = labkit(lab, "storage", "migrate", "--to", "s3")
    assert copied.returncode == 0, copied.stderr
    assert copied.stdout.startswith(f"2 copied, 0 already there, 1 ignored (from the folder {lab / 'uploads'} "
                                    f"to the bucket '{bucket}' at {s3_server.endpoint})")
    assert 'next: set backend = "s3"' in copied.stdout and "ignored 'README.TXT'" in copied.stderr
    assert s3_server.objects(bucket) == {f"recife/{key}": data for key, data in FILES.items()}

    # a second run (or one after an interruption) copies only what is missing or different
    s3_server.client().delete_object(Bucket=bucket, Key=f"recife/{next(iter(FILES))}")
    again = labkit(lab, "storage", "migrate", "--to", "s3")
    assert again.returncode == 0 and again.stdout.startswith("1 copied, 1 already there, 1 ignored")

    set_backend(lab, "s3")
    checked = labkit(lab, "check")
    assert f"storage: writable (the bucket '{bucket}' at {s3_server.endpoint})" in checked.stdout, checked.stderr
    assert list(s3_server.objects(bucket)) == [f"recife/{key}" for key in sorted(FILES)]  # the probe cleaned up

    # and back to a new folder
    (lab / "uploads").rename(lab / "uploads-before")
    back = labkit(lab, "storage", "migrate", "--to", "local")
    assert back.returncode == 0 and back.stdout.startswith("2 copied, 0 already there (from the bucket")
    assert 'next: set backend = "local"' in back.stdout
    for key, data in FILES.items():
        copy = (lab / "uploads" / key).read_bytes()
        assert hashlib.sha256(copy).digest() == hashlib.sha256(data).digest()

    same = labkit(lab, "storage", "migrate", "--to", "s3")
    assert_one_line_error(same, 2, "the files are already in the s3 storage: choose --to local")


def test_a_storage_that_is_down_is_one_line_for_check_and_migrate(tmp_path: Path, s3_server: S3Server) -> None:
    lab = s3_lab(tmp_path / "lab", s3_server.settings("lab-files", endpoint_url=f"http://127.0.0.1:{free_port()}"))
    assert labkit(lab, "migrate").returncode == 0
    checked = labkit(lab, "check")
    assert checked.returncode == 1 and "Traceback" not in checked.stderr
    problems = [line for line in checked.stderr.splitlines() if line.startswith("problem: storage: ")]
    assert len(problems) == 1 and "cannot be reached or did not answer in time" in problems[0]

    (lab / "uploads" / "challenges").mkdir(parents=True)
    (lab / "uploads" / "challenges" / ("c" * 32 + ".pdf")).write_bytes(b"%PDF-1.4")
    failed = labkit(lab, "storage", "migrate", "--from", "local", "--to", "s3")
    assert_one_line_error(failed, 1, "cannot be reached or did not answer in time")
    assert "run the migration again to resume" in failed.stderr

    missing = s3_lab(tmp_path / "other", {"backend": "local"})
    assert_one_line_error(labkit(missing, "storage", "migrate", "--to", "s3"), 1, "[storage] bucket is not set")
