"""A document as flat rows: one per lab, period, indicator and breakdown cell.

The tabular formats (SDMX-CSV, the Data Package, plain CSV) are written from these rows, and a
hub stores them; :func:`assemble` turns rows back into a document's periods.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any, NamedTuple

from labkit.indicator_format.indicators import ALL, FORMATS
from labkit.indicator_format.versions import version_of
from labkit.periods import Period


class Row(NamedTuple):
    """One figure: ``lab`` × ``indicator`` × ``period`` × breakdown cell (``_T`` for "all").

    ``value`` is ``None`` when ``suppressed``. ``via`` is the code of the hub whose document
    carried the row when it is a member lab's figure (``None`` for the document's own lab).
    A named tuple: a hub builds one per figure it receives (hundreds of thousands in a national
    harvest), and a tuple costs a third of a frozen dataclass to build.
    """

    lab: str
    indicator: str
    frequency: str
    period: str
    module: str = ALL
    kind: str = ALL
    value: int | None = None
    suppressed: bool = False
    status: str = "provisional"
    via: str | None = None

    @property
    def obs_status(self) -> str:
        """SDMX OBS_STATUS: ``C`` confidential (suppressed), ``A`` published, ``P`` provisional."""
        if self.suppressed:
            return "C"
        return "A" if self.status == "published" else "P"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.lab, self.indicator, self.period, self.module, self.kind)


def _period_rows(lab: str, item: dict[str, Any], via: str | None) -> list[Row]:
    # rows are made with tuple.__new__ directly: a named tuple's own constructor is a Python
    # function, and a national harvest makes half a million rows
    new, out = tuple.__new__, []
    frequency, period = item["frequency"], item["period"]
    for observation in item["observations"]:
        status = observation.get("status", item["status"])
        indicator = observation["indicator"]
        out.append(new(Row, (lab, indicator, frequency, period, ALL, ALL, observation["value"],
                             observation["suppressed"], status, via)))
        breakdowns = observation.get("breakdowns", {})
        out += [new(Row, (lab, indicator, frequency, period, cell["member"], ALL, cell["value"], cell["suppressed"],
                          status, via)) for cell in breakdowns.get("module", ())]
        out += [new(Row, (lab, indicator, frequency, period, ALL, cell["member"], cell["value"], cell["suppressed"],
                          status, via)) for cell in breakdowns.get("kind", ())]
    return out


def slices(document: dict[str, Any]) -> dict[tuple[str, str], list[Row]]:
    """The rows of a valid document (see :func:`validate`) by (lab code, period): its own lab's
    periods, then each member's, in the document's order (a valid document gives each lab's
    period once). A hub stores a document slice by slice."""
    current = version_of(document).upgrade(document)
    own = current["lab"]["code"]
    out = {(own, item["period"]): _period_rows(own, item, None) for item in current["periods"]}
    for member in current["members"]:
        code = member["lab"]["code"]
        out.update({(code, item["period"]): _period_rows(code, item, own) for item in member["periods"]})
    return out


def observations(document: dict[str, Any]) -> list[Row]:
    """The rows of a valid document (see :func:`validate`): its own lab's, then each member's.

    For a hub document the top-level rows are the hub's totals (``lab`` = the hub's code,
    ``via`` ``None``) and the members' rows carry their lab's code with ``via`` = the hub's code.
    """
    return [row for rows in slices(document).values() for row in rows]


def period_entry(period: Period, status: str, rows: Iterable[Row], *, published_at: str | None = None,
                 extra: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """One period of a document from its rows (of one lab). ``extra`` adds fields per indicator.

    Missing indicators are written as zero (a lab publishes all four; a stored slice has all four).
    """
    by_indicator: dict[str, list[Row]] = {name: [] for name in FORMATS}
    for row in rows:
        by_indicator[row.indicator].append(row)
    observations_out = []
    for name, definition in FORMATS.items():
        cells = by_indicator[name]
        total = next((r for r in cells if r.module == ALL and r.kind == ALL), None)
        observation: dict[str, Any] = {
            "indicator": name,
            "value": 0 if total is None else total.value,
            "suppressed": False if total is None else total.suppressed,
            "status": status,
            "unit": definition.unit,
            "temporal_aggregation": definition.temporal_aggregation,
            "breakdowns": {
                "module": [_cell(r.module, r) for r in sorted(cells, key=lambda r: r.module)
                           if r.module != ALL and r.kind == ALL],
                "kind": [_cell(r.kind, r) for r in sorted(cells, key=lambda r: r.kind)
                         if r.kind != ALL and r.module == ALL],
            },
        }
        observation.update((extra or {}).get(name, {}))
        observations_out.append(observation)
    entry: dict[str, Any] = {
        "period": period.code,
        "frequency": period.frequency,
        "start": period.start.isoformat(),
        "end": (period.end - timedelta(days=1)).isoformat(),
        "status": status,
        "published_at": published_at if status == "published" else None,
        "observations": observations_out,
    }
    if status == "published" and not published_at:
        entry["status"] = "provisional"
        for observation in observations_out:
            observation["status"] = "provisional"
    return entry


def _cell(member: str, row: Row) -> dict[str, Any]:
    return {"member": member, "value": None if row.suppressed else row.value, "suppressed": row.suppressed}


