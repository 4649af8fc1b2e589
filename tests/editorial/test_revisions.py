"""Revisions and conflicts: every save is kept; a save made on an outdated text is told of the conflict and kept too,
never lost; who may edit depends on who holds the text; any two revisions compare readably."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import pytest
from django.db import connection, connections

from liaison.editorial import markdown, services
from liaison.editorial.diff import diff_html, diff_revisions, diff_texts
from liaison.editorial.models import Contribution, Revision, State
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.models import Person
from tests.editorial.fixtures_core import bring_to, bulletin, issue, words, write

__all__ = ["bulletin", "issue"]


def save(actor: Any, c: Contribution, body: str, *, base: int | None = None, title: str = "Our report") -> Contribution:
    return services.save_contribution(
        actor,
        c,
        base_version=c.version if base is None else base,
        title=title,
        language="fr",
        kind="report",
        body=body,
    )


def test_every_save_keeps_a_revision(world: Any, bulletin: Any) -> None:
    corr = world.actor("corr_a")
    c = write(world, bulletin, body="First text.")
    assert c.version == 1
    save(corr, c, "Second text.")
    save(corr, c, "Third text, " + words(600))
    assert c.version == 3
    assert list(c.revisions.values_list("number", "conflict")) == [(1, False), (2, False), (3, False)]
    assert c.revisions.get(number=2).body == "Second text."
    assert c.revisions.get(number=3).author == world.users["corr_a"]
    assert c.pages == Decimal("1.25")


def test_a_stale_save_is_a_conflict_that_keeps_both_texts(world: Any, bulletin: Any) -> None:
    corr = world.actor("corr_a")
    c = write(world, bulletin, body="Original.")
    save(corr, c, "Saved first by a colleague.", base=1)
    with pytest.raises(services.EditConflict) as conflict:
        save(corr, c, "Saved second, from the old page.", base=1, title="Another title")
    assert conflict.value.status == 409 and conflict.value.field == "body"
    assert "revision 3" in str(conflict.value)
    assert conflict.value.theirs.body == "Saved first by a colleague."
    assert conflict.value.yours.body == "Saved second, from the old page."
    assert conflict.value.yours.title == "Another title" and conflict.value.yours.conflict
    c.refresh_from_db()
    assert (c.body, c.title, c.version) == ("Saved first by a colleague.", "Our report", 2)
    assert list(c.revisions.values_list("body", flat=True)) == [
        "Original.",
        "Saved first by a colleague.",
        "Saved second, from the old page.",
    ]
    # Saving again from the current version goes through.
    save(corr, c, "Merged by hand.", base=2)
    assert c.body == "Merged by hand." and c.version == 3


EDITOR_STATES = {State.SUBMITTED, State.RESUBMITTED, State.ACCEPTED, State.PLACED}
SECTION_STATES = {State.DRAFT, State.RETURNED}


@pytest.mark.parametrize("state", State.values)
@pytest.mark.parametrize("role", ["editor", "corr_a"])
def test_who_may_edit_depends_on_who_holds_the_text(
    world: Any, bulletin: Any, issue: Any, state: str, role: str
) -> None:
    c = bring_to(world, write(world, bulletin), state, issue=issue)
    may = state in (EDITOR_STATES if role == "editor" else SECTION_STATES)
    assert services.may_edit(world.actor(role), c) is may
    if may:
        save(world.actor(role), c, "A better text.")
        assert c.body == "A better text."
    else:
        with pytest.raises(NotAllowed, match="cannot be edited by you"):
            save(world.actor(role), c, "A better text.")
        c.refresh_from_db()
        assert c.body != "A better text."


@pytest.mark.parametrize("role", ["corr_b", "member", "translator", "anonymous"])
def test_others_never_edit(world: Any, bulletin: Any, role: str) -> None:
    c = write(world, bulletin)
    with pytest.raises(NotAllowed):
        save(world.actor(role), c, "Not yours.")
    assert c.revisions.count() == 1


def test_the_state_is_checked_when_the_save_lands(world: Any, bulletin: Any) -> None:
    # The page was opened while the text was a draft; it was submitted since.
    c = write(world, bulletin)
    stale = Contribution.objects.get(pk=c.pk)
    services.submit(world.actor("corr_a"), c)
    with pytest.raises(NotAllowed):
        save(world.actor("corr_a"), stale, "Too late.")


def test_only_a_person_of_the_section_signs(world: Any, bulletin: Any) -> None:
    c = write(world, bulletin)
    with pytest.raises(LiaisonError, match="cannot sign") as refused:
        services.save_contribution(
            world.actor("corr_a"),
            c,
            base_version=1,
            title="T",
            language="fr",
            kind="report",
            body="x",
            signed_by=world.people["corr_b"],
        )
    assert refused.value.field == "signed_by"
    services.save_contribution(
        world.actor("corr_a"),
        c,
        base_version=1,
        title="T",
        language="fr",
        kind="report",
        body="x",
        signed_by=world.people["member"],
    )
    assert c.signature == "Alpha Member"
    assert Person.objects.get(pk=world.people["member"].pk).contributions.get() == c


T = TypeVar("T")


@contextmanager
def threads_on_a_file_database(tmp_path: Path) -> Iterator[None]:
    """Threads below use a copy of the test database in a file, when the test database is SQLite in memory.

    The in-memory test database is one shared cache, where a second writer fails at once ("database table is
    locked") instead of waiting. A file, as Liaison uses in production, makes it wait its turn (IMMEDIATE
    transactions and a busy timeout), which is what this test is about. PostgreSQL needs none of this."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.close()
    # New threads open their connection from this settings dictionary: point it at the file while they run.
    database = connections.settings["default"]
    name = database["NAME"]
    database["NAME"] = str(path)
    try:
        yield
    finally:
        database["NAME"] = name


