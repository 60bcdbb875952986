"""Hypothesis on the lab's main HTML forms, sent over real HTTP with their CSRF token.

Each example takes a valid submission of one form and replaces one field with generated text
(any unicode, control characters, NUL, markup, very long or empty text, numbers out of range,
impossible dates). Whatever is sent:

- the answer is never a 5xx;
- a refusal (4xx) re-renders the form with an error message and with what the person typed in the
  field, escaped (nothing typed is lost, nothing typed is run as markup), and never a password;
- an acceptance (a redirect) stored the text exactly as typed (surrounding whitespace aside).

Before fuzzing, each form's valid submission is sent unchanged and must be accepted and stored, so
the property is checked against forms that really work. One lab per test function, shared by its
examples; hypothesis runs in a worker thread and sends the requests on the lab's event loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from labkit.models import Person
from labkit.plugins import await_me_maybe
from labkit.testing import PASSWORD, LabClient, RunningLab

from tests.proof.fuzz_support import fuzz_settings, on_loop

DEFAULT_EXAMPLES = 15

LIMITS = {"security": {"login_attempts": 100_000},
          "plugin.mapping": {"proposals_per_hour": 100_000},
          "plugin.participation": {"proposals_per_hour": 100_000, "comments_per_10_minutes": 100_000}}
"""Rate limits raised so that a hundred quick submissions are judged on their content."""

SPECIAL = [
    "", " ", " \t\n ", "\x00", "name\x00with a NUL", "\x07\x1b[31mred\x1b[0m\x7f", "\r\n\r\n",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7 * 7 }}{% raw %}", "' OR 1=1 --",
    "-1", "0", "99999999999999999999", "-99999999999999999999", "1e309", "NaN", "1.5", "١٢٣",
    "2026-02-30", "0000-00-00", "31/12/2026", "25:61", "9999-12-31", "\u202eevil\u200b\ufeff", "😀" * 40,
    "x" * 10_000, "Associação Ação & Cia <b>Ltda</b> — “ok”", "a@b", "user@exämple.org",
]
TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=80),
    st.text(st.characters(codec="utf-8"), min_size=150, max_size=3000),
)
"""Generated text: a corpus of known troublemakers and arbitrary unicode (no lone surrogates,
which no browser can send), short and long."""

ERROR_MARKERS = ('class="field-error"', 'role="alert"')
"""A message tied to a field, or a summary (the error summary and warnings are alerts)."""


@dataclass
class Form:
    """One HTML form as the fuzzer uses it."""

    name: str
    action: str
    """Where the form posts (the page that re-renders it)."""
    valid: Callable[[int], dict[str, str]]
    """A valid submission, unique for each serial number."""
    echo: tuple[str, ...]
    """Text fields fuzzed whose typed text must come back when the form is refused."""
    others: tuple[str, ...] = ()
    """Fields fuzzed that cannot show arbitrary text back (choices, checkboxes)."""
    stored: Callable[[dict[str, str]], Awaitable[dict[str, Any] | None]] | None = None
    """Read back what an accepted submission stored (``None``: it was not stored)."""
    exact: tuple[str, ...] = ()
    """Fields stored exactly as typed."""
    client: Callable[[], Awaitable[LabClient]] | None = None
    """The client that fills the form in (``None``: a new anonymous visitor each time)."""
    fresh_client_after_success: bool = False
    """Whether an accepted submission uses the person up (one team per challenge...)."""
    counts: Counter[str] = field(default_factory=Counter)


def _same(stored: Any, typed: str) -> bool:
    return stored == typed or stored == typed.strip()


def _shows(html: str, typed: str) -> bool:
    return str(escape(typed)) in html or str(escape(typed.strip())) in html


async def _fill(form: Form, lab: RunningLab, holder: dict[str, LabClient], data: dict[str, str]) -> tuple[int, str]:
    if form.client is None:
        client = lab.client()
    else:
        if "client" not in holder:
            holder["client"] = await form.client()
        client = holder["client"]
    response = await client.submit(form.action, data)
    if 300 <= response.status_code < 400 and form.fresh_client_after_success:
        holder.pop("client", None)
    if form.client is None:
        await client.aclose()
    return response.status_code, response.text


async def _check_stored(form: Form, data: dict[str, str], fields: tuple[str, ...]) -> None:
    assert form.stored is not None
    record = await form.stored(data)
    assert record is not None, f"{form.name}: accepted {data!r} but stored nothing"
    for name in fields:
        assert _same(record[name], data[name]), f"{form.name}: {name} typed {data[name]!r}, stored {record[name]!r}"


async def fuzz_form(lab: RunningLab, form: Form) -> Counter[str]:
    """Check the valid submission, then fuzz each field; the counts of answers by kind."""
    holder: dict[str, LabClient] = {}
    baseline = form.valid(0)
    status, html = await _fill(form, lab, holder, baseline)
    assert status == 303, f"{form.name}: the valid submission {baseline!r} was refused ({status}):\n{html[:3000]}"
    if form.stored:
        await _check_stored(form, baseline, form.exact)
    loop = asyncio.get_running_loop()
    serial = iter(range(1, 10**9))

    @fuzz_settings(DEFAULT_EXAMPLES)
    @given(name=st.sampled_from(form.echo + form.others), typed=TEXT)
    def typed_anything(name: str, typed: str) -> None:
        data = {**form.valid(next(serial)), name: typed}
        status, html = on_loop(loop, _fill(form, lab, holder, data))
        where = f"{form.name}: {name}={typed[:200]!r} answered {status}"
        assert status < 500, where
        assert PASSWORD not in html, f"{where}: the page shows a password"
        if 300 <= status < 400:
            form.counts["accepted"] += 1
            if form.stored:
                on_loop(loop, _check_stored(form, data, tuple(f for f in form.exact if f == name)))
            return
        assert 400 <= status < 500 or status == 200, where
        form.counts["refused" if status >= 400 else "shown again"] += 1
        assert re.search(rf'<form[^>]*action="{re.escape(form.action)}', html), f"{where}: the form is not shown again"
        if status >= 400:
            assert any(marker in html for marker in ERROR_MARKERS), f"{where}: no error message"
        if name in form.echo:
            assert _shows(html, typed), f"{where}: what was typed is not shown back (escaped)"

    await asyncio.to_thread(typed_anything)
    print(f"\n{form.name}: {sum(form.counts.values()) + 1} submissions {dict(form.counts)}")
    return form.counts


async def demo_lab(make_lab: Callable[..., Awaitable[RunningLab]], *slugs: str) -> RunningLab:
    """A lab with every plugin (rate limits raised) and the demo records of ``slugs``."""
    lab = await make_lab(settings=LIMITS)
    for slug, result in lab.plugins.results("labkit_demo_data", settings=lab.settings):
        if slug in slugs:
            await await_me_maybe(result)
        elif asyncio.iscoroutine(result):
            result.close()
    return lab


def first_option(html: str, name: str) -> str:
    """The first non-empty option of the select ``name`` on a page."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S)
    assert select, f"no select {name!r} on the page"
    options = [value for value in re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)) if value]
    assert options, f"the select {name!r} has no option"
    return options[0]


