"""A real SMTP server for the sending tests (aiosmtpd, in a thread of the test process or in a process of its own),
that can be told to misbehave: refuse an address for a while or for good, drop the connection, be slow, or hold a
message until the test says so; and the fixtures that publish an edition and subscribe readers to it.
"""

from __future__ import annotations

import asyncio
import datetime
import email
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from liaison.distribution.models import (
    Dispatch,
    Subscriber,
    SubscriberKind,
    Subscription,
    SubscriptionState,
    email_hash,
)
from liaison.periodicals.models import Issue, Periodical
from liaison.publishing.models import Edition

# Names in the scripts the federation writes in, on addresses every mail server accepts.
NAMES = ["Анна", "王芳", "فاطمة", "Zoë", "Ólafur"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    message_id: str
    recipients: list[str]
    data: bytes

    @property
    def message(self) -> Message:
        return email.message_from_bytes(self.data)


@dataclass
class Behaviour:
    """What the server does; every field can be changed while it runs."""

    # RCPT answers by address: a (code, text) answered every time, or a list of answers used up one by one.
    rcpt: dict[str, Any] = field(default_factory=dict)
    mail_answer: str = ""  # a refusal of every MAIL FROM ("550 …")
    # Close the connection instead of answering the MAIL FROM of the n-th message of a connection (1-based).
    drop_at_message: int = 0
    # Take the data of the message to this address, then close the connection without answering (once).
    drop_after_data: set[str] = field(default_factory=set)
    rcpt_delay: float = 0.0  # seconds before answering RCPT (where a slow server makes a sender wait)
    # Called with the number of messages received so far before answering a RCPT; may block.
    before_rcpt: Callable[[int], None] | None = None


class Handler:
    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.received: list[Received] = []
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        session.messages = 0  # type: ignore[attr-defined]
        return responses

    async def handle_MAIL(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        session.messages = getattr(session, "messages", 0) + 1  # type: ignore[attr-defined]
        if self.behaviour.drop_at_message and session.messages == self.behaviour.drop_at_message:  # type: ignore[attr-defined]
            assert server.transport is not None
            server.transport.close()
            return "421 4.3.2 closing"
        if self.behaviour.mail_answer:
            return self.behaviour.mail_answer
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.behaviour.before_rcpt is not None:
            count = len(self.received)
            await asyncio.get_running_loop().run_in_executor(None, self.behaviour.before_rcpt, count)
        if self.behaviour.rcpt_delay:
            await asyncio.sleep(self.behaviour.rcpt_delay)
        answer = self.behaviour.rcpt.get(address)
        if isinstance(answer, list):
            answer = answer.pop(0) if answer else None
        if answer:
            return str(answer)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        message_id = email.message_from_bytes(data).get("Message-ID", "")
        with self.lock:
            self.received.append(Received(message_id, list(envelope.rcpt_tos), data))
        for address in envelope.rcpt_tos:
            if address in self.behaviour.drop_after_data:
                # The server has the message; the sender never hears so (RFC 1047's window).
                self.behaviour.drop_after_data.discard(address)
                assert server.transport is not None
                server.transport.close()
                return "250 OK"
        return "250 OK"

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(r.message_id for r in self.received)


class SmtpServer:
    """aiosmtpd on a free local port, in a thread."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.handler = Handler(self.behaviour)
        self.port = free_port()
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, decode_data=False, ready_timeout=10
        )

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def counts(self) -> Counter[str]:
        return self.handler.counts()

    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A running server, and Django set to send to it over SMTP."""
    with SmtpServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 10
        yield server


def readers(
    periodical: Periodical,
    n: int,
    *,
    language: str = "fr",
    formats: list[str] | None = None,
    started_on: datetime.date = datetime.date(2024, 1, 1),
    prefix: str = "reader",
) -> list[Subscription]:
    """``n`` readers with active email subscriptions (made in bulk: the worker tests need hundreds)."""
    subscribers = [
        Subscriber(
            kind=SubscriberKind.PERSON,
            email=f"{prefix}{i}@example.org",
            email_hash=email_hash(f"{prefix}{i}@example.org"),  # what save() sets, which bulk_create skips
            language=language,
        )
        for i in range(n)
    ]
    made = Subscriber.objects.bulk_create(subscribers)
    return list(
        Subscription.objects.bulk_create(
            Subscription(
                subscriber=subscriber,
                periodical=periodical,
                language=language,
                formats=formats if formats is not None else ["web", "pdf"],
                state=SubscriptionState.ACTIVE,
                started_on=started_on,
            )
            for subscriber in made
        )
    )


def dispatches_of(issue: Issue) -> list[Dispatch]:
    return list(Dispatch.objects.filter(issue=issue).order_by("pk"))


def edition_of(issue: Issue, language: str = "fr") -> Edition:
    return Edition.objects.get(issue=issue, language=language, status="published")


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"waited {seconds}s for {what}")
