"""The outbox against a real SMTP server on loopback: queued with the action, delivered once,
retried with back-off after a refusal or an outage, failed after the last attempt, retried by staff."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise.context import TortoiseContext
from tortoise.transactions import in_transaction

from labkit import db
from labkit.config import load_settings
from labkit.mail import send_mail
from labkit.models import Notification, OutboxMessage
from labkit.notifications import notify
from labkit.plugins import Plugins
from labkit.testing import RunningLab, write_lab
from labkit.testing_server import LabServer, create_database, drop_database, free_port, labkit_command

from tests.conftest import Postbox

MakeLab = Callable[..., Awaitable[RunningLab]]


async def _time_passes() -> None:
    """Every queued message becomes due (instead of waiting for its back-off)."""
    await OutboxMessage.filter(status="queued").update(next_attempt_at=datetime.now(UTC))


async def test_a_notification_is_queued_with_its_action_and_delivered_once(make_lab: MakeLab, postbox: Postbox) -> None:
    lab = await make_lab(plugins=[], settings={"mail": postbox.settings()})
    person = await lab.person()
    async with in_transaction():
        await notify(lab.app, person.id, "Your booking is approved", "/coworking/bookings/1")
    with pytest.raises(RuntimeError):
        async with in_transaction():  # an action that fails leaves neither a notification nor a mail
            await notify(lab.app, person.id, "This never happened", "/nowhere")
            raise RuntimeError("the action failed")
    assert [n.message for n in await Notification.all()] == ["Your booking is approved"]
    assert [m.status for m in await OutboxMessage.all()] == ["queued"]
    assert postbox.received == []  # nothing is sent inside the action

    assert await lab.deliver_mail() == {"sent": 1}
    assert await lab.deliver_mail() == {}  # never twice
    (mail,) = postbox.received
    assert mail["To"] == person.email and mail["Subject"] == f"{lab.settings.lab.name}: Your booking is approved"
    assert mail.get_content().replace("\r\n", "\n").strip() == f"Your booking is approved\n\n{lab.settings.lab.base_url}/coworking/bookings/1"
    sent = await OutboxMessage.get()
    assert (sent.status, sent.attempts, sent.last_error) == ("sent", 1, "") and sent.sent_at is not None


async def test_a_temporary_refusal_is_retried_later_and_delivered_once(make_lab: MakeLab, postbox: Postbox) -> None:
    lab = await make_lab(plugins=[], settings={"mail": postbox.settings()})
    person = await lab.person()
    postbox.answers = ["451 4.3.0 Mailbox busy, try again later"]
    await send_mail(person.email, "Hello %(name)s", "A test message.", params={"name": person.name}, person_id=person.id)
    assert await lab.deliver_mail() == {"queued": 1}
    waiting = await OutboxMessage.get()
    assert waiting.attempts == 1 and "451" in waiting.last_error and postbox.received == []
    assert timedelta(seconds=25) < waiting.next_attempt_at - datetime.now(UTC) <= timedelta(seconds=30)
    assert await lab.deliver_mail() == {}  # not due yet: the back-off is respected
    await _time_passes()
    assert await lab.deliver_mail() == {"sent": 1}
    assert [m["Subject"] for m in postbox.received] == [f"Hello {person.name}"]
    assert (await OutboxMessage.get()).attempts == 2


async def test_a_permanent_refusal_fails_at_once_and_staff_can_send_it_again(make_lab: MakeLab, postbox: Postbox) -> None:
    lab = await make_lab(plugins=[], settings={"mail": postbox.settings()})
    person = await lab.person()
    postbox.answers = ["550 5.1.1 No such user here"]
    await send_mail(person.email, "Bounced", "Nobody reads this.", person_id=person.id)
    assert await lab.deliver_mail() == {"failed": 1}
    failed = await OutboxMessage.get()
    assert failed.attempts == 1 and "550" in failed.last_error

    member, staff = await lab.login_as("member"), await lab.login_as("staff")
    assert (await member.get("/admin/outbox")).status_code == 403
    assert (await member.submit(f"/admin/outbox/{failed.id}/retry")).status_code == 403
    page = await staff.get("/admin/outbox?status=failed")
    assert page.status_code == 200 and "Bounced" in page.text and "No such user here" in page.text
    assert "Nobody reads this." not in page.text  # bodies are never shown (they may hold a personal link)
    assert (await staff.get("/admin/outbox?status=lost")).status_code == 400
    assert (await staff.submit(f"/admin/outbox/{failed.id}/retry")).status_code == 303
    assert (await OutboxMessage.get()).status == "queued"
    assert await lab.deliver_mail() == {"sent": 1}
    assert [m["Subject"] for m in postbox.received] == ["Bounced"]
    again = await staff.submit(f"/admin/outbox/{failed.id}/retry")  # only a failed message can be retried
    assert "Only a failed message can be tried again." in (await staff.get(again.headers["location"])).text


async def test_a_server_that_is_down_never_slows_a_request_and_the_message_fails_after_its_attempts(make_lab: MakeLab) -> None:
    down = free_port()  # nothing listens here
    lab = await make_lab(plugins=[], settings={"mail": {"host": "127.0.0.1", "port": down, "starttls": False,
                                                        "worker": False, "retry_seconds": 30, "max_attempts": 3}})
    person = await lab.person()
    started = time.monotonic()
    answer = await lab.client().submit("/account/reset", {"email": person.email})
    assert answer.status_code == 303 and time.monotonic() - started < 2
    waits = []
    for expected in ("queued", "queued", "failed"):
        assert await lab.deliver_mail() == {expected: 1}
        message = await OutboxMessage.get()
        waits.append(round((message.next_attempt_at - datetime.now(UTC)).total_seconds() / 30))
        await _time_passes()
    assert waits[:2] == [1, 2]  # the back-off doubles
    assert message.status == "failed" and message.attempts == 3 and "refused" in message.last_error.lower()


async def test_without_a_mail_host_messages_go_to_the_log_and_the_outbox_page(
        core_lab: RunningLab, caplog: pytest.LogCaptureFixture) -> None:
    person = await core_lab.person()
    with caplog.at_level(logging.INFO, logger="labkit.mail"):
        await core_lab.client().submit("/account/reset", {"email": person.email})
        assert await core_lab.deliver_mail() == {"logged": 1}
    assert "Subject: Reset your password" in caplog.text and "/account/reset/" in caplog.text
    page = await (await core_lab.login_as("staff")).get("/admin/outbox")
    assert "Reset your password" in page.text and person.email in page.text and "/account/reset/" not in page.text
    assert (await OutboxMessage.get()).status == "logged"


async def test_two_worker_processes_deliver_everything_once(tmp_path: Path, postbox: Postbox) -> None:
    """``labkit serve --workers 2`` sharing one database, each with its delivery worker, then
    ``labkit mail send`` from cron: every message arrives exactly once, refusals included."""
    postgres = os.environ.get("LABKIT_TEST_DATABASE_URL")
    folder = tmp_path / "lab"
    url = await create_database(postgres, "labkit_mail") if postgres else f"sqlite://{folder / 'data' / 'lab.sqlite3'}"
    try:
        write_lab(folder, [], {"database": {"url": url},
                               "mail": postbox.settings(worker=True, poll_seconds=0.2, retry_seconds=0.2, max_attempts=5)})
        settings = load_settings(folder, {})
        plugins = Plugins(settings)
        await db.migrate(settings, plugins)
        async with TortoiseContext() as context:
            await context.init(config=db.tortoise_config(settings, plugins))
            for number in range(40):
                await send_mail(f"person{number}@example.org", "Message %(number)s", "Body.", params={"number": number})
            postbox.answers = ["451 4.3.0 Busy"] * 6
            server = await asyncio.to_thread(LabServer.start, folder, workers=2)
            try:
                for _ in range(600):
                    if await OutboxMessage.filter(status="sent").count() == 40:
                        break
                    await asyncio.sleep(0.1)
                await asyncio.sleep(0.5)  # time for a second delivery, if there were going to be one
            finally:
                await asyncio.to_thread(server.stop)
            subjects = Counter(m["Subject"] for m in postbox.received)
            assert sorted(subjects) == sorted(f"Message {n}" for n in range(40)), server.log()
            assert set(subjects.values()) == {1} and postbox.answers == []
            assert {m.status for m in await OutboxMessage.all()} == {"sent"}
            assert sum(m.attempts for m in await OutboxMessage.all()) == 46  # 40 deliveries and 6 refusals
            await send_mail("cron@example.org", "From cron", "Body.")
        cron = await asyncio.to_thread(subprocess.run, labkit_command(folder, "mail", "send"),
                                       capture_output=True, text=True, timeout=120)
        assert cron.returncode == 0 and cron.stdout.startswith("1 sent, 0 logged, 0 to retry later, 0 failed"), cron.stderr
        assert [m["Subject"] for m in postbox.received].count("From cron") == 1
    finally:
        if postgres:
            await drop_database(url)
