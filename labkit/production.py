"""What a public lab must not run with (``labkit check --production``), and whether ``labkit serve``
serves the lab where its ``base_url`` says it is.

Each check looks at the settings (and the number of workers the lab is meant to run with) and
returns :class:`Finding` s: a problem and its fix, printed as one line each.
"""

from __future__ import annotations

import stat
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from labkit.config import Settings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
ALL_ADDRESSES = frozenset({"0.0.0.0", "::", ""})
STRONG_SECRET_LENGTH = 32


@dataclass(frozen=True)
class Finding:
    """One thing a public lab must not run with, and how to fix it."""

    problem: str
    fix: str

    def __str__(self) -> str:
        return f"{self.problem}: {self.fix}"


def _database(settings: Settings, workers: int) -> list[Finding]:
    if settings.database_url.startswith("sqlite://") and workers > 1:
        return [Finding(f"the database is SQLite and the lab is meant to run {workers} workers",
                        "use PostgreSQL (LABKIT_DATABASE_URL=postgres://...) or serve with --workers 1")]
    return []


def _mail(settings: Settings, workers: int) -> list[Finding]:
    findings = []
    if not settings.mail.host:
        findings.append(Finding("no mail host: invitations and password-reset links are only written to the log",
                                "set [mail] host (and LABKIT_MAIL_PASSWORD when the server needs one)"))
    if settings.mail.sender.endswith("@localhost"):
        findings.append(Finding(f"mail is sent from {settings.mail.sender}",
                                "set [mail] sender to an address of the lab people can answer"))
    return findings


def _address(settings: Settings, workers: int) -> list[Finding]:
    base = urlsplit(settings.lab.base_url)
    findings = []
    if base.scheme != "https":
        findings.append(Finding(f"[lab] base_url is {settings.lab.base_url}, not https://",
                                "serve the lab over HTTPS behind a reverse proxy and set base_url = \"https://...\""))
    if base.hostname in LOOPBACK_HOSTS:
        findings.append(Finding(f"[lab] base_url {settings.lab.base_url} points at this machine itself",
                                "set base_url to the public address people open (links in e-mails use it)"))
    if base.scheme == "https" and not settings.https:
        findings.append(Finding("[security] https_only = false: cookies are not Secure and no HSTS is sent",
                                "remove https_only from lab.toml (it follows base_url) or set it to true"))
    return findings


def _secret(settings: Settings, workers: int) -> list[Finding]:
    findings = []
    if len(settings.secret_key) < STRONG_SECRET_LENGTH or len(set(settings.secret_key)) < 12:
        findings.append(Finding("LABKIT_SECRET_KEY is weak (short or repetitive)",
                                "put python -c 'import secrets; print(secrets.token_urlsafe(48))' in .env "
                                "(everyone signs in again)"))
    env_file = settings.lab_dir / ".env"
    if env_file.is_file() and stat.S_IMODE(env_file.stat().st_mode) & 0o077:
        findings.append(Finding(f"{env_file} can be read by other users of the machine", f"chmod 600 {env_file}"))
    return findings


def _tiles(settings: Settings, workers: int) -> list[Finding]:
    tiles = urlsplit(settings.lab.map_tiles)
    findings = []
    if tiles.scheme == "http" and settings.lab.base_url.startswith("https://"):
        findings.append(Finding(f"the map tiles come from http://{tiles.netloc}: browsers refuse them on an https:// lab",
                                "set [lab] map_tiles to an https:// tile server"))
    if tiles.hostname in LOOPBACK_HOSTS:
        findings.append(Finding(f"the map tiles come from {tiles.hostname}, which visitors' browsers cannot reach",
                                "set [lab] map_tiles to a tile server reachable from the internet"))
    return findings


CHECKS: list[Callable[[Settings, int], list[Finding]]] = [_database, _mail, _address, _secret, _tiles]


def production_problems(settings: Settings, workers: int = 1) -> list[Finding]:
    """Everything a public lab must not run with, for a lab meant to run ``workers`` workers."""
    return [finding for check in CHECKS for finding in check(settings, workers)]


def address_mismatch(settings: Settings, host: str, port: int) -> str:
    """One line when ``[lab] base_url`` names this server (a loopback address or ``host``) but not
    the port or scheme it is served on, or when a lab served for everyone has a loopback
    ``base_url``; empty when they agree or base_url is another name (a reverse proxy's)."""
    base = urlsplit(settings.lab.base_url)
    base_port = base.port or (443 if base.scheme == "https" else 80)
    loopback = base.hostname in LOOPBACK_HOSTS
    if not loopback and base.hostname != host:
        return ""
    if base.scheme == "http" and base_port == port and not (loopback and host in ALL_ADDRESSES):
        return ""
    return (f"warning: [lab] base_url is {settings.lab.base_url} but the lab is served on http://{host}:{port}/; "
            f"links in e-mails and invitations use base_url: set it (or LABKIT_LAB_BASE_URL) to the address people open")
