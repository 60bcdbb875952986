"""The staff's pages of the hub: the registry (its forms, CSV import and export, tokens) and the
harvests. Every write is an action of :mod:`.actions`; the endpoints here only read the form and
show the result. The routes declare ``federation.manage`` (checked by the core)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit.action_routes import enforce
from labkit.actions import Action, Context, Refused
from labkit.filters import choice, query_string, text
from labkit.i18n import N_, gettext
from labkit.web import Problem, flash, paginate, read_form, redirect, render

from labkit_federation import actions, series
from labkit_federation import completeness as comp
from labkit_federation import registry as reg
from labkit_federation.forms import MemberIn
from labkit_federation.models import HarvestResult, HarvestRun, Member
from labkit_federation.options import of
from labkit_federation.pages import PER_PAGE, common, page_number

IMPORT_ACTIONS = {"create": N_("add"), "update": N_("update"), "unchanged": N_("unchanged"), "error": N_("error")}


async def perform(context: Context, action: Action[Any, Any], data: Any) -> Any:
    """Run ``action``'s handler; a refusal to act (403) or a missing record (404) becomes that page,
    any other :class:`Refused` is the caller's to show."""
    try:
        return await action.handler(context, data)
    except Refused as refusal:
        if refusal.status in (401, 403, 404) and not refusal.errors:
            raise Problem(refusal.status, refusal.text(), kind=refusal.kind) from None
        raise


def member_values(member: Member | None) -> dict[str, Any]:
    """The member form's fields for ``member`` (a new member's defaults for ``None``)."""
    if member is None:
        return {"kind": "lab", "active": "on"}
    return {
        "code": member.code, "name": member.name, "kind": member.kind, "municipality": member.municipality,
        "region_path": member.region_path, "url": member.url,
        "latitude": "" if member.latitude is None else member.latitude,
        "longitude": "" if member.longitude is None else member.longitude,
        "joined_on": member.joined_on.isoformat() if member.joined_on else "",
        "mentor": member.mentor.code if member.mentor_id and member.mentor else "",
        "trained_on": member.trained_on.isoformat() if member.trained_on else "",
        "programme": member.programme, "active": "on" if member.active else "",
    }


# ------------------------------------------------------------------------------- registry


async def _registry_page(request: Request, *, q: str = "", number: int = 1, status: int = 200,
                         **imported: Any) -> Response:
    page = await paginate(series.member_query(q, "", include_inactive=True).prefetch_related("mentor"), number, PER_PAGE)
    return render(request, "federation/registry.html", {
        "page": page, "q": q, "params": query_string(q=q), "import_report": None,
        "import_errors": {}, "columns": tuple(reg.CSV_COLUMNS), "actions": IMPORT_ACTIONS, **imported,
        **common(request)}, status=status)


async def registry(request: Request) -> Response:
    """Staff: the registry (add, edit, import, export, tokens)."""
    return await _registry_page(request, q=text(request.query_params, "q"),
                                number=page_number(request))


async def registry_import(request: Request) -> Response:
    """Staff: import the registry from CSV (with a dry run that saves nothing)."""
    context = enforce(actions.import_registry, request)
    form = await request.form()
    upload = form.get("file")
    dry_run = form.get("dry_run") == "on"
    content = None if upload is None or isinstance(upload, str) or not upload.filename else await upload.read()
    try:
        report = await perform(context, actions.import_registry, actions.RegistryFile(content=content, dry_run=dry_run))
    except Refused as refusal:
        return await _registry_page(request, status=422, import_report=None, dry_run=dry_run,
                                    import_errors=refusal.field_errors())
    if report.saved:
        flash(request, gettext("The registry was imported: %(added)s added, %(updated)s updated.",
                               added=report.count("create"), updated=report.count("update")))
        return redirect(str(request.app.url_path_for("federation:registry")))
    return await _registry_page(request, status=200 if report.ok else 422, import_report=report, dry_run=dry_run)