def _values(model: Any, *fields: str) -> Callable[[dict[str, str]], Awaitable[dict[str, Any] | None]]:
    """Read back the newest ``model`` record matching the submission's ``fields``."""
    async def stored(data: dict[str, str]) -> dict[str, Any] | None:
        rows = await model.filter(**{f: data[f].strip() for f in fields[:1]}).order_by("-id").limit(1).values()
        if not rows:  # stored untrimmed?
            rows = await model.filter(**{fields[0]: data[fields[0]]}).order_by("-id").limit(1).values()
        return rows[0] if rows else None
    return stored


# ----------------------------------------------------------------------------------- core


async def test_account_forms_hold_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    lab = await demo_lab(make_lab)
    known = await lab.person("member", email="known@example.org")

    async def by_email(data: dict[str, str]) -> dict[str, Any] | None:
        return await Person.filter(email=data["email"]).first().values("name", "email")

    register = Form("sign-up", "/account/register",
                    lambda n: {"name": f"Fuzz Person {n}", "email": f"fuzz-{n}@example.org", "password": PASSWORD,
                               "password_again": PASSWORD},
                    echo=("name", "email"), others=("password", "password_again"), stored=by_email, exact=("name",))
    login = Form("sign-in", "/account/login",
                 lambda n: {"email": known.email, "password": PASSWORD}, echo=("email",), others=("password",))
    profile_person = await lab.person("member")

    async def signed_in() -> LabClient:
        return await lab.login_as(person=profile_person)

    async def profile_of(data: dict[str, str]) -> dict[str, Any] | None:
        return await Person.filter(id=profile_person.id).first().values("name")

    profile = Form("profile", "/account", lambda n: {"name": f"Fuzz Profile {n}", "locale": ""},
                   echo=("name",), others=("locale",), stored=profile_of, exact=("name",), client=signed_in)
    for form in (register, login, profile):
        await fuzz_form(lab, form)


