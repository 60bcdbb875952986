"""The hub's only outgoing request: SSRF refusals, caps, conditional GET, redirects, TLS.

Real HTTP servers on loopback (tests/federation/simulated.py); no mock of the network.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import ssl
import subprocess
import time
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
import uvicorn

from labkit_federation.fetch import (
    MAX_REDIRECTS,
    Address,
    CappedDecoder,
    DocumentTooLarge,
    Fetcher,
    FetchResult,
    fetch,
    refusal,
)
from labkit_federation.options import FederationOptions
from tests.federation.simulated import SimLab, SimulatedNetwork, lab_document

OPEN = FederationOptions(allow_private_addresses=True, timeout_seconds=0.5, max_document_bytes=50_000)
"""The simulated labs live on loopback: tests that are not about refusals allow it."""
SHUT = FederationOptions(allow_private_addresses=False, timeout_seconds=1.0)

LABS = [
    SimLab("BR-0000001"),
    SimLab("BR-0000002", etag=False),
    SimLab("BR-0000003", behaviour="slow", delay=2),
    SimLab("BR-0000004", behaviour="trickle"),
    SimLab("BR-0000005", behaviour="oversized"),
    SimLab("BR-0000006", behaviour="oversized_chunked"),
    SimLab("BR-0000007", behaviour="vanish"),
    SimLab("BR-0000008", behaviour="gone"),
    SimLab("BR-0000009", behaviour="broken"),
    SimLab("BR-0000010", behaviour="missing"),
    SimLab("BR-0000011", behaviour="redirect", target="/labs/BR-0000001/indicators"),
    SimLab("BR-0000012", behaviour="redirect", target="ftp://example.org/indicators.json"),
    SimLab("BR-0000013", behaviour="redirect", target="/labs/BR-0000013/indicators"),
    SimLab("BR-0000014", behaviour="bad_gzip"),
    SimLab("BR-0000015", behaviour="gzip_bomb"),
    SimLab("BR-0000016", behaviour="bad_redirect"),
]


pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def served() -> AsyncIterator[SimulatedNetwork]:
    async with SimulatedNetwork(LABS, max_bytes=OPEN.max_document_bytes) as running:
        yield running


@pytest.fixture
def network(served: SimulatedNetwork) -> SimulatedNetwork:
    """The module's network, its counters reset for this test."""
    for lab in LABS:
        lab.requests = lab.not_modified = 0
        lab.conditional.clear()
        lab.authorizations.clear()
    served.hits.clear()
    return served


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:{port}/labs/BR-0000001/indicators",
    "http://localhost:{port}/labs/BR-0000001/indicators",
    "http://[::1]:{port}/labs/BR-0000001/indicators",
    "http://[::ffff:127.0.0.1]:{port}/labs/BR-0000001/indicators",
    "http://10.20.30.40:{port}/",
    "http://192.168.1.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://0.0.0.0:{port}/",
    "http://[fd00::1]/",
    "http://100.64.0.1/",
])
async def test_private_addresses_are_refused_before_any_connection(network: SimulatedNetwork, url: str) -> None:
    port = network.base_url.rsplit(":", 1)[1]
    result = await fetch(url.format(port=port), SHUT)
    assert result.error == "refused", result
    assert "the hub does not fetch private addresses" in result.detail
    assert result.body is None
    assert network.hits["BR-0000001"] == 0  # nothing reached the lab listening on loopback


async def test_a_name_resolving_to_loopback_is_named_in_the_refusal(network: SimulatedNetwork) -> None:
    result = await fetch(network.url("BR-0000001").replace("127.0.0.1", "localhost"), SHUT)
    assert result.error == "refused"
    assert result.detail.startswith("localhost resolves to ")


@pytest.mark.parametrize("url", ["ftp://example.org/doc.json", "file:///etc/passwd", "gopher://example.org/"])
async def test_only_http_and_https(url: str) -> None:
    result = await fetch(url, OPEN)
    assert result.error == "refused"
    assert "http" in result.detail


async def test_the_address_policy() -> None:
    for text in ("8.8.8.8", "2001:4860:4860::8888", "1.1.1.1"):
        assert refusal(ipaddress.ip_address(text)) is None
    for text in ("127.0.0.1", "10.0.0.1", "172.16.0.1", "192.168.0.1", "169.254.169.254", "224.0.0.1",
                 "0.0.0.0", "240.0.0.1", "100.64.0.1", "::1", "::", "fe80::1", "fc00::1", "ff02::1",
                 "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1", "2001:db8::1"):
        assert refusal(ipaddress.ip_address(text)) is not None, text
    assert "127.0.0.1 inside" in (refusal(ipaddress.ip_address("::ffff:127.0.0.1")) or "")


