"""Fetch a member's indicators document safely: the hub's only outgoing HTTP request.

A registry entry must not let anyone use the hub to probe its own network (SSRF), so
:class:`Fetcher`:

- accepts ``http`` and ``https`` URLs only, and sends no proxy or ``.netrc`` credentials from the
  environment (``trust_env`` is off);
- resolves the host itself at the moment a connection is opened and refuses loopback, private,
  link-local, multicast, reserved, unspecified, shared (100.64/10) and otherwise non-global
  addresses, IPv4-mapped and NAT64 IPv6 forms included, unless the hub sets
  ``allow_private_addresses``. The TCP connection goes to the very address that was checked (a
  custom httpcore network backend), so a DNS answer cannot change between check and connect (DNS
  rebinding); the URL is unchanged, so the ``Host`` header, TLS SNI and certificate checks still
  name the member's host;
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
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlsplit

import httpcore
import httpx

from labkit import __version__

from labkit_federation.options import FederationOptions

log = logging.getLogger("labkit.federation.fetch")

MAX_REDIRECTS = 3
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
        raise httpcore.ConnectError(f"the name {host} cannot be resolved ({error})") from None
    addresses: list[Address] = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise httpcore.ConnectError(f"the name {host} has no address")
    return addresses


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore network backend that checks the resolved address and connects to it.

    The check and the connection use the same resolved address, so a second DNS answer can never
    be substituted (DNS rebinding). Used for every connection, redirects included.
    """

    def __init__(self, *, policy: Policy | None) -> None:
        self.policy = policy
        self.inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        addresses = await resolve(host, port)
        if self.policy is not None:
            for address in addresses:
                reason = self.policy(address)
                if reason:
                    name = host.strip("[]")
                    literal = _literal(name) == address
                    where = f"{address} is" if literal else f"{name} resolves to {address},"
                    raise AddressRefused(f"{where} {reason}: the hub does not fetch private addresses")
        last: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(str(address), port, timeout=timeout,
                                                    local_address=local_address, socket_options=socket_options)
            except httpcore.ConnectError as error:  # try the next address of the host
                last = error
        raise httpcore.ConnectError(f"cannot connect to {host.strip('[]')} port {port}: {_describe(last)}")

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        raise AddressRefused("Unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with :class:`PinnedBackend` under its connection pool, and no proxy."""

    def __init__(self, *, policy: Policy | None, max_connections: int,
                 verify: ssl.SSLContext | bool = True) -> None:
        super().__init__(verify=verify, trust_env=False)
        # httpx builds its pool without a way to pass a network backend: build the same pool with
        # ours. tests/federation/test_fetch.py fails if a future httpx stops using this attribute.
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=max_connections, max_keepalive_connections=max_connections,
            keepalive_expiry=5.0, network_backend=PinnedBackend(policy=policy))


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


def shown_url(url: str | httpx.URL) -> str:
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


class _Bearer(httpx.Auth):
    """``Authorization: Bearer <token>`` (never logged, never sent to another origin)."""

    def __init__(self, token: str) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Any:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "<Bearer ***>"


