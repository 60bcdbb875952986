"""What the coworking plugin reports: residents' projects, the people it engaged, personal data."""

from __future__ import annotations

from typing import Any

from tortoise.expressions import Q

from labkit import auth
from labkit.hooktypes import Contribution, PortfolioItem
from labkit.i18n import current_zone
from labkit.people import ACCOUNT_DELETED
from labkit.periods import Period
from labkit.timezones import now as utc_now

from labkit_coworking.models import Application, Booking, Member, Programme

ENGAGED = ("approved", "no_show")
"""Bookings that count as engagement: the person was expected (a no-show still booked)."""


async def portfolio() -> list[PortfolioItem]:
    """Each selected team's project of a residency or visiting scheme, from its cohort's start."""
    items = []
    for application in await Application.filter(status="selected").prefetch_related("programme", "members"):
        programme: Programme = application.programme
        milestones = [(application.created_at.date(), "application"),
                      (programme.cohort_start, "cohort started")]
        if application.decided_at:
            milestones.insert(1, (application.decided_at.date(), "selected"))
        milestones.append((programme.cohort_end, "cohort ends"))
        items.append(PortfolioItem(
            indicator="projects", key=f"residency:{application.id}", title=application.project_title,
            started=programme.cohort_start, ended=programme.cohort_end, kind=programme.kind,
            url=f"/coworking/programmes/{programme.id}", description=application.project_description[:500],
            milestones=tuple(sorted(milestones)),
            team=tuple(sorted({m.person_id for m in application.members if m.person_id} | {application.applicant_id})),
        ))
    return items


async def _residents(period: Period) -> list[Member]:
    return await Member.filter(application__status="selected", application__programme__cohort_start__lt=period.end,
                               application__programme__cohort_end__gte=period.start)


async def participants(period: Period, timezone: str | None = None) -> list[str]:
    """People who booked (approved or no-show) a slot in the period, and residents of a cohort
    running in the period."""
    start, end = period.bounds(timezone or current_zone.get())
    bookers = set(await Booking.filter(status__in=ENGAGED, start__gte=start, start__lt=end,
                                       person_id__isnull=False).values_list("person_id", flat=True))
    residents = {m.person_id for m in await _residents(period) if m.person_id}
    return sorted({auth.participant_id(pid) for pid in {*bookers, *residents}})


async def contributions(period: Period) -> list[Contribution]:
    """Team members without an account cannot be counted as identities: they count here."""
    without_account = sum(1 for m in await _residents(period) if m.person_id is None)
    return [Contribution("participants", without_account, {"kind": "resident_without_account"})] if without_account else []


async def personal_data(person_id: int) -> dict[str, Any]:
    bookings = await Booking.filter(person_id=person_id).select_related("resource__space").order_by("start")
    applications = await Application.filter(applicant_id=person_id).prefetch_related("programme", "members")
    memberships = await Member.filter(person_id=person_id).prefetch_related("application")
    return {
        "bookings": [{"space": b.resource.space.name, "resource": b.resource.name, "start": b.start.isoformat(),
                      "end": b.end.isoformat(), "attendees": b.attendees, "purpose": b.purpose, "status": b.status,
                      "organisation_ref": b.organisation_ref, "decision_reason": b.decision_reason}
                     for b in bookings],
        "programme_applications": [{"programme": a.programme.title, "project_title": a.project_title,
                                    "project_description": a.project_description, "status": a.status,
                                    "members": [m.name for m in a.members]} for a in applications],
        "team_memberships": [{"project_title": m.application.project_title, "name": m.name, "email": m.email}
                             for m in memberships],
    }


async def erase(person_id: int) -> None:
    """Bookings and applications stay for the record (utilisation, projects); what could identify
    the person in them goes: free-text purposes and their name and e-mail in team lists. Bookings
    still waiting for approval, and approved ones yet to start, are cancelled: nobody will come, and
    their places are free again."""
    now = utc_now()
    waiting = Q(status="pending") | Q(status="approved", start__gt=now)
    await Booking.filter(waiting, person_id=person_id).update(
        status="cancelled", decision_reason=ACCOUNT_DELETED, decided_at=now)
    await Booking.filter(person_id=person_id).update(purpose="")
    await Member.filter(person_id=person_id).update(name="—", email="", person_id=None)


