"""Administration of people: staff see the list and verifications, admins change roles and block accounts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.expressions import Q

from labkit import auth, verification
from labkit.filters import text
from labkit.i18n import N_, gettext
from labkit.mail import send_mail
from labkit.models import Person, Verification
from labkit.views.forms import InviteForm, PersonAdminForm
from labkit.web import FormResult, M, Problem, flash, page_params, paginate, read_form, redirect, render


async def people(request: Request) -> Response:
    """The list of accounts, searchable by name or e-mail."""
    auth.require(request, "labkit.view_admin")
    number, size = page_params(request, default_size=50)
    query = Person.filter(deleted_at=None).order_by("name")
    search = text(request.query_params, "q")
    if search:
        query = query.filter(Q(name__icontains=search) | Q(email__icontains=search))
    page = await paginate(query, number, size)
    held: dict[int, set[str]] = {}
    for person_id, kind in await Verification.filter(person_id__in=[p.id for p in page.items]).values_list("person_id", "kind"):
        held.setdefault(person_id, set()).add(kind)
    kinds = [(kind, verification.label(kind)) for kind in verification.GRANTABLE_BY_STAFF]
    return render(request, "admin/people.html", {"page": page, "q": search, "held": held, "kinds": kinds})


async def person_and_form(request: Request, model: type[M]) -> tuple[Person, FormResult]:
    """The account named by the path (404 when there is none, or it was deleted) and the submitted
    form, for the administration's buttons on a person's row."""
    person = await Person.get_or_none(id=request.path_params["person_id"], deleted_at=None)
    if person is None:
        raise Problem(404, gettext("No such person."))
    return person, await read_form(request, model)


def back_with_errors(request: Request, form: FormResult) -> Response:
    """Back to the people list with the form's messages (a row's buttons have no page of their own)."""
    flash(request, "; ".join((form.errors or {}).values()), "error")
    return redirect("/admin/people")


async def update_person(request: Request) -> Response:
    """Change a person's role or block them; an admin cannot demote or block themselves."""
    me = auth.require_write(request, "labkit.manage_people")
    person, form = await person_and_form(request, PersonAdminForm)
    if not form.ok:
        return back_with_errors(request, form)
    if person.id == me.id and (form.data.role != "admin" or not form.data.is_active):
        flash(request, gettext("You cannot remove your own administrator access."), "error")
        return redirect("/admin/people")
    person.role, person.is_active = form.data.role, form.data.is_active
    person.session_version += 0 if person.is_active else 1
    await person.save(update_fields=["role", "is_active", "session_version"])
    flash(request, gettext("%(name)s is saved.", name=person.name))
    return redirect("/admin/people")


async def invite(request: Request) -> Response:
    """Create an account for someone (any role) and send them a link to choose their password.

    This is how people join a lab that closed open registration. Without mail configured the
    link is shown to the admin to pass on.
    """
    auth.require_write(request, "labkit.manage_people")
    if request.method == "GET":
        return render(request, "admin/invite.html", {"values": {"role": "member"}, "errors": {}})
    form = await read_form(request, InviteForm)
    if form.ok and await Person.filter(email=form.data.email).exists():
        form.errors = {"email": gettext("An account with this e-mail already exists. Sign in or reset your password.")}
    if not form.ok:
        return render(request, "admin/invite.html", {"values": form.values, "errors": form.errors}, status=422)
    person = await Person.create(email=form.data.email, name=form.data.name, role=form.data.role, password_hash="")
    settings = request.app.state.settings
    link = f"{settings.lab.base_url.rstrip('/')}/account/reset/{auth.make_link_token(settings.secret_key, person, 'invite')}"
    days = settings.security.invite_link_max_age // 86400
    await send_mail(person.email, N_("You are invited to %(lab)s"),
                    N_("Open this link within %(days)s days to choose your password:\n\n%(link)s"),
                    params={"lab": settings.lab.name, "days": days, "link": link}, person_id=person.id)
    if settings.mail.host:
        flash(request, gettext("%(name)s is invited; the link is on its way.", name=person.name))
    else:
        flash(request, gettext("%(name)s is invited. No mail server is set up: give them this link: %(link)s",
                               name=person.name, link=link), "info")
    return redirect("/admin/people")


routes = [
    Route("/admin/people", people, name="people"),
    Route("/admin/people/new", invite, methods=["GET", "POST"], name="invite_person"),
    Route("/admin/people/{person_id:int}", update_person, methods=["POST"], name="update_person"),
]
