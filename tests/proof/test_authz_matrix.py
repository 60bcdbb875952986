"""The authorisation matrix: every route of the app × every role, against an approved snapshot.

The routes are walked from the Starlette app itself (through every ``Mount``), so a route a plugin
adds cannot escape: it is missing from ``authz_matrix.txt`` and the test fails until someone
reviews its statuses and approves them::

    LABKIT_APPROVE_AUTHZ=1 pytest tests/proof/test_authz_matrix.py

Each route is called with real ids taken from the lab's demo data (``labkit_demo_data`` of every
plugin), by every role: anonymous, member, staff and admin (signed-in sessions), on ``/api/``
also API tokens of those three roles, and a token made in a second, separate lab. Unsafe methods
carry a valid CSRF token for every session (anonymous too), so the cells show permissions, not
CSRF. Bodies are empty (an empty form, ``{}``): a cell of 422 means "allowed, but the input is
wrong", which is what a permission test needs.

Whatever the snapshot says, invariants hold (see :func:`check_invariants`): no 5xx; anonymous
unsafe requests never succeed outside :data:`ANONYMOUS_WRITES`; another lab's token gets 401 on
the whole API and nothing on pages; a member reaches neither the administration nor a staff-only
route; an API token is worth nothing on pages.
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.routing import BaseRoute, Mount

from labkit import auth, verification
from labkit.api import ApiRoute
from labkit.models import ApiToken, OutboxMessage, Person
from labkit.plugins import await_me_maybe
from labkit.testing import RunningLab, write_lab

SNAPSHOT = Path(__file__).with_name("authz_matrix.txt")
APPROVE = "LABKIT_APPROVE_AUTHZ"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
SESSION_ROLES = ("anonymous", "member", "staff", "admin")
PAGE_ROLES = (*SESSION_ROLES, "other-lab-token")
API_ROLES = (*SESSION_ROLES, "member-token", "staff-token", "admin-token", "other-lab-token")

ANONYMOUS_WRITES: dict[str, str] = {
    "POST /account/login": "signing in is what an anonymous visitor does",
    "POST /account/register": "signing up creates the account (when the lab allows it)",
    "POST /account/reset": "asking for a reset link; the answer is the same for every address",
    "POST /account/reset/{token}": "the signed, single-use link is the credential",
    "POST /account/confirm": "asking for a new confirmation link; the answer is the same for every address",
    "POST /account/confirm/{token}": "the signed, single-use link mailed to the address is the credential",
    "POST /account/logout": "signing out of no session changes nothing",
    "POST /language": "the language choice is kept in the visitor's own session",
    "POST /mapping/propose": "anyone may propose an organisation; it waits for moderation",
    "POST /mapping/organisations/{org_id:int}/correct": "anyone may propose a correction; it waits for moderation",
    "POST /api/v1/federation/reports": "a member lab pushes its figures with the hub's token for that lab, not an account",
}
"""Unsafe routes an anonymous visitor may use successfully, each with the reason."""

STAFF_ONLY = re.compile(
    r"^/(admin/|coworking/staff/|federation/(registry|harvests)|mapping/(moderation|import|seals)|participation/(moderation|processes/new)|people/topics|"
    r"indicators/(entries|targets|periods|recompute|portfolio/\w+/new)|challenges/new|"
    r"challenges/\{cid:int\}/(manage|edit|criteria|jurors|assignments|results/publish))"
)
"""Pages only the lab's team may use. On the API, staff-only routes are derived from the
permission each ``ApiRoute`` declares (a permission the member role does not hold)."""


# ------------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    api: bool

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


def walk(routes: list[BaseRoute], prefix: str = "") -> list[tuple[str, BaseRoute]]:
    """Every leaf route under ``routes`` with its full path, through every ``Mount``."""
    found: list[tuple[str, BaseRoute]] = []
    for route in routes:
        if isinstance(route, Mount) and route.routes:
            found.extend(walk(list(route.routes), prefix + route.path))
        elif isinstance(route, Mount):  # an app mounted whole (static files): one route for its files
            found.append((prefix + route.path + "/{path:path}", route))
        else:
            found.append((prefix + getattr(route, "path", ""), route))
    return found


def endpoints(app: Any) -> list[Endpoint]:
    out = []
    for path, route in walk(list(app.routes)):
        methods = sorted((getattr(route, "methods", None) or {"GET"}) - {"HEAD"})
        out.extend(Endpoint(method, path, path.startswith("/api/")) for method in methods)
    return sorted(set(out), key=lambda e: (e.path, e.method))


def api_permissions(app: Any) -> dict[str, str | None]:
    """``"METHOD /path"`` → the permission the ApiRoute declares."""
    out: dict[str, str | None] = {}
    for path, route in walk(list(app.routes)):
        if isinstance(route, ApiRoute):
            for method in route.methods or []:
                out[f"{method} {path}"] = route.permission
    return out


# --------------------------------------------------------------------------- real ids


PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
Resolver = Callable[["Seed"], Awaitable[str]]


def _area(path: str) -> str:
    """The part of the site a path belongs to: its first segment, after ``/api/v1``."""
    parts = path.removeprefix("/api/v1").strip("/").split("/")
    return parts[0] or "home"


@dataclass
class Seed:
    """The lab, its demo data and the people of each role."""

    lab: RunningLab
    people: dict[str, Person] = field(default_factory=dict)
    cache: dict[str, str] = field(default_factory=dict)

    async def value(self, endpoint: Endpoint, name: str) -> str:
        key = f"{_area(endpoint.path)}:{name}"
        if key not in RESOLVERS:
            pytest.fail(f"{endpoint.key}: no real value for the path parameter {{{name}}}. Add a resolver "
                        f"{key!r} to RESOLVERS in {Path(__file__).name} that picks a real record of its kind.")
        if key not in self.cache:
            self.cache[key] = await RESOLVERS[key](self)
        return self.cache[key]

    async def url(self, endpoint: Endpoint, fresh: bool = False) -> str:
        """The endpoint's path with real ids; with ``fresh``, throw-away records where :data:`FRESH`
        has a maker, so that a write (a delete, a decision) changes nothing the next call uses."""
        params = [match.group(1) for match in PARAM.finditer(endpoint.path)]
        values: dict[str, str] = {}
        if fresh and endpoint.key in FRESH_FOR:
            values.update(await FRESH_FOR[endpoint.key](self))
        if fresh:
            for name in reversed(params):  # the innermost record first: its maker also makes its parents
                key = f"{_area(endpoint.path)}:{name}"
                if name not in values and key in FRESH:
                    values.update(await FRESH[key](self))
        for name in params:
            if name not in values:
                values[name] = await self.value(endpoint, name)
        return PARAM.sub(lambda match: values[match.group(1)], endpoint.path)


async def _first(model: Any, **filters: Any) -> str:
    record = await model.filter(**filters).order_by("id").first()
    assert record is not None, f"the demo data has no {model.__name__} matching {filters}"
    return str(record.id)


def _models(module: str) -> Any:
    import importlib

    return importlib.import_module(module)


async def _challenge(seed: Seed) -> str:
    ch = _models("labkit_challenges.models")
    return await _first(ch.Challenge, kind="challenge", results_published_at__not_isnull=True)


async def _submission(seed: Seed) -> str:
    ch = _models("labkit_challenges.models")
    return await _first(ch.Submission, challenge_id=int(await _challenge(seed)))


async def _attachment(seed: Seed) -> str:
    from labkit import uploads
    from labkit.storage import storage_of

    ch = _models("labkit_challenges.models")
    services = _models("labkit_challenges.services")
    data = b"%PDF-1.4\n% a tiny attachment for the authorisation matrix\n"
    kept = await uploads.save(storage_of(seed.lab.app), services.UPLOAD_AREA, data, uploads.FILE_TYPES["pdf"], "plan.pdf")
    attachment = await ch.Attachment.create(submission_id=int(await _submission(seed)), **vars(kept))
    return str(attachment.id)


async def _image_token(seed: Seed) -> str:
    """The random part of a real image's address (the lab's logo, made for the matrix)."""
    import io

    from PIL import Image as Picture

    from labkit import images, imaging

    buffer = io.BytesIO()
    Picture.new("RGB", (200, 100), (0, 90, 160)).save(buffer, "PNG")
    prepared = images.Prepared(await imaging.process_async(buffer.getvalue()), "The lab's logo")
    image = await images.store(seed.lab.app, images.LAB, "logo", prepared, None)
    return image.key.removeprefix("images/")


async def _team_member(seed: Seed) -> str:
    ch = _models("labkit_challenges.models")
    return await _first(ch.TeamMember, challenge_id=int(await _challenge(seed)), role="member")


async def _join_token(seed: Seed) -> str:
    ch = _models("labkit_challenges.models")
    services = _models("labkit_challenges.services")
    team = await ch.Team.filter(challenge__kind="hackathon").order_by("id").first()
    return services.invite_token(seed.lab.settings.secret_key, team)


async def _proposals_open(seed: Seed) -> str:
    from labkit.timezones import now

    pa = _models(PA)
    moment = now()
    return await _first(pa.Process, published=True, proposals_starts_at__lte=moment, support_starts_at__gt=moment)


async def _pending_booking(seed: Seed) -> str:
    """A booking waiting for a decision (the demo's are skipped when their day is a holiday: then
    one is made from another booking, a week ahead)."""
    from labkit.timezones import now

    cw = _models("labkit_coworking.models")
    if not await cw.Booking.exists(status="pending"):
        booking = await cw.Booking.all().order_by("id").first()
        values = {name: getattr(booking, name) for name in booking._meta.fields_db_projection if name != "id"}
        length = booking.end - booking.start
        start = now().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
        await cw.Booking.create(**{**values, "status": "pending", "start": start, "end": start + length,
                                   "decided_at": None})
    return await _first(cw.Booking, status="pending")


async def _portfolio(seed: Seed) -> tuple[str, str]:
    engine = _models("labkit_indicators.engine")
    items = await engine.Engine.for_app(seed.lab.app).portfolio()
    assert items, "no plugin reports a portfolio item in the demo data"
    module, item = sorted(items, key=lambda pair: (pair[0], pair[1].key))[0]
    return module, item.key


async def _throwaway_person(seed: Seed) -> str:
    return str((await Person.create(email=f"someone-{secrets.token_hex(4)}@example.org", name="Someone Else",
                                    password_hash=auth.hash_password("a throw-away password"))).id)


async def _reset_token(seed: Seed) -> str:
    person = await Person.get(id=int(await seed.value(Endpoint("POST", "/admin/people/{person_id}", False), "person_id")))
    return auth.make_link_token(seed.lab.settings.secret_key, person)


async def _someone_elses_token(seed: Seed) -> str:
    person = await Person.get(id=int(await seed.value(Endpoint("POST", "/admin/people/{person_id}", False), "person_id")))
    await auth.create_token(person, "not yours")
    return str((await ApiToken.filter(person=person).first()).id)  # type: ignore[union-attr]


async def _failed_mail(seed: Seed) -> str:
    from labkit.mail import send_mail

    message = await send_mail("nobody@example.org", "A message that bounced", "Body.")
    await OutboxMessage.filter(id=message.id).update(status="failed", attempts=1, last_error="550 no such user")
    return str(message.id)


def _m(module: str, model: str, **filters: Any) -> Resolver:
    async def resolve(seed: Seed) -> str:
        return await _first(getattr(_models(module), model), **filters)
    return resolve


def _const(value: str) -> Resolver:
    async def resolve(seed: Seed) -> str:
        return value
    return resolve


CH, CW, IN, MA, PA = ("labkit_challenges.models", "labkit_coworking.models", "labkit_indicators.models",
                      "labkit_mapping.models", "labkit_participation.models")
TR = "labkit_training.models"
LAST_YEAR = str(date.today().year - 1)

RESOLVERS: dict[str, Resolver] = {
    # core
    "account:token": _reset_token,
    "account:token_id": _someone_elses_token,
    # the matrix lab declares no SSO provider (one would need a live issuer): these rows are 404s,
    # and tests/sso/ drives the routes against a real provider
    "account:provider": _const("none-declared"),
    "admin:person_id": _throwaway_person,
    "admin:message_id": _failed_mail,
    "admin:kind": _const("terms"),
    "references:kind": lambda seed: _const(sorted(seed.lab.app.state.references)[0])(seed),
    "static:path": _const("labkit.css"),
    "media:token": _image_token,
    "media:width": _const("160"),
    # challenges: the finished challenge (results published), its records
    "challenges:cid": _challenge,
    "challenges:sid": _submission,
    "challenges:aid": _attachment,
    "challenges:criterion": lambda seed: _m(CH, "Criterion", challenge__results_published_at__not_isnull=True)(seed),
    "challenges:juror": lambda seed: _m(CH, "Juror", challenge__results_published_at__not_isnull=True)(seed),
    "challenges:member": _team_member,
    "challenges:action": _const("remove"),
    "challenges:token": _join_token,
    # coworking
    "coworking:space_id": _m(CW, "Space"),
    "coworking:resource_id": _m(CW, "Resource"),
    "coworking:closure_id": _m(CW, "Closure"),
    "coworking:booking_id": _pending_booking,
    "coworking:action": _const("approve"),
    "coworking:programme_id": _m(CW, "Programme"),
    "coworking:application_id": _m(CW, "Application", status="submitted"),
    "coworking:decision": _const("select"),
    # indicators
    "indicators:year": _const(LAST_YEAR),
    "indicators:period": _const(LAST_YEAR),
    "indicators:chart": _const("projects"),
    "indicators:project_id": _m(IN, "Project"),
    "indicators:milestone_id": _m(IN, "Milestone"),
    "indicators:partnership_id": _m(IN, "Partnership"),
    "indicators:product_id": _m(IN, "Product"),
    "indicators:entry_id": _m(IN, "ManualEntry", deleted_at=None),
    "indicators:kind": _const("partnerships"),
    "indicators:record_id": _m(IN, "Partnership"),
    "indicators:module": lambda seed: _module(seed),
    "indicators:key": lambda seed: _key(seed),
    # federation
    "federation:code": lambda seed: _code(seed),
    "federation:run_id": lambda seed: _m("labkit_federation.models", "HarvestRun")(seed),
    # mapping
    "mapping:org_id": _m(MA, "Organisation", status="published"),
    "mapping:rel_id": _m(MA, "Relationship"),
    "mapping:proposal_id": _m(MA, "Proposal", status="pending"),
    "mapping:membership_id": lambda seed: _fresh_claim(seed),
    "mapping:seal_id": _m(MA, "Seal"),
    "mapping:code": _const("not-a-claim-code"),
    "mapping:invitation_id": lambda seed: _fresh_invitation(seed),
    # onboarding
    "onboarding:key": _const("kickoff"),
    # people
    "people:profile_id": _m("labkit_people.models", "Profile", published=True),
    "people:topic_id": _m("labkit_people.models", "Topic"),
    # participation
    "participation:process_id": _proposals_open,
    "participation:proposal_id": _m(PA, "Proposal"),
    "participation:survey_id": _m(PA, "Survey"),
    "participation:meeting_id": _m(PA, "Meeting"),
    # training: the course open for enrolment, its first session, a certificate
    "training:course_id": _m(TR, "Course", enrolment_open=True),
    "training:session_id": _m(TR, "Session", course__enrolment_open=True),
    "training:code": lambda seed: _certificate_code(seed),
}
"""``"<area>:<path parameter>"`` → how to find a real value for it in the seeded lab."""


async def _code(seed: Seed) -> str:
    member = await _models("labkit_federation.models").Member.filter(url__not="").order_by("id").first()
    assert member is not None, "the demo data has no federation member with an address"
    return str(member.code)


async def _certificate_code(seed: Seed) -> str:
    certificate = await _models(TR).Certificate.filter(revoked_at=None).order_by("id").first()
    assert certificate is not None, "the demo data has no training certificate"
    return str(certificate.code)


async def _module(seed: Seed) -> str:
    return (await _portfolio(seed))[0]


async def _key(seed: Seed) -> str:
    return (await _portfolio(seed))[1]


# ------------------------------------------------------------------ throw-away records


async def clone(model: Any, **changes: Any) -> Any:
    """A copy of the first record of ``model`` (by id), with ``changes``."""
    record = await model.all().order_by("id").first()
    assert record is not None, f"the demo data has no {model.__name__}"
    values = {name: getattr(record, name) for name in record._meta.fields_db_projection if name != record._meta.pk_attr}
    return await model.create(**{**values, **changes})


async def _throwaway_member(seed: Seed) -> Person:
    return await Person.create(email=f"throwaway-{secrets.token_hex(4)}@example.org", name="Throw-away", password_hash="")


async def _fresh_booking(seed: Seed) -> dict[str, str]:
    cw = _models(CW)
    pending = await cw.Booking.get(id=int(await _pending_booking(seed)))
    values = {name: getattr(pending, name) for name in pending._meta.fields_db_projection if name != "id"}
    return {"booking_id": str((await cw.Booking.create(**values)).id)}


async def _fresh_application(seed: Seed) -> dict[str, str]:
    cw = _models(CW)
    application = await clone(cw.Application, applicant_id=(await _throwaway_member(seed)).id, status="submitted")
    return {"application_id": str(application.id)}


async def _fresh_milestone(seed: Seed) -> dict[str, str]:
    ind = _models(IN)
    project = await clone(ind.Project)
    milestone = await ind.Milestone.create(project=project, happened_on=date(2024, 3, 1), stage="idea", text="Kick-off")
    return {"project_id": str(project.id), "milestone_id": str(milestone.id)}


async def _fresh_relationship(seed: Seed) -> dict[str, str]:
    ma = _models(MA)
    organisations = await ma.Organisation.filter(status="published").order_by("id")
    for source in organisations:
        for target in organisations:
            key = f"org:{target.id}"
            if source.id != target.id and not await ma.Relationship.exists(source=source, kind="supports", target_key=key):
                relationship = await ma.Relationship.create(source=source, target=target, kind="supports", target_key=key)
                return {"rel_id": str(relationship.id)}
    raise AssertionError("no two organisations left to relate")


async def _fresh_claim(seed: Seed) -> str:
    ma = _models(MA)
    organisation = await ma.Organisation.filter(status="published").order_by("id").first()
    return str((await ma.Membership.create(organisation=organisation, person=await _throwaway_member(seed))).id)


async def _claim_param(seed: Seed) -> dict[str, str]:
    return {"membership_id": await _fresh_claim(seed)}


async def _fresh_invitation(seed: Seed) -> str:
    ma = _models(MA)
    organisation = await ma.Organisation.filter(status="published").order_by("id").first()
    return str((await ma.Invitation.create(organisation=organisation, email="someone@example.org",
                                           code_hash=secrets.token_hex(32),
                                           expires_at=datetime.now(UTC) + timedelta(days=1))).id)


async def _invitation_param(seed: Seed) -> dict[str, str]:
    return {"invitation_id": await _fresh_invitation(seed)}


async def _fresh_seal_grant(seed: Seed) -> dict[str, str]:
    ma = _models(MA)
    organisation = await ma.Organisation.filter(status="published").order_by("id").first()
    seal = await ma.Seal.create(name=f"Seal {secrets.token_hex(4)}")
    await ma.SealGrant.create(seal=seal, organisation=organisation)
    return {"seal_id": str(seal.id), "org_id": str(organisation.id)}


async def _fresh_certificate(seed: Seed) -> dict[str, str]:
    certificate = await clone(_models(TR).Certificate, person_id=(await _throwaway_member(seed)).id,
                              code=secrets.token_urlsafe(18))
    return {"code": certificate.code}


async def _fresh_juror(seed: Seed) -> dict[str, str]:
    ch = _models(CH)
    juror = await ch.Juror.create(challenge_id=int(await _challenge(seed)), person=await _throwaway_member(seed))
    return {"juror": str(juror.id)}


def _fresh(module: str, model: str, param: str, **changes: Any) -> Callable[[Seed], Awaitable[dict[str, str]]]:
    async def make(seed: Seed) -> dict[str, str]:
        return {param: str((await clone(getattr(_models(module), model), **changes)).id)}
    return make


FRESH: dict[str, Callable[[Seed], Awaitable[dict[str, str]]]] = {
    "coworking:booking_id": _fresh_booking,
    "coworking:application_id": _fresh_application,
    "coworking:closure_id": _fresh("labkit_coworking.models", "Closure", "closure_id"),
    "indicators:project_id": _fresh("labkit_indicators.models", "Project", "project_id"),
    "indicators:milestone_id": _fresh_milestone,
    "indicators:record_id": _fresh("labkit_indicators.models", "Partnership", "record_id"),
    "indicators:partnership_id": _fresh("labkit_indicators.models", "Partnership", "partnership_id"),
    "indicators:product_id": _fresh("labkit_indicators.models", "Product", "product_id"),
    "indicators:entry_id": _fresh("labkit_indicators.models", "ManualEntry", "entry_id", deleted_at=None),
    "mapping:rel_id": _fresh_relationship,
    "mapping:membership_id": lambda seed: _claim_param(seed),
    "mapping:invitation_id": lambda seed: _invitation_param(seed),
    "mapping:seal_id": _fresh_seal_grant,
    "challenges:criterion": lambda seed: _fresh("labkit_challenges.models", "Criterion", "criterion",
                                                name=f"Criterion {secrets.token_hex(4)}")(seed),
    "challenges:juror": _fresh_juror,
    "people:topic_id": lambda seed: _fresh("labkit_people.models", "Topic", "topic_id",
                                           key=f"topic-{secrets.token_hex(4)}")(seed),
    "training:code": _fresh_certificate,
    "training:session_id": _fresh(TR, "Session", "session_id", attendance_taken=False),
}
"""Makers of throw-away records for unsafe calls: each call by each role gets its own record, so a
cell says what the role may do, not what an earlier call left."""

FRESH_FOR: dict[str, Callable[[Seed], Awaitable[dict[str, str]]]] = {
    "DELETE /api/v1/training/courses/{course_id:int}": _fresh(TR, "Course", "course_id"),
    "POST /training/staff/courses/{course_id:int}/delete": _fresh(TR, "Course", "course_id"),
}
"""Throw-away records for the one endpoint that deletes them, where the other writes of the area
need the shared record (enrolling in, then withdrawing from, one course)."""


MENTORING = """\
# Mentoring plan

