"""The front-page card: the last published year's four numbers."""

from __future__ import annotations

from typing import Any

from labkit import INDICATORS, HomeCard, Period
from labkit.i18n import N_

from labkit_indicators import rules
from labkit_indicators.engine import Engine
from labkit_indicators.models import PeriodState


async def cards(request: Any) -> list[HomeCard]:
    """The card: the four numbers of the last published year, when there is one."""
    years = [s for s in await PeriodState.filter(status="published").order_by("-period") if s.period.isdigit()]
    latest = years[0] if years else None
    context: dict[str, Any] = {}
    if latest is not None:
        figures = await Engine.for_app(request.app).stored(Period.parse(latest.period))
        if figures is not None:
            context = {"period": latest.period, "items": [
                {"label": rules.DEFINITIONS[name].label,
                 "value": None if figures.figures[name].total.suppressed else figures.value(name)}
                for name in INDICATORS]}
    href = str(request.url_for("indicators:dashboard").path)
    return [HomeCard(title=N_("Our numbers"), href=href, order=20,
                     template="indicators/_home_card.html", context=context)]
