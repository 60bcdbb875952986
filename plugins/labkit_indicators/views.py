"""Pages: the dashboard, the annual report, the portfolio, manual entries, targets, publication."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from labkit import INDICATORS, Period, auth, references
from labkit.i18n import gettext
from labkit.web import Problem, flash, read_form, redirect, render

from labkit_indicators import charts, rules
from labkit_indicators.api import MANAGE, PUBLISH, VIEW_PROVISIONAL, entry_out
from labkit_indicators.engine import Engine, PeriodFigures, PublishError
from labkit_indicators.forms import ManualEntryIn, MilestoneIn, PartnershipIn, ProductIn, ProjectIn, TargetsIn
from labkit_indicators.models import (
    ManualEntry, Milestone, Partnership, PeriodState, Product, Project, ProjectMember, Target,
)
from labkit_indicators.portfolio import create_entry, delete_entry, set_team, update_entry

DASHBOARD_MAX_AGE = 300
"""Seconds a provisional figure computed for the dashboard is reused (staff can recompute now)."""


def journey(milestones: Any) -> list[dict[str, Any]]:
    """A journey as the template shows it, from Milestone rows or ``(date, text)`` pairs."""
    steps = []
    for m in milestones:
        if isinstance(m, Milestone):
            steps.append({"date": m.happened_on, "stage": m.stage, "text": m.text, "id": m.id})
        else:
            steps.append({"date": m[0], "stage": "", "text": m[1], "id": None})
    return sorted(steps, key=lambda step: step["date"])


def _year(value: Any, default: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default
    return year if 1900 <= year <= 9998 else default


async def _visible(request: Request, period: Period) -> PeriodFigures | None:
    """The figures a visitor may see for ``period``: published ones, or provisional for staff."""
    engine = Engine.for_app(request.app)
    if auth.has_permission(request, VIEW_PROVISIONAL):
        return await engine.figures(period, max_age=DASHBOARD_MAX_AGE)
    state = await PeriodState.get_or_none(period=period.code, status="published")
    return await engine.stored(period) if state else None


def _public_value(figures: PeriodFigures | None, indicator: str, staff: bool) -> int | None:
    if figures is None:
        return None
    figure = figures.figures[indicator]
    if figure.total.suppressed and not staff:
        return None
    return figure.value


async def series(request: Request, year: int) -> dict[str, Any]:
    """Monthly figures of ``year`` per indicator and module, as the visitor may see them."""
    staff = auth.has_permission(request, VIEW_PROVISIONAL)
    months = rules.months_of(year)
    monthly = [await _visible(request, month) for month in months]
    data: dict[str, Any] = {"year": year, "labels": [m.code for m in months], "indicators": {}}
    for name in INDICATORS:
        modules: dict[str, list[int | None]] = {}
        for index, figures in enumerate(monthly):
            if figures is None:
                continue
            for cell in figures.figures[name].breakdowns.get("module", []):
                modules.setdefault(cell.member, [None] * 12)[index] = (
                    None if cell.suppressed and not staff else cell.value)
        data["indicators"][name] = {
            "label": gettext(rules.DEFINITIONS[name].label),
            "aggregation": rules.DEFINITIONS[name].temporal_aggregation,
            "total": [_public_value(f, name, staff) for f in monthly],
            "modules": modules,
        }
    return data


async def series_json(request: Request) -> JSONResponse:
    """The dashboard's chart data (used by static/indicators/dashboard.js)."""
    year = _year(request.path_params["year"], date.today().year)
    return JSONResponse(await series(request, year), headers={"Cache-Control": "private, no-store"})


