"""The labkit command line: real processes on real lab folders; every failure is one line."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from labkit.testing import write_lab

from .conftest import HELLO


def labkit(lab: Path | None, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "labkit", *(["--lab", str(lab)] if lab else []), *args]
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")} | (env or {})
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=120)


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int, text: str) -> None:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("labkit: error: ") and text in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.fixture
def lab_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "lab"
    write_lab(folder, ["hello"], local_plugins=[HELLO])
    return folder


def test_version() -> None:
    result = labkit(None, "--version")
    assert result.returncode == 0 and "labkit, version 0.1.0" in result.stdout


def test_migrate_then_check_passes(lab_dir: Path) -> None:
    before = labkit(lab_dir, "check")
    assert before.returncode == 1 and "migration(s) not applied" in before.stderr
    migrated = labkit(lab_dir, "migrate")
    assert migrated.returncode == 0
    assert "applied labkit.0001_initial" in migrated.stdout and "applied hello.0001_initial" in migrated.stdout
    assert (lab_dir / "data" / "lab.sqlite3").is_file()
    after = labkit(lab_dir, "check")
    assert after.returncode == 0 and "all checks passed" in after.stdout
    again = labkit(lab_dir, "migrate")
    assert again.returncode == 0 and "applied" not in again.stdout


def test_plugins_lists_source_version_and_hooks(lab_dir: Path) -> None:
    result = labkit(lab_dir, "plugins")
    assert result.returncode == 0
    assert "hello  0.1.0  lab (" in result.stdout
    assert "labkit_nav" in result.stdout and "labkit_permissions" in result.stdout
    assert "by convention: labkit_hello.models, labkit_hello.routes" in result.stdout


def test_a_broken_lab_toml_is_one_line(lab_dir: Path) -> None:
    (lab_dir / "lab.toml").write_text("[lab\n")
    assert_one_line_error(labkit(lab_dir, "migrate"), 2, "not valid TOML")


def test_a_missing_secret_is_one_line(lab_dir: Path) -> None:
    (lab_dir / ".env").unlink()
    assert_one_line_error(labkit(lab_dir, "plugins"), 2, "LABKIT_SECRET_KEY is not set")


def test_not_a_lab_folder_is_one_line(tmp_path: Path) -> None:
    assert_one_line_error(labkit(tmp_path, "migrate"), 2, "is not a lab folder")


def test_a_plugin_that_fails_to_import_is_named(lab_dir: Path) -> None:
    (lab_dir / "plugins" / "labkit_broken.py").write_text("import nowhere_to_be_found\n")
    write_lab(lab_dir, ["hello", "broken"])
    assert_one_line_error(labkit(lab_dir, "plugins"), 2, "plugin 'broken'")


def test_an_unreachable_database_is_reported(lab_dir: Path) -> None:
    env = {"LABKIT_DATABASE_URL": "postgres://labkit@127.0.0.1:1/nowhere"}
    check = labkit(lab_dir, "check", env=env)
    assert check.returncode == 1 and "the database cannot be reached" in check.stderr
    assert "Traceback" not in check.stderr
    assert_one_line_error(labkit(lab_dir, "migrate", env=env), 2, "the database cannot be reached")


def test_serve_refuses_to_start_with_pending_migrations(lab_dir: Path) -> None:
    assert_one_line_error(labkit(lab_dir, "serve", "--port", "0"), 2, "migration(s) not applied")


def test_createadmin_creates_an_argon2_admin_and_refuses_short_passwords(lab_dir: Path) -> None:
    labkit(lab_dir, "migrate")
    short = labkit(lab_dir, "createadmin", "--email", "boss@example.org", env={"LABKIT_ADMIN_PASSWORD": "short"})
    assert_one_line_error(short, 2, "at least 10 characters")
    result = labkit(lab_dir, "createadmin", "--email", "Boss@Example.org", "--name", "Boss",
                    env={"LABKIT_ADMIN_PASSWORD": "a long enough password"})
    assert result.returncode == 0 and "created administrator boss@example.org" in result.stdout
    with sqlite3.connect(lab_dir / "data" / "lab.sqlite3") as connection:
        role, hashed = connection.execute("SELECT role, password_hash FROM labkit_person").fetchone()
    assert role == "admin" and hashed.startswith("$argon2id$")


def test_makemigrations_writes_a_migration_for_a_model_change(tmp_path: Path) -> None:
    package = tmp_path / "src" / "labkit_notes"
    (package / "migrations").mkdir(parents=True)
    (package / "migrations" / "__init__.py").write_text("")
    (package / "__init__.py").write_text(textwrap.dedent('''
        from labkit import Models, PluginInfo, hookimpl

        @hookimpl
        def labkit_plugin_info():
            return PluginInfo(title="Notes")

        @hookimpl
        def labkit_models():
            return Models(modules=("labkit_notes.models",), migrations="labkit_notes.migrations")
    '''))
    (package / "models.py").write_text(textwrap.dedent('''
        from tortoise import fields
        from tortoise.models import Model

        class Note(Model):
            id = fields.IntField(primary_key=True)
            author = fields.ForeignKeyField("labkit.Person", related_name="notes")
            text = fields.TextField()
    '''))
    lab = tmp_path / "lab"
    write_lab(lab, ["notes"], local_plugins=[package])
    result = labkit(lab, "makemigrations", "notes")
    assert result.returncode == 0, result.stderr
    written = sorted((lab / "plugins" / "labkit_notes" / "migrations").glob("0001_*.py"))
    assert len(written) == 1
    assert re.search(r"\('labkit', '\d{4}_\w+'\)", written[0].read_text())  # the core's latest migration
    assert labkit(lab, "migrate").returncode == 0
    assert labkit(lab, "check").returncode == 0
    assert "no changes" in labkit(lab, "makemigrations", "notes").stdout
    assert_one_line_error(labkit(lab, "makemigrations", "nothing"), 2, "no plugin 'nothing' is loaded")
