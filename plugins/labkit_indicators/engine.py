"""The indicator engine: one function that computes the four indicators for a period.

Sources, for a period:

* **projects, partnerships, products**: the lab's own portfolio records (this plugin), every
  plugin's ``labkit_portfolio`` items (counted once by ``(module, key)``, new in the period
  holding ``started``), every plugin's ``labkit_indicators`` count contributions, and staff's
  manual entries for periods inside it;
* **participants**: the size of the union of the identities every plugin reports through
  ``labkit_participants`` (one person counts once across modules), plus count contributions
  (people without accounts) and manual entries.

Each plugin's hook is called on its own: one that raises (or returns something malformed) is
named in ``failures`` and the others' figures still count. Figures are stored as snapshots keyed
by period, indicator and breakdown cell; recomputing a provisional period replaces its snapshots
(idempotent) and a published period is frozen: it is read back, never recomputed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from labkit import INDICATORS, Contribution, Period, PortfolioItem
from labkit.config import Settings
from labkit.i18n import current_zone
from labkit.plugins import Plugins, await_me_maybe

from labkit_indicators import rules
from labkit_indicators.models import ManualEntry, PeriodState, Snapshot

log = logging.getLogger("labkit.indicators")
PORTFOLIO_INDICATORS = ("projects", "partnerships", "products")


class PublishError(ValueError):
    """A period cannot be published; the message says why."""


@dataclass
class Figure:
    """One indicator for one period: the total and its breakdowns, with suppression flags."""

    indicator: str
    total: rules.Cell
    breakdowns: dict[str, list[rules.Cell]] = field(default_factory=dict)

    @property
    def value(self) -> int:
        return self.total.value

    def cell(self, dimension: str, member: str) -> rules.Cell | None:
        return next((c for c in self.breakdowns.get(dimension, []) if c.member == member), None)


@dataclass
class PeriodFigures:
    """The four indicators of one period, where they stand and what failed while computing."""

    period: Period
    status: str
    figures: dict[str, Figure]
    computed_at: datetime | None
    published_at: datetime | None = None
    threshold: int = rules.DEFAULT_THRESHOLD
    failures: list[dict[str, str]] = field(default_factory=list)

    def value(self, indicator: str) -> int:
        return self.figures[indicator].value

    @property
    def published(self) -> bool:
        return self.status == "published"


def _error_text(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return text[:300]


def _check_contributions(result: Any) -> list[Contribution]:
    items = list(result or [])
    for item in items:
        if not isinstance(item, Contribution):
            raise TypeError(f"labkit_indicators must return Contribution objects, not {type(item).__name__}")
        if item.indicator not in INDICATORS:
            raise ValueError(f"unknown indicator {item.indicator!r}")
        if not isinstance(item.value, int) or isinstance(item.value, bool) or item.value < 0:
            raise ValueError(f"contribution to {item.indicator} must be a non-negative integer, not {item.value!r}")
    return items


def _check_portfolio(result: Any) -> list[PortfolioItem]:
    items = list(result or [])
    for item in items:
        if not isinstance(item, PortfolioItem):
            raise TypeError(f"labkit_portfolio must return PortfolioItem objects, not {type(item).__name__}")
        if item.indicator not in PORTFOLIO_INDICATORS:
            raise ValueError(f"portfolio item {item.key!r} has indicator {item.indicator!r}")
        if not isinstance(item.started, date):
            raise ValueError(f"portfolio item {item.key!r} has no start date")
    return items


def _check_identities(result: Any) -> set[str]:
    items = result if isinstance(result, (list, tuple, set, frozenset)) else list(result or [])
    identities = set(items)
    if not all(isinstance(item, str) for item in identities):
        raise TypeError("labkit_participants must return strings (labkit.auth.participant_id)")
    return identities


class Engine:
    """Computes, stores, publishes and reads back the indicators of one lab."""

    def __init__(self, settings: Settings, plugins: Plugins) -> None:
        self.settings = settings
        self.plugins = plugins

    @classmethod
    def for_app(cls, app: Any) -> Engine:
        return cls(app.state.settings, app.state.plugins)

    @property
    def threshold(self) -> int:
        """``[plugin.indicators] suppression_threshold``."""
        return self.plugins.settings_of("indicators").suppression_threshold

    def today(self) -> date:
        return datetime.now(self.settings.zone).date()

    # ----------------------------------------------------------------------- collecting

    async def _call(self, hook: str, failures: list[dict[str, str]], **kwargs: Any) -> list[tuple[str, Any]]:
        answers = []
        for slug, function in self.plugins.implementations(hook):
            try:
                answers.append((slug, await await_me_maybe(function(**kwargs))))
            except Exception as error:  # one plugin's failure is named, the others still count
                log.exception("plugin %r failed in %s", slug, hook)
                failures.append({"module": slug, "hook": hook, "error": _error_text(error)})
        return answers

    async def portfolio(self, failures: list[dict[str, str]] | None = None) -> list[tuple[str, PortfolioItem]]:
        """Every plugin's portfolio items as ``(module, item)``, each ``(module, key)`` once."""
        failures = failures if failures is not None else []
        seen: set[tuple[str, str]] = set()
        items: list[tuple[str, PortfolioItem]] = []
        for slug, result in await self._call("labkit_portfolio", failures):
            try:
                checked = _check_portfolio(result)
            except (TypeError, ValueError) as error:
                failures.append({"module": slug, "hook": "labkit_portfolio", "error": _error_text(error)})
                continue
            for item in checked:
                if (slug, item.key) not in seen:
                    seen.add((slug, item.key))
                    items.append((slug, item))
        return items

    async def compute(self, period: Period) -> PeriodFigures:
        """Compute the four indicators of ``period`` from the plugins and the manual entries.

        The hooks run with ``labkit.i18n.current_zone`` set to the lab's time zone (also from the
        command line), so that ``period.bounds(current_zone.get())`` draws the lab's boundaries.
        """
        token = current_zone.set(self.settings.lab.timezone)
        try:
            return await self._compute(period)
        finally:
            current_zone.reset(token)

    async def _compute(self, period: Period) -> PeriodFigures:
        failures: list[dict[str, str]] = []
        counts: dict[str, dict[tuple[str, str], int]] = {name: defaultdict(int) for name in INDICATORS}

        for slug, item in await self.portfolio(failures):
            if rules.holds(period, item.started):
                counts[item.indicator][(slug, item.kind or "other")] += 1

        for slug, result in await self._call("labkit_indicators", failures, period=period):
            try:
                contributions = _check_contributions(result)
            except (TypeError, ValueError) as error:
                failures.append({"module": slug, "hook": "labkit_indicators", "error": _error_text(error)})
                continue
            for item in contributions:
                default_kind = "unregistered" if item.indicator == "participants" else "other"
                kind = str(item.breakdown.get("kind") or default_kind)[:64]
                counts[item.indicator][(slug, kind)] += item.value

        identities: dict[str, set[str]] = {}
        for slug, result in await self._call("labkit_participants", failures, period=period):
            try:
                identities[slug] = _check_identities(result)
            except TypeError as error:
                failures.append({"module": slug, "hook": "labkit_participants", "error": _error_text(error)})

        for entry in await ManualEntry.filter(deleted_at=None):
            try:
                entry_period = Period.parse(entry.period)
            except ValueError:
                continue
            if rules.contains(period, entry_period):
                counts[entry.indicator][(entry.module, entry.kind)] += entry.value

        figures = {name: self._figure(name, counts[name], identities if name == "participants" else {})
                   for name in INDICATORS}
        return PeriodFigures(period=period, status="provisional", figures=figures,
                             computed_at=datetime.now(UTC), threshold=self.threshold, failures=failures)

    def _figure(self, indicator: str, counts: dict[tuple[str, str], int],
                identities: dict[str, set[str]]) -> Figure:
        by_module: dict[str, int] = defaultdict(int)
        by_kind: dict[str, int] = defaultdict(int)
        for (module, kind), value in counts.items():
            by_module[module] += value
            by_kind[kind] += value
        total = sum(counts.values())
        if identities:
            union: set[str] = set().union(*identities.values())
            total += len(union)
            if union:
                by_kind["registered"] += len(union)
            for module, people in identities.items():
                if people:
                    by_module[module] += len(people)
        breakdowns = {
            "module": [rules.Cell(member, value) for member, value in sorted(by_module.items())],
            "kind": [rules.Cell(member, value) for member, value in sorted(by_kind.items())],
        }
        figure = Figure(indicator, rules.Cell(rules.TOTAL, total), breakdowns)
        if rules.DEFINITIONS[indicator].people:
            rules.suppress(figure.total, figure.breakdowns, self.threshold)
        return figure

    # ------------------------------------------------------------------------ storing

    async def _state(self, period: Period) -> PeriodState:
        state, _ = await PeriodState.get_or_create(period=period.code, defaults={"threshold": self.threshold})
        return state

    async def _read(self, state: PeriodState, period: Period) -> PeriodFigures:
        figures = {name: Figure(name, rules.Cell(rules.TOTAL, 0)) for name in INDICATORS}
        for name in INDICATORS:
            for dimension in rules.DIMENSIONS:
                figures[name].breakdowns[dimension] = []
        for row in await Snapshot.filter(period=period.code).order_by("indicator", "dimension", "member"):
            if row.indicator not in figures:
                continue
            cell = rules.Cell(row.member, row.value, row.suppressed)
            if row.dimension == rules.TOTAL:
                figures[row.indicator].total = cell
            else:
                figures[row.indicator].breakdowns.setdefault(row.dimension, []).append(cell)
        return PeriodFigures(period=period, status=state.status, figures=figures, computed_at=state.computed_at,
                             published_at=state.published_at, threshold=state.threshold,
                             failures=list(state.failures or []))

    async def _store(self, computed: PeriodFigures, publish: bool = False, publish_by: int | None = None) -> PeriodFigures:
        """Replace the period's snapshots with ``computed`` (never for a published period)."""
        period = computed.period
        await self._state(period)
        async with in_transaction() as connection:
            state = await PeriodState.filter(period=period.code).select_for_update().using_db(connection).get()
            if state.status == "published":
                if publish:
                    raise PublishError(f"period {period.code} is already published")
                return await self._read(state, period)
            await Snapshot.filter(period=period.code).using_db(connection).delete()
            rows = []
            for name, figure in computed.figures.items():
                rows.append(Snapshot(period=period.code, indicator=name, dimension=rules.TOTAL, member="",
                                     value=figure.total.value, suppressed=figure.total.suppressed))
                for dimension, cells in figure.breakdowns.items():
                    rows.extend(Snapshot(period=period.code, indicator=name, dimension=dimension, member=cell.member,
                                         value=cell.value, suppressed=cell.suppressed) for cell in cells)
            await Snapshot.bulk_create(rows, using_db=connection)
            state.computed_at = computed.computed_at
            state.threshold = computed.threshold
            state.failures = computed.failures
            fields = ["computed_at", "threshold", "failures"]
            if publish:
                state.status, state.published_at, state.published_by_id = "published", datetime.now(UTC), publish_by
                fields += ["status", "published_at", "published_by_id"]
            await state.save(update_fields=fields, using_db=connection)
        return await self._read(state, period)

    async def figures(self, period: Period, *, max_age: float | None = 0) -> PeriodFigures:
        """The period's figures: frozen when published, else recomputed and stored.

        ``max_age`` (seconds) reuses a provisional snapshot computed that recently; ``0``
        always recomputes; ``None`` reuses any stored snapshot.
        """
        state = await PeriodState.get_or_none(period=period.code)
        if state is not None and state.status == "published":
            return await self._read(state, period)
        if state is not None and state.computed_at is not None and (
                max_age is None or (max_age > 0 and datetime.now(UTC) - state.computed_at < timedelta(seconds=max_age))):
            return await self._read(state, period)
        return await self._store(await self.compute(period))

    async def stored(self, period: Period) -> PeriodFigures | None:
        """The period's stored figures without recomputing (``None`` when never computed)."""
        state = await PeriodState.get_or_none(period=period.code)
        if state is None or state.computed_at is None:
            return None
        return await self._read(state, period)

    async def publish(self, period: Period, person_id: int | None) -> PeriodFigures:
        """Recompute ``period`` a last time and freeze it.

        Refused for a period that has not ended, one already published, and one whose
        computation had a failing module (its figures would be incomplete).
        """
        if not rules.has_ended(period, self.today()):
            raise PublishError(f"period {period.code} has not ended yet; only past periods can be published")
        existing = await PeriodState.get_or_none(period=period.code)
        if existing is not None and existing.status == "published":
            raise PublishError(f"period {period.code} is already published")
        computed = await self.compute(period)
        if computed.failures:
            names = ", ".join(sorted({failure["module"] for failure in computed.failures}))
            raise PublishError(f"period {period.code} cannot be published: module {names} failed, its figures would be incomplete")
        return await self._store(computed, publish=True, publish_by=person_id)

    async def invalidate(self) -> None:
        """Forget provisional snapshots (after the lab's own records change); published stay."""
        provisional = await PeriodState.filter(status="provisional").values_list("period", flat=True)
        if provisional:
            await Snapshot.filter(period__in=list(provisional)).delete()
            await PeriodState.filter(status="provisional").update(computed_at=None)

    async def published_periods(self) -> list[PeriodState]:
        return await PeriodState.filter(status="published").order_by("-period")

    async def known_periods(self) -> list[PeriodState]:
        return await PeriodState.all().order_by("-period")