async def dashboard(request: Request) -> Response:
    """Totals for a year, change against the year before, targets, charts and tables."""
    engine = Engine.for_app(request.app)
    staff = auth.has_permission(request, VIEW_PROVISIONAL)
    today = engine.today()
    year = _year(request.query_params.get("year"), today.year)
    current = await _visible(request, Period.parse(str(year)))
    before = await _visible(request, Period.parse(str(year - 1)))
    targets = {t.indicator: t.value for t in await Target.filter(year=year)}
    cards = []
    for name in INDICATORS:
        value = _public_value(current, name, staff)
        previous = _public_value(before, name, staff)
        target = targets.get(name)
        cards.append({
            "id": name, "definition": rules.DEFINITIONS[name], "value": value, "previous": previous,
            "change": rules.change(value, previous),
            "suppressed": current is not None and current.figures[name].total.suppressed,
            "target": target, "progress": (min(value, target) if value is not None and target else None),
            "percent": round(100 * value / target) if value is not None and target else None,
        })
    data = await series(request, year)
    published_years = [int(s.period) for s in await PeriodState.filter(status="published") if s.period.isdigit()]
    return render(request, "indicators/dashboard.html", {
        "year": year, "cards": cards, "figures": current, "data": data, "staff": staff,
        "years": sorted(set(published_years + ([today.year, today.year - 1] if staff else [])), reverse=True),
        "indicators": INDICATORS, "definitions": rules.DEFINITIONS,
    })


async def chart_svg(request: Request) -> Response:
    """A downloadable SVG chart: monthly totals of an indicator, or the year by module."""
    year = _year(request.path_params["year"], date.today().year)
    name, _, variant = request.path_params["chart"].partition("-")
    if name not in INDICATORS or variant not in ("", "modules"):
        raise Problem(404, gettext("There is no such chart."), kind="not-found")
    label = gettext(rules.DEFINITIONS[name].label)
    note = gettext("– not published or withheld to protect privacy")
    if variant == "modules":
        figures = await _visible(request, Period.parse(str(year)))
        staff = auth.has_permission(request, VIEW_PROVISIONAL)
        cells = figures.figures[name].breakdowns.get("module", []) if figures else []
        svg = charts.bar_chart(gettext("%(indicator)s by module, %(year)s", indicator=label, year=year),
                               [c.member for c in cells],
                               [None if c.suppressed and not staff else c.value for c in cells], note=note)
    else:
        data = await series(request, year)
        svg = charts.bar_chart(gettext("%(indicator)s per month, %(year)s", indicator=label, year=year),
                               [code[5:] for code in data["labels"]], data["indicators"][name]["total"], note=note)
    disposition = "attachment" if request.query_params.get("download") else "inline"
    return Response(svg, media_type="image/svg+xml", headers={
        "Content-Disposition": f'{disposition}; filename="{name}-{variant or "monthly"}-{year}.svg"',
        "Cache-Control": "private, max-age=60"})


async def report(request: Request) -> Response:
    """The printable annual report: the four numbers, charts, and each project's journey."""
    year = _year(request.path_params["year"], 0)
    if not year:
        raise Problem(404, gettext("There is no such report."), kind="not-found")
    period = Period.parse(str(year))
    figures = await _visible(request, period)
    if figures is None:
        raise Problem(404, gettext("The report for %(year)s is not published yet.", year=year), kind="period-not-published")
    staff = auth.has_permission(request, VIEW_PROVISIONAL)
    engine = Engine.for_app(request.app)
    items = await engine.portfolio()
    in_year = [(m, i) for m, i in items if i.started < period.end and (i.ended is None or i.ended >= period.start)]
    projects = sorted([(m, i) for m, i in in_year if i.indicator == "projects"], key=lambda p: p[1].started)
    partnerships = [(m, i) for m, i in items if i.indicator == "partnerships" and rules.holds(period, i.started)]
    products = [(m, i) for m, i in items if i.indicator == "products" and rules.holds(period, i.started)]
    numbers = [{"id": name, "definition": rules.DEFINITIONS[name], "value": _public_value(figures, name, staff),
                "figure": figures.figures[name]} for name in INDICATORS]
    return render(request, "indicators/report.html", {
        "year": year, "figures": figures, "numbers": numbers, "projects": projects,
        "partnerships": partnerships, "products": products, "staff": staff, "journey_of": journey,
        "kinds": {**rules.PROJECT_ORIGINS, **rules.PARTNER_KINDS, **rules.PRODUCT_TYPES},
    })


# ------------------------------------------------------------------------------ portfolio


