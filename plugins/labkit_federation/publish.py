"""The hub's own publications: the same formats as a lab, so a hub can be another hub's member.

Under ``/api/v1/federation/indicators``:

==============================  ==================================================================
``/``                           the JSON document, version 1.1, ``lab.kind`` = ``hub``: the top-level
                                periods are the hub's totals (with ``coverage``), ``members`` the
                                labs' own rows as stored (a parent hub stores those, never totals)
``/sdmx.csv``                   SDMX-CSV (dataflow LABKIT:LAB_INDICATORS(1.0.0)): the totals under
                                the hub's code, then every lab's rows
``/datapackage.zip``            the same as a Frictionless Data Package
``/observations.csv``           the same rows as plain CSV
``/schema.json``                the JSON Schema of version 1.1
==============================  ==================================================================

``?period=`` (repeatable or comma-separated) selects periods; without it, every stored period.
"""

from __future__ import annotations

import hashlib
import io
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from labkit import Period, indicator_format
from labkit.api import ApiRoute
from labkit.config import Settings
from labkit.i18n import gettext
from labkit.indicator_format import INDICATOR_FORMATS, Row, period_entry
from labkit.indicator_format.http import VOLATILE_KEYS, Prepared, dumps, last_modified, prepared_response
from labkit.indicator_format.openapi import HubDocumentOut
from labkit.indicator_format.versions import VERSIONS
from labkit.web import Problem

from labkit_federation import aggregate, summary
from labkit_federation.models import Member, Observation, Report
from labkit_federation.options import FederationOptions, of

MAX_PERIODS = 60
DEFINITIONS = {
    "projects": "The sum of each member lab's projects started in the period.",
    "partnerships": "The sum of each member lab's partnerships started in the period.",
    "participants": "The sum of each lab's distinct participants: a hub cannot recognise the same person in two "
                    "labs, so a person active in two labs counts twice. Suppressed lab figures are left out "
                    "(see coverage).",
    "products": "The sum of each member lab's products delivered in the period.",
}


def hub_code(settings: Settings, opts: FederationOptions) -> str:
    """This hub's code in the LAB dimension: ``[plugin.federation] hub_code``, else from ``[lab]``."""
    configured = opts.hub_code
    if configured:
        return configured
    lab = settings.lab
    if lab.municipal_code:
        return f"{lab.country}-{lab.municipal_code}"
    slug = "".join(ch if ch.isalnum() else "_" for ch in lab.name.upper()).strip("_")
    return f"{lab.country}-{slug or 'HUB'}"[:64]


def _iso(value: datetime | None) -> str | None:
    return indicator_format.iso(value)


async def stored_periods() -> list[str]:
    """Every period with a stored figure, years first then quarters then months, oldest first."""
    return sorted(await aggregate.periods(), key=lambda code: (len(code), code))


async def document(settings: Settings, opts: FederationOptions, codes: list[str] | None = None) -> dict[str, Any]:
    """The hub's 1.1 document of ``codes`` (every stored period when ``None``), whole in memory
    (the tabular formats are written from it; the JSON publication is :func:`publication`)."""
    head, report_of = await _head(settings, opts, codes)
    return {**head, "members": [entry async for entry in _members(head["periods"], report_of,
                                                                   exclude=head["lab"]["code"])]}


async def publication(settings: Settings, opts: FederationOptions, codes: list[str] | None = None) -> Prepared:
    """The hub's document of ``codes`` as JSON bytes with its ``ETag``, written member by member:
    only :data:`MEMBERS_AT_ONCE` labs' rows are in memory at a time, beside the bytes written.
    The tag hashes everything but ``generated_at``, so it changes exactly when a figure does."""
    head, report_of = await _head(settings, opts, codes)
    digest = hashlib.sha256(dumps({key: value for key, value in head.items() if key not in VOLATILE_KEYS}))
    body = io.BytesIO()
    body.write(dumps(head)[:-1] + b',"members":[')
    first = True
    async for entry in _members(head["periods"], report_of, exclude=head["lab"]["code"]):
        part = dumps(entry)
        digest.update(part)
        body.write(part if first else b"," + part)
        first = False
    body.write(b"]}")
    return Prepared(body.getvalue(), f'"{digest.hexdigest()[:40]}"', last_modified(head))


