"""Demo data of a hub: a national network of Brazilian labs (real IBGE codes and coordinates), the
trainer-of-trainers tree that grew from MobiLab SP, six quarters of reports with some late and
missing, and a past harvest with a few failures. Stored directly in the models: no network.

The demo members that are harvested (not pushers) have their document address on the hub itself:
``<base_url>/federation/demo-labs/<code>/indicators``. With ``[plugin.federation] demo_members =
true`` the hub answers there with each demo lab's simulated document (made from what it stored),
so "Harvest now" succeeds on a demo hub (``scripts/demo.sh --hub``; the addresses are on loopback,
so that hub also sets ``allow_private_addresses``). Otherwise the address answers 404.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from labkit import INDICATORS, Period
from labkit.i18n import gettext
from labkit.indicator_format import Row, iso, period_entry
from labkit.indicator_format.versions import BASE_URL, CURRENT
from labkit.web import Problem

from labkit_federation import summary
from labkit_federation.models import HarvestResult, HarvestRun, Member, Observation, Report
from labkit_federation.options import options

# code, name, municipality, state, latitude, longitude, joined, scale (size of its figures)
LABS: list[tuple[str, str, str, str, float, float, date, float]] = [
    ("BR-3550308", "MobiLab SP", "São Paulo", "SP", -23.5505, -46.6333, date(2016, 3, 1), 3.0),
    ("BR-3304557", "LAB.Rio", "Rio de Janeiro", "RJ", -22.9068, -43.1729, date(2017, 6, 1), 2.4),
    ("BR-2611606", "Laboratório de Inovação do Recife", "Recife", "PE", -8.0476, -34.8770, date(2017, 2, 1), 1.8),
    ("BR-3509502", "Lab Campinas", "Campinas", "SP", -22.9099, -47.0626, date(2018, 4, 1), 1.2),
    ("BR-4106902", "Vale do Pinhão Lab", "Curitiba", "PR", -25.4284, -49.2733, date(2018, 10, 1), 1.6),
    ("BR-3106200", "BH Inova Lab", "Belo Horizonte", "MG", -19.9167, -43.9345, date(2019, 1, 15), 1.7),
    ("BR-3303302", "Niterói Lab", "Niterói", "RJ", -22.8832, -43.1034, date(2019, 7, 1), 0.8),
    ("BR-2304400", "Laboratório de Inovação de Fortaleza", "Fortaleza", "CE", -3.7319, -38.5267, date(2019, 12, 1), 1.4),
    ("BR-2927408", "Lab Salvador", "Salvador", "BA", -12.9777, -38.5016, date(2020, 3, 1), 1.3),
    ("BR-4314902", "Pacto Alegre Lab", "Porto Alegre", "RS", -30.0346, -51.2177, date(2020, 9, 1), 1.1),
    ("BR-1501402", "Lab Belém", "Belém", "PA", -1.4558, -48.4902, date(2021, 5, 1), 0.6),
    ("BR-1302603", "Lab Manaus", "Manaus", "AM", -3.1190, -60.0217, date(2022, 6, 1), 0.7),
]
# trainee code → (mentor code, trained on, programme)
TRAINING: dict[str, tuple[str, date, str]] = {
    "BR-3304557": ("BR-3550308", date(2017, 5, 10), "Programa Laboratórios de Inovação 2017"),
    "BR-3509502": ("BR-3550308", date(2018, 3, 12), "Formação de Formadores — turma 1"),
    "BR-4106902": ("BR-3550308", date(2018, 9, 3), "Formação de Formadores — turma 1"),
    "BR-3303302": ("BR-3304557", date(2019, 6, 17), "Residência LAB.Rio"),
    "BR-2927408": ("BR-3304557", date(2020, 2, 10), "Residência LAB.Rio"),
    "BR-2304400": ("BR-2611606", date(2019, 11, 4), "Rede Nordeste de Inovação"),
    "BR-1501402": ("BR-2611606", date(2021, 4, 5), "Rede Nordeste de Inovação"),
    "BR-4314902": ("BR-4106902", date(2020, 8, 24), "Formação de Formadores — turma 3"),
    "BR-1302603": ("BR-2304400", date(2022, 5, 9), "Rede Norte de Laboratórios"),
}
PUSHERS = {"BR-4106902", "BR-3303302", "BR-2927408"}
"""Labs that send (push) their document instead of being harvested."""


def _quarters(today: date, count: int) -> list[Period]:
    """The ``count`` complete quarters before ``today``, oldest first."""
    year, quarter = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(count):
        quarter -= 1
        if quarter == 0:
            year, quarter = year - 1, 4
        out.append(Period.parse(f"{year}-Q{quarter}"))
    return list(reversed(out))


def _at(day: date, zone: ZoneInfo, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=zone).astimezone(UTC)


async def create(settings: Any) -> None:
    """Fill the hub with the demo network (does nothing when members already exist)."""
    if await Member.exists():
        return
    rng = random.Random(2026)
    opts = options(settings)
    zone = ZoneInfo(settings.lab.timezone)
    today = datetime.now(zone).date()
    quarters = _quarters(today, 6)
    latest = quarters[-1]

    members: dict[str, Member] = {}
    for code, name, city, state, lat, lon, joined, _scale in LABS:
        pusher = code in PUSHERS
        members[code] = await Member.create(
            code=code, name=name, kind="lab", municipality=city, region_path=f"BR/BR-{state}",
            url="" if pusher else document_url(settings, code),
            latitude=lat, longitude=lon, joined_on=joined)
    for code, (mentor, trained_on, programme) in TRAINING.items():
        member = members[code]
        member.mentor = members[mentor]
        member.trained_on = trained_on
        member.programme = programme
        await member.save()

    # What happened to each lab's latest quarter: late reports, a missing one, failures.
    late = {("BR-2927408", latest.code), ("BR-3303302", quarters[-2].code), ("BR-1501402", quarters[-3].code)}
    missing = {("BR-1302603", latest.code), ("BR-1501402", latest.code), ("BR-4314902", quarters[-2].code)}

    observations: list[Observation] = []
    for code, _name, _city, _state, _lat, _lon, joined, scale in LABS:
        member = members[code]
        yearly: dict[int, dict[str, list[int]]] = {}
        for index, period in enumerate(quarters):
            if joined >= period.end or (code, period.code) in missing:
                continue
            days = rng.randint(opts.deadline_days + 8, opts.deadline_days + 40) if (code, period.code) in late \
                else rng.randint(3, max(4, opts.deadline_days - 5))
            received = _at(period.end + timedelta(days=days - 1), zone, rng.randint(8, 18))
            if received > datetime.now(UTC):
                continue
            source = "push" if code in PUSHERS else "pull"
            growth = 1 + index * 0.06
            values = {
                "projects": round(rng.randint(2, 6) * scale * growth),
                "partnerships": round(rng.randint(0, 3) * scale),
                "participants": round(rng.randint(60, 260) * scale * growth),
                "products": round(rng.randint(1, 5) * scale * growth),
            }
            status = "provisional" if period == latest else "published"
            await Report.create(member=member, period=period.code, frequency="Q", status=status, source=source,
                                first_received_at=received, last_received_at=received,
                                published_at=received - timedelta(hours=2) if status == "published" else None)
            for name in INDICATORS:
                value: int | None = values[name]
                suppressed = False
                if name == "participants" and code == "BR-1501402" and index == 0:
                    value, suppressed = None, True  # a small count withheld by the lab itself
                observations.append(Observation(member=member, indicator=name, period=period.code, frequency="Q",
                                                value=value, suppressed=suppressed, status=status))
                if value is not None:
                    yearly.setdefault(period.start.year, {}).setdefault(name, []).append(value)
        # A complete year is reported too: the sum of its quarters, but participants are distinct people.
        for year, by_name in yearly.items():
            if date(year + 1, 1, 1) > today - timedelta(days=opts.deadline_days) or len(by_name.get("projects", [])) < 4:
                continue
            received = _at(date(year + 1, 1, rng.randint(10, 25)), zone)
            await Report.create(member=member, period=str(year), frequency="A", status="published",
                                source="push" if code in PUSHERS else "pull", first_received_at=received,
                                last_received_at=received, published_at=received)
            for name in INDICATORS:
                parts = by_name.get(name, [])
                value = round(max(parts) * 1.6) if name == "participants" else sum(parts)
                observations.append(Observation(member=member, indicator=name, period=str(year), frequency="A",
                                                value=value, status="published"))
    await Observation.bulk_create(observations)
    await summary.rebuild()

    # The last scheduled harvest: most labs unchanged, two failures that explain the missing quarter.
    started = datetime.now(UTC) - timedelta(days=2, hours=3)
    run = await HarvestRun.create(trigger="schedule", started_at=started, finished_at=started + timedelta(seconds=41))
    counts: dict[str, int] = {}
    for code, member in members.items():
        if code in PUSHERS:
            continue
        outcome, http_status, detail, errors = "unchanged", 304, "", []
        if code == "BR-1302603":
            outcome, http_status, detail = "timeout", None, "Sem resposta em 15 s (3 tentativas)."
        elif code == "BR-1501402":
            outcome, http_status, detail = "invalid", 200, "O documento não segue o formato de indicadores."
            errors = [{"path": f"periods[0].observations[{n}].value", "message": "deve ser um número inteiro não negativo"}
                      for n in (2, 5)]
        elif code == "BR-3106200":
            outcome, http_status = "ok", 200
        counts[outcome] = counts.get(outcome, 0) + 1
        await HarvestResult.create(run=run, member=member, outcome=outcome, http_status=http_status, detail=detail,
                                   errors=errors, attempts=3 if outcome == "timeout" else 1,
                                   summary={"imported": 0, "updated": 4, "ignored": 0, "conflicts": []} if outcome == "ok" else {},
                                   duration_ms=15000 if outcome == "timeout" else rng.randint(80, 900),
                                   finished_at=started + timedelta(seconds=rng.randint(1, 40)))
    run.counts = counts
    await run.save()


def document_url(settings: Any, code: str) -> str:
    """Where the hub itself serves demo member ``code``'s document (see the module docstring)."""
    return f"{settings.lab.base_url.rstrip('/')}/federation/demo-labs/{code}/indicators"


