"""Distribution benchmark: sending an edition to N email subscribers, and the gap report over millions of dispatches.

Run from the repository's root with the project's virtualenv:

    .venv/bin/python bench/dispatch.py prepare --subscribers 100000 --dir /tmp/dispatch100k  # database: edition + N
    .venv/bin/python bench/dispatch.py send --dir /tmp/dispatch100k    # Liaison sends every dispatch (what is timed)
    .venv/bin/python bench/dispatch.py bare --dir /tmp/dispatch100k    # bare smtplib, the same messages: the limit
    .venv/bin/python bench/dispatch.py compare --dir /tmp/dispatch100k --runs 3   # send and bare in turn, medians
    .venv/bin/python bench/dispatch.py gaps --rows 10000000            # the gap report over that many dispatches

``send`` and ``bare`` each start the same SMTP server — aiosmtpd with a handler that counts and discards, in a process
of its own — and send every message over one connection: ``send`` through ``sending.send_due`` (claims, the message
of each dispatch built from the edition's email, the hand-off and "sent" commits), ``bare`` the same bytes (the
message Liaison builds for the first subscriber, with each subscriber's address and Message-ID put in) through one
``smtplib.SMTP.sendmail`` per message and nothing else. Each reports messages per second and the process's peak
memory (``resource.getrusage``). ``send`` starts from a copy of the prepared database each time, so it can be run
again.

``gaps`` builds a PostgreSQL database of its own (``liaison_bench``, dropped and made again; ``--database-url``
to choose another): one bulletin with ``--issues`` issues published in English, ``rows / issues`` subscribers with
an email subscription each, one dispatch per subscriber and issue (``INSERT … SELECT generate_series``; a mix of
states), and receipts for about a third of them; then it times ``gaps.gaps`` for one subscriber and
``gaps.gaps_report`` for all of them (median of several runs).
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PARAGRAPH = (
    "The dockers' union met on Monday and voted for a strike fund, after a long discussion of the wage scale and of "
    "the hours at the port; the section's circle on political economy will read the minutes next week."
)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(database_url: str, var: Path) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["LIAISON_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


# The sending benchmark ------------------------------------------------------------------------------------------


def make_edition(items: int = 5) -> Any:
    """A federation, a bulletin, and its first issue in English (``items`` items), published."""
    from django.utils import timezone

    from liaison.accounts.models import User
    from liaison.editorial.models import Contribution, Item, Revision, State
    from liaison.federation.models import Federation, Person, Region, Role, RoleKind, Section
    from liaison.periodicals.models import Frequency, Issue, IssueStatus, Periodical
    from liaison.publishing.models import Edition, EditionFile, EditionStatus

    Federation.objects.create(name="Bench Federation", working_languages=["en"], founded=datetime.date(2020, 1, 1))
    region = Region.objects.create(name="Europe")
    section = Section.objects.create(name="Section Alpha", slug="alpha", country="FR", region=region)
    user = User.objects.create_user(username="editor")
    person = Person.objects.create(pseudonym="Editor", user=user)
    Role.objects.create(person=person, kind=RoleKind.SECRETARIAT, since=datetime.date(2020, 1, 1))
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY)
    now = timezone.now().replace(microsecond=0)
    issue = Issue.objects.create(periodical=bulletin, number=1, status=IssueStatus.PUBLISHED, published_at=now)
    for position in range(1, items + 1):
        body = "\n\n".join([PARAGRAPH] * 4)
        contribution = Contribution.objects.create(
            section=section,
            periodical=bulletin,
            target_issue=issue,
            title=f"Report {position}",
            language="en",
            body=body,
            state=State.PUBLISHED,
        )
        Revision.objects.create(contribution=contribution, number=1, title=contribution.title, body=body, language="en")
        Item.objects.create(issue=issue, contribution=contribution, position=position)
    edition = Edition.objects.create(issue=issue, language="en", status=EditionStatus.PUBLISHED, published_at=now)
    # The downloads the email links to (the files themselves are not needed to send it).
    for fmt in ("web", "pdf", "epub"):
        EditionFile.objects.create(
            edition=edition, format=fmt, path=f"bulletin/1/en/v1/bulletin-1-en.{fmt}", media_type="x", size=1, sha256=""
        )
    return edition


def database_of(directory: Path, copy: bool = False) -> str:
    """The prepared database: SQLite files in ``directory`` (``copy``: a fresh copy to send from), or the PostgreSQL
    database ``prepare --database-url`` named."""
    named = directory / "database_url"
    if named.exists():
        return named.read_text().strip()
    if copy:
        shutil.copyfile(directory / "pristine.sqlite3", directory / "run.sqlite3")
        return f"sqlite:///{directory / 'run.sqlite3'}"
    return f"sqlite:///{directory / 'pristine.sqlite3'}"


def prepare(directory: Path, subscribers: int, database_url: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in ("pristine.sqlite3", "run.sqlite3", "database_url"):
        (directory / leftover).unlink(missing_ok=True)
    if database_url:
        recreate(database_url)
        (directory / "database_url").write_text(database_url)
    setup(database_of(directory), directory / "var")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from liaison.distribution import services
    from liaison.distribution.models import Subscriber, SubscriberKind, Subscription, SubscriptionState, email_hash

    edition = make_edition()
    started = datetime.date(2024, 1, 1)
    chunk = 10_000
    for first in range(0, subscribers, chunk):
        made = Subscriber.objects.bulk_create(
            Subscriber(
                kind=SubscriberKind.PERSON,
                email=f"reader{i}@example.org",
                email_hash=email_hash(f"reader{i}@example.org"),
                language="en",
            )
            for i in range(first, min(first + chunk, subscribers))
        )
        Subscription.objects.bulk_create(
            Subscription(
                subscriber=s,
                periodical=edition.issue.periodical,
                language="en",
                formats=["web", "pdf", "epub"],
                state=SubscriptionState.ACTIVE,
                started_on=started,
            )
            for s in made
        )
    made_dispatches = services.create_dispatches(edition)
    print(f"prepared {subscribers} subscribers and {made_dispatches} dispatches in {directory}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """The SMTP server, in a process of its own (``dispatch.py sink PORT``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, __file__, "sink", str(self.port)], stdout=subprocess.PIPE, text=True
        )
        # Never left behind, whatever happens to this process.
        atexit.register(lambda: self.process.poll() is None and self.process.kill())
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("the SMTP sink did not start")

    def stop(self) -> int:
        """Stop the server; returns how many messages it received."""
        self.process.send_signal(signal.SIGTERM)
        out, _err = self.process.communicate(timeout=30)
        return int(out.strip().splitlines()[-1])