# -------------------------------------------------------------------------------- plugins


async def test_mapping_proposal_form_holds_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_mapping.models import Organisation

    lab = await demo_lab(make_lab)
    member = await lab.person("member")

    async def signed_in() -> LabClient:
        return await lab.login_as(person=member)

    form = Form("mapping proposal", "/mapping/propose",
                lambda n: {"name": f"Coletivo {hashlib.sha256(str(n).encode()).hexdigest()[:12]}", "kind": "collective",
                           "description": f"Um coletivo de teste número {n}.", "topics": "dados, bairro",
                           "address": "Rua Augusta, 100", "region": "centro", "latitude": "-23.55",
                           "longitude": "-46.63", "founding_year": "2015", "contact_email": "fuzz@example.org",
                           "website": f"https://fuzz-{n}.example.org"},
                echo=("name", "description", "topics", "address", "region", "latitude", "longitude",
                      "founding_year", "website", "contact_email", "links", "note"),
                others=("kind", "practices", "wants_partnership"),
                stored=_values(Organisation, "name"), exact=("name", "description", "address"), client=signed_in)
    await fuzz_form(lab, form)


async def test_participation_forms_hold_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_participation.models import Comment, Process, Proposal

    lab = await demo_lab(make_lab, "participation")
    member = await lab.person("member")
    client = await lab.login_as(person=member)
    open_process, category = None, ""
    for process in await Process.all().order_by("id"):
        page = await client.get(f"/participation/processes/{process.id}/proposals/new")
        if page.status_code == 200:
            open_process = process.id
            category = first_option(page.text, "category") if 'name="category"' in page.text else ""
            break
    assert open_process, "the demo has no consultation open for proposals"

    async def signed_in() -> LabClient:
        return client

    proposal = Form("participation proposal", f"/participation/processes/{open_process}/proposals/new",
                    lambda n: {"title": f"Proposta de teste {n}", "body": f"Uma proposta com texto suficiente, nº {n}.",
                               "location": "Praça da Sé", "category": category},
                    echo=("title", "body", "location", "latitude", "longitude"), others=("category",),
                    stored=_values(Proposal, "title"), exact=("title", "body", "location"), client=signed_in)
    comment = Form("participation comment", f"/participation/processes/{open_process}/comments",
                   lambda n: {"body": f"Um comentário de teste nº {n}."}, echo=("body",), others=("parent_id",),
                   stored=_values(Comment, "body"), exact=("body",), client=signed_in)
    for form in (proposal, comment):
        await fuzz_form(lab, form)


