"""Faults: PostgreSQL stopped and restarted under traffic, a worker killed mid-request, a migration
interrupted and run again. Each runs against real ``labkit serve`` / ``labkit migrate`` processes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import psutil
from tortoise import Tortoise

from labkit.testing import LabClient, write_lab
from labkit.testing_server import LabServer, create_database, labkit_command
from labkit.timezones import now

from .conftest import ServedLab, needs_postgres

pytestmark = needs_postgres
ALL_DAY = {str(day): [[0, 1440]] for day in range(7)}


async def rows(database_url: str, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Read the database with a fresh connection (the test's own pool may have died in an outage)."""
    connection = await asyncpg.connect(database_url.replace("postgres://", "postgresql://", 1))
    try:
        return await connection.fetch(sql, *args)
    finally:
        await connection.close()


# ------------------------------------------------------------------------ PostgreSQL outage


@dataclass
class Answer:
    started: float
    kind: str
    path: str
    status: int
    headers: httpx.Headers
    text: str
    written: str | None = None
    """The comment this request tried to write, if it was a write."""
    acknowledged: bool = False


async def test_postgres_outage_gives_503_then_service_resumes_and_nothing_acknowledged_is_lost(
        throwaway_postgres, served_lab) -> None:
    from labkit_participation.models import Process, Proposal

    lab: ServedLab = await served_lab(["participation"], server_url=throwaway_postgres.url)
    t = now().replace(microsecond=0)
    day = timedelta(days=1)
    process = await Process.create(title="Plano de mobilidade", summary="Ciclovias", published=True,
                                   information_starts_at=t - 5 * day, proposals_starts_at=t - 3 * day,
                                   support_starts_at=t - day, results_starts_at=t + 5 * day)
    staff = await lab.people(6, role="staff")
    proposal = await Proposal.create(process_id=process.id, author_id=staff[0].id, title="Ciclovia na Avenida Paulista",
                                     body="Uma ciclovia protegida ligando as estações.")
    server = lab.serve(workers=2)
    workers_before = set(server.worker_pids())
    api_clients = [await lab.api(p) for p in staff[:4]]
    page_clients = [await lab.login(p) for p in staff[4:]]
    anonymous = lab.client()
    await Tortoise.close_connections()  # this test's own pool would only complain during the outage
    answers: list[Answer] = []
    failures: list[str] = []
    stop = asyncio.Event()
    origin = time.monotonic()

    async def call(client: LabClient, kind: str, method: str, path: str, written: str | None = None,
                   **kwargs: Any) -> httpx.Response | None:
        started = time.monotonic() - origin
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            failures.append(f"{method} {path}: {type(error).__name__}: {error}")
            return None
        acknowledged = written is not None and (
            response.status_code == 201 if kind == "api"
            else response.status_code == 303 and [k for k, _ in lab.flashes(response)][-1:] == ["success"])
        answers.append(Answer(started, kind, path, response.status_code, response.headers, response.text[:2000],
                              written, acknowledged))
        return response

    async def api_writer(client: LabClient, n: int) -> None:
        count = 0
        while not stop.is_set():
            count += 1
            body = f"api comment {n}-{count}"
            await call(client, "api", "POST", f"/api/v1/participation/proposals/{proposal.id}/comments", body,
                       json={"body": body})
            await call(client, "api", "GET", f"/api/v1/participation/processes/{process.id}/proposals")
            await asyncio.sleep(0.05)

    async def page_writer(client: LabClient, n: int) -> None:
        count = 0
        csrf = await client.csrf_token()
        while not stop.is_set():
            count += 1
            body = f"page comment {n}-{count}"
            await call(client, "page", "POST", f"/participation/proposals/{proposal.id}/comments", body,
                       data={"csrf_token": csrf, "body": body})
            await call(client, "page", "GET", f"/participation/proposals/{proposal.id}")
            await asyncio.sleep(0.05)

    async def reader() -> None:
        while not stop.is_set():
            await call(anonymous, "page", "GET", "/participation/")
            await call(anonymous, "api", "GET", f"/api/v1/participation/proposals/{proposal.id}")
            await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(api_writer(c, n)) for n, c in enumerate(api_clients)]
    tasks += [asyncio.create_task(page_writer(c, n)) for n, c in enumerate(page_clients)]
    tasks.append(asyncio.create_task(reader()))
    await asyncio.sleep(2)
    down_from = time.monotonic() - origin
    await asyncio.to_thread(throwaway_postgres.stop)
    down = time.monotonic() - origin
    await asyncio.sleep(3)
    up_from = time.monotonic() - origin
    await asyncio.to_thread(throwaway_postgres.resume)
    await asyncio.sleep(4)
    stop.set()
    await asyncio.gather(*tasks)
    end = time.monotonic() - origin

    assert not failures, f"{failures[:5]}\n{server.log()[-6000:]}"
    statuses = Counter(a.status for a in answers)
    assert set(statuses) <= {200, 201, 303, 503}, f"{statuses}\n{[a.text for a in answers if a.status == 500][:1]}" \
                                                   f"\n{server.log()[-4000:]}"
    unavailable = [a for a in answers if a.status == 503]
    for answer in unavailable:
        assert answer.headers.get("retry-after", "").isdigit(), answer.path
        if answer.path.startswith("/api/"):
            assert answer.headers["content-type"] == "application/problem+json"
            assert '"status":503' in answer.text.replace(" ", "")
        else:
            assert answer.headers["content-type"].startswith("text/html") and "<html" in answer.text
    outage = [a for a in answers if down + 0.3 <= a.started <= up_from]
    assert outage and all(a.status == 503 for a in outage), Counter(a.status for a in outage)
    assert {a.kind for a in outage} == {"api", "page"}
    # Service resumes by itself: the same workers answer again, without a restart of labkit.
    after = [a for a in answers if a.started >= up_from]
    recovered = [a for a in after if a.status != 503]
    assert recovered, "no request succeeded after PostgreSQL came back"
    settled = [a for a in answers if a.started >= end - 1.5]
    assert settled and all(a.status in (200, 201, 303) for a in settled), Counter(a.status for a in settled)
    assert set(server.worker_pids()) == workers_before and server.process.poll() is None
    # Every acknowledged write, before and after the outage, is in the database.
    stored = {r["body"] for r in await rows(lab.database_url, "SELECT body FROM participation_comment")}
    acknowledged = {a.written for a in answers if a.acknowledged}
    assert acknowledged and acknowledged <= stored, sorted(acknowledged - stored)[:5]
    refused_but_stored = {a.written for a in answers if a.written and not a.acknowledged} & stored
    print(f"\noutage: {len(answers)} answers {dict(statuses)}; down {up_from - down_from:.1f} s; "
          f"{len(outage)} requests during the outage, all 503; first success {recovered[0].started - up_from:.2f} s "
          f"after the restart; {len(acknowledged)} acknowledged writes all stored; "
          f"{len(refused_but_stored)} answered 503 yet stored")