async def test_a_document_then_not_modified_with_its_etag(network: SimulatedNetwork) -> None:
    async with Fetcher(OPEN) as fetcher:
        first = await fetcher.get(network.url("BR-0000001"))
        assert first.error is None and first.status == 200 and first.etag.startswith('"')
        assert json.loads(first.body or b"")["lab"]["code"] == "BR-0000001"
        second = await fetcher.get(network.url("BR-0000001"), etag=first.etag)
    assert second.not_modified and second.body is None and second.etag == first.etag
    assert LABS[0].conditional == [first.etag] and LABS[0].not_modified == 1


async def test_without_etag_the_body_comes_every_time(network: SimulatedNetwork) -> None:
    result = await fetch(network.url("BR-0000002"), OPEN, etag='"stale"')
    assert result.status == 200 and result.etag == "" and result.body


@pytest.mark.parametrize("code", ["BR-0000005", "BR-0000006"])
async def test_a_document_larger_than_the_limit_is_stopped(network: SimulatedNetwork, code: str) -> None:
    result = await fetch(network.url(code), OPEN)
    assert result.error == "invalid"
    assert result.detail.startswith(f"document larger than {OPEN.max_document_bytes} bytes")
    assert result.body is None


async def test_a_slow_lab_times_out(network: SimulatedNetwork) -> None:
    started = time.monotonic()
    result = await fetch(network.url("BR-0000003"), OPEN)
    assert result.error == "timeout" and result.detail == "no complete answer within 0.5 s"
    assert time.monotonic() - started < 1.2


async def test_the_time_cap_is_for_the_whole_answer_not_each_read(network: SimulatedNetwork) -> None:
    """Headers at once, then a byte every 0.2 s: no single read waits a second, the whole does."""
    started = time.monotonic()
    result = await fetch(network.url("BR-0000004"), OPEN)
    assert result.error == "timeout" and result.status == 200
    assert time.monotonic() - started < 1.2
    assert not result.retryable  # it answered, slowly: another try would hold the slot as long again


async def test_a_lab_closing_the_connection_mid_body_is_truncated(network: SimulatedNetwork) -> None:
    result = await fetch(network.url("BR-0000007"), OPEN)
    assert (result.error, result.status, result.body) == ("truncated", 200, None)
    assert result.detail.startswith("the connection closed before the whole document arrived: ")
    assert result.retryable


async def test_a_body_that_is_not_what_its_content_encoding_says_is_invalid(network: SimulatedNetwork) -> None:
    result = await fetch(network.url("BR-0000014"), OPEN)
    assert (result.error, result.status, result.body) == ("invalid", 200, None)
    assert result.detail.startswith("the body does not match its Content-Encoding (gzip): ")
    assert not result.retryable


async def test_a_gzip_bomb_is_stopped_at_the_limit_as_it_inflates(network: SimulatedNetwork) -> None:
    """1 MB of gzip inflating to 1 GiB: decoded in steps of at most the limit, never inflated whole."""
    tracemalloc.start()
    try:
        result = await fetch(network.url("BR-0000015"), OPEN)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.error, result.status, result.detail) == ("invalid", 200, "document larger than 50000 bytes")
    assert peak < 3_000_000, f"{peak:,} bytes allocated at the peak"


async def test_a_gzip_or_deflate_body_decodes_to_the_document() -> None:
    document = json.dumps(lab_document("BR-0000001")).encode()
    for encoding, wbits in (("gzip", 31), ("deflate", 15)):
        packer = zlib.compressobj(6, zlib.DEFLATED, wbits)
        packed = packer.compress(document) + packer.flush()
        decoder = CappedDecoder(encoding, len(document))
        for start in range(0, len(packed), 100):
            decoder.feed(packed[start:start + 100])
        decoder.finish()
        assert decoder.body() == document
    with pytest.raises(DocumentTooLarge):
        CappedDecoder("identity", 10).feed(b"x" * 11)


async def test_a_stopped_server_is_unreachable(network: SimulatedNetwork) -> None:
    result = await fetch(network.url("BR-0000008"), OPEN)
    assert result.error == "unreachable"
    assert result.detail.startswith("cannot connect to 127.0.0.1 port ")


async def test_dns_failure_is_unreachable() -> None:
    result = await fetch("http://no-such-lab.invalid/api/v1/indicators/", SHUT)
    assert result.error == "unreachable" and "no-such-lab.invalid cannot be resolved" in result.detail


