"""Parts of bench/bench_federation.py: the hub it sets up, and the hub's CPU per new document
(parse, hash, check, store) beside each JSON parser and schema validator on the same documents."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from typing import Any

from labkit import db
from labkit.config import load_settings
from labkit.plugins import Plugins
from labkit.testing import write_lab


def codes(count: int) -> list[str]:
    """``count`` lab codes (``BR-1100000`` on)."""
    return [f"BR-{1100000 + number:07d}" for number in range(count)]


async def new_hub(folder: Path, database_url: str | None, concurrency: int) -> Any:
    """A federation hub's lab in ``folder`` (on ``database_url``, else SQLite), migrated: its settings."""
    options = {"allow_private_addresses": True, "concurrency": concurrency, "timeout_seconds": 30, "retries": 1,
               "backoff_seconds": 0.5}
    sections: dict[str, dict[str, Any]] = {"plugin.federation": options}
    if database_url:
        sections["database"] = {"url": database_url}
    write_lab(folder, ["federation"], sections)
    settings = load_settings(folder, {})
    await db.migrate(settings, Plugins(settings))
    return settings


def hub_cpu() -> float:
    """CPU seconds used by this process (the hub) so far: the machine may be shared."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _per_document(function: Any, items: list[Any]) -> float:
    """Milliseconds of CPU per call of ``function`` over ``items`` (after one warm-up call)."""
    function(items[0])
    cpu = hub_cpu()
    for item in items:
        function(item)
    return (hub_cpu() - cpu) / len(items) * 1000


def parsers_and_validators(bodies: list[bytes]) -> dict[str, float]:
    """ms per document of each JSON parser and schema validator installed, on our 1.1 schema."""
    import json

    import jsonschema
    import jsonschema_rs

    from labkit.indicator_format import schema, validate

    documents = [json.loads(body) for body in bodies]
    out = {"json.loads": _per_document(json.loads, bodies)}
    for module, call in (("orjson", "loads"), ("msgspec", "json.decode")):
        try:
            parse = __import__(module)
            for part in call.split("."):
                parse = getattr(parse, part)
            out[f"{module}.{call}"] = _per_document(parse, bodies)
        except ImportError:
            pass
    slow = jsonschema.Draft202012Validator(schema("1.1"), format_checker=jsonschema.FormatChecker())
    out["jsonschema (pure Python)"] = _per_document(lambda d: list(slow.iter_errors(d)), documents)
    fast = jsonschema_rs.Draft202012Validator(schema("1.1"), validate_formats=True)
    out["jsonschema-rs"] = _per_document(fast.is_valid, documents)
    try:
        import fastjsonschema

        out["fastjsonschema"] = _per_document(fastjsonschema.compile(schema("1.1")), documents)
    except ImportError:
        pass
    out["labkit validate() (schema + semantic checks)"] = _per_document(validate, documents)
    return out


async def ingest_cost(folder: Path, database_url: str | None, count: int) -> dict[str, Any]:
    """Hub CPU per new document: parse (orjson, as the harvest), hash, validate and store ``count``
    documents, half one by one (:func:`storage.ingest`, a push) and half as the harvest's writers
    do (:func:`storage.ingest_many`, :data:`~labkit_federation.harvest.WRITE_BATCH` at a time)."""
    import json
    from datetime import UTC, datetime

    import orjson

    from labkit.indicator_format.http import content_hash

    from labkit_federation import storage
    from labkit_federation.harvest import WRITE_BATCH
    from labkit_federation.models import Member
    from tests.federation.simulated import lab_document

    settings = await new_hub(folder, database_url, 1)
    all_codes = codes(count)
    bodies = [json.dumps(lab_document(code)).encode() for code in all_codes]
    half = count // 2
    async with db.open_database(settings, Plugins(settings)):
        await Member.bulk_create([Member(code=code, name=code, region_path="BR/BR-SP") for code in all_codes])
        members = {member.code: member for member in await Member.all()}
        cpu, started = hub_cpu(), time.perf_counter()
        for code, body in zip(all_codes[:half], bodies[:half]):
            document = orjson.loads(body)
            content_hash(document)
            summary = await storage.ingest(members[code], document, source="pull", received_at=datetime.now(UTC))
            assert summary.ok, summary.errors
        figures = {"single_cpu_ms": (hub_cpu() - cpu) / half * 1000,
                   "single_wall_ms": (time.perf_counter() - started) / half * 1000}
        cpu, started = hub_cpu(), time.perf_counter()
        for start in range(half, count, WRITE_BATCH):
            batch = []
            for code, body in zip(all_codes[start:start + WRITE_BATCH], bodies[start:start + WRITE_BATCH]):
                batch.append((members[code], orjson.loads(body)))
                content_hash(batch[-1][1])
            outcomes = await storage.ingest_many(batch, source="pull", received_at=datetime.now(UTC))
            assert all(isinstance(outcome, storage.ImportSummary) and outcome.ok for outcome in outcomes)
        figures |= {"ingest_cpu_ms": (hub_cpu() - cpu) / (count - half) * 1000,
                    "ingest_wall_ms": (time.perf_counter() - started) / (count - half) * 1000,
                    "documents": count, "batch": WRITE_BATCH, "bytes": sum(map(len, bodies)) // count}
    figures["validators"] = parsers_and_validators(bodies[:200])
    return figures


def cost_rows(database: str, figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The runner's rows for :func:`ingest_cost`."""
    validators = figures["validators"]
    baseline = validators["jsonschema (pure Python)"]
    listed = "; ".join(f"{name} {ms:.3f} ms" for name, ms in validators.items())
    half = figures["documents"] // 2
    return [{"benchmark": "federation hub CPU per new document (parse, check, store; as the harvest does)",
             "figure": f"{figures['ingest_cpu_ms']:.2f} ms CPU ({figures['ingest_wall_ms']:.2f} ms wall)",
             "baseline": "target 1 ms", "ratio": figures["ingest_cpu_ms"],
             "notes": f"{figures['documents'] - half:,} documents of {figures['bytes']:,} bytes, "
                      f"{figures['batch']} per transaction (storage.ingest_many), {database}"},
            {"benchmark": "federation hub CPU per new document, one transaction each (a push)",
             "figure": f"{figures['single_cpu_ms']:.2f} ms CPU ({figures['single_wall_ms']:.2f} ms wall)",
             "baseline": f"the pure-Python schema check alone {baseline:.2f} ms", "ratio": None,
             "notes": f"{half:,} documents, storage.ingest, {database}; per document: {listed}"}]