async def portfolio(request: Request) -> Response:
    """Projects, partnerships and products: the lab's own and those other modules report."""
    engine = Engine.for_app(request.app)
    failures: list[dict[str, str]] = []
    items = await engine.portfolio(failures)
    groups = {name: [(m, i) for m, i in items if i.indicator == name]
              for name in ("projects", "partnerships", "products")}
    for group in groups.values():
        group.sort(key=lambda pair: pair[1].started, reverse=True)
    return render(request, "indicators/portfolio.html", {
        "groups": groups, "failures": failures, "can_manage": auth.has_permission(request, MANAGE),
        "kinds": {**rules.PROJECT_ORIGINS, **rules.PARTNER_KINDS, **rules.PRODUCT_TYPES},
    })


async def external_item(request: Request) -> Response:
    """A project, partnership or product another module reports, read-only, with its journey."""
    module, key = request.path_params["module"], request.path_params["key"]
    items = await Engine.for_app(request.app).portfolio()
    found = next((i for m, i in items if m == module and i.key == key), None)
    if found is None:
        raise Problem(404, gettext("There is no such item in the portfolio."), kind="not-found")
    return render(request, "indicators/item.html", {"item": found, "module": module, "journey_of": journey,
                                                     "kinds": {**rules.PROJECT_ORIGINS, **rules.PARTNER_KINDS,
                                                               **rules.PRODUCT_TYPES}})


async def _organisation_choices(request: Request) -> list[tuple[str, str]]:
    found = await references.search(request.app, "organisation", "", limit=200)
    return [(ref.id, ref.label) for ref in found]


async def _project(request: Request) -> Project:
    project = await Project.get_or_none(id=request.path_params["project_id"])
    if project is None:
        raise Problem(404, gettext("There is no such project."), kind="not-found")
    return project


async def project_detail(request: Request) -> Response:
    """A project of the lab with its journey, team, partners, products and partnerships."""
    project = await _project(request)
    organisations = []
    for item in project.partner_organisations or []:
        ref = await references.resolve(request.app, "organisation", item.get("ref")) if item.get("ref") else None
        organisations.append({"label": ref.label if ref else item.get("name", ""), "url": ref.url if ref else None})
    members = await ProjectMember.filter(project=project).select_related("person")
    return render(request, "indicators/project.html", {
        "project": project, "milestones": journey(await Milestone.filter(project=project)),
        "members": members, "organisations": organisations,
        "products": await Product.filter(project=project), "partnerships": await project.partnerships.all(),
        "can_manage": auth.has_permission(request, MANAGE), "values": {}, "errors": {},
        "stages": rules.MILESTONE_STAGES, "statuses": rules.PROJECT_STATUSES, "origins": rules.PROJECT_ORIGINS,
    })


def _project_values(project: Project, emails: list[str]) -> dict[str, Any]:
    return {
        "title": project.title, "description": project.description, "status": project.status,
        "origin": project.origin, "starts_on": project.starts_on.isoformat(),
        "ends_on": project.ends_on.isoformat() if project.ends_on else "",
        "sdgs": [str(g) for g in project.sdgs or []],
        "organisations": [str(o["ref"]) for o in project.partner_organisations or [] if o.get("ref")],
        "other_organisations": "\n".join(o["name"] for o in project.partner_organisations or [] if not o.get("ref")),
        "links": "\n".join(f"{link['label']} | {link['url']}" for link in project.links or []),
        "team": "\n".join(emails),
    }


