"""Good labs for ``bench/bench_federation.py``, served by a plain asyncio HTTP/1.1 server.

``python tests/federation/bench_labs.py --latency 0.05 --port 0 [--gzip-bomb CODE]`` prints
``listening on http://127.0.0.1:PORT`` and serves every code as a good lab of
:mod:`tests.federation.simulated` (an ``ETag`` honoured by ``If-None-Match`` → ``304``, a new
``generated_at`` at each request) but the ``--gzip-bomb`` ones, after ``--latency`` seconds, until
stdin closes (or it is killed).

The labs run on the hub's own machine in the benchmark, so what they cost is taken from the hub:
uvicorn, h11 and Starlette (what the tests' :class:`~tests.federation.simulated.SimulatedNetwork`
uses, for its many faulty behaviours) needed 0.54 ms of CPU per new document and 0.38 ms per
``304``; this server 0.23 ms and 0.13 ms. The documents, tags and bombs are
:mod:`tests.federation.simulated`'s.
"""

from __future__ import annotations

import asyncio
import sys
from functools import lru_cache
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[2]), str(Path(__file__).resolve().parents[2] / "plugins")]

from tests.federation.simulated import SimLab, gzip_bomb  # noqa: E402

PATH_PREFIX, PATH_SUFFIX = "/labs/", "/indicators"


@lru_cache(maxsize=8192)
def _tag(code: str) -> str:
    return SimLab(code).entity_tag()


def _response(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def answer(path: str, if_none_match: str, bombs: frozenset[str]) -> bytes:
    """The whole HTTP answer to ``GET path``."""
    code = path.removeprefix(PATH_PREFIX).removesuffix(PATH_SUFFIX)
    if not (path.startswith(PATH_PREFIX) and path.endswith(PATH_SUFFIX)) or not code:
        return _response("404 Not Found", {"Content-Type": "application/json"}, b'{"title": "no such lab"}')
    if code in bombs:
        return _response("200 OK", {"Content-Type": "application/json", "Content-Encoding": "gzip"}, gzip_bomb())
    tag = _tag(code)
    if if_none_match == tag:
        return _response("304 Not Modified", {"ETag": tag})
    return _response("200 OK", {"Content-Type": "application/json", "ETag": tag}, SimLab(code).body())


async def serve(latency: float, port: int, bombs: frozenset[str]) -> None:
    """Serve the labs on ``port`` (0: any) until stdin closes."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
                path = head[0].split(" ")[1]
                headers = {name.strip().lower(): value.strip()
                           for name, _, value in (line.partition(":") for line in head[1:] if line)}
                await asyncio.sleep(latency)
                writer.write(answer(path, headers.get("if-none-match", ""), bombs))
                await writer.drain()
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    if bombs:
        gzip_bomb()  # built once before serving (it takes most of a second)
    server = await asyncio.start_server(connection, "127.0.0.1", port, backlog=8192)
    print(f"listening on http://127.0.0.1:{server.sockets[0].getsockname()[1]}", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    server.close()


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Serve simulated good labs on loopback (for the benchmark).")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds added to every answer")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--gzip-bomb", action="append", default=[], metavar="CODE",
                        help="this lab answers a gzip bomb (repeatable); every other lab is good")
    arguments = parser.parse_args()
    asyncio.run(serve(arguments.latency, arguments.port, frozenset(arguments.gzip_bomb)))
