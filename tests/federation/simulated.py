"""A simulated network of labs, served as real HTTP servers on loopback.

Used by the federation tests and by ``bench/bench_federation.py``. Every lab answers
``GET /labs/<code>/indicators`` according to its :class:`SimLab` behaviour:

=================  ================================================================================
``good``           a valid document (version 1.1 or 1.0), with an ``ETag`` honoured by
                   ``If-None-Match`` → ``304``, or without ETag (then ``generated_at`` changes at
                   each request, as a real lab's does)
``slow``           answers after ``delay`` seconds (beyond the hub's timeout)
``trickle``        sends headers at once, then one byte every 0.2 s: each read is quick, the whole is not
``flaky``          ``500`` for the first ``failures`` requests, then the document
``broken``         always ``500``
``missing``        ``404``
``not_json``       ``200`` with a body that is not JSON
``wrong_version``  a document of version ``3.0``
``oversized``      a document larger than the hub accepts, with its ``Content-Length``
``oversized_chunked``  the same, streamed without ``Content-Length``
``impostor``       a valid document that reports for ``claims`` (another lab's code)
``redirect``       ``302`` to ``target`` (a path on the same server or any URL)
``bad_gzip``       ``200`` with ``Content-Encoding: gzip`` and a body that is not gzip
``gzip_bomb``      ``200`` with ``Content-Encoding: gzip``: about 1 MB that inflates to 1 GiB of zeros
``bad_redirect``   ``302`` to an address that is not a valid URL (``http://[::1/``)
``long_etag``      a valid document with a 5,000-character ``ETag``
``binary_etag``    a valid document with an ``ETag`` holding a byte that is not ASCII
``vanish``         served by a raw TCP server that announces a body and closes the connection
                   mid-body
``gone``           nothing listens on its port any more (the server was stopped)
=================  ================================================================================

``latency`` (seconds) is added to every answer (the benchmark uses 50 ms).

The benchmark serves its thousands of good labs with a lighter server of the same documents
(``tests/federation/bench_labs.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import socket
import struct
import zlib
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from labkit.indicator_format import INDICATOR_FORMATS, Row, period_entry
from labkit.indicator_format.versions import BASE_URL
from labkit.periods import Period

MODULES = ("participation", "coworking", "challenges")
KINDS = {
    "projects": ("challenge", "residency", "own"),
    "partnerships": ("public-body", "university", "collective"),
    "participants": ("registered", "workshop"),
    "products": ("prototype", "guide", "open-dataset"),
}


def default_periods(today: date | None = None) -> tuple[str, ...]:
    """Two full past years and the last full quarter: periods a lab has published by ``today``."""
    today = today or datetime.now(UTC).date()
    quarter = (today.month - 1) // 3  # the current quarter's index (0-3); the last full one is before it
    year, last = (today.year, quarter) if quarter else (today.year - 1, 4)
    return (str(today.year - 2), str(today.year - 1), f"{year}-Q{last}")


def _number(*parts: str, low: int = 5, high: int = 400) -> int:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low)


def _split(total: int, names: tuple[str, ...], *parts: str) -> list[int]:
    """``total`` split over ``names`` deterministically (the cells add up to the total)."""
    weights = [_number(*parts, name, low=1, high=10) for name in names]
    cells = [total * weight // sum(weights) for weight in weights]
    cells[0] += total - sum(cells)
    return cells


def lab_rows(code: str, periods: tuple[str, ...], salt: str = "") -> list[Row]:
    """Plausible, deterministic figures of lab ``code`` (``salt`` changes them)."""
    rows: list[Row] = []
    for code_period in periods:
        period = Period.parse(code_period)
        for indicator in INDICATOR_FORMATS:
            total = _number(code, code_period, indicator, salt)
            base = {"lab": code, "indicator": indicator, "frequency": period.frequency, "period": period.code,
                    "status": "published"}
            rows.append(Row(**base, value=total))
            if indicator == "participants":  # distinct people: module cells do not add up
                for module in MODULES[:2]:
                    rows.append(Row(**base, module=module, value=total * 2 // 3))
            else:
                for module, value in zip(MODULES, _split(total, MODULES, code, code_period, indicator, "m")):
                    rows.append(Row(**base, module=module, value=value))
            kinds = KINDS[indicator]
            for kind, value in zip(kinds, _split(total, kinds, code, code_period, indicator, "k")):
                rows.append(Row(**base, kind=kind, value=value))
    return rows


def lab_document(code: str, *, version: str = "1.1", periods: tuple[str, ...] | None = None,
                 name: str | None = None, salt: str = "", generated_at: datetime | None = None) -> dict[str, Any]:
    """A valid indicators document of lab ``code`` (``BR-3550308``), as a labkit lab publishes it."""
    periods = periods or default_periods()
    country, _, municipal = code.partition("-")
    rows = lab_rows(code, periods, salt)
    lab: dict[str, Any] = {"code": code, "name": name or f"Lab {code}", "municipality": f"Município {municipal}",
                           "municipal_code": municipal, "country": country, "region": f"{country}-SP" if country == "BR" else "",
                           "timezone": "America/Sao_Paulo", "mentor_url": "", "base_url": f"https://{code.lower()}.example"}
    if version != "1.0":
        lab["kind"] = "lab"
    published_at = "2026-01-10T12:00:00Z"
    return {
        "schema": BASE_URL + version,
        "version": version,
        "generated_at": (generated_at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "lab": lab,
        "indicators": [{"id": f.id, "unit": f.unit, "temporal_aggregation": f.temporal_aggregation,
                        "people_count": f.people_count} for f in INDICATOR_FORMATS.values()],
        "periods": [{**period_entry(Period.parse(p), "published", [r for r in rows if r.period == p],
                                    published_at=published_at),
                     "computed_at": published_at, "failures": [],
                     "suppression": {"threshold": 5, "applies_to": ["participants"]}} for p in periods],
    }


@dataclass
class SimLab:
    """One simulated lab: its code, behaviour and document, and what it was asked."""

    code: str
    behaviour: str = "good"
    version: str = "1.1"
    etag: bool = True
    delay: float = 0.0
    failures: int = 1
    claims: str = ""
    target: str = ""
    salt: str = ""
    requests: int = 0
    not_modified: int = 0
    conditional: list[str] = field(default_factory=list)
    authorizations: list[str] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        """The document this lab serves now (``generated_at`` is the time of the request)."""
        if self.behaviour == "impostor":
            return lab_document(self.claims, version=self.version, salt=self.salt)
        document = _cached_document(self.code, self.version, self.salt)
        return {**document, "generated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}

    def body(self) -> bytes:
        return json.dumps(self.document(), ensure_ascii=False).encode()

    def entity_tag(self) -> str:
        stable = json.dumps(_cached_document(self.code, self.version, self.salt), sort_keys=True).encode()
        return '"' + hashlib.sha256(stable).hexdigest()[:20] + '"'


ODD_ETAGS = {"long_etag": '"' + "x" * 5000 + '"', "binary_etag": '"caf\xe9"'}
"""The ``ETag`` headers of the labs that send one no hub should keep (sent as Latin-1 bytes)."""


@lru_cache(maxsize=8192)
def _cached_document(code: str, version: str, salt: str) -> dict[str, Any]:
    return lab_document(code, version=version, salt=salt, generated_at=datetime(2026, 1, 15, tzinfo=UTC))


@lru_cache(maxsize=1)
def gzip_bomb(mebibytes: int = 1024) -> bytes:
    """A valid gzip body of about 1 KB per MiB that inflates to ``mebibytes`` MiB of zero bytes.

    Each MiB of zeros compresses (after a full flush) to the same bytes, so the body is built by
    repetition instead of compressing a gibibyte; the trailer's CRC-32 and length are computed."""
    zeros = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    first = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush(zlib.Z_FINISH)[:-8]  # the final empty block, without the 2-block trailer
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    trailer = struct.pack("<II", crc, (mebibytes << 20) & 0xFFFFFFFF)
    return first + block * (mebibytes - 1) + end + trailer


