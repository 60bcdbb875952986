"""A lab whose base_url is https:// sends Secure cookies and HSTS by itself: proven over real TLS on
loopback (uvicorn with a certificate made in the test), and setting by setting in process."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

from labkit.testing import PASSWORD, RunningLab, write_lab
from labkit.testing_server import free_port, labkit_command, migrate

HSTS = "max-age=31536000"


@pytest.fixture
def tls_lab(tmp_path: Path) -> Iterator[tuple[str, httpx.Client]]:
    """A lab served by uvicorn over TLS on loopback; its URL and a client trusting the test's CA."""
    authority = trustme.CA()
    certificate = authority.issue_cert("127.0.0.1", "localhost")
    key_file, cert_file = tmp_path / "key.pem", tmp_path / "cert.pem"
    certificate.private_key_pem.write_to_path(str(key_file))
    certificate.cert_chain_pems[0].write_to_path(str(cert_file))
    port = free_port()
    lab = tmp_path / "lab"
    write_lab(lab, [], {"lab": {"base_url": f"https://127.0.0.1:{port}"}})
    migrate(lab)
    created = subprocess.run(labkit_command(lab, "createadmin", "--email", "ana@city.example"), capture_output=True,
                             text=True, env={**os.environ, "LABKIT_ADMIN_PASSWORD": PASSWORD}, timeout=120)
    assert created.returncode == 0, created.stderr
    with (tmp_path / "uvicorn.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "labkit.app:app_from_environment", "--host", "127.0.0.1",
             "--port", str(port), "--ssl-keyfile", str(key_file), "--ssl-certfile", str(cert_file)],
            env={**os.environ, "LABKIT_LAB_DIR": str(lab)}, stdout=log, stderr=subprocess.STDOUT)
    url = f"https://127.0.0.1:{port}"
    trust = ssl.create_default_context()
    authority.configure_trust(trust)
    client = httpx.Client(base_url=url, verify=trust, timeout=10)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, (tmp_path / "uvicorn.log").read_text()
            try:
                if client.get("/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline, (tmp_path / "uvicorn.log").read_text()
                time.sleep(0.2)
        yield url, client
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=30)


def test_over_real_tls_the_session_cookie_is_secure_and_hsts_is_sent(tls_lab: tuple[str, httpx.Client]) -> None:
    _url, client = tls_lab
    page = client.get("/account/login")
    assert page.status_code == 200 and page.url.scheme == "https"
    assert page.headers["strict-transport-security"] == HSTS
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("labkit_session=")
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags, cookie

    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    signed = client.post("/account/login", data={"csrf_token": token, "email": "ana@city.example", "password": PASSWORD})
    assert signed.status_code == 303, "the Secure cookie came back over TLS and the form was accepted"
    assert "secure" in signed.headers["set-cookie"].lower()
    assert client.get("/admin/people").status_code == 200, "signed in over HTTPS"


@pytest.mark.parametrize(("security", "base_url", "secure"), [
    ({}, "https://lab.city.example", True),
    ({}, "http://lab.city.example", False),
    ({"https_only": False}, "https://lab.city.example", False),
    ({"https_only": True}, "http://lab.city.example", True),
], ids=["https-base-url", "http-base-url", "https-switched-off", "forced-on"])
async def test_https_only_follows_base_url_unless_set(make_lab, security: dict, base_url: str, secure: bool) -> None:
    lab: RunningLab = await make_lab(plugins=[], settings={"lab": {"base_url": base_url}, "security": security})
    page = await lab.client().get("/account/login")
    assert ("secure" in page.headers["set-cookie"].lower()) is secure
    assert ("strict-transport-security" in page.headers) is secure
