"""participation: consultations, proposals, support votes, public hearings, surveys and feedback.

A consultation (process) runs through four phases: information, proposals, support and results.
People propose, comment, support, answer surveys and register for hearings; staff answer every
proposal and publish the results, and the people who follow the consultation are notified.
"""

from __future__ import annotations

from labkit import Contribution, HomeCard, NavItem, Period, Permission, PluginInfo, __version__, hookimpl
from labkit.i18n import N_, current_zone

from labkit_participation import demo, service
from labkit_participation.settings import ParticipationSettings


@hookimpl
def labkit_plugin_info() -> PluginInfo:
    return PluginInfo(title=N_("Participation"), version=__version__,
                      description=N_("Consultations, proposals, support votes, public hearings and feedback."))


@hookimpl
def labkit_settings() -> type[ParticipationSettings]:
    return ParticipationSettings


@hookimpl
def labkit_nav(request) -> list[NavItem]:
    return [NavItem(label=N_("Participation"), href="/participation/", order=30)]


@hookimpl
def labkit_home(request) -> list[HomeCard]:
    return [HomeCard(title=N_("Participation"), order=30, href="/participation/",
                     text=N_("Take part in the city's consultations: propose, support, and follow the answers."))]


@hookimpl
def labkit_permissions() -> list[Permission]:
    people = ("member", "staff")
    return [
        Permission("participation.propose", N_("Send and edit one's own proposals"), roles=people),
        Permission("participation.comment", N_("Comment on consultations and proposals"), roles=people),
        Permission("participation.support", N_("Support proposals"), roles=people),
        Permission("participation.take_part", N_("Answer surveys, register for meetings, follow and report"),
                   roles=people),
        Permission("participation.manage", N_("Run consultations: phases, answers, results, surveys, meetings")),
        Permission("participation.moderate", N_("Hide reported proposals and comments")),
        Permission("participation.block", N_("Block members' accounts for abuse")),
    ]


@hookimpl
async def labkit_indicators(period: Period) -> list[Contribution]:
    attendance = await service.hearing_attendance_in(period, current_zone.get())
    return [Contribution("participants", attendance, {"kind": "hearing_attendance"})]


@hookimpl
async def labkit_participants(period: Period) -> list[str]:
    return await service.participants_in(period, current_zone.get())


@hookimpl
async def labkit_personal_data(person_id: int) -> dict:
    return await service.personal_data(person_id)


@hookimpl
async def labkit_erase_person(person_id: int) -> None:
    await service.erase_person(person_id)


@hookimpl
async def labkit_demo_data(settings) -> None:
    await demo.create(settings)
