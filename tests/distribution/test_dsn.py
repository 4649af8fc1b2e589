"""Bounce reports mailed back later (``dsn`` and ``liaison bounces``): real reports of Postfix, Exim (today's and an
old one's), qmail and a mail system writing in UTF-8, read from ``tests/distribution/dsn/``; what is not a bounce
(a delay, an auto-reply, a broken message, a huge one) changes nothing; neither does a report about another
domain's message, another address, or a round sent again since. Recording is idempotent and pauses the
subscription after the threshold, even though the sender resets the count whenever the relay accepts a message.
"""

from __future__ import annotations

import io
import logging
import mailbox
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core import mail as django_mail
from django.core.management import CommandError, call_command
from django.db import OperationalError
from django.utils import timezone

from liaison.distribution import dsn, sending, services
from liaison.distribution.models import (
    DISPATCH_TRANSITIONS,
    Bounce,
    BounceKind,
    Dispatch,
    DispatchState,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
    email_hash,
)
from liaison.periodicals.models import Periodical
from liaison.publishing.models import Edition
from tests.distribution.conftest import publish, reader, subscription
from tests.publishing.fixtures_core import issue, published, published_dir, renderers

__all__ = ["issue", "published", "published_dir", "renderers"]

SAMPLES = Path(__file__).parent / "dsn"
HOST = "liaison.example.org"


@pytest.fixture(autouse=True)
def _site(settings: Any) -> None:
    settings.SITE_URL = f"https://{HOST}"


def sample(name: str, dispatch: Dispatch | None = None, message_id: str = "") -> bytes:
    raw = (SAMPLES / name).read_bytes()
    message_id = message_id or (dispatch.make_message_id() if dispatch else "<someone-else@example.org>")
    return raw.replace(b"{{MESSAGE_ID}}", message_id.encode()).replace(
        b"{{PK}}", str(dispatch.pk if dispatch else 1).encode()
    )


def sent(periodical: Periodical, address: str, number: int = 1, *, state: str = DispatchState.SENT) -> Dispatch:
    """A dispatch of issue ``number`` to ``address`` (one subscription per address), as the sender leaves it once
    the relay has taken the message; and, as the sender does then, the subscription's count of bounces reset."""
    found = Subscription.objects.filter(subscriber__email_hash=email_hash(address)).first()
    if found is None:
        found = subscription(reader(address), periodical)
    edition = Edition.objects.filter(issue__periodical=periodical, issue__number=number).first() or publish(
        periodical, number
    )
    dispatch = Dispatch.objects.create(
        subscription=found, issue=edition.issue, language="en", edition=edition, state=state, attempts=1
    )
    if state == DispatchState.SENT:
        Dispatch.objects.filter(pk=dispatch.pk).update(sent_at=timezone.now(), message_id=dispatch.make_message_id())
        Subscription.objects.filter(pk=found.pk).update(bounce_count=0)
    dispatch.refresh_from_db()
    return dispatch


def state_of(dispatch: Dispatch) -> str:
    dispatch.refresh_from_db()
    return dispatch.state


# Reports that record a bounce ----------------------------------------------------------------------------------------


