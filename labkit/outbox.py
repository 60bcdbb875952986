"""The delivery worker: sends the outbox's due messages, one worker at a time across machines.

A pass (:func:`deliver_pass`) takes the core lease named ``mail`` (:mod:`labkit.leases`), so two
workers never deliver together; it runs in every ``labkit serve`` worker (:class:`Worker`, started
by the app's lifespan, when ``[mail] worker`` is on) and from cron as ``labkit mail send``.

Each message is first *claimed*: one ``UPDATE … WHERE id = ? AND attempts = n`` moves it to
``sending`` and counts the attempt, so even a worker whose lease ran out cannot send a message
another worker has claimed. Then, in the recipient's language (their ``locale``, the message's,
or the lab's default), it is:

- handed to the SMTP server in a thread (the event loop never waits for it): ``sent``;
- written to the ``labkit.mail`` log when no ``[mail] host`` is set: ``logged``;
- refused for good (a 5xx answer), or refused or unreachable ``max_attempts`` times: ``failed``,
  with the last error; otherwise ``queued`` again, ``retry_seconds`` later, doubled each attempt.

A worker that dies while sending leaves a claim that expires; the message is then tried again
(it may arrive twice in that case: a lost message would be worse).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from datetime import UTC, datetime, timedelta

from tortoise.expressions import Q

from labkit import i18n, leases, mail
from labkit.config import Settings
from labkit.models import OutboxMessage, Person

log = logging.getLogger("labkit.mail")

LEASE_NAME = "mail"
LONGEST_WAIT = timedelta(days=1)
"""The longest back-off between two attempts."""
BATCH = 50
"""Messages claimed per query; a pass goes on until none is due."""
WAKE_DELAY = 0.2
"""After a wake-up, the moment given to the queuing transaction to commit."""


async def deliver_pass(settings: Settings, catalogs: i18n.Catalogs, holder: str | None = None,
                       stop: asyncio.Event | None = None) -> Counter[str] | None:
    """Deliver every due message holding the ``mail`` lease (until ``stop`` is set): how many
    ended in each status, or ``None`` when another worker holds the lease."""
    holder = holder or leases.holder_id()
    if not await leases.acquire(LEASE_NAME, holder):
        return None
    i18n.current_catalogs.set(catalogs)
    outcomes: Counter[str] = Counter()
    async with leases.holding(LEASE_NAME, holder):
        while batch := await _due():
            for message in batch:
                if stop is not None and stop.is_set():
                    return outcomes
                if status := await deliver(settings, message):
                    outcomes[status] += 1
    return outcomes


async def _due() -> list[OutboxMessage]:
    now = datetime.now(UTC)
    return await (OutboxMessage.filter(Q(status="queued", next_attempt_at__lte=now)
                                       | Q(status="sending", claimed_until__lt=now))
                  .order_by("id").limit(BATCH))


async def deliver(settings: Settings, message: OutboxMessage) -> str | None:
    """Claim and send one message; its new status, or ``None`` when another worker claimed it."""
    now = datetime.now(UTC)
    attempt = message.attempts + 1
    claim = now + timedelta(seconds=settings.mail.timeout_seconds * 3 + 60)
    claimed = await (OutboxMessage.filter(id=message.id, attempts=message.attempts, status__in=("queued", "sending"))
                     .update(status="sending", attempts=attempt, claimed_until=claim))
    if not claimed:
        return None
    person = await Person.get_or_none(id=message.person_id) if message.person_id else None
    if message.person_id and (person is None or not person.is_active):
        return await _finish(message, attempt, "failed", "the account is closed or blocked")
    tag = _language(settings, person, message)
    address = person.email if person else message.address
    subject = i18n.render(message.subject, tag)
    body = "\n\n".join(i18n.render(part, tag) for part in message.body)
    if not settings.mail.host:
        log.info("mail (no SMTP host configured, not sent)\nTo: %s\nSubject: %s\n\n%s", address, subject, body)
        return await _finish(message, attempt, "logged")
    try:
        await asyncio.to_thread(mail.smtp_send, settings, mail.compose(settings, address, subject, body))
    except Exception as error:  # any failure of the transport is recorded on the message
        reason = " ".join(str(error).split()) or type(error).__name__
        log.warning("mail #%s to %s failed (attempt %s): %s", message.id, address, attempt, reason)
        if mail.is_permanent(error) or attempt >= settings.mail.max_attempts:
            return await _finish(message, attempt, "failed", reason)
        wait = min(timedelta(seconds=settings.mail.retry_seconds * 2 ** (attempt - 1)), LONGEST_WAIT)
        return await _finish(message, attempt, "queued", reason, next_attempt_at=datetime.now(UTC) + wait)
    return await _finish(message, attempt, "sent")


def _language(settings: Settings, person: Person | None, message: OutboxMessage) -> str:
    for tag in (person.locale if person else None, message.locale):
        if tag in settings.lab.languages:
            return tag
    return settings.lab.default_language


async def _finish(message: OutboxMessage, attempt: int, status: str, error: str = "", **more: object) -> str:
    done = {"sent_at": datetime.now(UTC)} if status in ("sent", "logged") else {}
    await OutboxMessage.filter(id=message.id, status="sending", attempts=attempt).update(
        status=status, last_error=error[:500] if error else message.last_error, claimed_until=None, **done, **more)
    return status


async def retry(message_id: int) -> bool:
    """Queue a failed message again, with a fresh count of attempts; ``False`` if it is not failed."""
    return bool(await OutboxMessage.filter(id=message_id, status="failed").update(
        status="queued", attempts=0, next_attempt_at=datetime.now(UTC)))


class Worker:
    """The delivery loop of one server worker (started and stopped by the app's lifespan)."""

    def __init__(self, settings: Settings, catalogs: i18n.Catalogs) -> None:
        self.settings = settings
        self.catalogs = catalogs
        self.holder = leases.holder_id()
        self.wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start delivering in the background."""
        mail._wakers.add(self.wake)
        self.task = asyncio.create_task(self._loop(), name="labkit-mail-worker")

    async def stop(self) -> None:
        """Stop after the message being sent, if any (cancelled if the server takes too long: that
        message stays claimed and is tried again once the claim expires)."""
        mail._wakers.discard(self.wake)
        if self.task is not None:
            self.stopping.set()
            self.wake.set()
            with contextlib.suppress(TimeoutError):  # wait_for cancelled it
                await asyncio.wait_for(self.task, self.settings.mail.timeout_seconds + 5)
            self.task = None

    async def _loop(self) -> None:
        while not self.stopping.is_set():
            try:
                await deliver_pass(self.settings, self.catalogs, self.holder, self.stopping)
            except Exception:  # the database was down for a moment: try again at the next tick
                log.exception("the mail delivery worker failed; it will try again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), self.settings.mail.poll_seconds)
                await asyncio.sleep(WAKE_DELAY)
            self.wake.clear()