def in_a_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a thread of its own (so with its own database connection) and return its result."""
    result: list[T] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return result[0]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_saves_end_with_one_winner_and_one_conflict(
    world: Any, bulletin: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    c = write(world, bulletin, body="Original.")
    real = markdown.estimate_pages

    def slowly(text: str) -> Decimal:
        # Called by the winner while it holds the lock: the other save surely arrives meanwhile and must wait.
        time.sleep(0.3)
        return real(text)

    monkeypatch.setattr(markdown, "estimate_pages", slowly)
    with threads_on_a_file_database(tmp_path):
        outcomes = _race(world, c)
        after = in_a_thread(lambda: Contribution.objects.get(pk=c.pk))
        revisions = in_a_thread(lambda: list(after.revisions.order_by("number").values_list("body", "conflict")))
    assert sorted(outcomes.values()) == ["conflict", "saved"], outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "saved")
    loser = next(name for name, outcome in outcomes.items() if outcome == "conflict")
    assert after.version == 2 and after.body == f"Text by {winner}."
    assert revisions == [("Original.", False), (f"Text by {winner}.", False), (f"Text by {loser}.", True)]


def _race(world: Any, c: Contribution) -> dict[str, str]:
    """Two people save the same contribution at the same moment, both from version 1."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def edit(name: str, role: str) -> None:
        try:
            barrier.wait(timeout=10)
            save(world.actor(role), Contribution.objects.get(pk=c.pk), f"Text by {name}.", base=1)
            outcomes[name] = "saved"
        except services.EditConflict:
            outcomes[name] = "conflict"
        except Exception as error:  # pragma: no cover - reported below
            outcomes[name] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(name, "corr_a")) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


# Comparing revisions ---------------------------------------------------------------------------------------------


def _two_revisions(world: Any, bulletin: Any, before: str, after: str, **kwargs: Any) -> tuple[Revision, Revision]:
    c = write(world, bulletin, body=before)
    save(world.actor("corr_a"), c, after, **kwargs)
    return c.revisions.get(number=1), c.revisions.get(number=2)


def test_the_diff_marks_changed_lines_and_words(world: Any, bulletin: Any) -> None:
    a, b = _two_revisions(
        world, bulletin, "The meeting was held.\nIn Lyon.\nBye.", "The meeting was cancelled.\nIn Lyon.\nBye.\nP.S."
    )
    lines = diff_revisions(a, b)
    kinds = [(line.kind, line.old, line.new) for line in lines]
    assert kinds == [
        ("removed", 1, None),
        ("added", None, 1),
        ("same", 2, 2),
        ("same", 3, 3),
        ("added", None, 4),
    ]
    assert lines[0].html == "The meeting was <del>held</del>."
    assert lines[1].html == "The meeting was <ins>cancelled</ins>."
    assert lines[4].html == "P.S."


def test_the_diff_escapes_both_texts(world: Any, bulletin: Any) -> None:
    a, b = _two_revisions(world, bulletin, "Safe & sound", "<script>alert('x')</script> & sound")
    html = diff_html(a, b)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith('<ol class="diff">')
    assert all("<script" not in line.html for line in diff_revisions(a, b))


def test_the_diff_shows_a_title_change_first(world: Any, bulletin: Any) -> None:
    a, b = _two_revisions(world, bulletin, "Same.", "Same.", title="A new title")
    lines = diff_revisions(a, b)
    assert [(line.field, line.kind) for line in lines] == [("title", "removed"), ("title", "added")]
    assert "<ins>" in lines[1].html


def test_identical_revisions_have_no_diff(world: Any, bulletin: Any) -> None:
    a, b = _two_revisions(world, bulletin, "Same.", "Same.")
    assert diff_revisions(a, b) == []


def test_the_diff_leaves_out_long_unchanged_stretches() -> None:
    before = "\n".join(f"line {n}" for n in range(1, 41))
    after = before.replace("line 20", "line twenty")
    lines = diff_texts(before, after, context=2)
    assert [line.kind for line in lines] == ["gap", "same", "same", "removed", "added", "same", "same", "gap"]
    assert len(diff_texts(before, after, context=None)) == 41


def test_the_diff_compares_any_two_revisions_either_way(world: Any, bulletin: Any) -> None:
    c = write(world, bulletin, body="one")
    for text in ("two", "three"):
        save(world.actor("corr_a"), c, text)
    first, third = c.revisions.get(number=1), c.revisions.get(number=3)
    assert [line.html for line in diff_revisions(first, third)] == ["<del>one</del>", "<ins>three</ins>"]
    assert [line.html for line in diff_revisions(third, first)] == ["<del>three</del>", "<ins>one</ins>"]
