"""The front-page card of a hub: members, and how complete the latest period is."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from labkit import HomeCard, Period
from labkit.i18n import N_
from labkit_federation import completeness as comp
from labkit_federation.models import Member
from labkit_federation.options import of


async def cards(request: Any) -> list[HomeCard]:
    settings = request.app.state.settings
    members = await Member.filter(active=True).count()
    context: dict[str, Any] = {"members": members}
    if members:
        today = datetime.now(ZoneInfo(settings.lab.timezone)).date()
        recent = comp.recent_periods(today, of(request.app).expected_frequencies, count=1)
        if recent:
            report = await comp.for_app(request.app, Period.parse(recent[0]))
            context.update(period=recent[0], reported=report.total.reported, expected=report.total.expected,
                           on_time=report.total.on_time)
    return [HomeCard(title=N_("Federation of labs"), href=str(request.app.url_path_for("federation:overview")), order=25,
                     template="federation/_home_card.html", context=context)]
