"""The mapping plugin's form pages, each bound to its action: proposing an organisation or a
correction (anyone; a honeypot and a limit per address keep spam out), the team's edit and status
change, the moderation decision and the CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from labkit import images, throttle
from labkit.action_routes import context_of, enforce, found, read_input
from labkit.actions import Action, Refused
from labkit.i18n import N_, gettext
from labkit.web import Problem, flash, redirect, render

from labkit_mapping import actions, exports, rules
from labkit_mapping.forms import (
    ORGANISATION_FIELDS,
    CorrectionIn,
    DecisionIn,
    ImportIn,
    OrganisationEdit,
    OrganisationUpdate,
    ProposalIn,
    StatusIn,
)
from labkit_mapping.models import Proposal
from labkit_mapping.pages import common, is_moderator, organisation_for
from labkit_mapping.web import perform, problem

HONEYPOT = "homepage"
"""A field people do not see (``_honeypot.html``): a form that fills it is a robot's."""
THANKS_PROPOSAL = N_("Thank you! The lab's team will review your proposal.")
THANKS_CORRECTION = N_("Thank you! The lab's team will review your correction.")
TOO_MANY = N_("You have sent many proposals in the last hour. Wait a while and try again.")
ACTION_LABELS = {"create": N_("new"), "update": N_("update"), "unchanged": N_("unchanged"), "error": N_("error")}


def shown_values(values: dict[str, Any]) -> dict[str, Any]:
    """Submitted or stored values as the form shows them (lists joined into text)."""
    shown = dict(values)
    for name, joiner in (("topics", ", "), ("links", "\n")):
        if isinstance(shown.get(name), list):
            shown[name] = joiner.join(shown[name])
    for name in ("latitude", "longitude", "founding_year"):
        if shown.get(name) is None:
            shown[name] = ""
    if not isinstance(shown.get("practices"), list):
        shown["practices"] = [shown["practices"]] if shown.get("practices") else []
    return shown


def _form(request: Request, template: str, values: dict[str, Any], errors: dict[str, str], status: int = 200,
          **extra: Any) -> Response:
    context = {"values": shown_values(values), "errors": errors, "honeypot": HONEYPOT, "duplicates": [],
               **common(), **extra}
    return render(request, template, context, status=status)


def _throttle_key(request: Request) -> str:
    return f"mapping:propose:ip:{request.client.host if request.client else 'unknown'}"


async def _throttled(request: Request) -> bool:
    limit = request.app.state.plugins.settings_of("mapping").proposals_per_hour
    return await throttle.exceeded(_throttle_key(request), limit, 3600)


async def _run_form(request: Request, action: Action[Any, Any], model: type[BaseModel], template: str,
                    make: Callable[[Any], Any] = lambda data: data, **extra: Any) -> Any:
    """Validate the form against ``model``, then run ``action`` on ``make(data)``. Returns the
    action's result, or the form again: 422 with the messages, 409 with the possible duplicates."""
    form = await read_input(request, model)
    if not form.ok:
        return _form(request, template, form.values, form.errors or {}, 422, **extra)
    try:
        return await action.run(context_of(request), make(form.data))
    except actions.PossibleDuplicates as refusal:
        return _form(request, template, form.values, {}, 409, **{**extra, "duplicates": refusal.duplicates})
    except Refused as refusal:
        if refusal.status in (401, 403, 404):
            raise problem(refusal) from None
        return _form(request, template, form.values, refusal.field_errors() or {"__all__": refusal.text()}, 422,
                     **extra)


async def propose(request: Request) -> Response:
    """Propose an organisation (anyone; the team reviews it before it is published)."""
    moderator = is_moderator(request)
    if request.method == "GET":
        return _form(request, "mapping/propose.html", {}, {}, moderator=moderator)
    raw = await request.form()
    if not moderator and str(raw.get(HONEYPOT, "")).strip():
        flash(request, gettext(THANKS_PROPOSAL))
        return redirect(request.url_for("mapping:directory").path)
    if not moderator and await _throttled(request):
        return _form(request, "mapping/propose.html", dict(raw), {"__all__": gettext(TOO_MANY)}, 429,
                     moderator=moderator)
    result = await _run_form(request, actions.propose, ProposalIn, "mapping/propose.html", moderator=moderator)
    if isinstance(result, Response):
        return result
    if not isinstance(result, Proposal):
        flash(request, gettext("The organisation is published."))
        return redirect(request.url_for("mapping:organisation", org_id=result.id).path)
    await throttle.record(_throttle_key(request))
    flash(request, gettext(THANKS_PROPOSAL))
    return redirect(request.url_for("mapping:directory").path)


