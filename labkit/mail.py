"""Sending e-mail through the lab's SMTP server; with none configured, messages are logged."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from labkit.config import Settings

log = logging.getLogger("labkit.mail")


def _send(settings: Settings, message: EmailMessage) -> None:
    with smtplib.SMTP(settings.mail.host, settings.mail.port, timeout=20) as smtp:
        if settings.mail.starttls:
            smtp.starttls()
        if settings.mail.username:
            smtp.login(settings.mail.username, settings.mail_password)
        smtp.send_message(message)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send a plain-text message; return whether it left. Failures are logged, never raised."""
    message = EmailMessage()
    message["From"] = settings.mail.sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if not settings.mail.host:
        log.info("mail (no SMTP host configured, not sent)\nTo: %s\nSubject: %s\n\n%s", to, subject, body)
        return True
    try:
        await asyncio.to_thread(_send, settings, message)
    except (OSError, smtplib.SMTPException) as error:
        log.error("mail to %s failed: %s", to, error)
        return False
    return True
