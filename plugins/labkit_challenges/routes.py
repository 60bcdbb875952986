"""Where the challenges are on the web (found by convention: ``pages`` under ``/challenges/``,
``api`` under ``/api/v1/challenges/``). Every form and every API write runs an action."""

from __future__ import annotations

from typing import Any

from starlette.routing import Route

from labkit import images
from labkit.action_routes import ActionButton, ActionRoute, Target
from labkit.actions import Action, Context
from labkit.api import ApiRoute, PageRoute
from labkit.i18n import N_, gettext

from labkit_challenges import actions_manage as manage
from labkit_challenges import actions_teams as teams
from labkit_challenges import api as reads
from labkit_challenges import pages as public
from labkit_challenges import pages_work as work
from labkit_challenges.bindings import Form, FormPage, Message, page
from labkit_challenges.forms import SubmissionIn, scorecard_fields
from labkit_challenges.lookups import MANAGE, TAKE_PART
from labkit_challenges.models import Challenge


def _back(name: str, section: str = "", **params: str) -> Target:
    """Where a button goes back to: page ``name`` of the challenge in the path (``params`` maps the
    page's other parameters to the path's), at ``section``."""
    return lambda ctx, path: _url(ctx, name, path["cid"], section, **{key: path[value] for key, value in params.items()})


def _then(name: str, section: str = "", **params: str) -> Target:
    """Where the visitor goes after the action: page ``name`` of the challenge of the result (a
    challenge, or a record of one), at ``section``; ``params`` maps the page's parameters to the result's."""
    return lambda ctx, result: _url(ctx, name, result.id if isinstance(result, Challenge) else result.challenge_id,
                                    section, **{key: getattr(result, value) for key, value in params.items()})


def _url(ctx: Context, name: str, cid: int, section: str, **params: Any) -> str:
    return ctx.url_for(f"challenges:{name}", cid=cid, **params) + (f"#{section}" if section else "")


def _managed(path: str, action: Action[Any, Any], *, name: str, section: str, message: Message) -> Form:
    """A form of the manage page: shown again with its messages in ``section``, where it also returns."""
    return Form(path, action, name=name, again=work.manage_again(section), success=_then("manage", section),
                message=message)