class SimulatedNetwork:
    """Labs served by one uvicorn server (plus a raw server for ``vanish``) in this event loop.

    ``labs`` is a dict code → :class:`SimLab`; unknown codes get a good lab when ``default_good``
    (the benchmark), else ``404``. ``max_bytes`` sizes the oversized documents.
    """

    def __init__(self, labs: list[SimLab] | None = None, *, latency: float = 0.0, default_good: bool = False,
                 max_bytes: int = 200_000) -> None:
        self.labs = {lab.code: lab for lab in labs or []}
        self.latency = latency
        self.default_good = default_good
        self.max_bytes = max_bytes
        self.base_url = ""
        self.vanish_url = ""
        self.gone_url = ""
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.peak = 0
        """The most requests answered at the same time (to check the hub's concurrency bound)."""
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._raw: asyncio.Server | None = None
        self.app = Starlette(routes=[Route("/labs/{code}/indicators", self.indicators)])

    def lab(self, code: str) -> SimLab | None:
        found = self.labs.get(code)
        if found is None and self.default_good:
            found = self.labs.setdefault(code, SimLab(code))
        return found

    def url(self, code: str) -> str:
        """Where lab ``code``'s document is served."""
        lab = self.labs.get(code)
        if lab is not None and lab.behaviour == "vanish":
            return f"{self.vanish_url}/labs/{code}/indicators"
        if lab is not None and lab.behaviour == "gone":
            return f"{self.gone_url}/labs/{code}/indicators"
        return f"{self.base_url}/labs/{code}/indicators"

    async def indicators(self, request: Request) -> Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: Request) -> Response:
        code = request.path_params["code"]
        self.hits[code] += 1
        lab = self.lab(code)
        if self.latency:
            await asyncio.sleep(self.latency)
        if lab is None:
            return JSONResponse({"title": "no such lab"}, status_code=404)
        lab.requests += 1
        if "authorization" in request.headers:
            lab.authorizations.append(request.headers["authorization"])
        behaviour = lab.behaviour
        if behaviour == "slow":
            await asyncio.sleep(lab.delay)
        if behaviour == "trickle":
            return StreamingResponse(self._trickle(lab), media_type="application/json")
        if behaviour == "broken" or (behaviour == "flaky" and lab.requests <= lab.failures):
            return JSONResponse({"title": "internal error"}, status_code=500)
        if behaviour == "missing":
            return JSONResponse({"title": "not found"}, status_code=404)
        if behaviour == "redirect":
            return RedirectResponse(lab.target, status_code=302)
        if behaviour == "bad_redirect":
            return Response(status_code=302, headers={"Location": "http://[::1/indicators"})
        if behaviour == "gzip_bomb":
            return Response(gzip_bomb(), media_type="application/json", headers={"Content-Encoding": "gzip"})
        if behaviour == "bad_gzip":
            return Response(lab.body(), media_type="application/json", headers={"Content-Encoding": "gzip"})
        if behaviour == "not_json":
            return Response(b"<html><body>Lab under maintenance</body></html>", media_type="application/json")
        if behaviour == "wrong_version":
            document = {**lab.document(), "version": "3.0", "schema": BASE_URL + "3.0"}
            return JSONResponse(document)
        if behaviour == "oversized":
            return Response(self._padded(lab), media_type="application/json")
        if behaviour == "oversized_chunked":
            body = self._padded(lab)
            return StreamingResponse((body[i:i + 16_384] for i in range(0, len(body), 16_384)),
                                     media_type="application/json")
        if behaviour in ODD_ETAGS:
            return Response(lab.body(), media_type="application/json", headers={"ETag": ODD_ETAGS[behaviour]})
        if lab.etag:
            tag = lab.entity_tag()
            asked = request.headers.get("if-none-match", "")
            if asked:
                lab.conditional.append(asked)
            if asked == tag:
                lab.not_modified += 1
                return Response(status_code=304, headers={"ETag": tag})
            return Response(lab.body(), media_type="application/json", headers={"ETag": tag})
        return Response(lab.body(), media_type="application/json")

    def _padded(self, lab: SimLab) -> bytes:
        document = lab.document()
        document["lab"] = {**document["lab"], "name": "x" * (self.max_bytes + 10_000)}
        return json.dumps(document).encode()

    async def _trickle(self, lab: SimLab) -> AsyncIterator[bytes]:
        for byte in lab.body()[:200]:
            yield bytes([byte])
            await asyncio.sleep(0.2)

    async def _vanish(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Announce a whole document, send a part of it and close: a lab dying mid-answer."""
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            request = await reader.readuntil(b"\r\n\r\n")
            code = request.split(b" ", 2)[1].decode().split("/")[2]
            self.hits[code] += 1
            body = (self.labs[code] if code in self.labs else SimLab(code)).body()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body[: len(body) // 3])
            await writer.drain()
        writer.close()

    async def start(self) -> SimulatedNetwork:
        if any(lab.behaviour == "gzip_bomb" for lab in self.labs.values()):
            gzip_bomb()  # built once before serving (it takes most of a second)
        config = uvicorn.Config(self.app, host="127.0.0.1", port=0, lifespan="off", log_level="warning",
                                access_log=False, timeout_graceful_shutdown=1, backlog=4096)
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        self._raw = await asyncio.start_server(self._vanish, "127.0.0.1", 0)
        self.vanish_url = f"http://127.0.0.1:{self._raw.sockets[0].getsockname()[1]}"
        self.gone_url = f"http://127.0.0.1:{free_port()}"
        return self

    async def stop(self) -> None:
        if self._raw is not None:
            self._raw.close()
            await self._raw.wait_closed()
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task

    async def __aenter__(self) -> SimulatedNetwork:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released: a stopped server's port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
