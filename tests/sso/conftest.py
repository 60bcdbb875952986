"""A real OpenID provider on loopback (oidc-provider under Node) and a lab that signs people in with it.

The provider's npm package is installed on first use with ``npm ci`` into ``tests/sso/provider/``
(a lock serialises the SQLite and PostgreSQL runs of scripts/test.sh). Without Node or npm the SSO
tests are skipped, saying so.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from labkit.testing import RunningLab

PROVIDER_DIR = Path(__file__).with_name("provider")
CLIENT_ID = "labkit-test"
CLIENT_SECRET = secrets.token_urlsafe(24)
PROVIDERS = {"test": "Test ID", "late": "Late Clock ID", "impostor": "Impostor ID"}
"""The lab's providers: an honest one, one whose clock is two hours late, one that lies about its issuer."""


@dataclass
class OpenIdProviders:
    """The base URLs of the two provider processes (each serves ``/op`` and ``/impostor``)."""

    honest: str
    late_clock: str

    def lab_settings(self) -> dict[str, dict[str, object]]:
        """The ``[sso]`` table of a lab that knows the three providers."""
        issuers = {"test": f"{self.honest}/op", "late": f"{self.late_clock}/op", "impostor": f"{self.honest}/impostor"}
        return {"sso": {"providers": [{"name": name, "label": label, "issuer": issuers[name], "client_id": CLIENT_ID}
                                      for name, label in PROVIDERS.items()]}}


def _install() -> None:
    """``npm ci`` in the provider folder unless its packages are there (once across parallel runs)."""
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("Node.js and npm are needed to run the OpenID provider of the SSO tests (apt-get install nodejs npm)")
    with open(Path(tempfile.gettempdir()) / "labkit-sso-provider-npm.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
            subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=PROVIDER_DIR,
                           check=True, timeout=600)


def _start(clock_offset: int) -> tuple[subprocess.Popen[str], str]:
    """Start one provider process; its base URL once it listens."""
    environment = {"PATH": os.environ["PATH"], "CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET,
                   "REDIRECT_PATHS": ",".join(f"/account/sso/{name}/callback" for name in PROVIDERS),
                   "CLOCK_OFFSET_SECONDS": str(clock_offset)}
    process = subprocess.Popen(["node", "provider.mjs"], cwd=PROVIDER_DIR, env=environment, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=10)
        raise RuntimeError(f"the OpenID provider did not start (exit status {process.returncode})")
    return process, json.loads(line)["url"]


@pytest.fixture(scope="module")
def openid_providers() -> Iterator[OpenIdProviders]:
    """Two real OpenID providers on loopback, for the whole test module."""
    _install()
    honest, honest_url = _start(0)
    late, late_url = _start(-7200)
    try:
        yield OpenIdProviders(honest_url, late_url)
    finally:
        for process in (honest, late):
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture
async def sso_lab(make_lab: Callable[..., Awaitable[RunningLab]], openid_providers: OpenIdProviders,
                  monkeypatch: pytest.MonkeyPatch) -> RunningLab:
    """A core-only lab whose sign-in page offers the three providers."""
    monkeypatch.setenv("LABKIT_SSO_TEST_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LABKIT_SSO_LATE_CLIENT_SECRET", CLIENT_SECRET)
    monkeypatch.setenv("LABKIT_SSO_IMPOSTOR_CLIENT_SECRET", CLIENT_SECRET)
    lab = await make_lab(plugins=[], settings=openid_providers.lab_settings())
    lab.settings.lab.base_url = lab.url  # the redirect URI names the lab's real address
    return lab