# --------------------------------------------------------------------------- a worker killed


async def test_a_worker_killed_mid_request_is_replaced_and_leaves_no_partial_write(served_lab) -> None:
    from labkit_coworking.models import Resource, Space

    weeks = 12
    lab: ServedLab = await served_lab(["coworking"])
    space = await Space.create(name="Pátio Digital", address="Rua Líbero Badaró, 425", opening_hours=ALL_DAY,
                               guidelines="Respeito.", quota_hours_per_week=0)
    hall = await Resource.create(space=space, name="Salão", kind="desk", capacity=1000, auto_approve=True,
                                 min_notice_minutes=0, max_length_minutes=480, max_days_ahead=400)
    people = await lab.people(30)
    server = lab.serve(workers=3)
    clients = [await lab.api(p) for p in people]
    before = server.worker_pids()
    assert len(before) == 3
    day = datetime.now(ZoneInfo("America/Sao_Paulo")).date() + timedelta(days=3)

    async def book(client: LabClient) -> httpx.Response | BaseException:
        try:
            return await client.post("/api/v1/coworking/bookings", json={
                "resource_id": hall.id, "start": f"{day}T09:00:00", "end": f"{day}T17:00:00", "repeat_weeks": weeks,
                "purpose": "Imersão semanal", "accept_guidelines": True, "attendees": 1})
        except httpx.HTTPError as error:
            return error

    def open_connections(pid: int) -> int:
        port = int(server.url.rsplit(":", 1)[1])
        return sum(1 for c in psutil.Process(pid).net_connections(kind="tcp")
                   if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)

    async def kill_when_busy() -> int:
        # Every booking locks the resource: requests queue in every worker. Once some landed, kill
        # the worker holding the most client connections (the kernel shares them out unevenly).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = (await rows(lab.database_url, "SELECT count(*) AS n FROM coworking_booking"))[0]["n"]
            if done >= weeks * 2:
                break
            await asyncio.sleep(0.02)
        victim = max(before, key=open_connections)
        os.kill(victim, signal.SIGKILL)
        return victim

    results, victim = await asyncio.gather(asyncio.gather(*(book(c) for c in clients)), kill_when_busy())
    killed = [(c, r) for c, r in zip(clients, results, strict=True) if isinstance(r, BaseException)]
    answered = [(c, r) for c, r in zip(clients, results, strict=True) if isinstance(r, httpx.Response)]
    assert killed, "the killed worker was serving no request: nothing was proven"
    assert all(r.status_code == 201 for _, r in answered), Counter(r.status_code for _, r in answered)
    # The master replaces the worker.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = server.worker_pids()
        if len(pids) == 3 and victim not in pids:
            break
        await asyncio.sleep(0.2)
    assert len(pids) == 3 and victim not in pids, (pids, victim)
    # Each request's series is all there or not at all; the acknowledged ones are all there.
    counts = Counter(r["person_id"] for r in await rows(lab.database_url, "SELECT person_id FROM coworking_booking"))
    assert all(counts[c.person.id] == weeks for c, _ in answered)  # type: ignore[attr-defined]
    assert all(counts[c.person.id] in (0, weeks) for c, _ in killed)  # type: ignore[attr-defined]
    # And the lab serves every request again.
    again = await asyncio.gather(*(c.get("/api/v1/coworking/bookings") for c in clients))
    assert [r.status_code for r in again] == [200] * len(clients)
    print(f"\nworker killed: {len(answered)} bookings of {weeks} weeks acknowledged, {len(killed)} cut off "
          f"({sum(1 for c, _ in killed if counts[c.person.id])} of them committed whole, the rest absent); "
          f"worker {victim} replaced")


