"""The editorial workflow: each allowed move by the right actor is recorded; every other move, or the wrong actor,
is refused with a message a person can read; the section hears of each decision, once, in its own language."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone, translation

from liaison.editorial import access, notify, services
from liaison.editorial.models import Contribution, Decision, Deferral, DeferralReason, Notice, NoticeKind, State
from liaison.errors import LiaisonError, NotAllowed
from liaison.federation import services as federation
from liaison.federation.models import Person, Role, RoleKind
from liaison.periodicals.models import Issue
from tests.editorial.fixtures_core import bring_to, bulletin, call_for, capture, issue, new_issue, words, write

__all__ = ["bulletin", "capture", "issue"]

ALLOWED = sorted(services.TRANSITIONS, key=str)
REFUSED = [pair for pair in itertools.product(State.values, State.values) if pair not in services.TRANSITIONS]
REASON = "The section will read this."


def perform(world: Any, actor: Any, contribution: Contribution, target: str, issue: Issue, reason: str = "") -> Any:
    """Make a move the way the pages do: placing and publishing go through the issue."""
    if target == State.PLACED:
        return services.place(actor, contribution, issue, reason=reason)
    if target == State.PUBLISHED:
        return services.mark_published(actor, issue)
    return services.transition(actor, contribution, target, reason=reason)


def right_actor(world: Any, source: str, target: str) -> str:
    return "editor" if services.TRANSITIONS[(source, target)].who is services.Who.EDITOR else "corr_a"


@pytest.mark.parametrize(("source", "target"), ALLOWED, ids=lambda s: str(s))
def test_it_records_every_allowed_move(world: Any, bulletin: Any, issue: Issue, source: str, target: str) -> None:
    c = bring_to(world, write(world, bulletin), source, issue=issue)
    role = right_actor(world, source, target)
    before = timezone.now()
    perform(world, world.actor(role), c, target, issue, reason=REASON)
    c.refresh_from_db()
    assert c.state == target
    decision = Decision.objects.filter(contribution=c).last()
    assert decision is not None
    assert (decision.from_state, decision.to_state) == (source, target)
    assert decision.actor == world.users[role]
    assert decision.actor_name == world.people[role].pseudonym
    assert decision.created >= before
    # Publishing is the issue's act, not a decision on one text: it carries no reason.
    assert decision.reason == ("" if target == State.PUBLISHED else REASON)


@pytest.mark.parametrize(("source", "target"), REFUSED, ids=lambda s: str(s))
def test_it_refuses_every_other_move(world: Any, bulletin: Any, issue: Issue, source: str, target: str) -> None:
    c = bring_to(world, write(world, bulletin), source, issue=issue)
    decisions = Decision.objects.count()
    for role in ("editor", "corr_a"):
        with pytest.raises(LiaisonError) as refused:
            services.transition(world.actor(role), c, target, reason=REASON)
        assert not isinstance(refused.value, NotAllowed)
        assert str(State(source).label) in str(refused.value)
        assert str(State(target).label) in str(refused.value)
    c.refresh_from_db()
    assert c.state == source
    assert Decision.objects.count() == decisions


def test_it_names_an_unknown_state(world: Any, bulletin: Any) -> None:
    c = write(world, bulletin)
    with pytest.raises(LiaisonError, match="cannot become gone"):
        services.transition(world.actor("corr_a"), c, "gone")


WRONG = {
    services.Who.SECTION: ("corr_b", "member", "translator", "anonymous", "editor"),
    services.Who.EDITOR: ("corr_a", "corr_b", "member", "translator", "anonymous"),
}
WRONG_CASES = [
    (source, target, role) for (source, target) in ALLOWED for role in WRONG[services.TRANSITIONS[(source, target)].who]
]


@pytest.mark.parametrize(("source", "target", "role"), WRONG_CASES, ids=lambda s: str(s))
def test_it_refuses_the_wrong_actor(
    world: Any, bulletin: Any, issue: Issue, source: str, target: str, role: str
) -> None:
    c = bring_to(world, write(world, bulletin), source, issue=issue)
    decisions = Decision.objects.count()
    with pytest.raises(NotAllowed) as refused:
        perform(world, world.actor(role), c, target, issue, reason=REASON)
    assert str(refused.value)
    c.refresh_from_db()
    assert c.state == source
    assert Decision.objects.count() == decisions


@pytest.mark.parametrize(
    ("source", "target"),
    [(s, t) for (s, t), rule in services.TRANSITIONS.items() if rule.needs_reason],
    ids=lambda s: str(s),
)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_it_requires_a_reason_to_return_decline_or_unplace(
    world: Any, bulletin: Any, issue: Issue, source: str, target: str, reason: str
) -> None:
    c = bring_to(world, write(world, bulletin), source, issue=issue)
    with pytest.raises(LiaisonError, match="reason") as refused:
        services.transition(world.actor("editor"), c, target, reason=reason)
    assert refused.value.field == "reason"
    c.refresh_from_db()
    assert c.state == source


def test_the_reasons_required_are_those_the_issue_names() -> None:
    needs = {pair for pair, rule in services.TRANSITIONS.items() if rule.needs_reason}
    assert {target for _source, target in needs} == {State.RETURNED, State.DECLINED, State.ACCEPTED}
    assert all(source == State.PLACED for source, target in needs if target == State.ACCEPTED)


def test_placing_and_publishing_go_through_the_issue(world: Any, bulletin: Any, issue: Issue) -> None:
    editor = world.actor("editor")
    c = bring_to(world, write(world, bulletin), State.ACCEPTED)
    with pytest.raises(LiaisonError, match="assembly"):
        services.transition(editor, c, State.PLACED)
    services.place(editor, c, issue)
    with pytest.raises(LiaisonError, match="published with its issue"):
        services.transition(editor, c, State.PUBLISHED)
    c.refresh_from_db()
    assert c.state == State.PLACED
    assert State.PLACED not in services.allowed_moves(editor, bring_to(world, write(world, bulletin), State.ACCEPTED))


def test_submitting_sets_the_first_submission_date_once(world: Any, bulletin: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.RESUBMITTED)
    first = c.submitted_at
    assert first is not None
    assert c.decisions.first().from_state == State.DRAFT  # type: ignore[union-attr]
    assert c.decisions.count() == 3
    services.transition(world.actor("editor"), c, State.ACCEPTED)
    c.refresh_from_db()
    assert c.submitted_at == first and c.accepted_at is not None


def test_submit_resubmits_a_returned_contribution(world: Any, bulletin: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.RETURNED)
    services.submit(world.actor("corr_a"), c)
    assert c.state == State.RESUBMITTED


def test_allowed_moves_follow_the_table_and_the_actor(world: Any, bulletin: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    assert set(services.allowed_moves(world.actor("editor"), c)) == {State.RETURNED, State.ACCEPTED, State.DECLINED}
    assert services.allowed_moves(world.actor("corr_a"), c) == [State.WITHDRAWN]
    assert services.allowed_moves(world.actor("corr_b"), c) == []
    assert services.allowed_moves(world.actor("anonymous"), c) == []


# The editorial authority follows the delegation -------------------------------------------------------------------


def test_the_section_holding_the_delegation_decides(world: Any, bulletin: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.transition(world.actor("corr_b"), c, State.ACCEPTED)
    federation.delegate_editorial_role(world.actor("editor"), section=world.section_b, start=timezone.localdate())
    corr_b = world.actor("corr_b")
    assert access.is_editor(corr_b)
    decision = services.transition(corr_b, c, State.ACCEPTED)
    assert decision.actor == world.users["corr_b"] and decision.actor_name == "Beta Corr"
    # The correspondents of other sections, and the section's members, still may not.
    assert not access.is_editor(world.actor("corr_a"))
    assert not access.is_editor(world.actor("member"))


def test_after_the_delegation_ends_the_section_no_longer_decides(world: Any, bulletin: Any) -> None:
    today = timezone.localdate()
    federation.delegate_editorial_role(
        world.actor("editor"),
        section=world.section_b,
        start=today - datetime.timedelta(days=30),
        end=today - datetime.timedelta(days=1),
    )
    corr_b = world.actor("corr_b")
    assert access.is_editor(corr_b, on=today - datetime.timedelta(days=2))
    assert not access.is_editor(corr_b)
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    with pytest.raises(NotAllowed):
        services.transition(corr_b, c, State.ACCEPTED)
    # The secretariat keeps its authority throughout.
    services.transition(world.actor("editor"), c, State.ACCEPTED)


# Notices and email -----------------------------------------------------------------------------------------------


def _second_correspondent(world: Any, language: str = "") -> Any:
    from liaison.accounts.models import User

    user = User.objects.create_user(username="corr_a2", email="corr_a2@example.org", password="x", language=language)
    person = Person.objects.create(pseudonym="Alpha Two", user=user)
    Role.objects.create(
        person=person, kind=RoleKind.CORRESPONDENT, section=world.section_a, since=datetime.date(2020, 1, 1)
    )
    return user


def test_a_call_reaches_each_invited_section(world: Any, bulletin: Any, issue: Issue, capture: Any) -> None:
    with capture(execute=True):
        call = call_for(world, issue)
    assert set(Notice.objects.filter(kind=NoticeKind.CALL, call=call).values_list("section_id", flat=True)) == {
        world.section_a.pk,
        world.section_b.pk,
    }
    assert sorted(m.to[0] for m in mail.outbox) == ["corr_a@example.org", "corr_b@example.org"]
    assert all("Bulletin No. 1" in m.subject for m in mail.outbox)


def test_a_decision_reaches_the_section_with_the_reason_and_its_link(
    world: Any, bulletin: Any, capture: Any, settings: Any
) -> None:
    c = bring_to(world, write(world, bulletin, title="Strike report"), State.SUBMITTED)
    mail.outbox.clear()
    with capture(execute=True):
        decision = services.transition(world.actor("editor"), c, State.RETURNED, reason="Please add the dates.")
    notice = Notice.objects.get(decision=decision)
    assert notice.section == world.section_a and notice.mailed_at is not None
    [message] = mail.outbox
    assert message.to == ["corr_a@example.org"]
    assert "Strike report" in message.subject
    assert "Please add the dates." in message.body
    assert f"{settings.SITE_URL}/sections/alpha/dashboard/" in message.body
    assert not any("corr_b" in address for m in mail.outbox for address in m.to)


def test_the_mail_is_written_in_each_correspondents_language(
    world: Any, bulletin: Any, capture: Any, monkeypatch: Any
) -> None:
    corr_a = world.users["corr_a"]
    corr_a.language = "fr"
    corr_a.save()
    _second_correspondent(world, language="de")
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    rendered: list[tuple[str, str | None]] = []
    real = notify.render_to_string

    def spy(template: str, context: Any) -> str:
        rendered.append((template, translation.get_language()))
        return real(template, context)

    monkeypatch.setattr(notify, "render_to_string", spy)
    mail.outbox.clear()
    with capture(execute=True):
        services.transition(world.actor("editor"), c, State.ACCEPTED)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address["corr_a@example.org"].extra_headers["Content-Language"] == "fr"
    assert by_address["corr_a2@example.org"].extra_headers["Content-Language"] == "de"
    assert {language for _template, language in rendered} == {"fr", "de"}
    assert len(rendered) == 4  # a subject and a body for each
    assert translation.get_language() not in ("fr", "de")  # and the language is put back afterwards


def test_the_section_is_not_mailed_its_own_move(world: Any, bulletin: Any, capture: Any) -> None:
    _second_correspondent(world)
    c = write(world, bulletin)
    with capture(execute=True):
        decision = services.submit(world.actor("corr_a"), c)
    # The notice is on the dashboard; the mail goes to the other correspondent, not to the one who submitted.
    assert Notice.objects.filter(decision=decision).exists()
    assert [m.to for m in mail.outbox] == [["corr_a2@example.org"]]


def test_nothing_is_mailed_twice(world: Any, bulletin: Any, capture: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    mail.outbox.clear()
    with capture(execute=True):
        decision = services.transition(world.actor("editor"), c, State.ACCEPTED)
    notice = Notice.objects.get(decision=decision)
    assert len(mail.outbox) == 1
    assert notify.mail_notice(notice.pk) == 0
    assert notify.mail_pending() == 0
    assert len(mail.outbox) == 1


def test_assembling_twice_tells_a_deferred_section_once(world: Any, bulletin: Any, capture: Any) -> None:
    editor = world.actor("editor")
    small = new_issue(world, bulletin, budget=1)
    new_issue(world, bulletin)
    first = bring_to(world, write(world, bulletin, body=words(400)), State.ACCEPTED)
    second = bring_to(world, write(world, bulletin, body=words(400)), State.ACCEPTED)
    mail.outbox.clear()
    with capture(execute=True):
        services.assemble_issue(editor, small)
        services.assemble_issue(editor, small)
    assert Deferral.objects.filter(contribution=second).count() == 1
    assert Notice.objects.filter(kind=NoticeKind.DEFERRAL).count() == 1
    placed = [m for m in mail.outbox if "is now" in m.subject]
    moved = [m for m in mail.outbox if "later issue" in m.subject]
    assert len(placed) == 1 and len(moved) == 1
    first.refresh_from_db()
    assert first.state == State.PLACED


def test_a_refused_decision_tells_no_one(world: Any, bulletin: Any, capture: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    mail.outbox.clear()
    notices = Notice.objects.count()
    with capture(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.transition(world.actor("editor"), c, State.ACCEPTED)
        raise RuntimeError("the request failed after the decision")
    assert Notice.objects.count() == notices
    assert mail.outbox == []
    c.refresh_from_db()
    assert c.state == State.SUBMITTED


def test_a_mail_server_down_loses_no_notice(world: Any, bulletin: Any, capture: Any, monkeypatch: Any) -> None:
    c = bring_to(world, write(world, bulletin), State.SUBMITTED)
    mail.outbox.clear()

    class Down:
        def send_messages(self, messages: Any) -> int:
            raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(notify, "get_connection", lambda **kwargs: Down())
    with capture(execute=True):
        decision = services.transition(world.actor("editor"), c, State.ACCEPTED)
    notice = Notice.objects.get(decision=decision)
    assert notice.mailed_at is None and mail.outbox == []
    monkeypatch.undo()
    assert notify.mail_pending() == 1
    assert len(mail.outbox) == 1
    assert notify.mail_pending() == 0


def test_a_deferral_tells_the_section_why_in_its_language(world: Any, bulletin: Any, capture: Any) -> None:
    editor = world.actor("editor")
    issue1 = new_issue(world, bulletin, budget=1)
    issue2 = new_issue(world, bulletin)
    bring_to(world, write(world, bulletin, body=words(300)), State.ACCEPTED)  # three quarters of a page
    late = bring_to(world, write(world, bulletin, title="Second text", body=words(300)), State.ACCEPTED)
    mail.outbox.clear()
    with capture(execute=True):
        services.assemble_issue(editor, issue1)
    deferral = Deferral.objects.get(contribution=late)
    assert deferral.to_issue == issue2 and deferral.reason == DeferralReason.TOO_LONG
    notice = Notice.objects.get(deferral=deferral)
    assert notice.section == world.section_a
    [message] = [m for m in mail.outbox if "Second text" in m.subject]
    assert "issue No. 2" in message.body
    assert str(DeferralReason.TOO_LONG.label) in message.body


def test_the_whole_path(world: Any, bulletin: Any, capture: Any) -> None:
    """A call, a draft, a return with a reason, a revision, a resubmission, acceptance, assembly, publication and a
    citation of the published item: what a section and the secretariat walk through for one issue."""
    editor, corr = world.actor("editor"), world.actor("corr_a")
    first = new_issue(world, bulletin, budget=4)
    with capture(execute=True):
        call = call_for(world, first, sections=[world.section_a])
    assert [m.to for m in mail.outbox] == [["corr_a@example.org"]]
    c = write(world, bulletin, call=call, title="Our view", body="Texte[^1]\n\n[^1]: note")
    services.submit(corr, c)
    services.transition(editor, c, State.RETURNED, reason="Too long")
    services.save_contribution(corr, c, base_version=1, title="Our view", language="fr", kind="opinion", body="Court")
    services.submit(corr, c)
    assert c.state == State.RESUBMITTED
    services.transition(editor, c, State.ACCEPTED)
    assert services.assemble_issue(editor, first).placed == [c.pk]
    services.mark_published(editor, first)
    c.refresh_from_db()
    assert c.state == State.PUBLISHED and c.item.position == 1
    assert [d.to_state for d in c.decisions.all()] == [
        State.SUBMITTED,
        State.RETURNED,
        State.RESUBMITTED,
        State.ACCEPTED,
        State.PLACED,
        State.PUBLISHED,
    ]
    reply = write(world, bulletin, role="corr_b", title="Reply", body="See [[bulletin/1/1]].")
    assert list(c.item.cited_by.values_list("source", flat=True)) == [reply.pk]
    assert "Bulletin No. 1, item 1" in services.render_body(reply)
