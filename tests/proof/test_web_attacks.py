"""Web attacks against a lab with every plugin: XSS, CSRF, open redirects, session fixation,
oversized bodies and uploads, path traversal, and the security headers on pages and errors.

Everything goes through real HTTP over loopback to a lab with every built-in plugin and its demo
data. Where a check walks routes (CSRF, headers), it takes them from the app, so a new route is
checked without anyone listing it.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from base64 import b64encode
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import itsdangerous
from tortoise import Tortoise

from labkit import verification
from labkit.models import Person
from labkit.templating import markdown_to_html
from labkit.testing import RunningLab

from tests.proof.test_authz_matrix import UNSAFE, Seed, endpoints, seed_lab

PAYLOADS = [line for line in Path(__file__).with_name("xss_payloads.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
SETTINGS = {  # rate limits out of the way: the attacks are many, from one address
    "plugin.participation": {"proposals_per_hour": 10_000, "comments_per_10_minutes": 10_000},
    "plugin.mapping": {"proposals_per_hour": 10_000},
}


# --------------------------------------------------------------------------- sessions


def forge_session(lab: RunningLab, person: Person | None) -> tuple[str, str]:
    """A session cookie signed with the lab's key, as :func:`labkit.auth.sign_in` makes it, and its
    CSRF token: a signed-in visitor without paying argon2 for each one."""
    csrf = secrets.token_urlsafe(32)
    data: dict[str, Any] = {"csrf": csrf}
    if person is not None:
        data.update(person_id=person.id, version=person.session_version)
    signer = itsdangerous.TimestampSigner(str(lab.settings.secret_key))
    return signer.sign(b64encode(json.dumps(data).encode())).decode(), csrf


class Visitor:
    """A client with one fixed session (cookies from answers are ignored) and its CSRF token."""

    def __init__(self, lab: RunningLab, person: Person | None) -> None:
        self.person = person
        self.cookie, self.csrf = forge_session(lab, person)
        self.client = lab.client()
        self.client.headers["Cookie"] = f"labkit_session={self.cookie}"

    async def get(self, url: str) -> httpx.Response:
        self.client.cookies.clear()
        return await self.client.get(url)

    async def post(self, url: str, data: Any = None, **kwargs: Any) -> httpx.Response:
        self.client.cookies.clear()
        if isinstance(data, dict):
            data = {"csrf_token": self.csrf, **data}
        return await self.client.post(url, data=data, **kwargs)


# -------------------------------------------------------------------------------- XSS


class Page(HTMLParser):
    """An HTML page parsed the way a browser would find live markup in it."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self.forms: list[dict[str, Any]] = []
        self._script: list[str] | None = None
        self._script_type = ""
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "data-xss":
                self.live.append(f"<{tag} data-xss> came alive")
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>: an event handler attribute")
            if name in self.URL_ATTRIBUTES and value:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.live.append(f"<{tag} {name}={value!r}>: a script URL")
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self._script, self._script_type = [], attributes.get("type") or ""
        if tag == "form":
            self.forms.append({"action": attributes.get("action"), "method": (attributes.get("method") or "get").lower(),
                               "fields": []})
        elif self.forms and tag in ("input", "textarea", "select"):
            field = {"tag": tag, "type": (attributes.get("type") or "").lower(), "name": attributes.get("name"),
                     "value": attributes.get("value") or "", "options": [],
                     "checked": "checked" in attributes}
            self.forms[-1]["fields"].append(field)
            if tag == "select":
                self._select = field
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attributes.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            body = "".join(self._script).strip()
            if body and "json" not in self._script_type:
                self.live.append(f"an inline script: {body[:80]!r}")
            elif body:
                try:
                    json.loads(body)
                except ValueError:
                    self.live.append(f"a JSON data block that is not JSON any more: {body[:80]!r}")
            self._script = None
        if tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if "49tpl" in data:
            self.live.append("a template expression was evaluated: {{7*7}} became 49")


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def live_markup(response: httpx.Response) -> list[str]:
    """What in an HTML answer is live markup that came from a payload."""
    if "html" not in response.headers.get("content-type", ""):
        return []
    return parse(response.text).live