async def project_form(request: Request) -> Response:
    """Create or edit a project (staff)."""
    person = auth.require(request, MANAGE)
    project = await _project(request) if "project_id" in request.path_params else None
    choices = await _organisation_choices(request)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if project is not None:
        emails = [m.person.email for m in await ProjectMember.filter(project=project).select_related("person")]
        values = _project_values(project, emails)
    if request.method == "POST":
        form = await read_form(request, ProjectIn)
        values, status = form.values, 422
        if form.ok:
            data: ProjectIn = form.data
            labels = dict(choices)
            unknown = [ref for ref in data.organisations if ref not in labels]
            organisations = [{"ref": ref, "name": labels[ref]} for ref in data.organisations if ref in labels]
            organisations += [{"ref": None, "name": name.strip()} for name in data.other_organisations.splitlines()
                              if name.strip()]
            fields = {"title": data.title, "description": data.description, "status": data.status,
                      "origin": data.origin, "starts_on": data.starts_on, "ends_on": data.ends_on,
                      "sdgs": data.sdgs, "links": data.link_list(), "partner_organisations": organisations}
            missing = [e for e in data.team_emails() if not await _person_exists(e)]
            if unknown:
                errors = {"organisations": gettext("Choose organisations from the list.")}
            elif missing:
                errors = {"team": gettext("Nobody has the address %(email)s.", email=missing[0])}
            else:
                if project is None:
                    project = await Project.create(**fields)
                    await Milestone.create(project=project, happened_on=data.starts_on, stage="conception",
                                           text=gettext("Project started"))
                else:
                    await project.update_from_dict(fields)
                    await project.save()
                await set_team(project, data.team_emails())
                await Engine.for_app(request.app).invalidate()
                flash(request, gettext("The project is saved."))
                return redirect(f"/indicators/portfolio/projects/{project.id}")
        else:
            errors = form.errors or {}
    del person
    return render(request, "indicators/project_form.html", {
        "project": project, "values": values, "errors": errors, "organisation_choices": choices,
        "statuses": rules.PROJECT_STATUSES, "origins": rules.PROJECT_ORIGINS, "sdgs": rules.SDGS,
    }, status=status)


async def _person_exists(email: str) -> bool:
    from labkit.models import Person

    return await Person.filter(email=email, is_active=True).exists()


async def project_delete(request: Request) -> Response:
    """Delete a project of the lab (staff); its products stay, unlinked."""
    auth.require(request, MANAGE)
    project = await _project(request)
    await project.delete()
    await Engine.for_app(request.app).invalidate()
    flash(request, gettext("The project is deleted."))
    return redirect("/indicators/portfolio/")


async def milestone_add(request: Request) -> Response:
    """Add a step to a project's journey (staff)."""
    auth.require(request, MANAGE)
    project = await _project(request)
    form = await read_form(request, MilestoneIn)
    if not form.ok:
        context = {
            "project": project, "milestones": journey(await Milestone.filter(project=project)),
            "members": await ProjectMember.filter(project=project).select_related("person"), "organisations": [],
            "products": await Product.filter(project=project), "partnerships": await project.partnerships.all(),
            "can_manage": True, "values": form.values, "errors": form.errors, "stages": rules.MILESTONE_STAGES,
            "statuses": rules.PROJECT_STATUSES, "origins": rules.PROJECT_ORIGINS,
        }
        return render(request, "indicators/project.html", context, status=422)
    await Milestone.create(project=project, **form.data.model_dump())
    flash(request, gettext("The milestone is added to the journey."))
    return redirect(f"/indicators/portfolio/projects/{project.id}#journey")


async def milestone_delete(request: Request) -> Response:
    """Remove a step from a project's journey (staff)."""
    auth.require(request, MANAGE)
    project = await _project(request)
    await Milestone.filter(project=project, id=request.path_params["milestone_id"]).delete()
    flash(request, gettext("The milestone is removed."))
    return redirect(f"/indicators/portfolio/projects/{project.id}#journey")


async def _simple_form(request: Request, model: type, form_model: type[BaseModel], template: str,
                       to_values: Any, save: Any, extra: dict[str, Any]) -> Response:
    auth.require(request, MANAGE)
    record = None
    key = next((k for k in request.path_params if k.endswith("_id")), None)
    if key:
        record = await model.get_or_none(id=request.path_params[key])
        if record is None:
            raise Problem(404, gettext("There is no such record."), kind="not-found")
    values: dict[str, Any] = await to_values(record) if record else {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request, form_model)
        values, status = form.values, 422
        if form.ok:
            problem = await save(record, form.data)
            if isinstance(problem, dict):
                errors = problem
            else:
                await Engine.for_app(request.app).invalidate()
                flash(request, gettext("Saved."))
                return redirect("/indicators/portfolio/")
        else:
            errors = form.errors or {}
    return render(request, template, {"record": record, "values": values, "errors": errors, **extra}, status=status)