def sink(port: int) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        received = 0

        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            self.received += 1
            return "250 OK"

    handler = Count()
    # Blocked before the server's thread starts (it inherits the mask), then waited for: a background shell may have
    # started this process with SIGINT ignored, which SIGTERM never is.
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        controller.stop()
        print(handler.received, flush=True)


def use_server(port: int) -> None:
    from django.conf import settings

    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 30


def _worker(results: Any) -> None:
    """One sending worker, in a process of its own (``send --workers``), as a Celery worker runs ``send_due``."""
    from liaison.distribution import sending

    cpu = time.process_time()
    summary = sending.send_due()
    results.put((summary.sent, summary.error, time.process_time() - cpu))


def send(directory: Path, batch: int, workers: int = 1) -> None:
    setup(database_of(directory, copy=True), directory / "var")
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from liaison.distribution import sending
    from liaison.distribution.models import Dispatch

    # A PostgreSQL database is used again: every dispatch due again, as prepared (not timed).
    Dispatch.objects.exclude(state="pending").update(
        state="pending", attempts=0, message_id="", sent_at=None, claimed_by="", lease_until=None
    )
    Dispatch.objects.update(next_attempt_at=timezone.now())
    if connection.vendor == "postgresql":
        # As autovacuum keeps a live table: statistics, and none of the previous run's dead rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")

    settings.DISTRIBUTION_BATCH_SIZE = batch
    server = Sink()
    before = peak_mib()
    try:
        use_server(server.port)
        if workers == 1:
            started, cpu = time.perf_counter(), time.process_time()
            summary = sending.send_due()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            sent, error = summary.sent, summary.error
        else:
            # Several workers on the same dispatches, as several Celery workers would be: each its own process,
            # database connection and SMTP connection, sharing the work through the claims.
            import multiprocessing

            connection.close()
            context = multiprocessing.get_context("fork")
            results = context.Queue()
            started = time.perf_counter()
            processes = [context.Process(target=_worker, args=(results,)) for _ in range(workers)]
            for process in processes:
                process.start()
            done = [results.get() for _ in processes]
            for process in processes:
                process.join()
            seconds = time.perf_counter() - started
            sent = sum(d[0] for d in done)
            error = "; ".join(d[1] for d in done if d[1])
            cpu = sum(d[2] for d in done)
    finally:
        received = server.stop()
    if error or sent != received:
        raise SystemExit(f"sent {sent}, received {received}: {error}")
    print(
        f"liaison ({workers} worker{'s' if workers > 1 else ''}): {sent} messages in {seconds:.1f} s = "
        f"{sent / seconds:.0f} messages/s; peak memory {peak_mib():.0f} MiB (after start-up {before:.0f} MiB); "
        f"sender's CPU {cpu / sent * 1e6:.0f} µs per message"
    )