def test_the_markdown_filter_keeps_no_script_no_handler_no_script_url() -> None:
    found = []
    for payload in PAYLOADS + [f"Some *text*\n\n{p}\n\n> quote {p}" for p in PAYLOADS]:
        html = str(markdown_to_html(payload))
        problems = parse(f"<div>{html}</div>").live
        if problems or re.search(r"<\s*(script|style|iframe|svg|math|body)\b", html, re.I):
            found.append(f"{payload!r} -> {html!r}: {problems}")
    assert not found, "\n".join(found)


DAY = timedelta(days=1)


def local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def form_values(page: Page, action: str, payload: str, fixed: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Fill the form posting to ``action``: every text field gets ``payload`` (unless ``fixed`` says
    otherwise), every other field a valid value. Returns the values and the text fields filled."""
    form = next((f for f in page.forms if f["method"] == "post" and (f["action"] in (action, None, ""))), None)
    assert form is not None, f"no form posting to {action}"
    values: dict[str, Any] = {}
    texts = []
    for field in form["fields"]:
        name, kind = field["name"], field["type"]
        if not name or name == "csrf_token":
            continue
        if name in fixed:
            values[name] = fixed[name]
        elif field["tag"] == "textarea" or (field["tag"] == "input" and kind in ("", "text", "search")):
            values[name] = payload
            texts.append(name)
        elif kind == "url":
            values[name] = payload if payload.startswith("javascript:") else "https://example.org/page"
            texts.append(name)
        elif kind == "hidden":
            values[name] = field["value"]
        elif field["tag"] == "select":
            values[name] = next((o for o in field["options"] if o), "")
        elif kind == "checkbox" and field["checked"]:
            values.setdefault(name, field["value"] or "on")
        elif kind == "radio":
            values.setdefault(name, field["value"])
        elif kind == "email":
            values[name] = f"someone-{secrets.token_hex(3)}@example.org"
        elif kind == "number":
            values[name] = "2"
    return values, texts


async def test_xss_payloads_in_every_text_field_are_shown_escaped(make_lab: Any, browser_page: Any) -> None:
    started = time.perf_counter()
    lab = await make_lab(settings=SETTINGS)
    seed = await seed_lab(lab)
    from labkit_challenges.models import Challenge
    from labkit_coworking.models import Programme, Space
    from labkit_federation.models import Member
    from labkit_mapping.models import Organisation
    from labkit_participation.models import Process, Proposal
    from tests.proof.test_authz_matrix import _proposals_open

    now = datetime.now(UTC)
    process_id = await _proposals_open(seed)
    space = await Space.all().order_by("id").first()
    programme = await Programme.all().order_by("id").first()
    hackathon = await Challenge.filter(kind="hackathon").order_by("id").first()
    mentor = await Member.all().order_by("id").first()  # a programme needs a mentor lab
    staff = Visitor(lab, seed.people["staff"])
    admin = Visitor(lab, seed.people["admin"])
    anonymous = Visitor(lab, None)
    process_dates = {"information_starts_at": local(now - 3 * DAY), "proposals_starts_at": local(now - 2 * DAY),
                     "support_starts_at": local(now + 20 * DAY), "results_starts_at": local(now + 40 * DAY)}
    challenge_dates = {"opens_at": local(now - DAY), "closes_at": local(now + 30 * DAY),
                       "evaluation_starts_at": local(now + 31 * DAY), "implementation_starts_at": local(now + 60 * DAY),
                       "event_starts_at": "", "event_ends_at": "", "licences": "MIT", "default_licence": "MIT",
                       "is_published": "1", "max_team_size": "4", "scale_max": "5"}
    hours = {f"hours_{day}": "09:00-18:00" for day in range(7)}
    today = now.date()

    # (who, form page, fixed values): every text field of each form gets the payload
    forms: list[tuple[str, str, dict[str, Any]]] = [
        ("member", "/account", {"locale": ""}),
        ("member", f"/participation/processes/{process_id}/proposals/new", {"latitude": "", "longitude": ""}),
        ("staff", "/participation/processes/new", {**process_dates, "published": "on", "support_limit": ""}),
        ("staff", f"/participation/processes/{process_id}/meetings/new",
         {"starts_at": local(now + 5 * DAY), "ends_at": local(now + 5 * DAY + timedelta(hours=2)), "seats": ""}),
        ("staff", f"/participation/processes/{process_id}/surveys/new", {"questions": "single: {payload} | {payload} A | B"}),
        ("anonymous", "/mapping/propose", {"latitude": "", "longitude": "", "founding_year": "", "region": "",
                                           "contact_email": "", "contact_phone": "", "links": ""}),
        ("staff", "/coworking/staff/spaces/new", {**hours, "latitude": "", "longitude": "", "quota_hours_per_week": "",
                                                  "is_active": "on"}),
        ("staff", f"/coworking/staff/spaces/{space.id}/resources/new", {"is_active": "on", "capacity": "3"}),
        ("staff", "/coworking/staff/programmes/new", {"call_opens": str(today), "call_closes": str(today + 10 * DAY),
                                                      "cohort_start": str(today + 20 * DAY),
                                                      "cohort_end": str(today + 60 * DAY), "places": "3"}),
        ("member", f"/coworking/programmes/{programme.id}/apply", {"members": "", "organisation_ref": ""}),
        ("staff", "/challenges/new", challenge_dates),
        ("member", f"/challenges/{hackathon.id}/teams/new", {"accept_conduct": "1"}),
        ("staff", "/indicators/entries/", {"period": str(today.year - 1), "value": "3"}),
        ("staff", "/indicators/portfolio/projects/new", {"starts_on": str(today), "ends_on": "", "links": "", "team": ""}),
        ("staff", "/indicators/portfolio/partnerships/new", {"starts_on": str(today), "ends_on": "", "organisation_ref": ""}),
        ("staff", "/indicators/portfolio/products/new", {"delivered_on": str(today), "project_id": ""}),
        ("staff", "/federation/registry/new", {"code": "XSS-{round}", "region_path": "BR/BR-SP", "url": "",
                                               "latitude": "", "longitude": "", "mentor": mentor.code, "joined_on": "",
                                               "trained_on": ""}),
        ("admin", "/admin/people/new", {"role": "member"}),
        ("member", "/account/tokens", {}),
        ("member", "/people/me", {"region": "", "links": ""}),
        ("staff", "/people/topics", {"key": "xss-{round}"}),
    ]
    problems: list[str] = []
    stored = refused = checked_pages = 0
    record_pages: set[str] = set()
    form_pages: dict[str, Page] = {}

    async def check(visitor: Visitor, url: str, response: httpx.Response | None = None) -> None:
        nonlocal checked_pages
        response = response or await visitor.get(url)
        checked_pages += 1
        if response.status_code >= 500:
            problems.append(f"GET {url}: {response.status_code}")
        for found in live_markup(response):
            problems.append(f"{url}: {found}")

    for round_number, payload in enumerate(PAYLOADS):
        members = {}
        for who, url, fixed in forms:
            if who == "member":  # a new member each round: one team, one application per person
                if "member" not in members:
                    person = await Person.create(email=f"xss-{round_number}-{secrets.token_hex(3)}@example.org",
                                                 name="Member", password_hash="")
                    await verification.grant(person, verification.EMAIL)
                    members["member"] = Visitor(lab, person)
                visitor = members["member"]
            else:
                visitor = {"staff": staff, "admin": admin, "anonymous": anonymous}[who]
            if url not in form_pages:  # the form's fields are read once (its page is checked below)
                page = await visitor.get(url)
                assert page.status_code == 200, f"GET {url} as {who}: {page.status_code}"
                form_pages[url] = parse(page.text)
            fixed = {k: v.replace("{payload}", payload).replace("{round}", str(round_number)) for k, v in fixed.items()}
            values, texts = form_values(form_pages[url], url, payload, fixed)
            assert texts, f"{url}: no text field found"
            answer = await visitor.post(url, values)
            if answer.status_code >= 500:
                problems.append(f"POST {url} with {payload!r}: {answer.status_code}")
            elif answer.status_code in (303, 302):
                stored += 1
                target = answer.headers["location"]
                record_pages.add(target)
                await check(visitor, target)
            elif answer.status_code == 200 and "/account/tokens" in url:
                stored += 1
                await check(visitor, url, answer)
            else:  # refused: the form comes back with the values, which must be escaped too
                refused += 1
                await check(visitor, url, answer)
        for found in live_markup(await members["member"].get("/account")):
            problems.append(f"/account: {found}")

    # every page without a path parameter, as the public and as an admin, and every record made
    lists = [e.path for e in endpoints(lab.app) if e.method == "GET" and "{" not in e.path and not e.api]
    for visitor in (anonymous, admin):
        for url in lists:
            await check(visitor, url)
    for url in sorted(record_pages)[::7]:  # each was checked as its author; a sample as the public
        await check(anonymous, url)
    proposal = await Proposal.filter(title__in=PAYLOADS).order_by("-id").first()
    assert proposal is not None, "no proposal with a payload title was stored"
    for visitor in (admin, anonymous):
        await check(visitor, f"/participation/proposals/{proposal.id}")
        await check(visitor, f"/participation/proposals/{proposal.id}/edit")
    await check(staff, f"/mapping/organisations/{(await Organisation.all().order_by('id').first()).id}")

    # the same pages in a real browser: no dialog opens, no inline script is even attempted
    dialogs: list[str] = []
    violations: list[str] = []
    browser_page.on("dialog", lambda dialog: (dialogs.append(dialog.message), asyncio.ensure_future(dialog.dismiss())))
    browser_page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
    process = await Process.filter(title__in=PAYLOADS).order_by("-id").first()
    browser_urls = [f"/participation/proposals/{proposal.id}", f"/participation/processes/{process.id}",
                    "/participation/", "/challenges/", *sorted(record_pages)[:2]]
    for url in browser_urls:
        await browser_page.goto(lab.url + url, wait_until="load")
    print(f"\nXSS: {len(PAYLOADS)} payloads × {len(forms)} forms: {stored} stored, {refused} refused; "
          f"{checked_pages} pages parsed, {len(browser_urls)} opened in Chromium, "
          f"in {time.perf_counter() - started:.1f} s")
    assert not dialogs, f"a dialog opened in the browser: {dialogs}"
    assert not violations, f"the browser blocked inline code (it was injected): {violations[:5]}"
    assert stored >= len(PAYLOADS) * 6, f"only {stored} forms were stored: the payloads were hardly rendered"
    assert not problems, f"{len(problems)} XSS problems:\n" + "\n".join(sorted(set(problems))[:80])


# ------------------------------------------------------------------------------- CSRF


BACKGROUND_TABLES = {"labkit_lease"}
"""Tables the lab's own background jobs write to at any moment (the mail worker's lease)."""


async def row_counts() -> dict[str, int]:
    """How many rows each table of the lab holds (but the background jobs' tables)."""
    counts = {}
    for app_models in Tortoise.apps.values():
        for model in app_models.values():
            if model._meta.db_table not in BACKGROUND_TABLES:
                counts[model._meta.db_table] = await model.all().count()
    return counts


async def check_csrf(lab: RunningLab, seed: Seed) -> None:
    """Every unsafe route of the app, pages and API with a session cookie, as a signed-in admin:
    without a token, with the token of the admin's previous session (before signing out), with
    another person's token → 403, and not one row of any table changes."""
    person = seed.people["admin"]
    browser = await lab.login_as("admin", person)
    stale = await browser.csrf_token()
    await browser.submit("/account/logout")
    assert (await browser.get("/account")).status_code == 303, "signed out"
    browser = await lab.login_as("admin", await Person.get(id=person.id))  # a new session
    current = await browser.csrf_token()
    foreign = await (await lab.login_as("member", seed.people["member"])).csrf_token()
    assert len({stale, current, foreign}) == 3
    unsafe = [e for e in endpoints(lab.app) if e.method in UNSAFE]
    urls = {e: await seed.url(e) for e in unsafe}
    before = await row_counts()
    problems, attempts = [], 0
    for endpoint in unsafe:
        for label, token in (("no token", None), ("a stale token", stale), ("another session's token", foreign)):
            attempts += 1
            if endpoint.api:
                headers = {"X-CSRF-Token": token} if token else {}
                response = await browser.request(endpoint.method, urls[endpoint], json={}, headers=headers)
            else:
                data = {"csrf_token": token} if token else {}
                response = await browser.request(endpoint.method, urls[endpoint], data=data)
            if response.status_code != 403:
                problems.append(f"{endpoint.key} with {label}: {response.status_code}")
    after = await row_counts()
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]}
    # with the right token, the same session works (the test above is not vacuous)
    assert (await browser.post("/account", data={"csrf_token": current, "name": "Still Me"})).status_code == 303
    print(f"\nCSRF: {attempts} unsafe requests over {len(unsafe)} routes, {len(problems)} accepted")
    assert not problems, "\n".join(problems)
    assert not changed, f"rows changed in spite of the refusals: {changed}"


