"""Shared fixtures of labkit's own tests (the lab fixtures come from ``labkit.testing``)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Awaitable, Callable, Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

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


class S3Server:
    """moto's S3 server on loopback: a real S3-protocol HTTP server (in a thread of the test process)
    that the lab reaches over HTTP like any bucket; tests look inside it with boto3, another client."""

    CREDENTIALS = {"LABKIT_STORAGE_ACCESS_KEY_ID": "labkit-test", "LABKIT_STORAGE_SECRET_ACCESS_KEY": "labkit-test-secret"}

    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"

    def new_bucket(self) -> str:
        """Create an empty bucket with a fresh name."""
        name = f"lab-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def settings(self, bucket: str, **more: object) -> dict[str, object]:
        """The ``[storage]`` table of a lab that keeps its files in ``bucket`` here."""
        return {"backend": "s3", "bucket": bucket, "endpoint_url": self.endpoint, "timeout_seconds": 5, **more}

    def client(self) -> Any:
        """A boto3 client of this server."""
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id="x",
                            aws_secret_access_key="x")

    def objects(self, bucket: str) -> dict[str, bytes]:
        """Every object of ``bucket`` by key, read with boto3."""
        client = self.client()
        listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {item["Key"]: client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read() for item in listing}


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """One S3 server for the whole run (each test makes its own bucket)."""
    server = S3Server()
    yield server
    server.server.stop()


@pytest.fixture
def s3_credentials(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The object storage's credentials in this process's environment (and so in the ``labkit``
    processes it starts), as a lab's ``.env`` would give them."""
    for name, value in S3Server.CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    return S3Server.CREDENTIALS