## Training days

- [ ] Kick-off meeting with the city hall <!-- kickoff -->
- [ ] First open call published <!-- first-call -->
"""


# ------------------------------------------------------------------------------ the lab


async def seed_lab(lab: RunningLab) -> Seed:
    """Load every plugin's demo data and make one person (and session, and token) per role."""
    (lab.settings.lab_dir / "MENTORING.md").write_text(MENTORING, encoding="utf-8")
    for _slug, result in lab.plugins.results("labkit_demo_data", settings=lab.settings):
        await await_me_maybe(result)
    seed = Seed(lab)
    for role in ("member", "staff", "admin"):  # sessions and tokens belong to different people
        seed.people[role] = await lab.person(role, email=f"matrix-{role}@example.org", name=f"Matrix {role.title()}")
        seed.people[f"{role}-token"] = await Person.create(
            email=f"matrix-{role}-token@example.org", name=f"Matrix {role.title()} Bot", role=role, password_hash="")
        await verification.grant(seed.people[f"{role}-token"], verification.EMAIL)
    return seed


OTHER_LAB = textwrap.dedent("""\
    import asyncio, sys
    from pathlib import Path
    from labkit import auth, db
    from labkit.config import load_settings
    from labkit.models import Person
    from labkit.plugins import Plugins

    async def main() -> None:
        settings = load_settings(Path(sys.argv[1]))
        plugins = Plugins(settings)
        await db.migrate(settings, plugins)
        async with db.open_database(settings, plugins):
            admin = await Person.create(email="admin@other.example.org", name="Other Admin", role="admin",
                                        password_hash="")
            token = await auth.create_token(admin, "other lab")
            assert (await auth.person_from_token(token)).id == admin.id  # a real, working token there
            print(token)

    asyncio.run(main())
""")