async def test_coworking_booking_form_holds_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_coworking.models import Booking, Resource

    lab = await demo_lab(make_lab, "coworking")
    member = await lab.person("member")
    client = await lab.login_as(person=member)
    resource = await Resource.filter(auto_approve=True, is_active=True, exclusive=False).order_by("-capacity").first()
    assert resource, "the demo has no shared resource booked without approval"
    first = date.today() + timedelta(days=7)

    def day(n: int) -> str:
        weekdays = [first + timedelta(days=i) for i in range(resource.max_days_ahead - 10) if (first + timedelta(days=i)).weekday() < 5]
        return weekdays[n % len(weekdays)].isoformat()

    async def signed_in() -> LabClient:
        return client

    form = Form("coworking booking", "/coworking/book",
                lambda n: {"resource": str(resource.id), "day": day(n), "start_time": "10:00", "end_time": "11:00",
                           "attendees": "1", "purpose": f"Reunião de teste nº {n}", "repeat_weeks": "1",
                           "accept_guidelines": "on"},
                echo=("day", "start_time", "end_time", "attendees", "purpose", "repeat_weeks"),
                others=("resource", "organisation_ref", "accept_guidelines", "on_conflict"),
                stored=_values(Booking, "purpose"), exact=("purpose",), client=signed_in)
    await fuzz_form(lab, form)


async def test_challenge_team_form_holds_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_challenges import rules, services
    from labkit_challenges.models import Challenge, Team

    lab = await demo_lab(make_lab, "challenges")
    open_challenge = next((challenge.id for challenge in await Challenge.all().order_by("id")
                           if rules.phase(challenge, services.now()) in ("announced", "open")), None)
    assert open_challenge, "the demo has no challenge open for teams"

    async def new_member() -> LabClient:  # one team per person and challenge: a new person after each team
        return await lab.login_as("member")

    form = Form("challenge team", f"/challenges/{open_challenge}/teams/new",
                lambda n: {"name": f"Equipe Fuzz {n}", "accept_conduct": "on"}, echo=("name",),
                others=("accept_conduct",), stored=_values(Team, "name"), exact=("name",), client=new_member,
                fresh_client_after_success=True)
    await fuzz_form(lab, form)


async def test_indicator_manual_entry_form_holds_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_indicators.models import ManualEntry

    lab = await demo_lab(make_lab)
    admin = await lab.person("admin")

    async def signed_in() -> LabClient:
        return await lab.login_as(person=admin)

    year = date.today().year
    form = Form("indicator manual entry", "/indicators/entries/",
                lambda n: {"period": str(year), "indicator": "participants", "value": str(n + 1), "module": "indicators",
                           "kind": "offline", "reason": f"Oficina presencial nº {n}"},
                echo=("period", "value", "kind", "reason"), others=("indicator", "module"),
                stored=_values(ManualEntry, "reason"), exact=("reason",), client=signed_in)
    await fuzz_form(lab, form)


async def test_people_profile_form_holds_under_fuzzing(make_lab: Callable[..., Awaitable[RunningLab]]) -> None:
    from labkit_people.models import Profile

    lab = await demo_lab(make_lab, "people")
    member = await lab.person("member")

    async def signed_in() -> LabClient:
        return await lab.login_as(person=member)

    async def profile_of(data: dict[str, str]) -> dict[str, Any] | None:
        return await Profile.filter(person_id=member.id).first().values("name", "bio", "region")

    form = Form("people profile", "/people/me",
                lambda n: {"name": f"Pessoa de teste {n}", "bio": f"Sei mapear, nº {n}.", "region": "zona-leste",
                           "skills": "gis", "interests": "open-data", "tags": "mapas, qgis",
                           "links": f"https://fuzz-{n}.example.org", "looking_for_team": "1"},
                echo=("name", "bio", "region", "tags", "links"), others=("skills", "interests", "looking_for_team"),
                stored=profile_of, exact=("name", "bio", "region"), client=signed_in)
    await fuzz_form(lab, form)