def test_a_postfix_report_bounces_the_dispatch(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    tally = dsn.process(sample("postfix.eml", dispatch))

    assert (tally.recorded, tally.known, tally.not_bounce, tally.unknown, tally.ignored) == (1, 0, 0, 0, 0)
    dispatch.refresh_from_db()
    assert dispatch.state == DispatchState.BOUNCED
    assert dispatch.sent_at is not None  # it was sent: the relay took it, then reported the failure
    bounce = Bounce.objects.get(dispatch=dispatch)
    assert bounce.kind == BounceKind.PERMANENT
    assert bounce.code == 550
    assert "5.1.1" in bounce.message
    assert "User unknown in virtual mailbox table" in bounce.message
    assert dispatch.last_error == bounce.message
    subscription = dispatch.subscription
    subscription.refresh_from_db()
    assert subscription.bounce_count == 1
    assert subscription.state == SubscriptionState.ACTIVE


def test_the_same_report_read_twice_records_nothing_the_second_time(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    raw = sample("postfix.eml", dispatch)
    dsn.process(raw)

    again = dsn.process(raw)

    assert (again.recorded, again.known) == (0, 1)
    assert Bounce.objects.filter(dispatch=dispatch).count() == 1
    assert Subscription.objects.get(pk=dispatch.subscription_id).bounce_count == 1


def test_an_exim_report_bounces_the_dispatch(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "bob@example.net")

    assert dsn.process(sample("exim.eml", dispatch)).recorded == 1

    bounce = Bounce.objects.get(dispatch=dispatch)
    assert bounce.code == 550
    assert "The email account that you tried to reach is disabled." in bounce.message


@pytest.mark.parametrize(
    ("name", "address", "said"),
    [
        ("exim-classic.eml", "carla@old.example.com", "550 No such user here"),
        ("qmail.eml", "dora@example.edu", "no mailbox here by that name. (#5.1.1)"),
    ],
)
def test_a_plain_bounce_of_a_mail_system_is_read_when_it_names_the_recipient(
    bulletin: Periodical, name: str, address: str, said: str
) -> None:
    dispatch = sent(bulletin, address)
    report = dsn.parse(sample(name, dispatch))
    assert report.kind == "plain"
    assert [f.recipient for f in report.failures] == [address]

    assert dsn.process(sample(name, dispatch)).recorded == 1

    assert state_of(dispatch) == DispatchState.BOUNCED
    assert said in Bounce.objects.get(dispatch=dispatch).message


def test_a_plain_bounce_that_does_not_name_the_recipient_is_not_read(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "carla@old.example.com")
    raw = sample("exim-classic.eml", dispatch).replace(b"  carla@old.example.com\n", b"  someone\n")
    raw = raw.replace(b"RCPT TO:<carla@old.example.com>", b"RCPT TO:<someone>")

    assert dsn.process(raw).not_bounce == 1
    assert state_of(dispatch) == DispatchState.SENT


def test_a_report_in_utf8_keeps_its_diagnostic(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "王芳@例え.jp")

    assert dsn.process(sample("global.eml", dispatch)).recorded == 1

    bounce = Bounce.objects.get(dispatch=dispatch)
    assert bounce.code == 552
    assert "メールボックスがいっぱいです" in bounce.message


def test_raw_8bit_diagnostics_are_read_as_utf8(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    assert dsn.process(sample("cyrillic.eml", dispatch)).recorded == 1

    message = Bounce.objects.get(dispatch=dispatch).message
    assert "Сообщение отклонено: адресат недоступен (ящик «Анна» закрыт)" in message
    assert "\ufffd" not in message


def test_a_truncated_report_is_read_as_far_as_it_goes(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    assert dsn.process(sample("truncated.eml", dispatch)).recorded == 1
    assert state_of(dispatch) == DispatchState.BOUNCED


def test_a_report_about_a_failed_dispatch_gives_it_up(bulletin: Periodical) -> None:
    # The relay took an earlier attempt (its answer lost), and a later one failed for a while: the address is dead.
    dispatch = sent(bulletin, "anna@example.org", state=DispatchState.FAILED)

    assert dsn.process(sample("postfix.eml", dispatch)).recorded == 1
    assert state_of(dispatch) == DispatchState.BOUNCED


def test_the_real_senders_message_id_is_recognised(published: Edition) -> None:
    subscription(reader("anna@example.org", "fr"), published.issue.periodical, "fr")
    services.create_dispatches(published)
    assert sending.send_due().sent == 1
    message_id = django_mail.outbox[0].extra_headers["Message-ID"]
    dispatch = Dispatch.objects.get()

    assert dsn.process(sample("postfix.eml", message_id=message_id)).recorded == 1
    assert state_of(dispatch) == DispatchState.BOUNCED


# Reports that change nothing ---------------------------------------------------------------------------------------


def test_a_delay_is_not_a_bounce(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    report = dsn.parse(sample("delayed.eml", dispatch))
    assert (report.is_bounce, report.delayed) == (False, 1)

    assert dsn.process(sample("delayed.eml", dispatch)).not_bounce == 1

    assert state_of(dispatch) == DispatchState.SENT
    assert not Bounce.objects.exists()


def test_an_auto_reply_naming_the_message_is_not_a_bounce(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    assert dsn.process(sample("autoreply.eml", dispatch)).not_bounce == 1
    assert state_of(dispatch) == DispatchState.SENT


@pytest.mark.parametrize(
    "raw",
    [
        (SAMPLES / "malformed.eml").read_bytes(),
        b"",
        b"\x00\xff" * 1000,
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\n--x--\n",
        b"Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; anna@example.org\nAction: failed\n",
    ],
    ids=["malformed", "empty", "binary", "empty-report", "no-original"],
)
def test_a_broken_message_changes_nothing(bulletin: Periodical, raw: bytes) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    tally = dsn.process(raw)

    assert tally.recorded == 0
    assert tally.not_bounce + tally.unknown == 1
    assert state_of(dispatch) == DispatchState.SENT
    assert not Bounce.objects.exists()


def test_a_huge_message_is_refused_unread(bulletin: Periodical, settings: Any) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    raw = sample("postfix.eml", dispatch)
    huge = raw + b"x" * (dsn.max_bytes() - len(raw) + 1)
    with pytest.raises(dsn.TooLarge):
        dsn.parse(huge)

    assert dsn.process(huge).too_large == 1
    assert state_of(dispatch) == DispatchState.SENT

    settings.DISTRIBUTION_BOUNCE_MAX_BYTES = len(raw) - 1
    assert dsn.process(raw).too_large == 1
    settings.DISTRIBUTION_BOUNCE_MAX_BYTES = len(raw)
    assert dsn.process(raw).recorded == 1


def test_a_report_about_another_domains_message_changes_nothing(bulletin: Periodical, caplog: Any) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    raw = sample("forged.eml", dispatch)  # <dispatch-PK.0@evil.example>: this very dispatch's number
    assert dsn.parse(raw).failures[0].message_id == f"<dispatch-{dispatch.pk}.0@evil.example>"

    with caplog.at_level(logging.INFO, logger="liaison.distribution.dsn"):
        tally = dsn.process(raw)

    assert tally.unknown == 1
    assert state_of(dispatch) == DispatchState.SENT
    assert "not a message of Liaison's" in caplog.text


def test_a_report_for_another_address_changes_nothing(bulletin: Periodical, caplog: Any) -> None:
    dispatch = sent(bulletin, "zoe@example.org")  # the report names anna@example.org

    with caplog.at_level(logging.WARNING, logger="liaison.distribution.dsn"):
        tally = dsn.process(sample("postfix.eml", dispatch))

    assert tally.ignored == 1
    assert state_of(dispatch) == DispatchState.SENT
    assert not Bounce.objects.exists()
    assert f"dispatch {dispatch.pk} names a…@example.org, not its subscriber's address" in caplog.text


def test_a_report_for_several_recipients_records_only_the_dispatchs(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    tally = dsn.process(sample("multi.eml", dispatch))

    # anna's failure recorded; a stranger's and an alias's ignored; the delivered one not a failure at all.
    assert (tally.recorded, tally.ignored) == (1, 2)
    assert state_of(dispatch) == DispatchState.BOUNCED


def test_an_alias_delivered_to_one_of_its_addresses_did_not_bounce(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "office@example.org")
    report = dsn.parse(sample("multi.eml", dispatch))
    assert [(f.recipient, f.original_recipient) for f in report.failures][-1] == ("office-work@example.net", "")

    assert dsn.process(sample("multi.eml", dispatch)).recorded == 0
    assert state_of(dispatch) == DispatchState.SENT


def test_a_report_about_a_round_sent_again_since_changes_nothing(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    old_round = dispatch.make_message_id()
    Dispatch.objects.filter(pk=dispatch.pk).update(resends=1)  # claimed, and sent again
    dispatch.refresh_from_db()
    never_sent = f"<dispatch-{dispatch.pk}.2@{HOST}>"

    assert dsn.process(sample("postfix.eml", message_id=old_round)).known == 1
    assert dsn.process(sample("postfix.eml", message_id=never_sent)).unknown == 1
    assert state_of(dispatch) == DispatchState.SENT
    assert dsn.process(sample("postfix.eml", dispatch)).recorded == 1


@pytest.mark.parametrize("state", [DispatchState.PENDING, DispatchState.SENDING, DispatchState.CANCELLED])
def test_a_dispatch_not_sent_is_left_to_the_sender(bulletin: Periodical, state: str) -> None:
    dispatch = sent(bulletin, "anna@example.org", state=state)

    assert dsn.process(sample("postfix.eml", dispatch)).ignored == 1
    assert state_of(dispatch) == state


def test_a_post_subscriptions_dispatch_is_not_bounced_by_mail(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    Subscription.objects.filter(pk=dispatch.subscription_id).update(channel=SubscriptionChannel.POST)

    assert dsn.process(sample("postfix.eml", dispatch)).ignored == 1
    assert state_of(dispatch) == DispatchState.SENT


@pytest.mark.parametrize(
    "message_id",
    [
        "<dispatch-99999999999999999999.0@liaison.example.org>",
        "<dispatch-1.0@liaison.example.org.evil.example>",
        "<dispatch-x.0@liaison.example.org>",
        "",
    ],
)
def test_message_ids_not_of_a_dispatch_are_unknown(bulletin: Periodical, message_id: str) -> None:
    sent(bulletin, "anna@example.org")
    assert dsn.dispatch_of(message_id) is None
    assert dsn.process(sample("postfix.eml", message_id=message_id or "<>")).unknown == 1


def test_message_ids_are_read_back_as_the_sender_makes_them(bulletin: Periodical) -> None:
    dispatch = sent(bulletin, "anna@example.org")
    Dispatch.objects.filter(pk=dispatch.pk).update(resends=3)
    dispatch.refresh_from_db()
    assert dsn.dispatch_of(dispatch.make_message_id()) == (dispatch.pk, 3)
    assert dsn.dispatch_of(dispatch.make_message_id().upper().replace("DISPATCH", "dispatch")) == (dispatch.pk, 3)


def test_a_bounce_by_mail_is_in_the_transition_table() -> None:
    for old in dsn.BOUNCEABLE:
        assert DispatchState.BOUNCED in DISPATCH_TRANSITIONS[old]


# Pausing -----------------------------------------------------------------------------------------------------------


def test_the_subscription_is_paused_after_three_reports_though_the_relay_took_every_message(
    bulletin: Periodical,
) -> None:
    # Each issue goes out (the relay accepts it, and the sender resets the count), then its bounce report comes.
    for number in (1, 2):
        dispatch = sent(bulletin, "anna@example.org", number)
        assert dsn.process(sample("postfix.eml", dispatch)).paused == 0
    subscription = Subscription.objects.get(pk=dispatch.subscription_id)
    assert (subscription.state, subscription.bounce_count) == (SubscriptionState.ACTIVE, 2)

    dispatch = sent(bulletin, "anna@example.org", 3)
    tally = dsn.process(sample("postfix.eml", dispatch))

    assert tally.paused == 1
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.PAUSED
    assert subscription.bounce_count == 3
    assert "3 emails in a row could not be delivered" in subscription.state_reason


def test_a_message_delivered_between_two_bounces_starts_the_count_again(bulletin: Periodical) -> None:
    dsn.process(sample("postfix.eml", sent(bulletin, "anna@example.org", 1)))
    sent(bulletin, "anna@example.org", 2)  # delivered: no report
    for number in (3, 4):
        dsn.process(sample("postfix.eml", sent(bulletin, "anna@example.org", number)))

    subscription = Subscription.objects.get()
    assert (subscription.state, subscription.bounce_count) == (SubscriptionState.ACTIVE, 2)


def test_a_resumed_subscription_counts_from_zero(bulletin: Periodical) -> None:
    for number in (1, 2, 3):
        dsn.process(sample("postfix.eml", sent(bulletin, "anna@example.org", number)))
    subscription = Subscription.objects.get()
    assert subscription.state == SubscriptionState.PAUSED
    services.set_subscription_state(subscription, SubscriptionState.ACTIVE, "the address works again")

    dsn.process(sample("postfix.eml", sent(bulletin, "anna@example.org", 4)))

    subscription.refresh_from_db()
    assert (subscription.state, subscription.bounce_count) == (SubscriptionState.ACTIVE, 1)


def test_bounces_in_the_session_and_by_mail_count_together(bulletin: Periodical) -> None:
    subscription = Subscription.objects.get(pk=sent(bulletin, "anna@example.org", 1).subscription_id)
    Subscription.objects.filter(pk=subscription.pk).update(bounce_count=2)  # two refusals while sending
    dispatch = sent(bulletin, "anna@example.org", 2, state=DispatchState.FAILED)

    assert dsn.process(sample("postfix.eml", dispatch)).paused == 1
    subscription.refresh_from_db()
    assert subscription.state == SubscriptionState.PAUSED


# The command -------------------------------------------------------------------------------------------------------


def bounces(*args: str, stdin: bytes | None = None, monkeypatch: Any = None) -> str:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    out = io.StringIO()
    call_command("bounces", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_reads_one_message_from_standard_input(bulletin: Periodical, monkeypatch: Any) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    output = bounces(stdin=sample("postfix.eml", dispatch), monkeypatch=monkeypatch)

    assert "Messages read: 1. Bounces recorded: 1; already known: 0; not a bounce: 0" in output
    assert state_of(dispatch) == DispatchState.BOUNCED


def test_the_command_ends_normally_for_a_message_that_is_not_a_bounce(bulletin: Periodical, monkeypatch: Any) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    output = bounces(stdin=sample("autoreply.eml", dispatch), monkeypatch=monkeypatch)

    assert "Bounces recorded: 0; already known: 0; not a bounce: 1" in output


def test_the_command_reads_no_more_than_the_limit_and_drains_the_rest(
    bulletin: Periodical, monkeypatch: Any, settings: Any
) -> None:
    settings.DISTRIBUTION_BOUNCE_MAX_BYTES = 1000
    stream = io.BytesIO(b"x" * 300_000)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(stream))

    output = bounces()

    assert "too large: 1" in output
    assert stream.read() == b""  # all of it read: the mail server's pipe never breaks


def test_the_command_says_it_needs_input(monkeypatch: Any) -> None:
    class Terminal(io.TextIOWrapper):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(b"")))
    with pytest.raises(CommandError, match="Pipe one message"):
        bounces()


def test_a_database_error_asks_the_mail_server_to_try_again(bulletin: Periodical, monkeypatch: Any) -> None:
    dispatch = sent(bulletin, "anna@example.org")

    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(dsn.Dispatch.objects, "select_related", down)
    with pytest.raises(CommandError) as error:
        bounces(stdin=sample("postfix.eml", dispatch), monkeypatch=monkeypatch)

    assert error.value.returncode == 75
    assert "try again later" in str(error.value)


def run_liaison(tmp_path: Path, raw: bytes) -> subprocess.CompletedProcess[bytes]:
    """``liaison bounces`` in a process of its own, as a mail server's pipe runs it, on a database with no tables:
    any query fails as a database that cannot be reached does."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "LIAISON_VAR_DIR": str(tmp_path),
        "SITE_URL": f"https://{HOST}",
        "REDIS_URL": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "liaison", "bounces"], input=raw, env=env, capture_output=True, timeout=60, check=False
    )


def test_the_pipe_exits_0_for_what_is_not_a_bounce_and_75_when_the_database_fails(tmp_path: Path) -> None:
    not_a_bounce = run_liaison(tmp_path, sample("autoreply.eml", message_id=f"<dispatch-1.0@{HOST}>"))
    assert not_a_bounce.returncode == 0, not_a_bounce.stderr
    assert b"not a bounce: 1" in not_a_bounce.stdout

    unreachable = run_liaison(tmp_path, sample("postfix.eml", message_id=f"<dispatch-1.0@{HOST}>"))
    assert unreachable.returncode == 75, unreachable.stderr
    assert b"try again later" in unreachable.stderr


def maildir(path: Path, messages: list[tuple[bytes, str, str]]) -> list[str]:
    """A Maildir holding ``messages`` (raw, folder, flags), under names that sort in the order given (the order the
    command reads them in); returns their keys."""
    mailbox.Maildir(path, create=True)
    keys = []
    for i, (raw, folder, flags) in enumerate(messages):
        key = f"{1717400000 + i}.M{i}P1.test"
        name = key if folder == "new" else f"{key}:2,{flags}"
        (path / folder / name).write_bytes(raw)
        keys.append(key)
    return keys


def where(path: Path, key: str) -> str:
    """``new/KEY`` or ``cur/KEY:2,FLAGS``, as the file is now."""
    found = [
        f"{folder}/{name}" for folder in ("new", "cur") for name in os.listdir(path / folder) if name.startswith(key)
    ]
    assert len(found) == 1
    return found[0]


def test_the_command_reads_the_unread_messages_of_a_maildir(
    bulletin: Periodical, tmp_path: Path, settings: Any
) -> None:
    anna = sent(bulletin, "anna@example.org")
    bob = sent(bulletin, "bob@example.net")
    read_before = sent(bulletin, "carla@old.example.com")
    path = tmp_path / "bounces"
    huge = b"x" * 200_000
    settings.DISTRIBUTION_BOUNCE_MAX_BYTES = 100_000
    keys = maildir(
        path,
        [
            (sample("postfix.eml", anna), "new", ""),
            (sample("autoreply.eml", anna), "new", ""),
            (sample("exim.eml", bob), "cur", "R"),  # seen by nobody yet, replied to
            (sample("exim-classic.eml", read_before), "cur", "S"),  # read already: left alone
            (huge, "new", ""),
        ],
    )

    output = bounces("--maildir", str(path))

    assert (
        "Messages read: 4. Bounces recorded: 2; already known: 0; not a bounce: 1; unknown message: 0; ignored "
        "(another address, or a dispatch not sent): 0; too large: 1. Subscriptions paused: 0." in output
    )
    assert (state_of(anna), state_of(bob), state_of(read_before)) == (
        DispatchState.BOUNCED,
        DispatchState.BOUNCED,
        DispatchState.SENT,
    )
    assert [where(path, key) for key in keys] == [
        f"cur/{keys[0]}:2,S",
        f"cur/{keys[1]}:2,S",
        f"cur/{keys[2]}:2,RS",
        f"cur/{keys[3]}:2,S",
        f"cur/{keys[4]}:2,FS",
    ]

    assert "Messages read: 0." in bounces("--maildir", str(path))


def test_a_database_error_leaves_the_maildir_message_unread(
    bulletin: Periodical, tmp_path: Path, monkeypatch: Any
) -> None:
    anna = sent(bulletin, "anna@example.org")
    path = tmp_path / "bounces"
    done, failed = maildir(path, [(sample("autoreply.eml", anna), "new", ""), (sample("postfix.eml", anna), "new", "")])

    def down(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(dsn.Dispatch.objects, "select_related", down)
    with pytest.raises(CommandError) as error:
        bounces("--maildir", str(path))

    assert error.value.returncode == 75
    assert where(path, done) == f"cur/{done}:2,S"  # the auto-reply, read
    assert where(path, failed) == f"new/{failed}"  # the report, to be read again
    assert state_of(anna) == DispatchState.SENT


def test_the_command_refuses_a_folder_that_is_not_a_maildir(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="not a Maildir"):
        bounces("--maildir", str(tmp_path))
