"""Push over real HTTP: member token, Idempotency-Key replay and refusal, problems for every bad
input; concurrent pushes of one lab on PostgreSQL; the lab's own ``labkit indicators push``."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sqlite3
import sys
from pathlib import Path

import pytest

from labkit.testing import RunningLab, write_lab

from .documents import document
from labkit_federation import registry
from labkit_federation.models import Member, Observation, PushReceipt, Report
from labkit_federation.options import FederationOptions
from tests.federation.simulated import lab_document

URL = "/api/v1/federation/reports"


@pytest.fixture
async def hub(make_lab) -> RunningLab:
    return await make_lab(plugins=["federation"], settings={"plugin.federation": {"max_document_bytes": 20_000}})


async def member_with_token(code: str = "BR-3550308", kind: str = "lab") -> tuple[Member, str]:
    member = await Member.create(code=code, name=f"Lab {code}", kind=kind, region_path="BR/BR-SP")
    return member, await registry.issue_token(member)


def body(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def headers(token: str | None, key: str | None) -> dict[str, str]:
    out = {"Content-Type": "application/json"}
    if token is not None:
        out["X-Labkit-Member-Token"] = token
    if key is not None:
        out["Idempotency-Key"] = key
    return out


async def test_a_push_is_stored_once_and_its_replay_is_the_stored_answer(hub: RunningLab, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    lab, token = await member_with_token()
    client = hub.client()
    doc = body(document("BR-3550308", {"2025-Q1": {"projects": 3, "participants": 40}}))
    first = await client.post(URL, content=doc, headers=headers(token, "push-1"))
    assert first.status_code == 200, first.text
    answer = first.json()
    assert (answer["imported"], answer["updated"], answer["ignored"], answer["member"]) == (4, 0, 0, "BR-3550308")
    assert answer["conflicts"] == [] and answer["errors"] == []
    report = await Report.get(member=lab, period="2025-Q1")
    assert report.source == "push"

    replay = await client.post(URL, content=doc, headers=headers(token, "push-1"))
    assert (replay.status_code, replay.json()) == (200, answer) and replay.headers["Idempotent-Replayed"] == "true"
    assert (await Report.get(member=lab, period="2025-Q1")).last_received_at == report.last_received_at
    assert await Observation.all().count() == 4 and await PushReceipt.all().count() == 1

    other = body(document("BR-3550308", {"2025-Q1": {"projects": 5, "participants": 40}}))
    reused = await client.post(URL, content=other, headers=headers(token, "push-1"))
    assert reused.status_code == 422 and reused.json()["type"].endswith("idempotency-key-reused")
    assert (await Observation.get(member=lab, indicator="projects", kind="_T", module="_T")).value == 3

    fresh = await client.post(URL, content=other, headers=headers(token, "push-2"))
    assert fresh.status_code == 200 and (fresh.json()["updated"], fresh.json()["ignored"]) == (1, 3)
    assert fresh.json()["conflicts"] == ["BR-3550308 2025-Q1: published figures changed (projects 3 → 5); "
                                         "the new figures are stored"]
    leaks = [f"{r.name}: {r.getMessage()[:300]}" for r in caplog.records if token in r.getMessage()]
    assert leaks == []


async def test_every_bad_push_is_a_problem_document(hub: RunningLab) -> None:
    lab, token = await member_with_token()
    client = hub.client()
    good = body(document("BR-3550308", {"2025-Q1": {"projects": 3}}))

    async def post(content: bytes, token_: str | None = token, key: str | None = "k") -> tuple[int, dict]:
        response = await client.post(URL, content=content, headers=headers(token_, key))
        assert response.headers["content-type"] == "application/problem+json", response.text
        return response.status_code, response.json()

    status, problem = await post(good, token_=None)  # no credential at all: the documented 401, not a CSRF 403
    assert status == 401 and problem["type"].endswith("invalid-token") and "X-Labkit-Member-Token" in problem["detail"]
    assert (await post(good, token_=""))[0] == 401
    assert (await post(good, token_="lkm_not-a-token"))[0] == 401
    status, problem = await post(good, key=None)
    assert status == 400 and problem["type"].endswith("idempotency-key-required") and "Idempotency-Key" in problem["detail"]
    status, problem = await post(body(document("BR-3509502", {"2025-Q1": {"projects": 3}})), key="wrong")
    assert status == 403 and problem["type"].endswith("wrong-lab") and "reports only for itself" in problem["detail"]
    hubby = document("BR-3550308", {}, kind="hub", members={"BR-3509502": {"2025-Q1": {"projects": 1}}})
    status, problem = await post(body(hubby), key="hub")
    assert status == 403 and problem["errors"][0]["field"] == "lab.kind"
    broken = document("BR-3550308", {"2025-Q1": {"projects": 3}})
    broken["periods"][0]["observations"][0]["value"] = -1
    broken["periods"][0]["end"] = "2025-03-30"
    status, problem = await post(body(broken), key="broken")
    assert status == 422 and problem["type"].endswith("invalid-document")
    assert {e["field"] for e in problem["errors"]} == {"periods[0].observations[0].value"}
    status, problem = await post(body(document("BR-3550308", {"2025-Q1": {}}) | {"version": "2.0"}), key="v2")
    assert status == 422 and problem["errors"] == [{"field": "version", "message":
                                                    "version 2.0 is not supported by this hub; it reads 1.x"}]
    assert (await post(b"{not json", key="json"))[0] == 400
    huge = document("BR-3550308", {f"20{y:02d}": {"projects": 1} for y in range(0, 25)})
    status, problem = await post(body(huge), key="huge")
    assert status == 413 and problem["type"].endswith("too-large") and "20000 bytes" in problem["detail"]
    # a refused push replays its refusal too, and nothing was stored by any of them
    again = await client.post(URL, content=body(broken), headers=headers(token, "broken"))
    assert again.status_code == 422 and again.headers["Idempotent-Replayed"] == "true"
    assert await Observation.all().count() == 0
    # a person's token is not a member token: the core refuses it as a Bearer token
    bearer = await client.post(URL, content=good, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "b"})
    assert bearer.status_code == 401
    spec = (await client.get("/api/v1/openapi.json")).json()
    operation = spec["paths"]["/api/v1/federation/reports"]["post"]
    assert "Idempotency-Key" in operation["summary"] and "requestBody" in operation


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="concurrency needs PostgreSQL")
async def test_concurrent_pushes_of_one_lab_apply_one_after_the_other(hub: RunningLab) -> None:
    lab, token = await member_with_token()
    clients = [hub.client() for _ in range(6)]
    docs = [body(document("BR-3550308", {"2025-Q1": {"projects": n, f"projects:k{n}": n}})) for n in range(1, 7)]
    answers = await asyncio.gather(*(c.post(URL, content=d, headers=headers(token, f"k{n}"))
                                     for n, (c, d) in enumerate(zip(clients, docs))))
    assert [a.status_code for a in answers] == [200] * 6, [a.text for a in answers]
    rows = await Observation.filter(member=lab, indicator="projects")
    total = [r.value for r in rows if r.kind == "_T"]
    assert len(total) == 1 and [r.kind for r in rows if r.kind != "_T"] == [f"k{total[0]}"]
    assert await Report.filter(member=lab).count() == 1
    # the same key at once: one answer, replayed to the other
    same = await asyncio.gather(*(c.post(URL, content=docs[0], headers=headers(token, "same")) for c in clients[:4]))
    assert len({(a.status_code, json.dumps(a.json(), sort_keys=True)) for a in same}) == 1 and await PushReceipt.filter(key="same").count() == 1


@pytest.mark.skipif(not os.environ.get("LABKIT_TEST_DATABASE_URL"), reason="concurrency needs PostgreSQL")
async def test_one_key_stores_one_body_even_when_two_arrive_at_once(hub: RunningLab) -> None:
    lab, token = await member_with_token()
    clients = [hub.client(), hub.client()]
    for attempt in range(20):
        docs = [body(document("BR-3550308", {"2025-Q1": {"projects": 100 * attempt + n}})) for n in (1, 2)]
        answers = await asyncio.gather(*(c.post(URL, content=d, headers=headers(token, f"race-{attempt}"))
                                         for c, d in zip(clients, docs)))
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200, 422], [a.text for a in answers]
        winner = next(n for n, a in zip((1, 2), answers) if a.status_code == 200)
        stored = await Observation.get(member=lab, period="2025-Q1", indicator="projects", module="_T", kind="_T")
        assert stored.value == 100 * attempt + winner, f"attempt {attempt}: the refused body was stored"


async def test_the_push_accepts_documents_up_to_max_document_bytes_beyond_the_core_body_limit(make_lab) -> None:
    hub = await make_lab(plugins=["federation"], settings={"security": {"max_body_bytes": 5_000},
                                                           "plugin.federation": {"max_document_bytes": 30_000}})
    lab, token = await member_with_token()
    doc = body(document("BR-3550308", {f"20{y:02d}": {"projects": y, "participants": y} for y in range(0, 10)}))
    assert 5_000 < len(doc) < 30_000
    answer = await hub.client().post(URL, content=doc, headers=headers(token, "big"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == await Observation.filter(member=lab).count() == 40  # four indicators x ten years
    # another API route keeps the core's limit
    other = await hub.client(token=None).post("/api/v1/federation/members", content=doc,
                                              headers={"Content-Type": "application/json"})
    assert other.status_code == 413 and other.json()["type"].endswith("too-large") and "5000 bytes" in other.json()["detail"]


def test_the_default_document_cap_fits_a_state_hub_of_1000_labs() -> None:
    periods = ("2023", "2024", "2025", "2025-Q2", "2025-Q3", "2025-Q4")
    lab = lab_document("BR-3550308", periods=periods)
    relayed = {"lab": lab["lab"], "periods": lab["periods"]}
    per_lab = len(json.dumps(relayed, ensure_ascii=False).encode())
    assert 1_000 * per_lab < FederationOptions().max_document_bytes


async def labkit(lab: Path, *args: str, env: dict[str, str]) -> tuple[int, str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("LABKIT_")} | env
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "labkit", "--lab", str(lab), *args,
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
                                                   env=environ)
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, out.decode(), err.decode()


async def test_a_lab_pushes_its_document_from_the_command_line(hub: RunningLab, tmp_path: Path) -> None:
    lab, token = await member_with_token()
    folder = tmp_path / "mobilab"
    write_lab(folder, ["indicators"], {"lab": {"municipal_code": "3550308", "country": "BR", "region": "BR-SP",
                                               "hub_url": hub.url}})  # the old key: still read
    assert (await labkit(folder, "migrate", env={}))[0] == 0
    with sqlite3.connect(folder / "data" / "lab.sqlite3") as db:
        db.execute("INSERT INTO indicators_manual_entry (period, indicator, value, module, kind, reason, created_at,"
                   " updated_at) VALUES ('2025-03', 'participants', 35, 'indicators', 'workshop', 'oficina',"
                   " '2025-03-02 00:00:00+00:00', '2025-03-02 00:00:00+00:00')")
    code, out, err = await labkit(folder, "indicators", "push", "--period", "2025-Q1", env={})
    assert code == 2 and err.strip().splitlines() == [
        "[lab] hub_url is deprecated: move it to [plugin.indicators] hub_url in lab.toml",
        "labkit: error: LABKIT_PLUGIN_INDICATORS_HUB_TOKEN is not set: put the token the hub issued in the environment "
        "or the lab's .env"]
    (folder / ".env").write_text((folder / ".env").read_text() + f"LABKIT_HUB_TOKEN={token}\n")
    code, out, err = await labkit(folder, "indicators", "push", "--period", "2025-Q1,2025-03", env={})
    assert code == 0, err
    assert "LABKIT_HUB_TOKEN is deprecated: name the variable LABKIT_PLUGIN_INDICATORS_HUB_TOKEN" in err
    write_lab(folder, ["indicators"], {"lab": {"municipal_code": "3550308", "country": "BR", "region": "BR-SP"},
                                       "plugin.indicators": {"hub_url": hub.url}})
    (folder / ".env").write_text((folder / ".env").read_text() + f"LABKIT_PLUGIN_INDICATORS_HUB_TOKEN={token}\n")
    assert out.startswith(f"sent 2025-Q1, 2025-03 to {hub.url}{URL}: 12 imported, 0 updated, 0 ignored")
    stored = await Observation.get(member=lab, period="2025-Q1", indicator="participants", module="_T", kind="_T")
    assert stored.value == 35 and stored.status == "provisional"
    code, out, err = await labkit(folder, "indicators", "push", "--period", "2025-Q1", env={})
    assert code == 0 and ": 0 imported, 0 updated, 6 ignored" in out
    await registry.revoke_token(lab)
    code, out, err = await labkit(folder, "indicators", "push", "--period", "2025-Q1", env={})
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("labkit: error: the hub refused the document (401)")
    assert token not in err + out


async def raw_post(url: str, head: dict[str, str], declared: int, sent: bytes, *, chunked: bool = False) -> bytes:
    """POST over a plain socket, sending only ``sent`` of a body that declares ``declared`` bytes
    (or, ``chunked``, as one chunk without end): the answer, read while the rest is never sent."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    length = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {declared}"
    lines = [f"POST {URL} HTTP/1.1", f"Host: {host}", "Content-Type: application/json", length,
             *(f"{name}: {value}" for name, value in head.items())]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    writer.write(f"{len(sent):x}\r\n".encode() + sent + b"\r\n" if chunked else sent)
    await writer.drain()
    try:
        head_and_body = await asyncio.wait_for(reader.read(65536), timeout=10)
    finally:
        writer.close()
    return head_and_body