# --------------------------------------------------------------------- an interrupted migration

PLUGIN_INIT = '''
from labkit import Models, PluginInfo, hookimpl

@hookimpl
def labkit_plugin_info():
    return PluginInfo(title="Notes (a plugin whose second migration can hang or fail)")

@hookimpl
def labkit_models():
    return Models(modules=("faultmig.models",), migrations="faultmig.migrations")
'''
PLUGIN_MODELS = '''
from tortoise import fields
from tortoise.models import Model

class Note(Model):
    id = fields.IntField(primary_key=True)
    text = fields.CharField(max_length=200)
    weight = fields.IntField(null=True)

    class Meta:
        table = "faultmig_note"
'''
MIGRATION_1 = '''
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [("labkit", "0001_initial")]
    initial = True
    operations = [
        ops.CreateModel(name="Note", fields=[
            ("id", fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
            ("text", fields.CharField(max_length=200)),
        ], options={"table": "faultmig_note", "app": "faultmig", "pk_attr": "id"}, bases=["Model"]),
    ]
'''
MIGRATION_2 = '''
import asyncio, os
from pathlib import Path
from tortoise import fields, migrations
from tortoise.migrations import operations as ops

async def weigh(apps, schema_editor):
    await schema_editor.client.execute_script("UPDATE faultmig_note SET weight = length(text)")
    mode = os.environ.get("FAULTMIG_MODE", "")
    if mode == "hang":
        Path(os.environ["FAULTMIG_REACHED"]).touch()
        await asyncio.sleep(120)
    if mode == "fail":
        raise RuntimeError("the migration broke half-way")

class Migration(migrations.Migration):
    dependencies = [("faultmig", "0001_initial")]
    operations = [
        ops.AddField(model_name="Note", name="weight", field=fields.IntField(null=True)),
        ops.RunPython(weigh),
    ]
'''


