"""E-mail: queued in the outbox with the action that causes it, sent later by the delivery worker.

:func:`send_mail` (and :func:`labkit.notifications.notify`) only add an
:class:`~labkit.models.OutboxMessage` row: inside a transaction it commits or rolls back with the
action, and a request never waits for an SMTP server. The words stay untranslated until delivery
(:mod:`labkit.outbox`), which renders them in the recipient's language.
"""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

from labkit.config import Settings
from labkit.i18n import Text, text
from labkit.models import OutboxMessage

_wakers: set[asyncio.Event] = set()
"""The events of this process's delivery workers, set when a message is queued."""


async def send_mail(to: str, subject: str, body: str, *, params: Mapping[str, Any] | None = None,
                    person_id: int | None = None, locale: str | None = None) -> OutboxMessage:
    """Queue a plain-text message to address ``to``.

    ``subject`` and ``body`` are untranslated messages (mark them with ``N_``) whose ``%(name)s``
    placeholders are filled from ``params`` at delivery, in the language of person ``person_id``
    (their ``locale``), else ``locale``, else the lab's default.
    """
    return await queue(to, text(subject, params), [text(body, params)], person_id=person_id, locale=locale)


async def queue(to: str, subject: Text, body: list[Text], *, person_id: int | None = None,
                locale: str | None = None) -> OutboxMessage:
    """Add a message to the outbox (in the caller's transaction, if any) and wake the workers."""
    message = await OutboxMessage.create(address=to[:254], subject=subject, body=body, person_id=person_id,
                                         locale=locale, next_attempt_at=datetime.now(UTC))
    for event in _wakers:
        event.set()
    return message


def compose(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    """The e-mail itself, from the lab's sender address."""
    message = EmailMessage()
    message["From"] = settings.mail.sender
    message["To"] = to
    message["Subject"] = " ".join(subject.split())[:150]
    message.set_content(body)
    return message


def smtp_send(settings: Settings, message: EmailMessage) -> None:
    """Hand ``message`` to the lab's SMTP server (blocking: run it in a thread). Raises on failure."""
    with smtplib.SMTP(settings.mail.host, settings.mail.port, timeout=settings.mail.timeout_seconds) as smtp:
        if settings.mail.starttls:
            smtp.starttls()
        if settings.mail.username:
            smtp.login(settings.mail.username, settings.mail_password)
        smtp.send_message(message)


def is_permanent(error: BaseException) -> bool:
    """Whether the server refused for good (a 5xx answer): retrying would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500