pages = [
    Route("/", public.index, name="index"),
    images.accepting_images(FormPage(
        "/new", manage.create_challenge, name="create", again=page("challenges/form.html", work.challenge_form),
        success=_then("manage"), message=N_("The challenge was created. Now add its evaluation criteria and jury."))),
    FormPage("/join/{token}", teams.join_team, name="join", again=page("challenges/join.html", work.join_form),
             success=_then("team"),
             message=lambda team: gettext("Welcome to the team %(name)s!", name=team.name)),
    Route("/{cid:int}", public.detail, name="detail"),
    images.accepting_images(FormPage("/{cid:int}/edit", manage.update_challenge, name="edit",
                                     again=page("challenges/form.html", work.challenge_form),
                                     success=_then("manage"), message=N_("The challenge was saved."))),
    PageRoute("/{cid:int}/manage", work.manage, name="manage", permission=MANAGE),
    _managed("/{cid:int}/criteria", manage.add_criterion, name="add_criterion", section="criteria",
             message=N_("The criterion was added.")),
    _managed("/{cid:int}/criteria/{criterion:int}", manage.update_criterion, name="update_criterion",
             section="criteria", message=N_("The criterion was saved.")),
    _managed("/{cid:int}/criteria/{criterion:int}/delete", manage.delete_criterion, name="delete_criterion",
             section="criteria", message=N_("The criterion was removed.")),
    _managed("/{cid:int}/jurors", manage.add_juror, name="add_juror", section="jury",
             message=lambda juror: gettext("%(name)s joined the jury.", name=juror.person.name)),
    ActionButton("/{cid:int}/jurors/{juror:int}/delete", manage.remove_juror, name="remove_juror",
           back=_back("manage", "jury"), message=N_("The juror was removed.")),
    ActionButton("/{cid:int}/assignments", {"all": manage.assign_all, "unassign": manage.unassign, "": manage.assign},
           name="assignments", back=_back("manage", "assignments"),
           message={"all": lambda made: gettext("%(count)s assignments were made.", count=made),
                    "unassign": N_("The assignment was removed."), "": N_("The submission was assigned.")}),
    Route("/{cid:int}/results", public.results, name="results"),
    _managed("/{cid:int}/results/publish", manage.publish_results, name="publish_results", section="results",
             message=N_("The results are published. The scores are now locked.")),
    FormPage("/{cid:int}/teams/new", teams.create_team, name="new_team",
             again=page("challenges/team_new.html", work.team_form), success=_then("team"),
             message=N_("Your team was created. Share the invitation link with your team mates.")),
    Route("/{cid:int}/team", work.team, name="team"),
    ActionButton("/{cid:int}/team/leave", teams.leave_team, name="leave", back=_back("team"), success=_then("detail"),
           message=N_("You left the team.")),
    ActionButton("/{cid:int}/team/invite", teams.renew_invite, name="renew_invite", back=_back("team"),
           message=N_("A new invitation link was made; the old one no longer works.")),
    ActionButton("/{cid:int}/team/invitations", teams.invite_person, name="invite_person", back=_back("team", "looking"),
           message=lambda seeker: gettext("%(name)s was sent your team's invitation.", name=seeker.label)),
    ActionButton("/{cid:int}/team/members/{member:int}/{action:str}", {"remove": teams.remove_member, "": teams.set_role},
           name="change_member", back=_back("team"),
           message={"remove": N_("The member was removed from the team."), "": N_("The role was changed.")}),
    FormPage("/{cid:int}/submission", teams.save_submission, name="submission_form",
             again=page("challenges/submission_form.html", work.submission_form),
             success=_then("submission", sid="id"),
             message=N_("Your submission was saved. You can edit it until the deadline.")),
    ActionButton("/{cid:int}/submission/withdraw", teams.withdraw, name="withdraw", back=_back("submission_form"),
           success=_then("team"), message=N_("Your submission was withdrawn. You can submit again until the deadline.")),
    ActionButton("/{cid:int}/submission/attachments/{aid:int}/delete", teams.delete_attachment, name="delete_attachment",
           back=_back("submission_form"), message=N_("The file was removed.")),
    Route("/{cid:int}/submissions/{sid:int}", public.submission_page, name="submission"),
    Route("/{cid:int}/submissions/{sid:int}/attachments/{aid:int}", public.download, name="download"),
    ActionButton("/{cid:int}/submissions/{sid:int}/vote", teams.vote, name="vote", back=_back("submission", sid="sid"),
           message=N_("Thank you: your vote was counted.")),
    ActionButton("/{cid:int}/submissions/{sid:int}/forward", manage.take_forward, name="take_forward",
           back=_back("manage", "results"),
           message=lambda submission: gettext("“%(title)s” is now a project of the lab.", title=submission.title)),
    Route("/{cid:int}/jury", work.jury_page, name="jury"),
    FormPage("/{cid:int}/jury/{sid:int}", teams.score, name="scorecard", parse=scorecard_fields,
             again=page("challenges/scorecard.html", work.scorecard_form),
             success=_then("jury"),
             message=N_("Your scores were saved.")),
    ActionButton("/{cid:int}/jury/{sid:int}/conflict", teams.declare_conflict, name="declare_conflict", back=_back("jury"),
           message=N_("Your conflict of interest was recorded: you will not score this team.")),
    Route("/{cid:int}/export.csv", public.export_csv, name="export_csv"),
    Route("/{cid:int}/export.json", public.export_json, name="export_json"),
]


api = [
    ApiRoute("/", reads.list_challenges, name="list", response=reads.ChallengeList,
             query={"kind": "challenge, hackathon or cocreation", "page": "page number", "per_page": "items per page"}),
    ActionRoute("/", manage.create_challenge, name="create", status=201, response=reads.ChallengeDetail,
                present=reads.present_challenge),
    ApiRoute("/{cid:int}", reads.get_challenge, name="detail", response=reads.ChallengeDetail),
    ActionRoute("/{cid:int}", manage.update_challenge, method="PUT", name="update", response=reads.ChallengeDetail,
                present=reads.present_challenge),
    ApiRoute("/{cid:int}/submissions", reads.list_submissions, name="submissions", response=reads.SubmissionList),
    ApiRoute("/{cid:int}/submissions/{sid:int}", reads.get_submission, name="submission", response=reads.SubmissionOut),
    ApiRoute("/{cid:int}/submission", reads.put_submission, methods=["PUT"], name="put_submission", body=SubmissionIn,
             response=reads.SubmissionOut, permission=TAKE_PART),
    ApiRoute("/{cid:int}/results", reads.get_results, name="results", response=reads.ResultsOut),
    ApiRoute("/{cid:int}/assignments", reads.my_assignments, name="assignments", response=reads.AssignmentList),
    ActionRoute("/{cid:int}/submissions/{sid:int}/scorecard", teams.score, method="PUT", name="scorecard",
                response=reads.ScorecardOut, present=reads.scorecard_out,
                summary="Save the caller's whole scorecard for an assigned submission (every criterion, on the scale)."),
    ActionRoute("/{cid:int}/submissions/{sid:int}/vote", teams.vote, name="vote", response=reads.VoteOut, status=201,
                present=reads.vote_out, summary="Cast the caller's one community vote in this challenge."),
    ActionRoute("/{cid:int}/team/invitations", teams.invite_person, name="invite_person", status=201,
                present=lambda ctx, seeker: {"person": int(seeker.id), "name": seeker.label},
                summary="A team lead sends the team's invitation link to a person looking for a team."),
    ApiRoute("/{cid:int}/export", reads.export, name="export"),
]
