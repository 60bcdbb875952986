"""The front-page card: the challenges whose call is open now."""

from __future__ import annotations

from starlette.requests import Request

from labkit.hooktypes import HomeCard
from labkit.i18n import N_

from labkit_challenges import services
from labkit_challenges.models import Challenge


async def cards(request: Request) -> list[HomeCard]:
    now = services.now()
    open_calls = await Challenge.filter(is_published=True, opens_at__lte=now, closes_at__gt=now).order_by("closes_at").limit(3)
    return [HomeCard(title=N_("Challenges"), href="/challenges/", order=40, template="challenges/_home_card.html",
                     context={"open_calls": open_calls})]