def other_lab_token(folder: Path) -> str:
    """An admin's API token made in a second, separate lab (its own folder, secret and database)."""
    write_lab(folder, [], {"database": {"url": f"sqlite://{folder / 'data' / 'lab.sqlite3'}"}})
    env = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")}
    done = subprocess.run([sys.executable, "-c", OTHER_LAB, str(folder)], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


class _NoCookies(DefaultCookiePolicy):
    """Keep no cookie from responses: every call sends exactly the session it was given."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False


@dataclass
class Caller:
    """How one role calls: a session cookie and its CSRF token, or a bearer token."""

    cookie: str | None = None
    csrf: str | None = None
    token: str | None = None

    def headers(self, unsafe: bool) -> dict[str, str]:
        headers = {}
        if self.cookie:
            headers["Cookie"] = f"labkit_session={self.cookie}"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if unsafe and self.csrf:
            headers["X-CSRF-Token"] = self.csrf
        return headers


async def callers(seed: Seed, other_token: str) -> dict[str, Caller]:
    lab = seed.lab
    out: dict[str, Caller] = {}
    anonymous = lab.client()
    out["anonymous"] = Caller(csrf=await anonymous.csrf_token(), cookie=anonymous.cookies["labkit_session"])
    for role in ("member", "staff", "admin"):
        client = await lab.login_as(role, seed.people[role])
        out[role] = Caller(cookie=client.cookies["labkit_session"], csrf=await client.csrf_token())
        out[f"{role}-token"] = Caller(token=await auth.create_token(seed.people[f"{role}-token"], "matrix"))
    out["other-lab-token"] = Caller(token=other_token)
    return out


def cell(response: httpx.Response) -> str:
    """The status of a cell; a redirect to the sign-in page is ``303:login``."""
    status = str(response.status_code)
    if response.is_redirect and response.headers.get("location", "").startswith("/account/login"):
        status += ":login"
    return status


# ------------------------------------------------------------------------------ running


DESTRUCTIVE = re.compile(r"/(delete|withdraw|leave|logout|revoke)$|^DELETE ")


SESSION_ENDING = {"POST /account/logout"}
"""Calls that end the caller's sessions (signing out moves the account's session version on)."""


def order(endpoint: Endpoint) -> tuple[int, str, str]:
    """Reads first, then writes, then the destructive writes, each group in path order; signing
    out at the very end, since it ends every session of the person."""
    if endpoint.key in SESSION_ENDING:
        group = 3
    elif endpoint.method == "GET":
        group = 0
    elif DESTRUCTIVE.search(endpoint.path) or endpoint.method == "DELETE":
        group = 2
    else:
        group = 1
    return group, endpoint.path, endpoint.method


async def run_matrix(seed: Seed, who: dict[str, Caller]) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Call every endpoint as every role; returns the matrix and the extra token-on-page cells."""
    lab = seed.lab
    all_endpoints = sorted(endpoints(lab.app), key=order)
    urls = {endpoint: await seed.url(endpoint) for endpoint in all_endpoints}
    matrix: dict[str, dict[str, str]] = {endpoint.key: {} for endpoint in all_endpoints}
    token_on_pages: dict[str, str] = {}
    async with httpx.AsyncClient(base_url=lab.url, timeout=30, follow_redirects=False,
                                 cookies=CookieJar(policy=_NoCookies())) as client:

        async def call(endpoint: Endpoint, caller: Caller) -> str:
            unsafe = endpoint.method in UNSAFE
            kwargs: dict[str, Any] = {"headers": caller.headers(unsafe)}
            if unsafe and endpoint.api:
                kwargs["json"] = {}
            elif unsafe:
                kwargs["data"] = {"csrf_token": caller.csrf} if caller.csrf else {}
            url = await seed.url(endpoint, fresh=True) if unsafe else urls[endpoint]
            response = await client.request(endpoint.method, url, **kwargs)
            return cell(response)

        async def row(endpoint: Endpoint) -> None:
            roles = API_ROLES if endpoint.api else PAGE_ROLES
            for role in roles:  # in order: the least privileged first
                matrix[endpoint.key][role] = await call(endpoint, who[role])
            if not endpoint.api:
                token_on_pages[endpoint.key] = await call(endpoint, who["admin-token"])

        reads = [e for e in all_endpoints if e.method == "GET" and e.key not in SESSION_ENDING]
        writes = [e for e in all_endpoints if e not in reads]  # in order (see :func:`order`)
        limit = asyncio.Semaphore(6)

        async def guarded(endpoint: Endpoint) -> None:
            async with limit:
                await row(endpoint)

        await asyncio.gather(*(guarded(e) for e in reads))
        for endpoint in writes:  # one after the other: writes change what the next one sees
            await row(endpoint)
    return matrix, token_on_pages