async def registry_export(request: Request) -> Response:
    """Staff: the registry as CSV (never the tokens)."""
    return Response(await reg.export_csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="registry.csv"', "Cache-Control": "no-store"})


async def new_member_context(request: Request) -> dict[str, Any]:
    """The form page of a new member: no member yet."""
    return {"member": None, **common(request)}


async def new_member_values(request: Request) -> dict[str, Any]:
    """A new member's form starts as an active lab."""
    return member_values(None)


def _member_form(request: Request, member: Member, values: dict[str, Any], errors: dict[str, str],
                 status: int = 200) -> Response:
    return render(request, "federation/member_form.html", {"member": member, "values": values, "errors": errors,
                                                           **common(request)}, status=status)


async def member_edit(request: Request) -> Response:
    """Staff: edit a member (its code may change, so the form's code is not the path's)."""
    context = enforce(actions.edit_member, request)
    member = await Member.get_or_none(code=request.path_params["code"]).prefetch_related("mentor")
    if member is None:
        raise Problem(404, gettext(actions.NO_SUCH_MEMBER), kind="not-found")
    if request.method == "GET":
        return _member_form(request, member, member_values(member), {})
    form = await read_form(request, MemberIn)
    if not form.ok:
        return _member_form(request, member, form.values, form.errors or {}, 422)
    try:
        saved = await perform(context, actions.edit_member, actions.MemberChange(current=member.code, member=form.data))
    except Refused as refusal:
        return _member_form(request, member, form.values, refusal.field_errors(), 422)
    flash(request, gettext("%(name)s was saved.", name=saved.name))
    return redirect(str(request.app.url_path_for("federation:lab", code=saved.code)))


async def token_issue(request: Request) -> Response:
    """Staff: issue a new push token for a member (shown once; the old one stops working)."""
    context = enforce(actions.issue_token, request)
    issued = await perform(context, actions.issue_token, actions.MemberCode(code=request.path_params["code"]))
    return render(request, "federation/token.html", {"member": issued.member, "token": issued.token, **common(request)},
                  headers={"Cache-Control": "no-store"})


# ------------------------------------------------------------------------------ harvests


async def harvests(request: Request) -> Response:
    """Staff: the harvest runs, newest first, and a button to harvest now."""
    page = await paginate(HarvestRun.all().order_by("-started_at", "-id"), page_number(request), 20)
    return render(request, "federation/harvests.html", {
        "page": page, "opts": of(request.app), "running": any(run.finished_at is None for run in page.items),
        **common(request)})


async def harvest_now(request: Request) -> Response:
    """Staff: start a harvest of every member in the background (the page returns at once)."""
    context = enforce(actions.harvest_now, request)
    try:
        await perform(context, actions.harvest_now, None)
    except Refused as refusal:
        flash(request, refusal.text(), "warning")
    else:
        flash(request, gettext("A harvest has started. Reload this page to follow it."))
    return redirect(str(request.app.url_path_for("federation:harvests")))


async def harvest_run(request: Request) -> Response:
    """Staff: one run's per-lab report, filtered by outcome."""
    run = await HarvestRun.get_or_none(id=request.path_params["run_id"])
    if run is None:
        raise Problem(404, gettext("There is no such harvest."), kind="not-found")
    outcome = choice(request.query_params, "outcome", comp.OUTCOME_LABELS)
    query = HarvestResult.filter(run=run).select_related("member").order_by("member__code")
    if outcome:
        query = query.filter(outcome=outcome)
    page = await paginate(query, page_number(request), PER_PAGE)
    counts = dict(await HarvestResult.filter(run=run).group_by("outcome").annotate(n=series.Count("id"))
                  .values_list("outcome", "n"))
    return render(request, "federation/harvest_run.html", {
        "run": run, "page": page, "outcome": outcome, "counts": counts,
        "params": query_string(outcome=outcome), **common(request)})
