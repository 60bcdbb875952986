"""What staff do with the lab's own portfolio: projects, their journeys, partnerships and products."""

from __future__ import annotations

from pydantic import Field

from labkit import references
from labkit.actions import Context, Empty, action, invalid, not_found
from labkit.i18n import N_, gettext
from labkit.models import Person

from labkit_indicators import rules
from labkit_indicators.engine import Engine
from labkit_indicators.forms import MilestoneIn, PartnershipIn, ProductIn, ProjectIn
from labkit_indicators.models import Milestone, Partnership, Product, Project
from labkit_indicators.portfolio import set_team

CHOOSE_ORGANISATIONS = N_("Choose organisations from the list.")
CHOOSE_PROJECTS = N_("Choose projects from the list.")


async def organisation_choices(ctx: Context) -> list[tuple[str, str]]:
    """The organisations other modules know of, as ``(reference, label)``."""
    found = await references.search(ctx.app, "organisation", "", limit=200)
    return [(ref.id, ref.label) for ref in found]


async def project_of(project_id: int) -> Project:
    """The project ``project_id``, or a 404 refusal."""
    project = await Project.get_or_none(id=project_id)
    if project is None:
        raise not_found(N_("There is no such project."))
    return project


async def record_of(model: type[Partnership | Product], record_id: int | None) -> Partnership | Product | None:
    """The partnership or product being edited (``None`` for a new one), or a 404 refusal."""
    if record_id is None:
        return None
    record = await model.get_or_none(id=record_id)
    if record is None:
        raise not_found(N_("There is no such record."))
    return record


class ProjectSaveIn(ProjectIn):
    """A project's fields; ``project_id`` (from the path) when an existing one is edited."""

    project_id: int | None = None


@action("indicators.save_project", input=ProjectSaveIn, permission=rules.MANAGE)
async def save_project(ctx: Context, data: ProjectSaveIn) -> Project:
    """Create or edit a project of the lab, with its partners and team (staff)."""
    project = await project_of(data.project_id) if data.project_id is not None else None
    labels = dict(await organisation_choices(ctx))
    if any(ref not in labels for ref in data.organisations):
        raise invalid("organisations", CHOOSE_ORGANISATIONS)
    missing = [e for e in data.team_emails() if not await Person.filter(email=e, is_active=True).exists()]
    if missing:
        raise invalid("team", N_("Nobody has the address %(email)s."), email=missing[0])
    organisations = [{"ref": ref, "name": labels[ref]} for ref in data.organisations]
    organisations += [{"ref": None, "name": name.strip()} for name in data.other_organisations.splitlines()
                      if name.strip()]
    fields = {"title": data.title, "description": data.description, "status": data.status,
              "origin": data.origin, "starts_on": data.starts_on, "ends_on": data.ends_on,
              "sdgs": data.sdgs, "links": data.link_list(), "partner_organisations": organisations}
    if project is None:
        project = await Project.create(**fields)
        await Milestone.create(project=project, happened_on=data.starts_on, stage="conception",
                               text=gettext("Project started"))
    else:
        await project.update_from_dict(fields)
        await project.save()
    await set_team(project, data.team_emails())
    await Engine.for_app(ctx.app).invalidate()
    return project


class ProjectRef(Empty):
    """A project, from the path."""

    project_id: int


@action("indicators.delete_project", input=ProjectRef, permission=rules.MANAGE)
async def delete_project(ctx: Context, data: ProjectRef) -> None:
    """Delete a project of the lab (staff); its products stay, unlinked."""
    await (await project_of(data.project_id)).delete()
    await Engine.for_app(ctx.app).invalidate()


class MilestoneAddIn(MilestoneIn):
    """A step of the journey of the project in the path."""

    project_id: int


@action("indicators.add_milestone", input=MilestoneAddIn, permission=rules.MANAGE)
async def add_milestone(ctx: Context, data: MilestoneAddIn) -> Project:
    """Add a step to a project's journey (staff)."""
    project = await project_of(data.project_id)
    await Milestone.create(project=project, **data.model_dump(exclude={"project_id"}))
    return project


class MilestoneRef(ProjectRef):
    """A step of a project's journey, from the path."""

    milestone_id: int


@action("indicators.delete_milestone", input=MilestoneRef, permission=rules.MANAGE)
async def delete_milestone(ctx: Context, data: MilestoneRef) -> Project:
    """Remove a step from a project's journey (staff)."""
    project = await project_of(data.project_id)
    await Milestone.filter(project=project, id=data.milestone_id).delete()
    return project


class PartnershipSaveIn(PartnershipIn):
    """A partnership's fields; ``partnership_id`` (from the path) when an existing one is edited."""

    partnership_id: int | None = None


@action("indicators.save_partnership", input=PartnershipSaveIn, permission=rules.MANAGE)
async def save_partnership(ctx: Context, data: PartnershipSaveIn) -> Partnership:
    """Create or edit a partnership (staff)."""
    record = await record_of(Partnership, data.partnership_id)
    labels = dict(await organisation_choices(ctx))
    if data.organisation_ref and data.organisation_ref not in labels:
        raise invalid("organisation_ref", CHOOSE_ORGANISATIONS)
    chosen = await Project.filter(id__in=data.projects)
    if len(chosen) != len(set(data.projects)):
        raise invalid("projects", CHOOSE_PROJECTS)
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
    await Engine.for_app(ctx.app).invalidate()
    return record


class ProductSaveIn(ProductIn):
    """A product's fields; ``product_id`` (from the path) when an existing one is edited."""

    product_id: int | None = None


@action("indicators.save_product", input=ProductSaveIn, permission=rules.MANAGE)
async def save_product(ctx: Context, data: ProductSaveIn) -> Product:
    """Create or edit a product (staff)."""
    record = await record_of(Product, data.product_id)
    if data.project_id is not None and not await Project.filter(id=data.project_id).exists():
        raise invalid("project_id", CHOOSE_PROJECTS)
    fields = data.model_dump(exclude={"product_id"})
    if record is None:
        record = await Product.create(**fields)
    else:
        await record.update_from_dict(fields)
        await record.save()
    await Engine.for_app(ctx.app).invalidate()
    return record


class RecordRef(Empty):
    """A partnership or product of the lab, from the path."""

    kind: str = Field(max_length=40)
    record_id: int


@action("indicators.delete_record", input=RecordRef, permission=rules.MANAGE)
async def delete_record(ctx: Context, data: RecordRef) -> None:
    """Delete a partnership or product of the lab (staff)."""
    model = {"partnerships": Partnership, "products": Product}.get(data.kind)
    if model is None:
        raise not_found(N_("There is no such record."))
    await model.filter(id=data.record_id).delete()
    await Engine.for_app(ctx.app).invalidate()