async def correct(request: Request) -> Response:
    """Suggest a correction to a published organisation (anyone; the team reviews it)."""
    org = await organisation_for(request)
    back = request.url_for("mapping:organisation", org_id=org.id).path
    if request.method == "GET":
        return _form(request, "mapping/correct.html", rules.as_input(org), {}, org=org)
    raw = await request.form()
    if str(raw.get(HONEYPOT, "")).strip():
        flash(request, gettext(THANKS_CORRECTION))
        return redirect(back)
    if not is_moderator(request) and await _throttled(request):
        return _form(request, "mapping/correct.html", dict(raw), {"__all__": gettext(TOO_MANY)}, 429, org=org)
    result = await _run_form(request, actions.correct, CorrectionIn, "mapping/correct.html", org=org)
    if isinstance(result, Response):
        return result
    await throttle.record(_throttle_key(request))
    flash(request, gettext(THANKS_CORRECTION))
    return redirect(back)


def _update_of(org_id: int) -> Callable[[OrganisationEdit], OrganisationUpdate]:
    """The edit form's fields as the change to organisation ``org_id``: every field, as typed, and the logo."""
    return lambda data: OrganisationUpdate(org_id=org_id, note=data.note, confirm_duplicate=data.confirm_duplicate,
                                           logo=data.logo, logo_alt=data.logo_alt, logo_remove=data.logo_remove,
                                           **data.model_dump(include=set(ORGANISATION_FIELDS)))


async def edit(request: Request) -> Response:
    """Edit an organisation directly (the team, or its confirmed members); every change goes into
    its history."""
    await found(actions.require_editor(enforce(actions.update_organisation, request), request.path_params["org_id"]))
    org = await organisation_for(request)
    logo = await images.one(org, "logo")
    if request.method == "GET":
        return _form(request, "mapping/edit.html", rules.as_input(org), {}, org=org, logo=logo)
    result = await _run_form(request, actions.update_organisation, OrganisationEdit, "mapping/edit.html",
                             make=_update_of(org.id), org=org, logo=logo)
    if isinstance(result, Response):
        return result
    _org, changes = result
    flash(request, gettext("Saved.") if changes else gettext("Nothing changed."))
    return redirect(request.url_for("mapping:organisation", org_id=org.id).path)


async def change_status(request: Request) -> Response:
    """Publish, archive or restore an organisation (the team)."""
    form = await request.form()
    data = StatusIn(org_id=request.path_params["org_id"], status=str(form.get("status", "")),
                    note=str(form.get("note", "")))
    org = await perform(request, actions.set_status, data)
    flash(request, gettext(actions.STATUS_MESSAGES[data.status]))
    return redirect(request.url_for("mapping:organisation", org_id=org.id).path)


async def review(request: Request) -> Response:
    """One proposal: what it says, possible duplicates, and the approve / reject form."""
    proposal = await Proposal.filter(id=request.path_params["proposal_id"]).select_related("organisation", "proposer").first()
    if proposal is None:
        raise Problem(404, gettext("This proposal does not exist."))
    queue = request.url_for("mapping:moderation").path
    values, errors, status = {}, {}, 200
    if request.method == "POST":
        form = await read_input(request, DecisionIn)
        if form.ok:
            try:
                decided = await actions.decide.run(context_of(request), form.data)
            except Refused as refusal:
                flash(request, refusal.text(), "error")
                return redirect(queue)
            flash(request, gettext("Proposal approved.") if decided.status == "approved" else gettext("Proposal rejected."))
            return redirect(queue)
        values, errors, status = form.values, form.errors or {}, 422
    org = proposal.organisation
    current = rules.as_input(org)
    rows = [(name, current.get(name), proposal.data.get(name)) for name in ORGANISATION_FIELDS
            if name in proposal.data] if proposal.kind == "correction" else []
    duplicates = await rules.find_duplicates(org.name, org.website, exclude_id=org.id) if proposal.kind == "new" else []
    return render(request, "mapping/review.html", {"proposal": proposal, "org": org, "rows": rows,
                                                   "duplicates": duplicates, "values": values, "errors": errors,
                                                   **common()}, status=status)


async def import_page(request: Request) -> Response:
    """Import organisations from a CSV file: a dry run shows the report; the import is all or nothing."""
    context: dict[str, Any] = {"columns": exports.CSV_COLUMNS, "report": None, "done": False,
                               "action_labels": ACTION_LABELS, **common()}
    if request.method == "GET":
        return render(request, "mapping/import.html", context)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        context["file_error"] = gettext("Choose a CSV file.")
        return render(request, "mapping/import.html", context, status=422)
    dry_run = str(form.get("mode", "dry-run")) != "import"
    report = await perform(request, actions.import_csv, ImportIn(content=await upload.read(), dry_run=dry_run))
    context.update(report=report, dry_run=dry_run, done=report.ok and not dry_run)
    return render(request, "mapping/import.html", context, status=200 if report.ok else 422)