def bare(directory: Path) -> None:
    """smtplib alone, one connection, the message Liaison builds for the first dispatch sent to every subscriber with
    their address and Message-ID: what the server can take from a sender that does nothing else."""
    import smtplib

    setup(database_of(directory), directory / "var")
    from liaison.distribution.mail import dispatch_message
    from liaison.distribution.models import Dispatch

    first = Dispatch.objects.order_by("pk").first()
    assert first is not None
    total = Dispatch.objects.count()
    message = dispatch_message(first)
    template = message.message().as_bytes(linesep="\r\n")  # type: ignore[call-arg]
    to = first.subscription.subscriber.email.encode()
    message_id = first.make_message_id().encode()
    sender = message.from_email
    server = Sink()
    before = peak_mib()
    try:
        smtp = smtplib.SMTP("127.0.0.1", server.port, timeout=30)
        started, cpu = time.perf_counter(), time.process_time()
        for n in range(total):
            address = f"reader{n}@example.org"
            data = template.replace(to, address.encode()).replace(message_id, f"<dispatch-{n + 1}.0@x>".encode())
            smtp.sendmail(sender, [address], data)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        smtp.quit()
    finally:
        received = server.stop()
    if received != total:
        raise SystemExit(f"sent {total}, received {received}")
    print(
        f"bare smtplib: {total} messages in {seconds:.1f} s = {total / seconds:.0f} messages/s; "
        f"peak memory {peak_mib():.0f} MiB (after start-up {before:.0f} MiB); "
        f"sender's CPU {cpu / total * 1e6:.0f} µs per message"
    )


# The gap report ------------------------------------------------------------------------------------------------