def make_plugin(folder: Path) -> Path:
    package = folder / "faultmig"
    (package / "migrations").mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN_INIT)
    (package / "models.py").write_text(PLUGIN_MODELS)
    (package / "migrations" / "__init__.py").write_text("")
    (package / "migrations" / "0001_initial.py").write_text(MIGRATION_1)
    (package / "migrations" / "0002_weight.py").write_text(MIGRATION_2)
    return package


def labkit(lab_dir: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(labkit_command(lab_dir, *args), capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


async def test_an_interrupted_or_failed_migration_runs_again_to_the_end_without_losing_data(tmp_path: Path) -> None:
    url = await create_database(os.environ["LABKIT_TEST_DATABASE_URL"], prefix="labkit_proof")
    folder = tmp_path / "lab"
    write_lab(folder, ["faultmig"], {"database": {"url": url}}, local_plugins=[make_plugin(tmp_path / "src")])
    reached = tmp_path / "reached"
    try:
        # 1. Killed while the second migration runs (inside its transaction).
        process = subprocess.Popen(labkit_command(folder, "migrate"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env={**os.environ, "FAULTMIG_MODE": "hang", "FAULTMIG_REACHED": str(reached)})
        deadline = time.monotonic() + 60
        while not reached.exists():
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()[0]
            await asyncio.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        applied = {(r["app"], r["name"]) for r in await rows(url, "SELECT app, name FROM tortoise_migrations")}
        assert ("faultmig", "0001_initial") in applied and ("faultmig", "0002_weight") not in applied, applied
        columns = {r["column_name"] for r in await rows(
            url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'faultmig_note'")}
        assert columns == {"id", "text"}  # the half-done second migration was rolled back whole
        # The lab is used meanwhile: data the re-run must keep.
        await rows(url, "INSERT INTO faultmig_note (text) VALUES ('first note'), ('a second, longer note')")
        person = labkit(folder, "createadmin", "--email", "admin@example.org", env={"LABKIT_ADMIN_PASSWORD": "x" * 16})
        assert person.returncode == 0, person.stderr

        # 2. The lab knows it is not up to date, and will not serve half-migrated.
        check = labkit(folder, "check")
        assert check.returncode == 1 and "faultmig.0002_weight" in check.stderr, check.stderr
        serve = labkit(folder, "serve", "--port", "9", timeout=60)
        assert serve.returncode == 2 and "migration(s) not applied" in serve.stderr, serve.stderr

        # 3. A migration that fails half-way (a bug in the plugin's code): one line naming the
        # migration and the reason, exit status 2, nothing half-applied.
        failed = labkit(folder, "migrate", env={"FAULTMIG_MODE": "fail"})
        assert failed.returncode == 2 and "Traceback" not in failed.stderr, failed.stderr
        assert failed.stderr.strip().splitlines()[-1].startswith("labkit: error: migration faultmig.0002_weight failed")
        assert "the migration broke half-way" in failed.stderr, failed.stderr
        columns = {r["column_name"] for r in await rows(
            url, "SELECT column_name FROM information_schema.columns WHERE table_name = 'faultmig_note'")}
        assert columns == {"id", "text"}

        # 4. Run again: fully migrated, the data kept (and migrated), checks pass, the lab serves.
        done = labkit(folder, "migrate")
        assert done.returncode == 0 and "applied faultmig.0002_weight" in done.stdout, done.stdout + done.stderr
        assert labkit(folder, "check").returncode == 0
        notes = [(r["text"], r["weight"]) for r in await rows(url, "SELECT text, weight FROM faultmig_note ORDER BY id")]
        assert notes == [("first note", 10), ("a second, longer note", 21)]
        assert [r["email"] for r in await rows(url, "SELECT email FROM labkit_person")] == ["admin@example.org"]
        with LabServer.start(folder, workers=1) as server:
            assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    finally:
        from labkit.testing_server import drop_database

        await drop_database(url)