async def test_http_errors_and_what_is_retryable(network: SimulatedNetwork) -> None:
    broken = await fetch(network.url("BR-0000009"), OPEN)
    assert (broken.error, broken.status, broken.detail) == ("http_error", 500, "HTTP 500 Internal Server Error")
    assert broken.retryable
    missing = await fetch(network.url("BR-0000010"), OPEN)
    assert (missing.error, missing.status) == ("http_error", 404) and not missing.retryable
    assert FetchResult(url="", error="timeout").retryable and FetchResult(url="", error="unreachable").retryable
    assert not FetchResult(url="", error="refused").retryable
    oversized = await fetch(network.url("BR-0000005"), OPEN)
    assert not oversized.retryable


async def test_redirects_are_followed_and_rechecked(network: SimulatedNetwork) -> None:
    followed = await fetch(network.url("BR-0000011"), OPEN)
    assert followed.status == 200 and json.loads(followed.body or b"")["lab"]["code"] == "BR-0000001"
    assert followed.url == network.url("BR-0000001")
    to_ftp = await fetch(network.url("BR-0000012"), OPEN)
    assert to_ftp.error == "refused" and "ftp://example.org/indicators.json" in to_ftp.detail
    invalid = await fetch(network.url("BR-0000016"), OPEN)
    assert (invalid.error, invalid.status, invalid.detail) == ("http_error", 302, "a redirect to an invalid URL")
    loop = await fetch(network.url("BR-0000013"), OPEN)
    assert loop.error == "http_error" and loop.detail == f"more than {MAX_REDIRECTS} redirects"
    assert LABS[12].requests == MAX_REDIRECTS + 1


async def test_a_redirect_to_a_refused_address_is_refused(network: SimulatedNetwork) -> None:
    """Every connection is checked, redirects included: here 127.0.0.1 is allowed, 127.0.0.2 not."""

    def policy(address: Address) -> str | None:
        return "a forbidden address" if str(address) == "127.0.0.2" else None

    port = network.base_url.rsplit(":", 1)[1]
    network.labs["BR-0000099"] = SimLab("BR-0000099", behaviour="redirect",
                                        target=f"http://127.0.0.2:{port}/labs/BR-0000001/indicators")
    async with Fetcher(SHUT, policy=policy) as fetcher:
        allowed = await fetcher.get(network.url("BR-0000001"))
        assert allowed.status == 200
        result = await fetcher.get(network.url("BR-0000099"))
    assert result.error == "refused" and result.detail.startswith("127.0.0.2 is a forbidden address")
    assert LABS[0].requests == 1  # the redirect never reached the lab


async def test_secrets_never_appear_in_details_or_logs(network: SimulatedNetwork,
                                                       caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret_url = network.url("BR-0000009").replace("http://", "http://hub:pa55word@") + "?token=s3cr3t"
    result = await fetch(secret_url, OPEN, token="tok-123456")
    assert result.error == "http_error"
    shown = result.detail + result.url + caplog.text
    for secret in ("pa55word", "s3cr3t", "tok-123456"):
        assert secret not in shown
    assert LABS[8].authorizations == ["Bearer tok-123456"]


async def test_the_token_is_not_sent_to_another_origin(network: SimulatedNetwork) -> None:
    port = network.base_url.rsplit(":", 1)[1]
    network.labs["BR-0000098"] = SimLab("BR-0000098", behaviour="redirect",
                                        target=f"http://localhost:{port}/labs/BR-0000001/indicators")
    result = await fetch(network.url("BR-0000098"), OPEN, token="tok-abcdef")
    assert result.status == 200
    assert network.labs["BR-0000098"].authorizations == ["Bearer tok-abcdef"]
    assert LABS[0].authorizations == []


# ------------------------------------------------------------------------------------ TLS

@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return key, cert


async def test_https_keeps_the_host_name_for_sni_and_certificate_checks(certificate: tuple[Path, Path]) -> None:
    """The connection goes to the checked address, but TLS still verifies the member's host name."""
    key, cert = certificate
    network = SimulatedNetwork([SimLab("BR-0000001")])
    config = uvicorn.Config(network.app, host="127.0.0.1", port=0, lifespan="off", log_level="critical",
                            ssl_keyfile=str(key), ssl_certfile=str(cert))
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        trust = ssl.create_default_context(cafile=str(cert))
        async with Fetcher(OPEN, verify=trust) as fetcher:
            good = await fetcher.get(f"https://localhost:{port}/labs/BR-0000001/indicators")
            wrong_name = await fetcher.get(f"https://127.0.0.1:{port}/labs/BR-0000001/indicators")
        assert good.status == 200 and good.error is None
        assert wrong_name.error == "unreachable" and "certificate" in wrong_name.detail.lower()
        async with Fetcher(OPEN) as untrusting:
            unknown = await untrusting.get(f"https://localhost:{port}/labs/BR-0000001/indicators")
        assert unknown.error == "unreachable" and "certificate" in unknown.detail.lower()
    finally:
        server.should_exit = True
        await task