async def member_document(request: Request) -> JSONResponse:
    """A demo member lab's indicators document, as that lab would publish it, made from the
    figures the hub stored for it; 404 unless ``[plugin.federation] demo_members`` is on."""
    member = await Member.get_or_none(code=request.path_params["code"])
    if not request.app.state.plugins.settings_of("federation").demo_members or member is None:
        raise Problem(404, gettext("There is no member lab with this code."), kind="not-found")
    reports = {r.period: r for r in await Report.filter(member=member, via=None)}
    rows: dict[str, list[Row]] = {}
    for item in await Observation.filter(member=member, via=None):
        rows.setdefault(item.period, []).append(Row(member.code, item.indicator, item.frequency, item.period,
                                                    item.module, item.kind, item.value, item.suppressed, item.status))
    periods = [period_entry(Period.parse(code), reports[code].status, rows[code],
                            published_at=iso(reports[code].published_at))
               for code in sorted(rows, key=lambda code: (len(code), code)) if code in reports]
    lab = {"code": member.code, "name": member.name, "kind": "lab", "municipality": member.municipality,
           "municipal_code": member.code.partition("-")[2], "country": member.code[:2],
           "region": member.region_path.rsplit("/", 1)[-1], "timezone": "America/Sao_Paulo", "mentor_url": "",
           "base_url": document_url(request.app.state.settings, member.code).removesuffix("/indicators")}
    return JSONResponse({"schema": BASE_URL + CURRENT, "version": CURRENT,
                         "generated_at": iso(datetime.now(UTC)), "lab": lab, "indicators": [],
                         "periods": periods})


routes = [Route("/demo-labs/{code}/indicators", member_document, name="demo_document")]
