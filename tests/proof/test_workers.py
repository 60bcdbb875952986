"""Many workers, one database: a lab served by ``labkit serve --workers 3`` on PostgreSQL takes a
burst of concurrent real HTTP traffic from many signed-in people (supports, seat registrations,
bookings of the last places, team joins and team submissions, through the pages and the API, each
repeated and pushed past its limit, mixed with reads). Every response is recorded; afterwards no
response was a 5xx and the database holds exactly what was accepted: no double vote, no
overbooking, no lost write.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from labkit.testing import LabClient
from labkit.timezones import now

from .conftest import ServedLab, needs_postgres

pytestmark = needs_postgres

WORKERS = 3
VOTERS = 24
SUPPORT_LIMIT = 2
SEATS = 5
PLACES = 3
TEAM_SIZE = 4
TEAMS = 3
ALL_DAY = {str(day): [[0, 1440]] for day in range(7)}


@dataclass
class Outcome:
    """One response: what was asked, by whom, through which door, and what came back."""

    action: str
    via: str
    person_id: int
    status: int
    accepted: bool
    target: Any = None
    detail: str = ""


class Recorder:
    def __init__(self, lab: ServedLab) -> None:
        self.lab = lab
        self.outcomes: list[Outcome] = []
        self.failures: list[str] = []

    async def send(self, action: str, via: str, client: LabClient, method: str, url: str,
                   target: Any = None, **kwargs: Any) -> Outcome | None:
        try:
            response = await client.request(method, url, **kwargs)
        except httpx.HTTPError as error:  # a dropped connection is a failure too, not a skipped case
            self.failures.append(f"{action} {method} {url}: {type(error).__name__} {error}")
            return None
        outcome = Outcome(action, via, client.person.id, response.status_code,  # type: ignore[attr-defined]
                          self.accepted(action, via, response), target, response.text[:300])
        self.outcomes.append(outcome)
        return outcome

    def accepted(self, action: str, via: str, response: httpx.Response) -> bool:
        status = response.status_code
        if action == "read":
            return status == 200
        if via == "api":
            return status in (200, 201)
        if action == "join":
            return status == 303 and response.headers["location"].endswith("/team")
        if status != 303:
            return False
        kinds = [kind for kind, _text in self.lab.flashes(response)]
        return bool(kinds) and kinds[-1] == "success"

    def of(self, action: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.action == action]


def next_weekday(at_least: int = 3) -> date:
    day = datetime.now(ZoneInfo("America/Sao_Paulo")).date() + timedelta(days=at_least)
    return day + timedelta(days=(2 - day.weekday()) % 7)


async def seed(lab: ServedLab) -> dict[str, Any]:
    """A consultation in its support phase (limit 2), a hearing with 5 seats, 3 desks, an open challenge
    with 3 teams of at most 4 people (each with its lead), and the people who want them."""
    from labkit_challenges.models import DEFAULT_LICENCES, Challenge, Team, TeamMember
    from labkit_challenges.services import invite_token
    from labkit_coworking.models import Resource, Space
    from labkit_participation.models import Meeting, Process, Proposal

    t = now().replace(microsecond=0)
    day = timedelta(days=1)
    author, *leads = await lab.people(1 + TEAMS)
    voters = await lab.people(VOTERS)
    process = await Process.create(title="Orçamento participativo 2026", summary="Onde investir", published=True,
                                   information_starts_at=t - 5 * day, proposals_starts_at=t - 3 * day,
                                   support_starts_at=t - day, results_starts_at=t + 5 * day,
                                   support_limit=SUPPORT_LIMIT)
    proposals = [await Proposal.create(process_id=process.id, author_id=author.id, title=f"Proposta número {n}",
                                       body="Mais árvores e bancos na praça do bairro.") for n in range(4)]
    meeting = await Meeting.create(process_id=process.id, title="Audiência pública", starts_at=t + 3 * day,
                                   ends_at=t + 3 * day + timedelta(hours=2), place="Câmara Municipal", seats=SEATS)
    space = await Space.create(name="Pátio Digital", address="Rua Líbero Badaró, 425", opening_hours=ALL_DAY,
                               guidelines="Respeito.", quota_hours_per_week=0)
    desks = await Resource.create(space=space, name="Estações", kind="desk", capacity=PLACES, auto_approve=True,
                                  min_notice_minutes=0, max_length_minutes=480, max_days_ahead=400)
    challenge = await Challenge.create(
        kind="challenge", title="Dados de mobilidade", summary="Travessias seguras perto das escolas.",
        problem="Como priorizar travessias?", owner="Secretaria de Mobilidade", licences=DEFAULT_LICENCES,
        default_licence="MIT", is_published=True, code_of_conduct="Respeito acima de tudo.",
        max_team_size=TEAM_SIZE, opens_at=t - day, closes_at=t + 10 * day, evaluation_starts_at=t + 12 * day)
    teams = []
    for n, lead in enumerate(leads):
        team = await Team.create(challenge=challenge, name=f"Equipe {n}", invite_nonce=f"nonce{n:04d}")
        await TeamMember.create(team=team, challenge=challenge, person=lead, role="lead", conduct_accepted_at=t)
        teams.append(team)
    invites = {team.id: invite_token(lab.settings.secret_key, team) for team in teams}
    return dict(process=process, proposals=proposals, meeting=meeting, desks=desks, challenge=challenge,
                teams=teams, invites=invites, voters=voters, leads=leads, day=next_weekday())


async def test_many_workers_hold_every_rule_under_concurrent_traffic(served_lab) -> None:
    from labkit_challenges.models import Submission, TeamMember
    from labkit_coworking.models import Booking
    from labkit_participation.models import Registration, Support

    lab = await served_lab(["participation", "coworking", "challenges"])
    world = await seed(lab)
    server = lab.serve(workers=WORKERS)
    assert len(server.worker_pids()) == WORKERS
    started = time.monotonic()
    record = Recorder(lab)

    # Everyone signs in through the form at once, and also holds an API token.
    pages: list[LabClient] = await asyncio.gather(*(lab.login(p) for p in world["voters"]))
    apis: list[LabClient] = [await lab.api(p) for p in world["voters"]]
    leads_api = [await lab.api(p) for p in world["leads"]]
    tokens = await asyncio.gather(*(c.csrf_token() for c in pages))

    proposals, meeting, desks, day = world["proposals"], world["meeting"], world["desks"], world["day"]
    a, b, c, d = (p.id for p in proposals)
    slots = [("10:00", "11:00"), ("10:30", "11:30")]
    burst = []
    for n, (page, api, csrf) in enumerate(zip(pages, apis, tokens, strict=True)):
        form = {"csrf_token": csrf}
        # Supports: the same proposal twice through the API, then others past the limit of 2,
        # and one more through the page (a duplicate for half of the people).
        for proposal in (a, a, b, c):
            burst.append(record.send("support", "api", api, "POST",
                                     f"/api/v1/participation/proposals/{proposal}/support", proposal))
        page_pick = a if n % 2 == 0 else d
        burst.append(record.send("support", "page", page, "POST", f"/participation/proposals/{page_pick}/support",
                                 page_pick, data=form))
        # Seats: 24 people, twice each, for 5 seats; every third person also uses the page.
        for _ in range(2):
            burst.append(record.send("register", "api", api, "POST",
                                     f"/api/v1/participation/meetings/{meeting.id}/registration", meeting.id))
        if n % 3 == 0:
            burst.append(record.send("register", "page", page, "POST",
                                     f"/participation/meetings/{meeting.id}/registration", meeting.id, data=form))
        # Bookings of 3 desks in two overlapping slots; every fourth person also books from the page.
        start, end = slots[n % 2]
        burst.append(record.send("book", "api", api, "POST", "/api/v1/coworking/bookings", (start, end), json={
            "resource_id": desks.id, "start": f"{day}T{start}:00", "end": f"{day}T{end}:00", "attendees": 1,
            "purpose": "Trabalhar no app da cidade", "accept_guidelines": True}))
        if n % 4 == 0:
            burst.append(record.send("book", "page", page, "POST", "/coworking/book", slots[0], data={
                **form, "resource": desks.id, "day": day.isoformat(), "start_time": slots[0][0],
                "end_time": slots[0][1], "purpose": "Reunião do coletivo", "accept_guidelines": "on"}))
        # Joins: 8 people knock at each team's invitation link; each team has room for 3 more.
        team = world["teams"][n % TEAMS]
        burst.append(record.send("join", "page", page, "POST", f"/challenges/join/{world['invites'][team.id]}",
                                 team.id, data={**form, "accept_conduct": "on"}))
        # Reads in between.
        burst.append(record.send("read", "page", page, "GET", f"/participation/proposals/{a}"))
        burst.append(record.send("read", "api", api, "GET",
                                 f"/api/v1/participation/processes/{world['process'].id}/proposals"))
    random.Random(10).shuffle(burst)
    await asyncio.gather(*burst)

    # Team submissions: every member of every team (the leads too) submits at once, twice.
    members = defaultdict(list)
    for member in await TeamMember.filter(challenge_id=world["challenge"].id):
        members[member.team_id].append(member.person_id)
    clients = {client.person.id: client for client in [*apis, *leads_api]}  # type: ignore[attr-defined]
    submissions = []
    for team_id, people in members.items():
        for person_id in people:
            for round_ in range(2):
                submissions.append(record.send(
                    "submit", "api", clients[person_id], "PUT", f"/api/v1/challenges/{world['challenge'].id}/submission",
                    (team_id, f"Travessia {team_id}-{person_id}-{round_}"),
                    json={"title": f"Travessia {team_id}-{person_id}-{round_}", "licence": "MIT",
                          "summary": "Um mapa das travessias mais perigosas perto das escolas."}))
    submissions += [record.send("read", "page", p, "GET", f"/challenges/{world['challenge'].id}") for p in pages[:8]]
    random.Random(11).shuffle(submissions)
    await asyncio.gather(*submissions)
    elapsed = time.monotonic() - started

    # ----------------------------------------------------------------------------- the proof
    assert not record.failures, record.failures
    errors = [o for o in record.outcomes if o.status >= 500]
    assert not errors, f"{len(errors)} responses were 5xx: {errors[:3]}\n{server.log()[-3000:]}"
    refused = [o for o in record.outcomes if not o.accepted and o.action != "read"]
    assert all(o.status in (303, 409, 422) for o in refused), [o for o in refused if o.status not in (303, 409, 422)][:3]
    assert all(o.accepted for o in record.of("read")), [o for o in record.of("read") if not o.accepted][:3]

    # Supports: the database holds exactly the accepted ones; nobody beyond the limit; nobody short of it.
    accepted = [(o.person_id, o.target) for o in record.of("support") if o.accepted]
    stored = [(s.person_id, s.proposal_id) for s in await Support.filter(process_id=world["process"].id)]
    assert sorted(stored) == sorted(accepted)
    assert len(set(stored)) == len(stored)
    per_person = Counter(person for person, _ in stored)
    assert all(per_person[p.id] == SUPPORT_LIMIT for p in world["voters"]), per_person

    # Seats: exactly as many registrations as seats, each one acknowledged.
    accepted = sorted(o.person_id for o in record.of("register") if o.accepted)
    stored = sorted(await Registration.filter(meeting_id=meeting.id).values_list("person_id", flat=True))
    assert stored == accepted and len(stored) == SEATS

    # Desks: every acknowledged booking is there and no moment holds more people than places.
    accepted_bookings = Counter(o.person_id for o in record.of("book") if o.accepted)
    rows = await Booking.filter(resource_id=desks.id, status="approved")
    assert Counter(row.person_id for row in rows) == accepted_bookings
    moments = sorted({row.start for row in rows} | {row.end for row in rows})
    peak = max(sum(row.attendees for row in rows if row.start <= moment < row.end) for moment in moments)
    assert peak <= PLACES and len(rows) >= PLACES, (peak, len(rows))

    # Teams: each holds its lead and exactly the joins that were acknowledged, full to the brim.
    for team in world["teams"]:
        joined = sorted(o.person_id for o in record.of("join") if o.accepted and o.target == team.id)
        assert sorted(members[team.id]) == sorted([*joined, *(await team.members.filter(role="lead").values_list(
            "person_id", flat=True))])
        assert len(members[team.id]) == TEAM_SIZE
    assert len({p for people in members.values() for p in people}) == sum(len(p) for p in members.values())

    # Submissions: one per team, created once, holding one of the acknowledged versions.
    for team_id in members:
        answers = [o for o in record.of("submit") if o.target[0] == team_id]
        assert [o.status for o in answers].count(201) == 1, [o.status for o in answers]
        rows = await Submission.filter(team_id=team_id)
        assert len(rows) == 1 and rows[0].title in {o.target[1] for o in answers if o.accepted}

    counts = Counter((o.action, o.via, o.accepted) for o in record.outcomes)
    print(f"\n{len(record.outcomes)} responses in {elapsed:.1f} s with {WORKERS} workers, 0 5xx; by action, door, "
          f"accepted: {dict(sorted(counts.items()))}")