# ----------------------------------------------------------------------------- snapshot


def format_matrix(matrix: dict[str, dict[str, str]]) -> str:
    lines = [
        "# The authorisation matrix of labkit: every route and method × every role, the status answered.",
        "# Generated by tests/proof/test_authz_matrix.py from a lab with every built-in plugin and its demo",
        "# data; unsafe methods are sent with an empty body and a valid CSRF token for sessions.",
        "# 303:login = redirected to the sign-in page. Review changes, then approve them with",
        f"#   {APPROVE}=1 pytest tests/proof/test_authz_matrix.py",
    ]
    for key in sorted(matrix, key=lambda k: (k.split(" ", 1)[1], k.split(" ", 1)[0])):
        lines.append(f"{key}  " + " ".join(f"{role}={status}" for role, status in matrix[key].items()))
    return "\n".join(lines) + "\n"


def parse_matrix(text: str) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, _, cells = line.partition("  ")
        out[key] = dict(item.split("=", 1) for item in cells.split())
    return out


def compare(expected: dict[str, dict[str, str]], actual: dict[str, dict[str, str]]) -> list[str]:
    problems = []
    for key in sorted(actual.keys() - expected.keys()):
        problems.append(f"new route, not in the snapshot: {key}  " + " ".join(f"{r}={s}" for r, s in actual[key].items()))
    for key in sorted(expected.keys() - actual.keys()):
        problems.append(f"route in the snapshot but gone from the app: {key}")
    for key in sorted(actual.keys() & expected.keys()):
        for role in sorted(set(actual[key]) | set(expected[key])):
            if actual[key].get(role) != expected[key].get(role):
                problems.append(f"{key}  {role}: expected {expected[key].get(role)}, got {actual[key].get(role)}")
    return problems