class _HideSecrets(logging.Filter):
    """httpx logs every request's full URL at INFO: hide user, password and query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and str(record.msg).startswith("HTTP Request:"):
            record.args = tuple(shown_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args)
        return True


if not any(isinstance(f, _HideSecrets) for f in logging.getLogger("httpx").filters):
    logging.getLogger("httpx").addFilter(_HideSecrets())


HELD_LOCATION = "x-labkit-held-location"


async def _hold_location(response: httpx.Response) -> None:
    """Move a redirect's ``Location`` aside before httpx reads it.

    httpx parses the ``Location`` of every redirect, followed or not, and raises a transport error
    for an invalid one (the lab would look unreachable, and be retried). The hub follows redirects
    itself (:meth:`Fetcher._exchange`), so it reads the header under :data:`HELD_LOCATION`."""
    if "location" in response.headers:
        response.headers[HELD_LOCATION] = response.headers.pop("location")


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


class Fetcher:
    """One HTTP client for a whole harvest (``async with Fetcher(options) as fetcher``)."""

    def __init__(self, options: FederationOptions, *, verify: ssl.SSLContext | bool = True,
                 policy: Policy | None = None, max_connections: int | None = None) -> None:
        """``policy`` replaces :func:`refusal` (tests); ``allow_private_addresses`` turns checks off.

        ``max_connections`` defaults to ``options.concurrency``. httpcore's pool does work in
        proportion to its connections times its waiting requests at every step, so a large
        harvest shares its requests over several small fetchers (see :mod:`.harvest`).
        """
        self.options = options
        if options.allow_private_addresses:
            policy = None
        elif policy is None:
            policy = refusal
        self.client = httpx.AsyncClient(
            transport=PinnedTransport(policy=policy, max_connections=max_connections or options.concurrency,
                                      verify=verify),
            follow_redirects=False, trust_env=False, timeout=httpx.Timeout(options.timeout_seconds),
            event_hooks={"response": [_hold_location]},
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", "Accept-Encoding": ACCEPT_ENCODING})

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        traceback: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.client.aclose()

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
        except httpx.TimeoutException:
            result.error, result.detail = "timeout", f"no complete answer within {self.options.timeout_seconds:g} s"
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as error:
            result.error, result.detail = "refused", f"not an http(s) URL: {_describe(error)}"
        except httpx.TransportError as error:
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
        target = httpx.URL(url)
        origin = (target.scheme, target.host, target.port)
        for hop in range(MAX_REDIRECTS + 1):
            if target.scheme not in ("http", "https") or not target.host:
                result.error = "refused"
                result.detail = f"only http and https URLs are fetched, not {shown_url(target)!r}"
                return
            headers = {"If-None-Match": etag} if etag else {}
            auth: Any = httpx.USE_CLIENT_DEFAULT
            if token and (target.scheme, target.host, target.port) == origin:
                auth = _Bearer(token)
            async with self.client.stream("GET", target, headers=headers, auth=auth) as response:
                result.status = response.status_code
                result.url = shown_url(target)
                if response.status_code != 200:
                    await self._drain(response)  # a short answer read to its end keeps the connection
                if response.status_code in REDIRECT_STATUSES and HELD_LOCATION in response.headers:
                    if hop == MAX_REDIRECTS:
                        result.error, result.detail = "http_error", f"more than {MAX_REDIRECTS} redirects"
                        return
                    try:
                        target = target.join(response.headers[HELD_LOCATION])
                    except httpx.InvalidURL:
                        result.error, result.detail = "http_error", "a redirect to an invalid URL"
                        return
                    continue
                if response.status_code == 304:
                    result.etag = response.headers.get("etag", etag)
                    return
                if response.status_code != 200:
                    result.error = "http_error"
                    result.detail = f"HTTP {response.status_code} {response.reason_phrase}".strip()
                    return
                result.etag = response.headers.get("etag", "")
                result.body = await self._read(response, result)
                return

    @staticmethod
    async def _drain(response: httpx.Response, limit: int = 65_536) -> None:
        """Read (and drop) the body of a 304, a redirect or an error page, up to ``limit`` bytes."""
        size = 0
        async for chunk in response.aiter_raw():
            size += len(chunk)
            if size > limit:
                break

    async def _read(self, response: httpx.Response, result: FetchResult) -> bytes | None:
        limit = self.options.max_document_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
            result.error, result.detail = "invalid", f"document larger than {limit} bytes ({declared} announced)"
            return None
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        if encoding not in DECODERS:
            result.error, result.detail = "invalid", f"a Content-Encoding the hub does not read: {encoding[:40]}"
            return None
        decoder = CappedDecoder(encoding, limit)
        try:
            async for chunk in response.aiter_raw():
                decoder.feed(chunk)
            decoder.finish()
        except DocumentTooLarge:
            result.error, result.detail = "invalid", f"document larger than {limit} bytes"
            return None
        except zlib.error as error:
            result.error = "invalid"
            result.detail = f"the body does not match its Content-Encoding ({encoding}): {_describe(error)}"
            return None
        except (httpx.RemoteProtocolError, httpx.ReadError) as error:  # the headers came, the whole body did not
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


async def fetch(url: str, options: FederationOptions, *, etag: str = "", token: str | None = None) -> FetchResult:
    """Fetch one document with a client of its own (a harvest shares one :class:`Fetcher`)."""
    async with Fetcher(options) as fetcher:
        return await fetcher.get(url, etag=etag, token=token)