async def partnership_form(request: Request) -> Response:
    """Create or edit a partnership (staff)."""
    choices = await _organisation_choices(request)
    projects = await Project.all().order_by("title")

    async def to_values(record: Partnership) -> dict[str, Any]:
        return {"organisation_ref": record.organisation_ref or "", "organisation_name": record.organisation_name,
                "partner_kind": record.partner_kind, "agreement_type": record.agreement_type,
                "starts_on": record.starts_on.isoformat(), "ends_on": record.ends_on.isoformat() if record.ends_on else "",
                "description": record.description,
                "projects": [str(p.id) for p in await record.projects.all()]}

    async def save(record: Partnership | None, data: PartnershipIn) -> dict[str, str] | None:
        labels = dict(choices)
        if data.organisation_ref and data.organisation_ref not in labels:
            return {"organisation_ref": gettext("Choose organisations from the list.")}
        chosen = await Project.filter(id__in=data.projects)
        if len(chosen) != len(set(data.projects)):
            return {"projects": gettext("Choose projects from the list.")}
        fields = {"organisation_ref": data.organisation_ref or None,
                  "organisation_name": labels.get(data.organisation_ref) or data.organisation_name,
                  "partner_kind": data.partner_kind, "agreement_type": data.agreement_type,
                  "starts_on": data.starts_on, "ends_on": data.ends_on, "description": data.description}
        if record is None:
            record = await Partnership.create(**fields)
        else:
            await record.update_from_dict(fields)
            await record.save()
        await record.projects.clear()
        if chosen:
            await record.projects.add(*chosen)
        return None

    return await _simple_form(request, Partnership, PartnershipIn, "indicators/partnership_form.html", to_values, save,
                              {"organisation_choices": choices, "projects": projects,
                               "partner_kinds": rules.PARTNER_KINDS, "agreements": rules.AGREEMENT_TYPES})


async def product_form(request: Request) -> Response:
    """Create or edit a product (staff)."""
    projects = await Project.all().order_by("title")

    async def to_values(record: Product) -> dict[str, Any]:
        return {"title": record.title, "product_type": record.product_type, "description": record.description,
                "licence": record.licence, "url": record.url, "project_id": record.project_id or "",
                "delivered_on": record.delivered_on.isoformat() if record.delivered_on else ""}

    async def save(record: Product | None, data: ProductIn) -> dict[str, str] | None:
        if data.project_id is not None and not await Project.filter(id=data.project_id).exists():
            return {"project_id": gettext("Choose projects from the list.")}
        fields = data.model_dump()
        if record is None:
            await Product.create(**fields)
        else:
            await record.update_from_dict(fields)
            await record.save()
        return None

    return await _simple_form(request, Product, ProductIn, "indicators/product_form.html", to_values, save,
                              {"projects": projects, "product_types": rules.PRODUCT_TYPES})


async def record_detail(request: Request) -> Response:
    """A partnership or product of the lab."""
    kind = request.path_params["kind"]
    model = {"partnerships": Partnership, "products": Product}.get(kind)
    record = await model.get_or_none(id=request.path_params["record_id"]) if model else None
    if record is None:
        raise Problem(404, gettext("There is no such record."), kind="not-found")
    related = await record.projects.all() if kind == "partnerships" else (
        [await record.project] if record.project_id else [])
    organisation = None
    if kind == "partnerships" and record.organisation_ref:
        organisation = await references.resolve(request.app, "organisation", record.organisation_ref)
    return render(request, "indicators/record.html", {
        "kind": kind, "record": record, "related": related, "organisation": organisation,
        "can_manage": auth.has_permission(request, MANAGE),
        "labels": {**rules.PARTNER_KINDS, **rules.AGREEMENT_TYPES, **rules.PRODUCT_TYPES},
    })


async def record_delete(request: Request) -> Response:
    """Delete a partnership or product of the lab (staff)."""
    auth.require(request, MANAGE)
    model = {"partnerships": Partnership, "products": Product}.get(request.path_params["kind"])
    if model is None:
        raise Problem(404, gettext("There is no such record."), kind="not-found")
    await model.filter(id=request.path_params["record_id"]).delete()
    await Engine.for_app(request.app).invalidate()
    flash(request, gettext("Deleted."))
    return redirect("/indicators/portfolio/")


# --------------------------------------------------------------------------- manual entries


def _module_choices(request: Request) -> list[tuple[str, str]]:
    plugins = request.app.state.plugins
    return [(p.slug, gettext(p.info.title)) for p in plugins.order if p.slug != "labkit"]