# ---------------------------------------------------------------------------- invariants


def _success(status: str) -> bool:
    """2xx, or a redirect anywhere but the sign-in page."""
    return status[0] == "2" or (status[0] == "3" and not status.endswith(":login"))


def check_invariants(matrix: dict[str, dict[str, str]], token_on_pages: dict[str, str],
                     permissions: dict[str, str | None], registry: Any) -> list[str]:
    problems = []
    for key, row in matrix.items():
        method, path = key.split(" ", 1)
        for role, status in row.items():
            if status[0] == "5":
                problems.append(f"{key}  {role}: server error {status}")
        if method in UNSAFE and key not in ANONYMOUS_WRITES:
            for role in ("anonymous", "other-lab-token"):
                if _success(row[role]):
                    problems.append(f"{key}  {role}: an unsafe request without an account succeeded ({row[role]})")
        if path.startswith("/api/"):
            if row["other-lab-token"] != "401":
                problems.append(f"{key}  other-lab-token: another lab's token got {row['other-lab-token']}, not 401")
        else:
            if method == "GET" and row["other-lab-token"] != row["anonymous"]:
                problems.append(f"{key}  other-lab-token: {row['other-lab-token']} where anonymous gets {row['anonymous']}")
            if method == "GET" and token_on_pages[key] != row["anonymous"]:
                problems.append(f"{key}  an API token on a page: {token_on_pages[key]} where anonymous gets {row['anonymous']}")
            if method in UNSAFE and _success(token_on_pages[key]):
                problems.append(f"{key}  an API token on a page: an unsafe request succeeded ({token_on_pages[key]})")
        staff_only = bool(STAFF_ONLY.match(path))
        permission = permissions.get(key)
        if permission and permission in registry.permissions and "member" not in registry.permissions[permission].roles:
            staff_only = True
        if staff_only:
            for role in ("member", "member-token"):
                if role in row and (row[role][0] in "23" and not row[role].endswith(":login")):
                    problems.append(f"{key}  {role}: a member reached a staff-only route ({row[role]})")
    return problems


