"""Where participation is on the web (found by convention: ``pages`` are mounted under
``/participation/``, ``api`` under ``/api/v1/participation/``). Each write is an action: its page
form and its API route below call the same one."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from labkit.action_routes import ActionButton, ActionPage, ActionRoute
from labkit.actions import Context
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_

from labkit_participation import actions_moderation as moderation
from labkit_participation import actions_processes as processes
from labkit_participation import actions_proposals as proposals
from labkit_participation import api as read
from labkit_participation import exports, page_forms
from labkit_participation import pages as show
from labkit_participation.schemas import (
    CommentList,
    CommentOut,
    Done,
    MeetingList,
    MeetingOut,
    ProcessList,
    ProcessOut,
    ProposalList,
    ProposalOut,
    RegistrationOut,
    SupportOut,
    SurveyOut,
    SurveyResults,
)


def _to(name: str, key: str) -> Any:
    """Go to the page ``name`` of the record the action returned (``key`` names its id parameter)."""
    return lambda ctx, record: ctx.url_for(f"participation:{name}", **{key: record.id})


def _back(name: str, key: str) -> Any:
    """Go back to the page ``name`` of the record named by the path."""
    return lambda ctx, params: ctx.url_for(f"participation:{name}", **{key: params[key]})


def _moderation(ctx: Context, params: dict[str, Any]) -> str:
    return ctx.url_for("participation:moderation")


def _index(ctx: Context, params: dict[str, Any]) -> str:
    return ctx.url_for("participation:index")


FOLLOWED = N_("You follow this consultation: you will be told about answers and results.")
SUPPORTED = N_("Thank you for your support!")
REGISTERED = N_("You are registered. See you there!")
P = "/processes/{process_id:int}"
R = "/proposals/{proposal_id:int}"
M = "/meetings/{meeting_id:int}"

pages = [
    Route("/", show.index, name="index"),
    ActionPage("/processes/new", processes.create_process, name="process_new", template="participation/process_form.html",
               context=page_forms.new_process_context, message=N_("The consultation was created."),
               success=_to("process", "process_id")),
    Route(P, show.process_detail, name="process"),
    ActionPage(P + "/edit", processes.update_process, name="process_edit", template="participation/process_form.html",
               context=page_forms.process_form_context, initial=page_forms.process_values,
               message=N_("The consultation was saved."), success=_to("process", "process_id")),
    ActionButton(P + "/follow", {"": processes.follow, "unfollow": processes.unfollow}, name="follow",
                 back=_back("process", "process_id"), success=_to("process", "process_id"),
                 message={"": FOLLOWED, "follow": FOLLOWED, "unfollow": N_("You no longer follow this consultation.")}),
    ActionPage(P + "/results", processes.publish_results, name="results", template="participation/results.html",
               context=show.results_context, initial=page_forms.results_values, public_get=True,
               message=N_("The results were published."), success=_to("results", "process_id")),
    Route(P + "/proposals/new", page_forms.proposal_new, methods=["GET", "POST"], name="proposal_new"),
    Route(P + "/comments", page_forms.comment, methods=["POST"], name="process_comment"),
    ActionPage(P + "/surveys/new", processes.create_survey, name="survey_new", template="participation/survey_form.html",
               context=page_forms.survey_form_context, message=N_("The survey was created."),
               success=_to("survey", "survey_id")),
    ActionPage(P + "/meetings/new", processes.create_meeting, name="meeting_new",
               template="participation/meeting_form.html", context=page_forms.new_meeting_context,
               initial=page_forms.new_meeting_values, message=N_("The meeting was scheduled."),
               success=_to("meeting", "meeting_id")),
    Route(P + "/calendar.ics", show.process_calendar, name="process_calendar"),
    Route(R, show.proposal_detail, name="proposal"),
    Route(R + "/edit", page_forms.proposal_edit, methods=["GET", "POST"], name="proposal_edit"),
    ActionButton(R + "/support", {"": proposals.support, "withdraw": proposals.withdraw_support}, name="support",
                 back=_back("proposal", "proposal_id"),
                 message={"": SUPPORTED, "support": SUPPORTED, "withdraw": N_("Your support was withdrawn.")}),
    Route(R + "/answer", page_forms.answer, methods=["POST"], name="answer"),
    Route(R + "/comments", page_forms.comment, methods=["POST"], name="proposal_comment"),
    Route("/surveys/{survey_id:int}", page_forms.survey, methods=["GET", "POST"], name="survey"),
    Route(M, show.meeting_detail, name="meeting"),
    ActionPage(M + "/edit", processes.update_meeting, name="meeting_edit", template="participation/meeting_form.html",
               context=page_forms.meeting_form_context, initial=page_forms.meeting_values,
               message=N_("The meeting was saved."), success=_to("meeting", "meeting_id")),
    ActionButton(M + "/registration", {"": processes.register, "cancel": processes.unregister},
                 name="meeting_register", back=_back("meeting", "meeting_id"), success=_to("meeting", "meeting_id"),
                 message={"": REGISTERED, "register": REGISTERED, "cancel": N_("Your registration was cancelled.")}),
    Route(M + "/record", page_forms.meeting_record, methods=["POST"], name="meeting_record"),
    Route(M + "/event.ics", show.meeting_ics, name="meeting_ics"),
    Route("/calendar.ics", show.calendar_feed, name="calendar"),
    ActionButton("/flag", moderation.flag, name="flag", back=_index,
                 message=N_("Thank you. The moderators will look at it.")),
    PageRoute("/moderation", show.moderation, name="moderation", permission="participation.moderate"),
    ActionButton("/moderation/hide", {"": moderation.hide, "unhide": moderation.unhide}, name="hide", back=_moderation,
                 message={"": N_("The item is hidden."), "hide": N_("The item is hidden."),
                          "unhide": N_("The item is visible again.")}),
    ActionButton("/moderation/block", moderation.block, name="block", back=_moderation,
                 message=N_("The account was blocked.")),
    Route("/data", show.open_data, name="data"),
    *exports.routes,
]

api = [
    ApiRoute("/processes", read.list_processes, name="processes", response=ProcessList),
    ActionRoute("/processes", processes.create_process, name="create_process", response=ProcessOut, status=201,
                present=lambda ctx, process: read.process_out(ctx.app, process)),
    ApiRoute(P, read.get_process, name="process", response=ProcessOut),
    ApiRoute(P + "/proposals", read.list_proposals, name="proposals", response=ProposalList,
             query={"sort": "supports (default), newest, oldest or title", "category": "only this category",
                    "page": "page number", "per_page": "items per page (at most 100)"}),
    ActionRoute(P + "/proposals", proposals.create_proposal, name="create_proposal", response=ProposalOut, status=201,
                present=read.proposal_out),
    ActionRoute(P + "/follow", processes.follow, name="follow", response=Done, present=lambda ctx, _: {"ok": True}),
    ActionRoute(P + "/follow", processes.unfollow, method="DELETE", name="follow", response=Done,
                present=lambda ctx, _: {"ok": True}),
    ApiRoute(R, read.get_proposal, name="proposal", response=ProposalOut),
    ActionRoute(R, proposals.update_proposal, method="PUT", name="update_proposal", response=ProposalOut,
                present=read.proposal_out),
    ActionRoute(R + "/support", proposals.support, name="support", response=SupportOut, status=201,
                present=read.support_out),
    ActionRoute(R + "/support", proposals.withdraw_support, method="DELETE", name="withdraw_support",
                response=SupportOut, present=read.support_out),
    ActionRoute(R + "/answer", proposals.answer, name="answer", response=ProposalOut, present=read.proposal_out),
    ApiRoute(R + "/comments", read.list_comments, name="comments", response=CommentList),
    ActionRoute(R + "/comments", proposals.comment, name="create_comment", response=CommentOut, status=201,
                present=read.comment_out),
    ActionRoute("/flags", moderation.flag, name="flag", response=Done, status=201, present=lambda ctx, _: {"ok": True}),
    ActionRoute("/moderation/hide", moderation.hide, name="hide", response=Done),
    ApiRoute("/surveys/{survey_id:int}", read.get_survey, name="survey", response=SurveyOut),
    ActionRoute("/surveys/{survey_id:int}/responses", processes.respond, name="respond", response=Done, status=201,
                present=lambda ctx, _: {"ok": True}),
    ApiRoute("/surveys/{survey_id:int}/results", read.survey_results, name="survey_results", response=SurveyResults),
    ApiRoute("/meetings", read.list_meetings, name="meetings", response=MeetingList,
             query={"process": "only this consultation's meetings"}),
    ApiRoute(M, read.get_meeting, name="meeting", response=MeetingOut),
    ActionRoute(M + "/registration", processes.register, name="registration", response=RegistrationOut, status=201,
                present=read.registration_out),
    ActionRoute(M + "/registration", processes.unregister, method="DELETE", name="registration",
                response=RegistrationOut, present=read.registration_out),
]
