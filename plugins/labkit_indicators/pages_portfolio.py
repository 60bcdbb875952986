"""The portfolio's pages: the list, a project, a partnership or product, an item other modules
report, and the contexts of the forms whose writes are in ``actions_portfolio``."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from labkit import auth, references
from labkit.action_routes import context_of
from labkit.i18n import gettext
from labkit.web import Problem, render

from labkit_indicators import rules
from labkit_indicators.actions_portfolio import organisation_choices
from labkit_indicators.engine import Engine
from labkit_indicators.models import Milestone, Partnership, Product, Project, ProjectMember
from labkit_indicators.pages import KINDS, journey


async def portfolio(request: Request) -> Response:
    """Projects, partnerships and products: the lab's own and those other modules report."""
    failures: list[dict[str, str]] = []
    items = await Engine.for_app(request.app).portfolio(failures)
    groups = {name: [(m, i) for m, i in items if i.indicator == name]
              for name in ("projects", "partnerships", "products")}
    for group in groups.values():
        group.sort(key=lambda pair: pair[1].started, reverse=True)
    return render(request, "indicators/portfolio.html", {
        "groups": groups, "failures": failures, "can_manage": auth.has_permission(request, rules.MANAGE),
        "kinds": KINDS,
    })


async def external_item(request: Request) -> Response:
    """A project, partnership or product another module reports, read-only, with its journey."""
    module, key = request.path_params["module"], request.path_params["key"]
    items = await Engine.for_app(request.app).portfolio()
    found = next((i for m, i in items if m == module and i.key == key), None)
    if found is None:
        raise Problem(404, gettext("There is no such item in the portfolio."), kind="not-found")
    return render(request, "indicators/item.html", {"item": found, "module": module, "journey_of": journey,
                                                     "kinds": KINDS})


async def _record(request: Request, model: type[Project | Partnership | Product], key: str,
                  message: str) -> Any:
    record = await model.get_or_none(id=request.path_params[key])
    if record is None:
        raise Problem(404, gettext(message), kind="not-found")
    return record


async def project_context(request: Request) -> dict[str, Any]:
    """A project of the lab with its journey, team, partners, products and partnerships."""
    project = await _record(request, Project, "project_id", "There is no such project.")
    organisations = []
    for item in project.partner_organisations or []:
        ref = await references.resolve(request.app, "organisation", item.get("ref")) if item.get("ref") else None
        organisations.append({"label": ref.label if ref else item.get("name", ""), "url": ref.url if ref else None})
    return {
        "project": project, "milestones": journey(await Milestone.filter(project=project)),
        "members": await ProjectMember.filter(project=project).select_related("person"),
        "organisations": organisations,
        "products": await Product.filter(project=project), "partnerships": await project.partnerships.all(),
        "can_manage": auth.has_permission(request, rules.MANAGE),
        "stages": rules.MILESTONE_STAGES, "statuses": rules.PROJECT_STATUSES, "origins": rules.PROJECT_ORIGINS,
    }


async def project_detail(request: Request) -> Response:
    """A project's page (with the form that adds a step to its journey)."""
    return render(request, "indicators/project.html", {**await project_context(request), "values": {}, "errors": {}})


async def project_form_context(request: Request) -> dict[str, Any]:
    """The project form's choices, and the project when one is edited."""
    project = (await _record(request, Project, "project_id", "There is no such project.")
               if "project_id" in request.path_params else None)
    return {"project": project, "organisation_choices": await organisation_choices(context_of(request)),
            "statuses": rules.PROJECT_STATUSES, "origins": rules.PROJECT_ORIGINS, "sdgs": rules.SDGS}


async def project_values(request: Request) -> dict[str, Any]:
    """What the project form shows first: the project's fields when one is edited."""
    if "project_id" not in request.path_params:
        return {}
    project = await _record(request, Project, "project_id", "There is no such project.")
    emails = [m.person.email for m in await ProjectMember.filter(project=project).select_related("person")]
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


async def partnership_form_context(request: Request) -> dict[str, Any]:
    """The partnership form's choices, and the partnership when one is edited."""
    record = (await _record(request, Partnership, "partnership_id", "There is no such record.")
              if "partnership_id" in request.path_params else None)
    return {"record": record, "organisation_choices": await organisation_choices(context_of(request)),
            "projects": await Project.all().order_by("title"), "partner_kinds": rules.PARTNER_KINDS,
            "agreements": rules.AGREEMENT_TYPES}


async def partnership_values(request: Request) -> dict[str, Any]:
    """What the partnership form shows first: the partnership's fields when one is edited."""
    if "partnership_id" not in request.path_params:
        return {}
    record = await _record(request, Partnership, "partnership_id", "There is no such record.")
    return {"organisation_ref": record.organisation_ref or "", "organisation_name": record.organisation_name,
            "partner_kind": record.partner_kind, "agreement_type": record.agreement_type,
            "starts_on": record.starts_on.isoformat(), "ends_on": record.ends_on.isoformat() if record.ends_on else "",
            "description": record.description, "projects": [str(p.id) for p in await record.projects.all()]}


async def product_form_context(request: Request) -> dict[str, Any]:
    """The product form's choices, and the product when one is edited."""
    record = (await _record(request, Product, "product_id", "There is no such record.")
              if "product_id" in request.path_params else None)
    return {"record": record, "projects": await Project.all().order_by("title"), "product_types": rules.PRODUCT_TYPES}


async def product_values(request: Request) -> dict[str, Any]:
    """What the product form shows first: the product's fields when one is edited."""
    if "product_id" not in request.path_params:
        return {}
    record = await _record(request, Product, "product_id", "There is no such record.")
    return {"title": record.title, "product_type": record.product_type, "description": record.description,
            "licence": record.licence, "url": record.url, "project_id": record.project_id or "",
            "delivered_on": record.delivered_on.isoformat() if record.delivered_on else ""}


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
        "can_manage": auth.has_permission(request, rules.MANAGE),
        "labels": {**rules.PARTNER_KINDS, **rules.AGREEMENT_TYPES, **rules.PRODUCT_TYPES},
    })
