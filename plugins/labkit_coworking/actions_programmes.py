"""What people do with residencies and visiting schemes: the staff save a programme and select
teams, a team applies while the call is open — each declared once for the pages and the API."""

from __future__ import annotations

from tortoise.transactions import in_transaction

from labkit import references
from labkit.actions import Context, Refused, action, not_found
from labkit.i18n import N_
from labkit.models import Person
from labkit.notifications import notify
from labkit.timezones import now as utc_now

from labkit_coworking import services
from labkit_coworking.forms import ApplicationDecisionIn, ApplicationForm, ProgrammeForm
from labkit_coworking.models import Application, Member, Programme, Space


async def find_programme(programme_id: int) -> Programme:
    """A programme with its space; refused as not found if there is none."""
    programme = await Programme.filter(id=programme_id).select_related("space").first()
    if programme is None:
        raise not_found(N_("No such programme."))
    return programme


def check_call_open(ctx: Context, programme: Programme) -> None:
    """Refuse (409) unless the programme's call is open today, on the lab's calendar."""
    if not services.call_is_open(programme, services.local_today(ctx.app)):
        raise Refused(N_("The call for this programme is not open."), kind="call-closed")


@action("coworking.save_programme", input=ProgrammeForm, permission="coworking.manage_programmes")
async def save_programme(ctx: Context, data: ProgrammeForm) -> Programme:
    """Create or change a programme: its call, places and cohort dates."""
    fields = data.model_dump(exclude={"programme_id", "space"})
    fields["space_id"] = data.space if data.space and await Space.exists(id=data.space) else None
    if data.programme_id is None:
        return await Programme.create(**fields)
    programme = await find_programme(data.programme_id)
    await programme.update_from_dict(fields).save()
    return programme


@action("coworking.apply", input=ApplicationForm, permission="coworking.apply")
async def apply(ctx: Context, data: ApplicationForm) -> Application:
    """Apply to a programme with your team's project (while its call is open).

    The applicant is always a member; one application per person and programme.
    """
    person = ctx.actor
    programme = await find_programme(data.programme_id)
    check_call_open(ctx, programme)
    organisation_ref = data.organisation_ref
    if organisation_ref and await references.resolve(ctx.app, "organisation", organisation_ref) is None:
        organisation_ref = None
    async with in_transaction():
        if await Application.filter(programme=programme, applicant=person).exists():
            raise Refused(N_("You have already applied to this programme."), kind="already-applied")
        application = await Application.create(programme=programme, applicant=person, project_title=data.project_title,
                                               project_description=data.project_description,
                                               organisation_ref=organisation_ref)
        seen = {person.email.lower()}
        await Member.create(application=application, person=person, name=person.name, email="")
        for name, email in data.member_list():
            if email and email in seen:
                continue
            seen.add(email)
            account = await Person.get_or_none(email=email, is_active=True) if email else None
            await Member.create(application=application, person=account, name=name, email=email)
    await ctx.emit("coworking.application_submitted", application_id=application.id, programme_id=programme.id)
    return application


@action("coworking.select_application", input=ApplicationDecisionIn, permission="coworking.manage_programmes")
async def select_application(ctx: Context, data: ApplicationDecisionIn) -> Application:
    """Select a team for the cohort (within the places) or turn it down; the applicant is told."""
    if data.decision not in ("select", "reject"):
        raise not_found()
    selected = data.decision == "select"
    async with in_transaction():
        application = await Application.filter(id=data.application_id).select_for_update().first()
        if application is None:
            raise not_found(N_("No such application."))
        programme = await Programme.filter(id=application.programme_id).select_for_update().first()
        assert programme is not None
        if application.status not in ("submitted", "selected", "rejected"):
            raise Refused(N_("This application was withdrawn."), kind="application-state")
        if selected and application.status != "selected":
            taken = await Application.filter(programme_id=programme.id, status="selected").count()
            if taken >= programme.places:
                raise Refused(N_("All %(places)s places of this programme are taken."), kind="programme-full",
                              places=programme.places)
        application.status = "selected" if selected else "rejected"
        application.decision_reason = data.reason.strip()[:500]
        application.decided_at = utc_now()
        await application.save(update_fields=["status", "decision_reason", "decided_at"])
    applicant = await Person.get(id=application.applicant_id)
    await ctx.emit(f"coworking.application_{application.status}", application_id=application.id,
                   programme_id=programme.id)
    message = (N_("Your team was selected for %(programme)s. Welcome to the cohort!") if selected
               else N_("Your application to %(programme)s was not selected: %(reason)s"))
    await notify(ctx.app, applicant.id, message, ctx.url_for("coworking:programme", programme_id=programme.id),
                 params={"programme": programme.title, "reason": application.decision_reason or "-"})
    return application