# -------------------------------------------------------------------------------- the test


async def test_every_route_for_every_role(make_lab: Any, tmp_path: Path) -> None:
    started = time.perf_counter()
    other_token = await asyncio.to_thread(other_lab_token, tmp_path / "other-lab")
    lab = await make_lab()
    seed = await seed_lab(lab)
    who = await callers(seed, other_token)
    matrix, token_on_pages = await run_matrix(seed, who)
    cells = sum(len(row) for row in matrix.values()) + len(token_on_pages)
    print(f"\nauthorisation matrix: {len(matrix)} routes × methods, {cells} cells "
          f"({len(token_on_pages)} of them API tokens on pages) in {time.perf_counter() - started:.1f} s")

    problems = check_invariants(matrix, token_on_pages, api_permissions(lab.app), lab.app.state.permissions)

    text = format_matrix(matrix)
    if os.environ.get(APPROVE):
        SNAPSHOT.write_text(text, encoding="utf-8")
    elif not SNAPSHOT.exists():
        pytest.fail(f"{SNAPSHOT.name} does not exist. Run {APPROVE}=1 pytest tests/proof/test_authz_matrix.py, "
                    "review the file, and commit it.")
    else:
        changes = compare(parse_matrix(SNAPSHOT.read_text(encoding="utf-8")), matrix)
        if changes:
            problems.append(
                f"the matrix differs from {SNAPSHOT.name} in {len(changes)} cells:\n  " + "\n  ".join(changes) +
                f"\nIf every change is intended (review each one!), approve them with\n"
                f"  {APPROVE}=1 pytest tests/proof/test_authz_matrix.py\nand commit {SNAPSHOT.name}.")
    assert not problems, f"{len(problems)} authorisation problems:\n" + "\n".join(problems)
