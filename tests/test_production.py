"""`labkit check --production` names, one line each with its fix, every setting a public lab must
not run with; `labkit serve` warns when base_url is not where it serves the lab."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from labkit.config import load_settings
from labkit.production import address_mismatch
from labkit.testing import write_lab
from labkit.testing_server import LabServer, migrate

from .test_cli import labkit

BLANK_TILE = "data:image/png;base64,iVBORw0KGgo="
PUBLIC = {"lab": {"base_url": "https://lab.city.example", "map_tiles": BLANK_TILE},
          "mail": {"host": "smtp.city.example", "sender": "lab@city.example"}}
"""The settings of a lab ready to be public (SQLite with one worker is fine)."""


def public_lab(folder: Path, **changes: dict[str, object]) -> Path:
    """A migrated lab with the public settings, with ``changes`` by section."""
    settings = {section: dict(values) for section, values in PUBLIC.items()}
    for section, values in changes.items():
        settings.setdefault(section, {}).update(values)
    write_lab(folder, [], settings)
    (folder / ".env").chmod(0o600)
    migrate(folder)
    return folder


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return public_lab(tmp_path_factory.mktemp("ready") / "lab")


def problems(lab: Path, *args: str) -> list[str]:
    """The problem lines of `labkit check --production`, which must then exit 1."""
    result = labkit(lab, "check", "--production", *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return [line.removeprefix("problem: ") for line in result.stderr.splitlines() if line.startswith("problem: ")]


def test_a_lab_ready_to_be_public_passes(ready: Path) -> None:
    result = labkit(ready, "check", "--production")
    assert result.returncode == 0 and "all checks passed" in result.stdout, result.stderr
    assert result.stderr == ""


def test_sqlite_with_several_workers(ready: Path) -> None:
    assert problems(ready, "--workers", "4") == [
        "the database is SQLite and the lab is meant to run 4 workers: use PostgreSQL "
        "(LABKIT_DATABASE_URL=postgres://...) or serve with --workers 1"]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"mail": {"host": ""}}, ["no mail host: invitations and password-reset links are only written to the log: "
                              "set [mail] host (and LABKIT_MAIL_PASSWORD when the server needs one)"]),
    ({"mail": {"sender": "lab@localhost"}}, ["mail is sent from lab@localhost: set [mail] sender to an address "
                                             "of the lab people can answer"]),
    ({"lab": {"base_url": "http://lab.city.example"}}, [
        "[lab] base_url is http://lab.city.example, not https://: serve the lab over HTTPS behind a reverse proxy "
        'and set base_url = "https://..."']),
    ({"lab": {"base_url": "https://127.0.0.1:8443"}}, [
        "[lab] base_url https://127.0.0.1:8443 points at this machine itself: set base_url to the public address "
        "people open (links in e-mails use it)"]),
    ({"security": {"https_only": False}}, [
        "[security] https_only = false: cookies are not Secure and no HSTS is sent: remove https_only from "
        "lab.toml (it follows base_url) or set it to true"]),
    ({"lab": {"map_tiles": "http://tiles.city.example/{z}/{x}/{y}.png"}}, [
        "the map tiles come from http://tiles.city.example: browsers refuse them on an https:// lab: "
        "set [lab] map_tiles to an https:// tile server"]),
    ({"lab": {"map_tiles": "https://localhost:9/{z}/{x}/{y}.png"}}, [
        "the map tiles come from localhost, which visitors' browsers cannot reach: set [lab] map_tiles to a "
        "tile server reachable from the internet"]),
], ids=["no-mail-host", "localhost-sender", "http-base-url", "loopback-base-url", "https-only-off",
        "http-tiles", "loopback-tiles"])
def test_each_setting_a_public_lab_must_not_run_with(tmp_path: Path, changes: dict, expected: list[str]) -> None:
    assert problems(public_lab(tmp_path / "lab", **changes)) == expected


def test_a_weak_secret_and_an_env_file_others_can_read(tmp_path: Path) -> None:
    lab = public_lab(tmp_path / "lab")
    (lab / ".env").write_text("LABKIT_SECRET_KEY=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n", encoding="utf-8")
    weak = problems(lab)
    assert len(weak) == 1 and weak[0].startswith("LABKIT_SECRET_KEY is weak (short or repetitive): put ")
    (lab / ".env").write_text(f"LABKIT_SECRET_KEY={secrets.token_urlsafe(48)}\n", encoding="utf-8")
    (lab / ".env").chmod(0o644)
    assert problems(lab) == [f"{lab / '.env'} can be read by other users of the machine: chmod 600 {lab / '.env'}"]


def test_a_missing_secret_is_one_line_and_a_failure(tmp_path: Path) -> None:
    lab = public_lab(tmp_path / "lab")
    (lab / ".env").write_text("", encoding="utf-8")
    result = labkit(lab, "check", "--production")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("labkit: error: LABKIT_SECRET_KEY is not set")


@pytest.mark.parametrize(("base_url", "host", "port", "warns"), [
    ("http://127.0.0.1:8000", "127.0.0.1", 8000, False),
    ("http://127.0.0.1:8000", "127.0.0.1", 8765, True),      # another port
    ("https://localhost:8000", "127.0.0.1", 8000, True),     # serve speaks plain HTTP
    ("http://localhost:8000", "0.0.0.0", 8000, True),        # served for everyone, links point at loopback
    ("http://192.0.2.7:8000", "192.0.2.7", 8000, False),
    ("http://192.0.2.7:8000", "192.0.2.7", 9000, True),
    ("https://lab.city.example", "127.0.0.1", 8000, False),  # behind a reverse proxy: nothing to compare
])
def test_the_address_warning(tmp_path: Path, base_url: str, host: str, port: int, warns: bool) -> None:
    write_lab(tmp_path, [], {"lab": {"base_url": base_url}})
    warning = address_mismatch(load_settings(tmp_path, {}), host, port)
    assert bool(warning) is warns
    if warns:
        assert warning.startswith(f"warning: [lab] base_url is {base_url} but the lab is served on http://{host}:{port}/")


def test_serve_warns_in_one_line_when_base_url_is_elsewhere(tmp_path: Path) -> None:
    lab = tmp_path / "lab"
    write_lab(lab, [], {"lab": {"base_url": "http://127.0.0.1:8000"}})
    migrate(lab)
    with LabServer.start(lab) as server:
        port = server.url.rsplit(":", 1)[1]
        warnings = [line for line in server.log().splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and f"served on http://127.0.0.1:{port}/" in warnings[0]
    assert "LABKIT_LAB_BASE_URL" in warnings[0]