async def entries(request: Request) -> Response:
    """Manual entries for offline activity, with a form to add one (staff)."""
    person = auth.require(request, MANAGE)
    values: dict[str, Any] = {"module": rules.OWN_MODULE, "kind": "offline"}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request, ManualEntryIn)
        values, status = form.values, 422
        if form.ok:
            frozen = await _frozen(form.data.period)
            if frozen:
                errors = {"period": frozen}
            elif form.data.module not in dict(_module_choices(request)):
                errors = {"module": gettext("Choose one of the options.")}
            else:
                await create_entry(form.data, person)
                await Engine.for_app(request.app).invalidate()
                flash(request, gettext("The entry is recorded."))
                return redirect("/indicators/entries/")
        else:
            errors = form.errors or {}
    items = await ManualEntry.all().select_related("created_by").order_by("-period", "-id")
    return render(request, "indicators/entries.html", {
        "entries": items, "values": values, "errors": errors, "modules": _module_choices(request),
        "definitions": rules.DEFINITIONS,
    }, status=status)


async def _frozen(code: str) -> str | None:
    period = Period.parse(code)
    for state in await PeriodState.filter(status="published"):
        frozen = Period.parse(state.period)
        if rules.contains(frozen, period) or rules.contains(period, frozen):
            return gettext("Period %(period)s is published and frozen: entries for it cannot change.",
                           period=frozen.code)
    return None


async def entry_edit(request: Request) -> Response:
    """Change or withdraw a manual entry; every change is kept in its audit trail (staff)."""
    person = auth.require(request, MANAGE)
    entry = await ManualEntry.get_or_none(id=request.path_params["entry_id"])
    if entry is None:
        raise Problem(404, gettext("There is no such manual entry."), kind="not-found")
    values: dict[str, Any] = {k: getattr(entry, k) for k in ("period", "indicator", "value", "module", "kind", "reason")}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST" and entry.deleted_at is None:
        form = await read_form(request, ManualEntryIn)
        values, status = form.values, 422
        if form.ok:
            frozen = await _frozen(entry.period) or await _frozen(form.data.period)
            if frozen:
                errors = {"period": frozen}
            else:
                await update_entry(entry, form.data, person)
                await Engine.for_app(request.app).invalidate()
                flash(request, gettext("The entry is updated."))
                return redirect("/indicators/entries/")
        else:
            errors = form.errors or {}
    return render(request, "indicators/entry.html", {
        "entry": entry, "detail": await entry_out(entry), "values": values, "errors": errors,
        "modules": _module_choices(request), "definitions": rules.DEFINITIONS,
    }, status=status)


class _Withdraw(BaseModel):
    reason: str


async def entry_withdraw(request: Request) -> Response:
    """Withdraw a manual entry: it stops counting and stays in the record (staff)."""
    person = auth.require(request, MANAGE)
    entry = await ManualEntry.get_or_none(id=request.path_params["entry_id"])
    if entry is None:
        raise Problem(404, gettext("There is no such manual entry."), kind="not-found")
    form = await request.form()
    reason = str(form.get("reason", "")).strip()
    frozen = await _frozen(entry.period)
    if frozen or len(reason) < 3:
        flash(request, frozen or gettext("Say why the entry is withdrawn (at least 3 characters)."), "error")
        return redirect(f"/indicators/entries/{entry.id}")
    if entry.deleted_at is None:
        await delete_entry(entry, person, reason)
        await Engine.for_app(request.app).invalidate()
    flash(request, gettext("The entry is withdrawn."))
    return redirect("/indicators/entries/")


# ------------------------------------------------------------------------ targets, periods


async def targets(request: Request) -> Response:
    """Yearly targets per indicator (staff)."""
    auth.require(request, MANAGE)
    today = Engine.for_app(request.app).today()
    year = _year(request.query_params.get("year"), today.year)
    values: dict[str, Any] = {"year": year, **{t.indicator: t.value for t in await Target.filter(year=year)}}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        form = await read_form(request, TargetsIn)
        values, status = form.values, 422
        if form.ok:
            data: TargetsIn = form.data
            for name in INDICATORS:
                value = getattr(data, name)
                if value is None:
                    await Target.filter(year=data.year, indicator=name).delete()
                else:
                    await Target.update_or_create(year=data.year, indicator=name, defaults={"value": value})
            flash(request, gettext("The targets for %(year)s are saved.", year=data.year))
            return redirect(f"/indicators/?year={data.year}")
        errors = form.errors or {}
    return render(request, "indicators/targets.html", {"values": values, "errors": errors,
                                                       "definitions": rules.DEFINITIONS}, status=status)


