"""Reporting periods: a month ``2026-09``, a quarter ``2026-Q3`` or a year ``2026``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period; ``start`` is inclusive and ``end`` exclusive (both dates)."""

    start: date
    end: date
    code: str

    @classmethod
    def parse(cls, code: str) -> Period:
        """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-Qn``; raise ``ValueError`` naming the problem."""
        match = _PATTERN.match(code.strip())
        if not match:
            raise ValueError(f"{code!r} is not a period: use YYYY, YYYY-MM or YYYY-Qn")
        year = int(match["year"])
        if match["month"]:
            month = int(match["month"])
            if not 1 <= month <= 12:
                raise ValueError(f"{code!r} is not a period: month must be 01 to 12")
            start = date(year, month, 1)
            end = date(year + month // 12, month % 12 + 1, 1)
        elif match["quarter"]:
            first = (int(match["quarter"]) - 1) * 3 + 1
            start = date(year, first, 1)
            end = date(year + (first + 3) // 13, (first + 2) % 12 + 1, 1)
        else:
            start, end = date(year, 1, 1), date(year + 1, 1, 1)
        return cls(start=start, end=end, code=code.strip())

    @property
    def frequency(self) -> str:
        """SDMX frequency code: ``A`` (annual), ``Q`` (quarterly) or ``M`` (monthly)."""
        if "Q" in self.code:
            return "Q"
        return "M" if "-" in self.code else "A"

    def bounds(self, timezone: str) -> tuple[datetime, datetime]:
        """The period as aware datetimes in ``timezone`` (``[start, end)``), for queries."""
        zone = ZoneInfo(timezone)
        return (
            datetime(self.start.year, self.start.month, 1, tzinfo=zone),
            datetime(self.end.year, self.end.month, 1, tzinfo=zone),
        )