# ----------------------------------------------------------------------- open redirects


REDIRECTS = ["//evil.example", "//evil.example/account", "https://evil.example", "http:evil.example",
             "/\\evil.example", "\\/evil.example", "/\\/evil.example", "%2F%2Fevil.example", "/%2F/evil.example",
             "/\t/evil.example", "/\n/evil.example", " //evil.example", "javascript:alert(1)",
             "data:text/html,<script>alert(1)</script>", "///evil.example", "/.//evil.example", "https:/evil.example",
             "//evil.example@lab", "/account@evil.example", "\x00//evil.example"]


async def cheap_person(lab: RunningLab) -> Person:
    """A member whose password hash is argon2id with the lowest cost: signing in is fast, through
    the real form (the hash carries its own parameters)."""
    from argon2 import PasswordHasher

    from labkit.testing import PASSWORD

    person = await Person.create(email=f"cheap-{secrets.token_hex(4)}@example.org", name="Member",
                                 password_hash=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1).hash(PASSWORD))
    await verification.grant(person, verification.EMAIL)
    return person


def lands_on(lab_url: str, location: str) -> str:
    """Where a browser goes with ``Location: location`` (WHATWG: tabs and newlines are dropped,
    backslashes count as slashes)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/").strip("\x00 ")
    target = urlsplit(urljoin(lab_url + "/", cleaned))
    return f"{target.scheme}://{target.netloc}"


async def test_no_open_redirect_on_sign_in_sign_up_sign_out_or_language(make_lab: Any) -> None:
    lab = await make_lab(plugins=[])
    home = lab.url
    person = await cheap_person(lab)
    problems, attempts = [], 0

    def check(what: str, response: httpx.Response) -> None:
        nonlocal attempts
        attempts += 1
        if not response.is_redirect:
            problems.append(f"{what}: {response.status_code}, not a redirect")
        elif lands_on(home, response.headers["location"]) != home:
            problems.append(f"{what}: Location {response.headers['location']!r} leaves the lab")

    for target in REDIRECTS:
        params = {"next": target}
        client = lab.client()
        check(f"sign-in next={target!r}", await client.post(
            "/account/login", params=params,
            data={"csrf_token": await client.csrf_token(), "email": person.email, "password": "correct horse battery staple"}))
        check(f"sign-out next={target!r}", await client.post("/account/logout", params=params,
                                                             data={"csrf_token": await client.csrf_token()}))
        check(f"language next={target!r}", await client.post(
            "/language", data={"csrf_token": await client.csrf_token(), "lang": "en", "next": target}))
        page = await client.get("/account/login", params=params)
        assert not parse(page.text).live, f"the sign-in page with next={target!r} has live markup"
    for target in REDIRECTS[:3]:  # sign-up makes an account each time (argon2): the main shapes
        client = lab.client()
        check(f"sign-up next={target!r}", await client.post(
            "/account/register", params={"next": target},
            data={"csrf_token": await client.csrf_token(), "name": "New Person", "email": f"new-{secrets.token_hex(4)}@example.org",
                  "password": "a long enough password", "password_again": "a long enough password"}))
    print(f"\nopen redirects: {attempts} attempts, {len(problems)} left the lab")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------- session fixation


async def test_sign_in_renews_the_session_and_sign_out_kills_it(make_lab: Any) -> None:
    lab = await make_lab(plugins=[])
    person = await cheap_person(lab)
    victim = lab.client()
    planted_token = await victim.csrf_token()
    planted = victim.cookies["labkit_session"]  # what an attacker could have set in the victim's browser
    response = await victim.post("/account/login", data={"csrf_token": planted_token, "email": person.email,
                                                         "password": "correct horse battery staple"})
    assert response.status_code == 303
    signed_in = victim.cookies["labkit_session"]
    assert signed_in != planted, "the session cookie did not change at sign-in"
    assert await victim.csrf_token() != planted_token, "the CSRF token did not change at sign-in"
    attacker = lab.client()
    attacker.cookies.set("labkit_session", planted)
    assert (await attacker.get("/account")).status_code == 303, "the planted cookie is signed in"
    assert (await attacker.get("/api/v1/me")).status_code == 401

    stolen = lab.client()  # a copy of the signed-in cookie, taken before the victim signs out
    stolen.cookies.set("labkit_session", signed_in)
    assert (await stolen.get("/account")).status_code == 200
    assert (await victim.submit("/account/logout")).status_code == 303
    assert (await victim.get("/account")).status_code == 303
    assert (await stolen.get("/account")).status_code == 303, "a copy of the cookie still works after sign-out"
    assert (await stolen.get("/api/v1/me")).status_code == 401


# ------------------------------------------------------------------ oversized, traversal


async def raw_request(lab: RunningLab, head: str, body: bytes = b"", wait: float = 5.0) -> tuple[int, bytes, float]:
    """Send bytes as they are (no client normalises the path) and read the answer: status, body,
    and how long the answer took."""
    host, port = urlsplit(lab.url).hostname, urlsplit(lab.url).port
    reader, writer = await asyncio.open_connection(host, port)
    started = time.perf_counter()
    try:
        writer.write(head.encode("latin-1") + b"\r\n" + body)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(1 << 20), wait)
        while b"\r\n\r\n" not in answer:
            answer += await asyncio.wait_for(reader.read(1 << 20), wait)
        elapsed = time.perf_counter() - started
        headers, _, rest = answer.partition(b"\r\n\r\n")
        try:
            rest += await asyncio.wait_for(reader.read(1 << 20), 1.0)
        except (TimeoutError, ConnectionError):
            pass
        return int(headers.split()[1]), rest, elapsed
    finally:
        writer.close()


SECRET_MARKERS = (b"LABKIT_SECRET_KEY", b"root:x:0:0", b"[lab]", b"import ", b"[project]", b"SQLite format")


async def check_oversized(lab: RunningLab, seed: Seed) -> None:
    """Bodies over the limit are refused with 413 (at once when the length is declared), an upload
    over a plugin's own limit with a clear 422, and nothing is stored."""
    from labkit_challenges.models import Attachment, Challenge, Submission, TeamMember
    from labkit_challenges.settings import ChallengesSettings

    max_attachment = ChallengesSettings().max_attachment_bytes  # the plugin's default limit

    limit = lab.settings.security.max_body_bytes
    staff = Visitor(lab, seed.people["staff"])
    before = await row_counts()
    uploads = lab.settings.lab_dir / "uploads"
    files_before = sorted(uploads.rglob("*")) if uploads.exists() else []
    attempts = 0

    # declared too large: refused at once, before the body is read (10 GB announced, 1 KB sent)
    for path, kind in (("/account", "application/x-www-form-urlencoded"), ("/api/v1/participation/flags", "application/json")):
        status, _, elapsed = await raw_request(lab, f"POST {path} HTTP/1.1\r\nHost: lab\r\nContent-Type: {kind}\r\n"
                                                    f"Cookie: labkit_session={staff.cookie}\r\n"
                                                    f"Content-Length: 10000000000\r\n", b"x" * 1024)
        attempts += 1
        assert status == 413 and elapsed < 3, f"{path}: {status} after {elapsed:.1f} s"
    # streamed without a length (chunked), over the limit: cut at the limit
    chunk = b"a" * 65536
    status, _, _ = await raw_request(
        lab, f"POST /account HTTP/1.1\r\nHost: lab\r\nContent-Type: application/x-www-form-urlencoded\r\n"
             f"Cookie: labkit_session={staff.cookie}\r\nTransfer-Encoding: chunked\r\n",
        b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(limit // len(chunk) + 2)) + b"0\r\n\r\n")
    attempts += 1
    assert status == 413, f"a chunked body over the limit: {status}"
    # a form and a JSON document over the limit, sent in full
    big = "x" * (limit + 1000)
    response = await staff.post("/account", {"name": big})
    assert response.status_code == 413 and "text/html" in response.headers["content-type"]
    token_client = lab.client(token=await __import__("labkit.auth", fromlist=["x"]).create_token(seed.people["member"], "big"))
    process = await __import__("labkit_participation.models", fromlist=["x"]).Process.all().order_by("id").first()
    response = await token_client.post(f"/api/v1/participation/processes/{process.id}/proposals",
                                       json={"title": "Big", "body": big})
    assert response.status_code == 413 and response.headers["content-type"].startswith("application/problem+json")
    attempts += 2

    # uploads: a submission with an attachment over the plugin's limit, and a file over the body limit
    hackathon = await Challenge.filter(kind="hackathon").order_by("id").first()
    member = await TeamMember.filter(challenge=hackathon).select_related("person").order_by("id").first()
    team_member = Visitor(lab, member.person)
    form_url = f"/challenges/{hackathon.id}/submission"
    page = await team_member.get(form_url)
    assert page.status_code == 200, page.status_code
    values, _ = form_values(parse(page.text), form_url, "A submission", {"licence": "Apache-2.0"})
    values["csrf_token"] = team_member.csrf
    for size, expected in ((max_attachment + 1, 422), (limit + 1, 413)):
        pdf = b"%PDF-1.4\n" + b"0" * (size - 9)
        response = await team_member.client.post(form_url, data=values,
                                                  files={"attachments": ("plan.pdf", pdf, "application/pdf")})
        attempts += 1
        assert response.status_code == expected, f"an upload of {size} bytes: {response.status_code}"
        if expected == 422:
            from labkit.uploads import format_size

            assert format_size(max_attachment) in response.text, "the form does not name the size limit"
    # the mapping import over the body limit
    response = await staff.client.post("/mapping/import", data={"csrf_token": staff.csrf, "mode": "import"},
                                       files={"file": ("orgs.csv", b"name\n" + b"a" * (limit + 10), "text/csv")})
    attempts += 1
    assert response.status_code == 413
    after = await row_counts()
    changed = {table: (before[table], after[table]) for table in before if before[table] != after[table]
               and table not in ("labkit_api_token",)}  # the token made for the JSON attempt
    assert not changed, f"rows changed: {changed}"
    assert await Submission.filter(team_id=member.team_id).count() == 0
    assert await Attachment.all().count() == before["challenges_attachment"]
    assert (sorted(uploads.rglob("*")) if uploads.exists() else []) == files_before, "a file was left in uploads/"
    print(f"\noversized: {attempts} bodies and uploads refused, nothing stored")


TRAVERSALS = [
    "../lab.toml", "../.env", "../../.env", "..%2f.env", "..%2F..%2F.env", "%2e%2e/.env", "%2e%2e%2f%2e%2e%2f.env",
    "..%5c.env", "..\\.env", "..\\..\\pyproject.toml", "%252e%252e%252f.env", "....//....//.env", "..;/.env",
    "/etc/passwd", "%2fetc%2fpasswd", "//etc/passwd", "..%00/.env", "%c0%ae%c0%ae/.env",
    "vendor/../../app.py", "vendor/..%2f..%2fapp.py", "../../../../../../../../etc/passwd",
    "../../__init__.py", "../__init__.py", "../../pyproject.toml",
]


async def check_traversal(lab: RunningLab, seed: Seed) -> None:
    """Every static folder and the attachment downloads: encoded, doubled, backslashed and absolute
    paths never serve a file outside (404/400), and a stored name that tries is refused too."""
    from labkit_challenges.models import Attachment, Submission
    from tests.proof.test_authz_matrix import _attachment

    prefixes = ["/static/"] + [f"/static/{slug}/" for slug, _ in lab.plugins.results("labkit_plugin_info")]
    secret = str(lab.settings.secret_key).encode()
    problems, attempts = [], 0
    for prefix in prefixes:
        for attack in TRAVERSALS:
            attempts += 1
            status, body, _ = await raw_request(lab, f"GET {prefix}{attack} HTTP/1.1\r\nHost: lab\r\nConnection: close\r\n")
            leaked = [marker for marker in SECRET_MARKERS if marker in body] + (["the secret key"] if secret in body else [])
            if status not in (400, 404, 405) or leaked:
                problems.append(f"GET {prefix}{attack}: {status} {leaked}")
    assert (await lab.client().get("/static/labkit.css")).status_code == 200

    # downloads: a stored name that tries to leave the uploads folder is refused, even from the database
    admin = Visitor(lab, seed.people["admin"])
    attachment = await Attachment.get(id=int(await _attachment(seed)))
    submission = await Submission.get(id=attachment.submission_id)
    url = f"/challenges/{submission.challenge_id}/submissions/{submission.id}/attachments/{attachment.id}"
    assert (await admin.get(url)).status_code == 200
    for name in ("../../.env", "../../lab.toml", "/etc/passwd", "..\\..\\.env", "%2e%2e/.env"):
        await Attachment.filter(id=attachment.id).update(stored_name=name)
        response = await admin.get(url)
        attempts += 1
        if response.status_code != 404 or secret in response.content:
            problems.append(f"download with stored name {name!r}: {response.status_code}")
    for suffix in ("..%2f..%2f.env", "%2e%2e", "1%2f..%2f..%2f.env"):
        status, body, _ = await raw_request(lab, f"GET {url.rsplit('/', 1)[0]}/{suffix} HTTP/1.1\r\nHost: lab\r\n"
                                                 f"Cookie: labkit_session={admin.cookie}\r\nConnection: close\r\n")
        attempts += 1
        if status not in (400, 404) or secret in body:
            problems.append(f"download {suffix}: {status}")
    print(f"\npath traversal: {attempts} attempts on {len(prefixes)} static folders and the downloads, "
          f"{len(problems)} got through")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------- security headers


HEADERS = {"content-security-policy": "default-src 'self'", "x-content-type-options": "nosniff",
           "x-frame-options": "DENY", "referrer-policy": "strict-origin-when-cross-origin"}


async def test_security_headers_on_pages_errors_api_and_files(make_lab: Any) -> None:
    lab = await make_lab(plugins=["participation"])
    member = Visitor(lab, await lab.person("member"))
    anonymous = lab.client()
    answers = {
        "a page": await anonymous.get("/"),
        "a 404 page": await anonymous.get("/no/such/page"),
        "a 405 page": await anonymous.get("/account/logout"),
        "a redirect": await anonymous.get("/account"),
        "a 403 page": await member.get("/admin/people"),
        "a CSRF refusal": await member.client.post("/account", data={"name": "x"}),
        "a 413": await member.post("/account", {"name": "x" * (lab.settings.security.max_body_bytes + 1)}),
        "an API document": await anonymous.get("/api/v1/openapi.json"),
        "an API problem": await anonymous.get("/api/v1/me"),
        "a bad token": await lab.client(token="lk_not-a-token").get("/api/v1/participation/processes"),
        "a static file": await anonymous.get("/static/labkit.css"),
        "a missing static file": await anonymous.get("/static/nothing.css"),
        "a CSV export": await anonymous.get("/participation/data/proposals.csv"),
    }
    problems = []
    for what, response in answers.items():
        for name, value in HEADERS.items():
            if value not in response.headers.get(name, ""):
                problems.append(f"{what} ({response.status_code} {response.url.path}): {name} is "
                                f"{response.headers.get(name)!r}")
    assert answers["a bad token"].status_code == 401
    assert 'error="invalid_token"' in answers["a bad token"].headers["www-authenticate"]
    assert "script-src 'self'" in answers["a page"].headers["content-security-policy"]
    assert "frame-ancestors 'none'" in answers["a page"].headers["content-security-policy"]
    assert not problems, "\n".join(problems)


async def test_csrf_oversized_bodies_and_path_traversal(make_lab: Any) -> None:
    """Three attacks on one lab with every plugin and its demo data (seeding it once saves time)."""
    lab = await make_lab()
    seed = await seed_lab(lab)
    await check_csrf(lab, seed)
    await check_oversized(lab, seed)
    await check_traversal(lab, seed)  # last: it breaks an attachment's stored name on purpose