def psql(admin_url: str, sql: str) -> None:
    subprocess.run(["psql", admin_url, "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def recreate(database_url: str) -> None:
    """Drop and create a PostgreSQL database of the benchmark's own."""
    name = database_url.rsplit("/", 1)[1]
    if not re.fullmatch(r"liaison_bench[a-z0-9_]*", name):
        raise SystemExit(f"the benchmark only drops databases named liaison_bench…, not {name!r}")
    admin = database_url.rsplit("/", 1)[0] + "/postgres"
    psql(admin, f"DROP DATABASE IF EXISTS {name}")
    psql(admin, f"CREATE DATABASE {name}")


def gaps(database_url: str, rows: int, issues: int, runs: int, reuse: bool) -> None:
    name = database_url.rsplit("/", 1)[1]
    if not reuse:
        recreate(database_url)
    setup(database_url, Path(tempfile.gettempdir()) / f"{name}-var")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if not reuse:
        build_gap_database(rows, issues)
    from liaison.distribution import gaps as gap_reports
    from liaison.distribution.models import Subscriber

    subscribers = Subscriber.objects.count()
    one = Subscriber.objects.order_by("pk")[subscribers // 2]

    def timed(work: Any) -> tuple[float, Any]:
        started = time.perf_counter()
        result = work()
        return time.perf_counter() - started, result

    singles = [timed(lambda: gap_reports.gaps(one)) for _ in range(runs)]
    times = [t * 1000 for t, _ in singles]
    print(
        f"gaps, one subscriber ({len(singles[0][1])} rows): median {statistics.median(times):.1f} ms "
        f"(min {min(times):.1f}, max {max(times):.1f})"
    )
    reports = [timed(gap_reports.gaps_report) for _ in range(runs)]
    print(
        f"gaps_report, all subscribers ({len(reports[0][1])} subscriptions): median "
        f"{statistics.median(t for t, _ in reports):.2f} s (min {min(t for t, _ in reports):.2f}, "
        f"max {max(t for t, _ in reports):.2f}); peak memory {peak_mib():.0f} MiB"
    )
    missing = [timed(lambda: gap_reports.gaps_report(only_missing=True, limit=100)) for _ in range(runs)]
    print(f"gaps_report, first 100 with a gap: median {statistics.median(t for t, _ in missing):.2f} s")


def build_gap_database(rows: int, issues: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from liaison.distribution.models import Dispatch, Receipt, Subscriber, Subscription
    from liaison.federation.models import Federation
    from liaison.periodicals.models import Frequency, Issue, IssueStatus, Periodical
    from liaison.publishing.models import Edition, EditionStatus

    subscribers = rows // issues
    t0 = time.perf_counter()
    Federation.objects.create(name="Bench Federation", working_languages=["en"], founded=datetime.date(2000, 1, 1))
    bulletin = Periodical.objects.create(name="Bulletin", slug="bulletin", language="en", frequency=Frequency.MONTHLY)
    first_day = timezone.now() - datetime.timedelta(days=30 * issues)
    for number in range(1, issues + 1):
        day = first_day + datetime.timedelta(days=30 * number)
        issue = Issue.objects.create(periodical=bulletin, number=number, status=IssueStatus.PUBLISHED, published_at=day)
        Edition.objects.create(issue=issue, language="en", status=EditionStatus.PUBLISHED, published_at=day)
    table = {
        model: connection.ops.quote_name(model._meta.db_table)
        for model in (Subscriber, Subscription, Dispatch, Receipt, Issue)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table[Subscriber]} (kind, name, email, email_hash, postal_address, language, created)
                SELECT 'person', '', '', '', '', 'en', now() FROM generate_series(1, %s)""",  # noqa: S608
            [subscribers],
        )
        cursor.execute(
            f"""INSERT INTO {table[Subscription]} (subscriber_id, periodical_id, language, formats, channel, state,
                    started_on, bounce_count, state_reason, created)
                SELECT id, %s, 'en', '["pdf"]', 'email', 'active', DATE '2000-01-01', 0, '', now()
                FROM {table[Subscriber]}""",  # noqa: S608
            [bulletin.pk],
        )
        # Most sent; a few waiting, failed, bounced: what a long-running federation's table looks like. A third of
        # the sent ones acknowledged: a receipt each, and the dispatch marked received as the receipt would mark it.
        state = (
            "CASE (s.id * 7 + i.id) %% 50 WHEN 0 THEN 'bounced' WHEN 1 THEN 'failed' WHEN 2 THEN 'pending' "
            "ELSE 'sent' END"
        )
        acknowledged = "((s.id * 7 + i.id) %% 50 > 2 AND (s.id + i.id) %% 3 = 0)"
        cursor.execute(
            f"""INSERT INTO {table[Dispatch]} (subscription_id, issue_id, language, edition_id, kind, state, resends,
                    attempts, next_attempt_at, claimed_by, lease_until, sent_at, message_id, last_error, posted_by_id,
                    created, updated, received)
                SELECT s.id, i.id, 'en', NULL, 'regular', {state},
                       0, 1, i.published_at, '', NULL, i.published_at, '', '', NULL, i.published_at, i.published_at,
                       {acknowledged}
                FROM {table[Subscription]} s CROSS JOIN {table[Issue]} i""",  # noqa: S608
            [],  # with parameters (none), "%%" is read as "%"
        )
        dispatched = cursor.rowcount
        cursor.execute(
            f"""INSERT INTO {table[Receipt]} (subscriber_id, issue_id, language, how, dispatch_id, note,
                    recorded_by_id, recorded_at)
                SELECT s.subscriber_id, x.issue_id, 'en', 'link', x.id, '', NULL, x.sent_at
                FROM {table[Dispatch]} x JOIN {table[Subscription]} s ON s.id = x.subscription_id
                WHERE x.received""",  # noqa: S608
            [],
        )
        received = cursor.rowcount
        # As autovacuum leaves a table at rest: statistics, and the visibility map that index-only scans read.
        cursor.execute("VACUUM ANALYZE")
    built = time.perf_counter() - t0
    print(
        f"built {dispatched} dispatches ({subscribers} subscribers × {issues} issues) and {received} receipts "
        f"in {built:.0f} s"
    )


def compare(directory: Path, runs: int, batch: int, workers: int = 1) -> None:
    """``send`` and ``bare`` in turn (A B A B …, so that a change in the machine's load hits both), each in a process
    of its own; the median rate of each and their ratio."""
    rates: dict[str, list[float]] = {"send": [], "bare": []}
    memory: dict[str, list[float]] = {"send": [], "bare": []}
    for run in range(runs):
        for mode in ("send", "bare"):
            extra = ["--batch", str(batch), "--workers", str(workers)] if mode == "send" else []
            load = os.getloadavg()[0]
            done = subprocess.run(
                [sys.executable, __file__, mode, "--dir", str(directory), *extra], capture_output=True, text=True
            )
            if done.returncode:
                raise SystemExit(f"{mode} failed:\n{done.stdout}\n{done.stderr}")
            out = done.stdout.strip()
            print(f"run {run + 1}, load {load:.1f}: {out}", flush=True)
            found = re.search(r"= (\d+) messages/s; peak memory (\d+) MiB", out)
            assert found is not None
            rates[mode].append(float(found[1]))
            memory[mode].append(float(found[2]))
    send_rate, bare_rate = statistics.median(rates["send"]), statistics.median(rates["bare"])
    print(
        f"median: liaison {send_rate:.0f} messages/s, bare smtplib {bare_rate:.0f} messages/s, "
        f"ratio {send_rate / bare_rate:.2f}; peak memory liaison {max(memory['send']):.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("prepare")
    p.add_argument("--subscribers", type=int, default=100_000)
    p.add_argument("--database-url", default="", help="a PostgreSQL database liaison_bench… (default: SQLite)")
    p.add_argument("--dir", type=Path, required=True)
    p = commands.add_parser("send")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--workers", type=int, default=1, help="sending processes side by side (as Celery workers)")
    p = commands.add_parser("bare")
    p.add_argument("--dir", type=Path, required=True)
    p = commands.add_parser("compare")
    p.add_argument("--dir", type=Path, required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--workers", type=int, default=1)
    p = commands.add_parser("gaps")
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--issues", type=int, default=100)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/liaison_bench")
    p.add_argument("--reuse", action="store_true", help="time the reports on the database built by the last run")
    p = commands.add_parser("sink")
    p.add_argument("port", type=int)
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.dir, args.subscribers, args.database_url)
    elif args.command == "send":
        send(args.dir, args.batch, args.workers)
    elif args.command == "bare":
        bare(args.dir)
    elif args.command == "compare":
        compare(args.dir, args.runs, args.batch, args.workers)
    elif args.command == "gaps":
        gaps(args.database_url, args.rows, args.issues, args.runs, args.reuse)
    elif args.command == "sink":
        sink(args.port)


if __name__ == "__main__":
    main()
