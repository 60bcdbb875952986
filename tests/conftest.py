"""Shared fixtures of labkit's own tests (the lab fixtures come from ``labkit.testing``)."""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from labkit.testing import RunningLab
from labkit.testing_server import free_port

ROOT = Path(__file__).resolve().parent.parent
HELLO = ROOT / "examples" / "labkit-hello" / "labkit_hello"


@pytest.fixture
async def hello_lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with the example plugin dropped into its ``plugins/`` folder."""
    return await make_lab(plugins=["hello"], local_plugins=[HELLO])


@pytest.fixture
async def core_lab(make_lab: Callable[..., Awaitable[RunningLab]]) -> RunningLab:
    """A running lab with no plugin but the core."""
    return await make_lab(plugins=[])


class Postbox:
    """A real SMTP server on loopback (aiosmtpd, in its own thread) that keeps what it accepts.

    ``answers`` are replies to give instead of accepting the next messages (``"451 …"``, a
    temporary refusal; ``"550 …"``, a permanent one), used up one message at a time.
    """

    def __init__(self) -> None:
        self.received: list[EmailMessage] = []
        self.answers: list[str] = []
        self.port = free_port()
        self._lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:
        """aiosmtpd's hook: refuse with the next answer, or keep the message."""
        with self._lock:
            if self.answers:
                return self.answers.pop(0)
            self.received.append(message_from_bytes(envelope.content or b"", policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def settings(self, **more: object) -> dict[str, object]:
        """The ``[mail]`` table of a lab that sends here (the worker off: tests deliver themselves)."""
        return {"host": "127.0.0.1", "port": self.port, "starttls": False, "worker": False,
                "retry_seconds": 30, "max_attempts": 3, "timeout_seconds": 5, **more}


@pytest.fixture
def postbox() -> Iterator[Postbox]:
    """An SMTP server on a free loopback port for the test."""
    box = Postbox()
    box.controller.start()
    yield box
    box.controller.stop()
