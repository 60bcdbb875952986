"""Fetch a member's indicators document safely: the hub's only outgoing HTTP request.

A registry entry must not let anyone use the hub to probe its own network (SSRF), so
:class:`Fetcher`:

- accepts ``http`` and ``https`` URLs only, and sends no proxy or ``.netrc`` credentials from the
  environment (``trust_env`` is off);
- resolves the host itself at the moment a connection is opened and refuses loopback, private,
  link-local, multicast, reserved, unspecified, shared (100.64/10) and otherwise non-global
  addresses, IPv4-mapped and NAT64 IPv6 forms included, unless the hub sets
  ``allow_private_addresses``. The TCP connection goes to the very address that was checked (a
  custom aiohttp resolver, :class:`PinnedResolver`), so a DNS answer cannot change between check
  and connect (DNS rebinding); the URL is unchanged, so the ``Host`` header, TLS SNI and
  certificate checks still name the member's host;
- follows at most :data:`MAX_REDIRECTS` redirects by hand, each one re-checked (scheme and
  address), and drops the ``Authorization`` header when a redirect leaves the origin;
- sends ``If-None-Match`` with the stored ETag (``304`` costs nothing);
- streams the body and decodes it itself (``gzip`` or ``deflate``, see :class:`CappedDecoder`),
  stopping as soon as the *decoded* size exceeds ``max_document_bytes``: a compressed "zip bomb"
  never inflates past the limit in memory;
- caps the whole exchange (DNS, connect, redirects, headers and body) with one deadline of
  ``timeout_seconds``, not only each read.

It never raises for a network problem: :meth:`Fetcher.get` returns a :class:`FetchResult` whose
``error`` is one of the harvest outcomes (``http_error``, ``timeout``, ``unreachable``,
``truncated`` — the connection closed mid-body —, ``invalid`` — a body that cannot be decoded
included —, ``refused``); any other exception while fetching one lab is ``invalid`` with its
name. Details name the host, never a URL's user, password or query string, and never a token.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import re
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from labkit import __version__

from labkit_federation.options import FederationOptions

log = logging.getLogger("labkit.federation.fetch")

MAX_REDIRECTS = 3
MAX_ETAG = 200
"""The longest entity tag kept (the member's column): a longer one is ignored, as none was sent."""
_ENTITY_TAG = re.compile(r'(W/)?"[\x21\x23-\x7e]*"')
"""Redirects followed for one document (each one re-checked)."""
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
USER_AGENT = f"labkit-federation/{__version__} (+https://labkit.readthedocs.io/plugins/federation/)"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
Policy = Callable[[Address], "str | None"]
"""Why an address is refused (``None``: allowed); the default is :func:`refusal`."""


class AddressRefused(Exception):
    """The host of a URL resolves to an address the hub may not connect to."""


def refusal(address: Address) -> str | None:
    """What kind of address the hub refuses ``address`` as (``None`` for a public address)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            reason = refusal(embedded)
            return f"{reason} ({embedded} inside)" if reason else None
    for flag, reason in (("is_unspecified", "an unspecified address"), ("is_loopback", "a loopback address"),
                         ("is_link_local", "a link-local address"), ("is_multicast", "a multicast address"),
                         ("is_private", "a private address"), ("is_reserved", "a reserved address")):
        if getattr(address, flag):
            return reason
    if not address.is_global:
        return "not a public address"
    return None


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


class NameNotResolved(OSError):
    """A host name has no address (aiohttp reports it as a connection failure)."""


async def resolve(host: str, port: int) -> list[Address]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    host = host.strip("[]")
    literal = _literal(host)
    if literal is not None:
        return [literal]
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise NameNotResolved(f"the name {host} cannot be resolved ({error})") from None
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise NameNotResolved(f"the name {host} has no address")
    return addresses


def check(policy: Policy | None, host: str, addresses: list[Address]) -> None:
    """Raise :class:`AddressRefused` if ``policy`` refuses any address ``host`` resolved to."""
    if policy is None:
        return
    for address in addresses:
        reason = policy(address)
        if reason:
            name = host.strip("[]")
            where = f"{address} is" if _literal(name) == address else f"{name} resolves to {address},"
            raise AddressRefused(f"{where} {reason}: the hub does not fetch private addresses")


class PinnedResolver(AbstractResolver):
    """aiohttp's resolver for the hub: it checks every address a name resolves to, and aiohttp
    connects to exactly those addresses (no second DNS answer can be substituted: DNS
    rebinding). aiohttp does not ask a resolver about IP literals: :meth:`Fetcher._exchange`
    checks those."""

    def __init__(self, policy: Policy | None) -> None:
        self.policy = policy

    async def resolve(self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET) -> list[ResolveResult]:
        """The checked addresses of ``host`` (``family`` is left to the system: both are tried)."""
        addresses = await resolve(host, port)
        check(self.policy, host, addresses)
        return [{"hostname": host, "host": str(address), "port": port,
                 "family": socket.AF_INET6 if address.version == 6 else socket.AF_INET, "proto": 0, "flags": 0}
                for address in addresses]

    async def close(self) -> None:
        """Nothing to release."""


@dataclass
class FetchResult:
    """What one fetch gave.

    ``error`` is ``None`` for a document (``status`` 200, ``body`` its bytes) and for a ``304``
    (``body`` is ``None``); otherwise a harvest outcome with a one-line ``detail``.
    """

    url: str
    status: int | None = None
    body: bytes | None = None
    etag: str = ""
    error: str | None = None
    detail: str = ""
    elapsed_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.error is None and self.status == 304

    @property
    def retryable(self) -> bool:
        """A timeout before the answer began, a connection failure (before or during the body) or a
        5xx may pass on a second try; nothing else will. A lab that answered ``200`` and then did not
        finish its body in time (a trickle) is not retried: it would hold a fetch slot for the whole
        time cap again."""
        return (self.error in ("unreachable", "truncated") or (self.error == "timeout" and self.status != 200) or (
            self.error == "http_error" and self.status is not None and self.status >= 500))


def shown_url(url: str | URL) -> str:
    """``url`` without user, password, query or fragment: what may appear in a log or a detail."""
    try:
        parts = urlsplit(str(url))
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "(an invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{f':{port}' if port else ''}{parts.path}"


def _describe(error: BaseException | None) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def _connect_failure(error: aiohttp.ClientConnectorError) -> str:
    cause = getattr(error, "certificate_error", None) or getattr(error, "_os_error", error)
    if isinstance(cause, NameNotResolved):
        return str(cause)
    return f"cannot connect to {error.host} port {error.port}: {_describe(cause)}"


class Fetcher:
    """One HTTP client for a whole harvest (``async with Fetcher(options) as fetcher``).

    Built on ``aiohttp``: on the benchmark's simulator it costs 0.18 ms of CPU per document
    against 1.0 ms for ``httpx`` (docs/benchmarks.md), and a national harvest is mostly requests.
    """

    def __init__(self, options: FederationOptions, *, verify: ssl.SSLContext | bool = True,
                 policy: Policy | None = None, max_connections: int | None = None) -> None:
        """``policy`` replaces :func:`refusal` (tests); ``allow_private_addresses`` turns checks off.
        ``max_connections`` defaults to ``options.concurrency``. Call it in the event loop."""
        self.options = options
        if options.allow_private_addresses:
            policy = None
        elif policy is None:
            policy = refusal
        self.policy = policy
        connector = aiohttp.TCPConnector(limit=max_connections or options.concurrency, limit_per_host=0,
                                         resolver=PinnedResolver(policy), keepalive_timeout=5.0,
                                         ssl=verify)
        self.session = aiohttp.ClientSession(
            connector=connector, trust_env=False, auto_decompress=False,
            timeout=aiohttp.ClientTimeout(total=options.timeout_seconds), cookie_jar=aiohttp.DummyCookieJar(),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING})

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.session.close()

    async def get(self, url: str, *, etag: str = "", token: str | None = None) -> FetchResult:
        """GET ``url`` once (no retries: the harvest decides), within the total time cap."""
        started = time.monotonic()
        result = FetchResult(url=shown_url(url))
        try:
            async with asyncio.timeout(self.options.timeout_seconds):
                await self._exchange(result, url, etag, token)
        except TimeoutError:
            result.error, result.detail = "timeout", f"no complete answer within {self.options.timeout_seconds:g} s"
        except AddressRefused as error:
            result.error, result.detail = "refused", str(error)
        except aiohttp.ClientConnectorError as error:  # before ValueError: a certificate error is one too
            result.error, result.detail = "unreachable", _connect_failure(error)
        except ValueError as error:  # yarl and aiohttp's InvalidURL
            result.error, result.detail = "refused", f"not an http(s) URL: {_describe(error)}"
        except aiohttp.ClientError as error:  # the connection dropped, or an answer that is not HTTP
            result.error, result.detail = "unreachable", _describe(error)
        except Exception as error:  # whatever else one lab's answer causes is that lab's outcome, never the run's
            log.warning("fetch %s failed unexpectedly", result.url, exc_info=True)
            result.error, result.detail = "invalid", f"the answer could not be read: {type(error).__name__}: {_describe(error)}"
        if result.error is not None:
            result.body = None
        result.elapsed_ms = int((time.monotonic() - started) * 1000)
        if result.error:
            log.info("fetch %s: %s (%s)", result.url, result.error, result.detail)
        return result

    async def _exchange(self, result: FetchResult, url: str, etag: str, token: str | None) -> None:
        target = URL(url)
        origin = (target.scheme, target.host, target.port)
        for hop in range(MAX_REDIRECTS + 1):
            if target.scheme not in ("http", "https") or not target.host:
                result.error = "refused"
                result.detail = f"only http and https URLs are fetched, not {shown_url(target)!r}"
                return
            literal = _literal(target.host)
            if literal is not None:  # a name is checked by PinnedResolver, an address here
                check(self.policy, target.raw_host or target.host, [literal])
            headers = {"If-None-Match": etag} if etag else {}
            if token and (target.scheme, target.host, target.port) == origin:
                headers["Authorization"] = f"Bearer {token}"
                target = target.with_user(None)  # the token, never a password of the URL besides
            async with self.session.get(target, headers=headers, allow_redirects=False) as response:
                result.status = response.status
                if hop:  # redirected: the answer is this address's
                    result.url = shown_url(target)
                if response.status != 200:
                    await self._drain(response)  # a short answer read to its end keeps the connection
                location = response.headers.get("Location")
                if response.status in REDIRECT_STATUSES and location is not None:
                    if hop == MAX_REDIRECTS:
                        result.error, result.detail = "http_error", f"more than {MAX_REDIRECTS} redirects"
                        return
                    try:
                        target = target.join(URL(location))
                    except ValueError:
                        result.error, result.detail = "http_error", "a redirect to an invalid URL"
                        return
                    continue
                if response.status == 304:
                    result.etag = entity_tag(response.headers.get("ETag", etag))
                    return
                if response.status != 200:
                    result.error = "http_error"
                    result.detail = f"HTTP {response.status} {response.reason or ''}".strip()
                    return
                result.etag = entity_tag(response.headers.get("ETag", ""))
                result.body = await self._read(response, result)
                return

    @staticmethod
    async def _drain(response: aiohttp.ClientResponse, limit: int = 65_536) -> None:
        """Read (and drop) the body of a 304, a redirect or an error page, up to ``limit`` bytes."""
        size = 0
        async for chunk in response.content.iter_any():
            size += len(chunk)
            if size > limit:
                break

    async def _read(self, response: aiohttp.ClientResponse, result: FetchResult) -> bytes | None:
        limit = self.options.max_document_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers:
            result.error, result.detail = "invalid", f"document larger than {limit} bytes ({declared} announced)"
            return None
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in DECODERS:
            result.error, result.detail = "invalid", f"a Content-Encoding the hub does not read: {encoding[:40]}"
            return None
        decoder = CappedDecoder(encoding, limit)
        try:
            async for chunk in response.content.iter_any():
                decoder.feed(chunk)
            decoder.finish()
        except DocumentTooLarge:
            result.error, result.detail = "invalid", f"document larger than {limit} bytes"
            return None
        except zlib.error as error:
            result.error = "invalid"
            result.detail = f"the body does not match its Content-Encoding ({encoding}): {_describe(error)}"
            return None
        except (aiohttp.ClientPayloadError, aiohttp.ClientConnectionError) as error:  # headers came, not the body
            result.error = "truncated"
            result.detail = f"the connection closed before the whole document arrived: {_describe(error)}"
            return None
        return decoder.body()


class DocumentTooLarge(Exception):
    """The decoded body went past the limit."""


DECODERS = {"identity": 0, "gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
"""The content codings the hub reads (what it sends in ``Accept-Encoding``), with their zlib window."""
ACCEPT_ENCODING = "gzip, deflate"


class CappedDecoder:
    """Decodes a body as it streams and stops at ``limit`` decoded bytes.

    zlib is asked for at most what is left under the limit at each step (``max_length``), so a
    small compressed body that inflates to gigabytes (a "zip bomb") never holds more than the
    limit in memory: :class:`DocumentTooLarge` is raised as soon as it goes past.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.chunks: list[bytes] = []
        wbits = DECODERS[encoding]
        self.inflater = zlib.decompressobj(wbits) if wbits else None

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise DocumentTooLarge
        self.chunks.append(data)

    def feed(self, chunk: bytes) -> None:
        """Decode ``chunk`` (raw bytes from the network) and keep what it gives."""
        if self.inflater is None:
            self._keep(chunk)
            return
        data = chunk
        while data and not self.inflater.eof:
            self._keep(self.inflater.decompress(data, self.limit - self.size + 1))
            data = self.inflater.unconsumed_tail

    def finish(self) -> None:
        """The body ended: a compressed stream must be complete."""
        if self.inflater is not None and not self.inflater.eof:
            raise zlib.error("the compressed stream ends before its end")

    def body(self) -> bytes:
        """The decoded body."""
        return b"".join(self.chunks)


def entity_tag(header: str) -> str:
    """A lab's ``ETag`` header if it is a valid entity tag (RFC 9110: quoted visible ASCII) of at
    most :data:`MAX_ETAG` characters, else ``""``: the document is then fetched whole next time,
    and whatever a lab puts in the header never reaches the database."""
    return header if len(header) <= MAX_ETAG and _ENTITY_TAG.fullmatch(header) else ""


async def fetch(url: str, options: FederationOptions, *, etag: str = "", token: str | None = None) -> FetchResult:
    """Fetch one document with a client of its own (a harvest shares one :class:`Fetcher`)."""
    async with Fetcher(options) as fetcher:
        return await fetcher.get(url, etag=etag, token=token)
