"""Domain rules of the indicators: definitions, period checks, containment and suppression.

Plain functions, no HTTP and no database: the engine, the pages, the API and the CLI share them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from labkit import INDICATORS, Period
from labkit.i18n import N_

FORMAT_VERSION = "1.0"
TRAININGS_VERSION = "1.2"
"""The version a lab writes when it reports trainings given to other labs (``lab.trainings``)."""
DATAFLOW = "LABKIT:LAB_INDICATORS(1.0.0)"
DEFAULT_THRESHOLD = 5
OWN_MODULE = "indicators"
TOTAL = "total"
DIMENSIONS = ("module", "kind")
VIEW_PROVISIONAL = "indicators.view_provisional"
MANAGE = "indicators.manage"
PUBLISH = "indicators.publish"


@dataclass(frozen=True)
class Definition:
    """What one indicator means and how it aggregates over time."""

    id: str
    label: str
    unit: str
    temporal_aggregation: str
    people: bool
    description: str


DEFINITIONS: dict[str, Definition] = {
    "projects": Definition(
        "projects", N_("Projects"), "projects", "sum", False,
        N_("Projects the lab ran or supported that started in the period (challenge winners taken "
           "forward, residents' projects, the lab's own). Each project counts once, in the period "
           "holding its start date; a year is the sum of its months.")),
    "partnerships": Definition(
        "partnerships", N_("Partnerships"), "partnerships", "sum", False,
        N_("Formal partnerships with organisations that started in the period. Each counts once, "
           "in the period holding its start date; a year is the sum of its months.")),
    "participants": Definition(
        "participants", N_("Participants"), "people", "distinct", True,
        N_("Distinct people engaged in the period across every module: a person who voted, booked "
           "a desk and joined a hackathon counts once. People without an account (hearing "
           "attendance, offline workshops) are added as counts. A year is the distinct union over "
           "the year, not the sum of its months.")),
    "products": Definition(
        "products", N_("Products"), "products", "sum", False,
        N_("Deliverables delivered in the period: prototypes, services, guides, open datasets, "
           "software, reports, trainings. Each counts once, in the period holding its delivery "
           "date; a year is the sum of its months.")),
}
assert tuple(DEFINITIONS) == INDICATORS

PROJECT_STATUSES = {"idea": N_("Idea"), "in-progress": N_("In progress"), "delivered": N_("Delivered"),
                    "discontinued": N_("Discontinued")}
PROJECT_ORIGINS = {"challenge": N_("Challenge"), "residency": N_("Residency"), "own": N_("The lab's own")}
MILESTONE_STAGES = {"conception": N_("Conception"), "research": N_("Research"), "prototype": N_("Prototype"),
                    "pilot": N_("Pilot"), "delivery": N_("Delivery"), "scale": N_("Scale"), "other": N_("Other")}
PARTNER_KINDS = {"public-body": N_("Public body"), "university": N_("University"), "collective": N_("Collective"),
                 "company": N_("Company"), "ngo": N_("NGO")}
AGREEMENT_TYPES = {"cooperation": N_("Cooperation agreement"), "memorandum": N_("Memorandum of understanding"),
                   "contract": N_("Contract"), "grant": N_("Grant"), "informal": N_("Informal (letter of intent)")}
PRODUCT_TYPES = {"prototype": N_("Prototype"), "service": N_("Service"), "guide": N_("Guide"),
                 "open-dataset": N_("Open dataset"), "software": N_("Software"), "report": N_("Report"),
                 "training": N_("Training")}
SDGS = tuple(range(1, 18))


class PeriodError(ValueError):
    """A period code that does not exist; the message says what is wrong."""


def parse_period(code: str | None) -> Period:
    """``Period.parse`` with a translated, uniform message (``2026-13``, ``2026-Q5`` are refused)."""
    text = (code or "").strip()
    try:
        period = Period.parse(text)
    except ValueError:
        raise PeriodError(N_("This is not a period: use a year (2026), a quarter (2026-Q3) or a month (2026-09).")) from None
    if not 1900 <= period.start.year <= 9998:
        raise PeriodError(N_("This is not a period: use a year (2026), a quarter (2026-Q3) or a month (2026-09)."))
    return period


def contains(outer: Period, inner: Period) -> bool:
    """Whether ``inner`` lies wholly inside ``outer`` (a month inside its quarter and its year)."""
    return outer.start <= inner.start and inner.end <= outer.end


def holds(period: Period, day: date | None) -> bool:
    """Whether ``day`` falls in ``period`` (dates are the lab's local dates)."""
    return day is not None and period.start <= day < period.end


def has_ended(period: Period, today: date) -> bool:
    """Whether the period is over on ``today`` (only ended periods can be published)."""
    return period.end <= today


def previous(period: Period) -> Period:
    """The period of the same length just before ``period``."""
    if period.frequency == "A":
        return Period.parse(str(period.start.year - 1))
    if period.frequency == "Q":
        quarter = (period.start.month - 1) // 3 + 1
        year, quarter = (period.start.year, quarter - 1) if quarter > 1 else (period.start.year - 1, 4)
        return Period.parse(f"{year}-Q{quarter}")
    year, month = (period.start.year, period.start.month - 1) if period.start.month > 1 else (period.start.year - 1, 12)
    return Period.parse(f"{year}-{month:02d}")


def year_or(value: object, default: int) -> int:
    """``value`` as a year from 1900 to 9998, or ``default`` when it is not one."""
    try:
        year = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return year if 1900 <= year <= 9998 else default


def months_of(year: int) -> list[Period]:
    """The twelve months of ``year``."""
    return [Period.parse(f"{year}-{month:02d}") for month in range(1, 13)]


def change(current: int | None, before: int | None) -> float | None:
    """Relative change from ``before`` to ``current`` (``None`` when it has no meaning)."""
    if current is None or before in (None, 0):
        return None
    return (current - before) / before


# ---------------------------------------------------------------------------- suppression


@dataclass
class Cell:
    """One figure of a breakdown, and whether it is withheld from publication."""

    member: str
    value: int
    suppressed: bool = False


def suppress(total: Cell, breakdowns: dict[str, list[Cell]], threshold: int) -> None:
    """Mark the cells of a people count that may not be published (in place).

    Primary suppression: any count from 1 to ``threshold - 1`` (the total included) is withheld.
    Secondary suppression: in each breakdown, when exactly one cell is withheld while the total
    is published, the smallest other cell is withheld too (a zero cell only when no other is
    left), so the withheld cell cannot be found by subtracting the published cells from the total.
    """
    def primary(cell: Cell) -> None:
        if 0 < cell.value < threshold:
            cell.suppressed = True

    primary(total)
    for cells in breakdowns.values():
        for cell in cells:
            primary(cell)
            if total.suppressed and cell.value > 0:
                cell.suppressed = True
        hidden = [cell for cell in cells if cell.suppressed]
        if len(hidden) == 1 and not total.suppressed:
            candidates = sorted((cell for cell in cells if not cell.suppressed),
                                key=lambda cell: (cell.value == 0, cell.value, cell.member))
            if candidates:
                candidates[0].suppressed = True