async def _head(settings: Settings, opts: FederationOptions,
                codes: list[str] | None) -> tuple[dict[str, Any], dict[tuple[int, str], dict[str, Any]]]:
    """The document without its members (the hub's totals), and each (member, period)'s report."""
    code = hub_code(settings, opts)
    wanted = codes if codes is not None else await stored_periods()
    lab = settings.lab
    reports = await Report.filter(period__in=wanted).values("member_id", "period", "status", "published_at")
    report_of = {(r["member_id"], r["period"]): r for r in reports}
    periods_out = []
    for period_code in wanted:
        period = Period.parse(period_code)
        statuses = [r for (member_id, p), r in report_of.items() if p == period_code]
        totals = await aggregate.totals(period_code)
        rows = [Row(code, t["indicator"], period.frequency, period_code, value=t["value"] or 0) for t in totals]
        published = bool(statuses) and all(r["status"] == "published" for r in statuses)
        latest = max((r["published_at"] for r in statuses if r["published_at"]), default=None)
        status = "published" if published and latest else "provisional"
        coverage = {t["indicator"]: {"coverage": {"labs": t["labs"], "suppressed_labs": t["suppressed"],
                                                  "method": t["aggregation"]}} for t in totals}
        periods_out.append(period_entry(period, status, rows, published_at=_iso(latest), extra=coverage))
    head = {
        "schema": VERSIONS["1.1"].url,
        "version": "1.1",
        "generated_at": _iso(datetime.now(UTC)),
        "lab": {"code": code, "name": lab.name, "kind": "hub", "municipality": lab.municipality,
                "municipal_code": lab.municipal_code, "country": lab.country, "region": lab.region,
                "timezone": lab.timezone, "mentor_url": lab.mentor_url, "base_url": lab.base_url},
        "indicators": [{"id": name, "label": name.capitalize(), "unit": f.unit,
                        "temporal_aggregation": f.temporal_aggregation, "people_count": f.people_count,
                        "definition": DEFINITIONS[name]} for name, f in INDICATOR_FORMATS.items()],
        "periods": periods_out,
    }
    return head, report_of


MEMBERS_AT_ONCE = 200
"""Labs whose rows are read and written together when the publication is built."""


async def _members(periods: list[dict[str, Any]], report_of: dict[tuple[int, str], dict[str, Any]], *,
                   exclude: str) -> AsyncIterator[dict[str, Any]]:
    """Each lab's own rows of ``periods``, as stored (the rows a parent hub stores), by code,
    :data:`MEMBERS_AT_ONCE` labs read at a time."""
    codes = [item["period"] for item in periods]
    labs = await Member.filter(kind="lab").exclude(code=exclude).order_by("code").only(
        "id", "code", "name", "municipality", "region_path")
    for start in range(0, len(labs), MEMBERS_AT_ONCE):
        chunk = {member.id: member for member in labs[start:start + MEMBERS_AT_ONCE]}
        rows: dict[int, dict[str, list[Row]]] = defaultdict(lambda: defaultdict(list))
        for member_id, *fields in await Observation.filter(member_id__in=list(chunk), period__in=codes).values_list(
                "member_id", "indicator", "frequency", "period", "module", "kind", "value", "suppressed", "status"):
            rows[member_id][fields[2]].append(Row("", *fields))
        for member_id, member in chunk.items():
            if member_id in rows:
                yield _member_entry(member, rows[member_id], report_of)


def _member_entry(member: Member, by_period: dict[str, list[Row]],
                  report_of: dict[tuple[int, str], dict[str, Any]]) -> dict[str, Any]:
    periods = []
    for period_code in sorted(by_period, key=lambda code: (len(code), code)):
        report = report_of.get((member.id, period_code), {})
        status = report.get("status") or "provisional"
        periods.append(period_entry(Period.parse(period_code), status, by_period[period_code],
                                    published_at=_iso(report.get("published_at"))))
    lab: dict[str, Any] = {"code": member.code, "name": member.name, "kind": "lab",
                           "municipality": member.municipality, "region_path": member.region_path}
    country = member.region_path.split("/")[0] if member.region_path else ""
    if len(country) == 2 and country.isalpha() and country.isupper():
        lab["country"] = country
    return {"lab": lab, "periods": periods}


# ------------------------------------------------------------------------------ the API