async def test_a_push_without_a_valid_token_is_refused_before_its_body_is_read(make_lab) -> None:
    hub = await make_lab(plugins=["federation"])  # the default cap: 20 MB
    lab, token = await member_with_token()
    big = 19_000_000
    # 64 KB of a 19 MB body sent, the rest never: the 401 comes without waiting for it
    answer = await raw_post(hub.url, {"Idempotency-Key": "k"}, big, b"x" * 65536)
    assert answer.startswith(b"HTTP/1.1 401") and b"invalid-token" in answer, answer[:300]
    answer = await raw_post(hub.url, {"X-Labkit-Member-Token": "lkm_wrong", "Idempotency-Key": "k"}, big, b"x" * 65536)
    assert answer.startswith(b"HTTP/1.1 401") and b"invalid-token" in answer, answer[:300]


async def test_a_body_without_length_is_still_cut_at_the_routes_limit(hub: RunningLab) -> None:
    lab, token = await member_with_token()
    # a valid token, no Content-Length, more than max_document_bytes (20,000 here) streamed
    answer = await raw_post(hub.url, {"X-Labkit-Member-Token": token, "Idempotency-Key": "k"}, 0, b" " * 30_000,
                            chunked=True)
    assert answer.startswith(b"HTTP/1.1 413") and b"too-large" in answer and b"20000 bytes" in answer, answer[:300]
    assert await PushReceipt.all().count() == 0 and await Observation.all().count() == 0