async def periods(request: Request) -> Response:
    """Publication: the periods computed so far, and publishing one (staff)."""
    auth.require(request, VIEW_PROVISIONAL)
    engine = Engine.for_app(request.app)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        person = auth.require(request, PUBLISH)
        form = await request.form()
        values = {"period": str(form.get("period", ""))}
        try:
            period = rules.parse_period(values["period"])
            await engine.publish(period, person.id)
        except rules.PeriodError as error:
            errors, status = {"period": gettext(str(error))}, 422
        except PublishError as error:
            errors, status = {"period": str(error)}, 409
        else:
            flash(request, gettext("Period %(period)s is published. Its figures are now frozen.", period=period.code))
            return redirect("/indicators/periods")
    states = await PeriodState.all().select_related("published_by").order_by("-period")
    return render(request, "indicators/periods.html", {"states": states, "values": values, "errors": errors,
                                                       "can_publish": auth.has_permission(request, PUBLISH)},
                  status=status)


async def recompute(request: Request) -> Response:
    """Forget the provisional figures so the dashboard computes them afresh (staff)."""
    auth.require(request, VIEW_PROVISIONAL)
    await Engine.for_app(request.app).invalidate()
    flash(request, gettext("Provisional figures will be computed again."))
    form = await request.form()
    year = _year(form.get("year"), date.today().year)
    return redirect(f"/indicators/?year={year}")


routes = [
    Route("/", dashboard, name="dashboard"),
    Route("/data/{year:int}.json", series_json, name="series"),
    Route("/charts/{year:int}/{chart}.svg", chart_svg, name="chart"),
    Route("/report/{year:int}", report, name="report"),
    Route("/recompute", recompute, methods=["POST"], name="recompute"),
    Route("/portfolio/", portfolio, name="portfolio"),
    Route("/portfolio/projects/new", project_form, methods=["GET", "POST"], name="project-new"),
    Route("/portfolio/projects/{project_id:int}", project_detail, name="project"),
    Route("/portfolio/projects/{project_id:int}/edit", project_form, methods=["GET", "POST"], name="project-edit"),
    Route("/portfolio/projects/{project_id:int}/delete", project_delete, methods=["POST"], name="project-delete"),
    Route("/portfolio/projects/{project_id:int}/milestones", milestone_add, methods=["POST"], name="milestone-add"),
    Route("/portfolio/projects/{project_id:int}/milestones/{milestone_id:int}/delete", milestone_delete,
          methods=["POST"], name="milestone-delete"),
    Route("/portfolio/partnerships/new", partnership_form, methods=["GET", "POST"], name="partnership-new"),
    Route("/portfolio/partnerships/{partnership_id:int}/edit", partnership_form, methods=["GET", "POST"],
          name="partnership-edit"),
    Route("/portfolio/products/new", product_form, methods=["GET", "POST"], name="product-new"),
    Route("/portfolio/products/{product_id:int}/edit", product_form, methods=["GET", "POST"], name="product-edit"),
    Route("/portfolio/{kind}/{record_id:int}", record_detail, name="record"),
    Route("/portfolio/{kind}/{record_id:int}/delete", record_delete, methods=["POST"], name="record-delete"),
    Route("/portfolio/external/{module}/{key:path}", external_item, name="external"),
    Route("/entries/", entries, methods=["GET", "POST"], name="entries"),
    Route("/entries/{entry_id:int}", entry_edit, methods=["GET", "POST"], name="entry"),
    Route("/entries/{entry_id:int}/withdraw", entry_withdraw, methods=["POST"], name="entry-withdraw"),
    Route("/targets", targets, methods=["GET", "POST"], name="targets"),
    Route("/periods", periods, methods=["GET", "POST"], name="periods"),
]