def _codes(request: Request) -> list[str] | None:
    codes: list[str] = []
    for value in request.query_params.getlist("period"):
        codes += [part.strip() for part in value.split(",") if part.strip()]
    if not codes:
        return None
    out: list[str] = []
    for code in codes[:MAX_PERIODS]:
        try:
            period = Period.parse(code)
        except ValueError:
            raise Problem(400, gettext("This is not a period: use a year (2026), a quarter (2026-Q3) or a month "
                                       "(2026-09)."), kind="invalid-period",
                          errors=[{"field": "period", "message": code[:20]}]) from None
        if period.code not in out:
            out.append(period.code)
    return out


async def _document(request: Request) -> dict[str, Any]:
    return await document(request.app.state.settings, of(request.app), _codes(request))


CACHE = {"Cache-Control": "public, max-age=300"}


CACHED_DOCUMENTS = 4
"""Serialised publications kept per process, for the current revision only (one per set of periods asked)."""


async def _prepared(request: Request) -> Prepared:
    """The publication asked for, built once per revision of the stored figures and kept in memory:
    at national scale it is tens of megabytes from millions of rows, so it is never rebuilt while
    nothing changed (:func:`labkit_federation.summary.bump` counts the changes)."""
    codes = _codes(request)
    revision = await summary.revision()
    cache: tuple[int, OrderedDict[Any, Prepared]] | None = getattr(request.app.state, "federation_publications", None)
    if cache is None or cache[0] != revision:
        cache = (revision, OrderedDict())
        request.app.state.federation_publications = cache
    entries = cache[1]
    key = tuple(codes) if codes is not None else None
    if key not in entries:
        entries[key] = await publication(request.app.state.settings, of(request.app), codes)
        while len(entries) > CACHED_DOCUMENTS:
            entries.popitem(last=False)
    entries.move_to_end(key)
    return entries[key]


async def api_document(request: Request) -> Response:
    """The hub's indicators document (format 1.1, lab.kind hub): its totals and its labs' rows, with an
    ``ETag`` of its figures (``If-None-Match`` with the same tag is answered ``304``)."""
    return prepared_response(request, await _prepared(request), CACHE)


async def api_sdmx(request: Request) -> Response:
    """The hub's totals and its labs' rows as SDMX-CSV 2.0 (dataflow LABKIT:LAB_INDICATORS(1.0.0))."""
    rows = indicator_format.observations(await _document(request))
    return Response(indicator_format.sdmx_csv(rows), media_type=indicator_format.SDMX_MEDIA_TYPE,
                    headers={**CACHE, "Content-Disposition": 'attachment; filename="hub-indicators.csv"'})


async def api_datapackage(request: Request) -> Response:
    """The same rows as a Frictionless Data Package (zip: datapackage.json + observations.csv)."""
    return Response(indicator_format.datapackage_zip(await _document(request)), media_type="application/zip",
                    headers={**CACHE, "Content-Disposition": 'attachment; filename="hub-indicators.zip"'})


async def api_observations(request: Request) -> Response:
    """The same rows as plain CSV (lab, indicator, freq, time_period, module, kind, obs_value, obs_status)."""
    rows = indicator_format.observations(await _document(request))
    return Response(indicator_format.observations_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={**CACHE, "Content-Disposition": 'attachment; filename="hub-observations.csv"'})


async def api_schema(request: Request) -> JSONResponse:
    """The JSON Schema of the hub's document (lab-indicators 1.1)."""
    return JSONResponse(indicator_format.schema("1.1"), headers={"Cache-Control": "public, max-age=86400"})


PERIOD_QUERY = {"period": "YYYY, YYYY-Qn or YYYY-MM; repeat or separate with commas (default: every stored period)"}

routes = [
    ApiRoute("/indicators", api_document, name="indicators", response=HubDocumentOut, query=PERIOD_QUERY),
    ApiRoute("/indicators/sdmx.csv", api_sdmx, name="indicators-sdmx", query=PERIOD_QUERY,
             media_type="application/vnd.sdmx.data+csv"),
    ApiRoute("/indicators/datapackage.zip", api_datapackage, name="indicators-datapackage", query=PERIOD_QUERY,
             media_type="application/zip"),
    ApiRoute("/indicators/observations.csv", api_observations, name="indicators-observations", query=PERIOD_QUERY,
             media_type="text/csv"),
    ApiRoute("/indicators/schema.json", api_schema, name="indicators-schema"),
]
