"""A section's positions page: every question with the section's position as the reader may see it (its own people
see drafts too), its wave and deadline, links to state or revise; in a number of queries that does not grow with the
agenda or the positions."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.conference import services
from liaison.conference.models import Wave
from tests.conference.conftest import StatePosition


def page_url(conference: Any, slug: str = "alpha") -> str:
    return f"/conferences/{conference.pk}/sections/{slug}/"


def test_it_lists_every_question_with_the_wave_and_deadline(
    world: Any, client_as: Any, conference: Any, questions: Any, waves: Any
) -> None:
    page = client_as("corr_a").get(page_url(conference))
    assert page.status_code == 200
    html = page.content.decode()
    assert "The united front" in html and "The trade unions" in html
    assert "Europe" in html and 'datetime="2031-03-01T12:00:00+00:00"' in html
    assert "Bulletin No. 1" in html
    assert html.count("State the position") == 2
    assert f'href="/conferences/{conference.pk}/sections/alpha/questions/2/"' in html


def test_its_own_section_sees_its_drafts_others_do_not(
    world: Any, client_as: Any, conference: Any, state: StatePosition
) -> None:
    state(stance="Our draft stance, not yet submitted.")
    for role in ("corr_a", "member"):
        html = client_as(role).get(page_url(conference)).content.decode()
        assert "Our draft stance, not yet submitted." in html, role
        assert "state-draft" in html
    for role in ("corr_b", "editor", "anonymous", "translator"):
        html = client_as(role).get(page_url(conference)).content.decode()
        assert "Our draft stance, not yet submitted." not in html, role
        assert "state-draft" not in html
    # The correspondents revise; the others read.
    assert "Revise" in client_as("corr_a").get(page_url(conference)).content.decode()
    assert "Revise" not in client_as("member").get(page_url(conference)).content.decode()


def test_a_published_position_shows_with_its_endorsements(
    world: Any, client_as: Any, conference: Any, state: StatePosition
) -> None:
    from tests.conference.conftest import publish

    position = state(option="amend", stance="With two amendments.")
    publish(world, position)
    services.endorse(world.actor("corr_b"), world.section_b, position)
    html = client_as("anonymous").get(page_url(conference)).content.decode()
    assert "Support with amendments" in html and "With two amendments." in html
    assert "state-published" in html and "Section Beta" in html


def test_a_moved_section_reads_why(world: Any, client_as: Any, conference: Any, waves: Any) -> None:
    services.move_section(world.actor("editor"), waves[1], world.section_a, reason="Asked to reply with the Americas.")
    html = client_as("member").get(page_url(conference)).content.decode()
    assert "Americas" in html and "Asked to reply with the Americas." in html
    assert "Asked to reply with the Americas." not in client_as("corr_b").get(page_url(conference)).content.decode()


def test_a_section_without_a_wave_is_told_so(world: Any, client_as: Any, conference: Any, questions: Any) -> None:
    html = client_as("corr_a").get(page_url(conference)).content.decode()
    assert "No wave yet" in html


def test_an_unknown_section_or_conference_is_404(client_as: Any, conference: Any) -> None:
    assert client_as("member").get(page_url(conference, "nowhere")).status_code == 404
    assert client_as("member").get("/conferences/999/sections/alpha/").status_code == 404


def test_a_members_only_conference_asks_the_public_to_log_in(world: Any, client_as: Any, bulletin: Any) -> None:
    internal = services.create_conference(world.actor("editor"), title="Internal", bulletin=bulletin)
    answer = client_as("anonymous").get(page_url(internal))
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    for role in ("member", "corr_a", "corr_b", "translator", "editor"):
        assert client_as(role).get(page_url(internal)).status_code == 200, role


def test_my_positions_leads_to_ones_section(world: Any, client_as: Any, conference: Any) -> None:
    mine = f"/conferences/{conference.pk}/my-positions/"
    for role, slug in (("corr_a", "alpha"), ("member", "alpha"), ("corr_b", "beta")):
        answer = client_as(role).get(mine)
        assert answer.status_code == 302 and answer["Location"] == page_url(conference, slug), role
    assert client_as("editor").get(mine).status_code == 403
    assert client_as("translator").get(mine).status_code == 403
    assert "/login/" in client_as("anonymous").get(mine)["Location"]


def _grow(world: Any, conference: Any, issues: Any, n: int) -> None:
    """n more questions, each with a position of Alpha (some submitted) and one endorsed, plus another wave."""
    editor = world.actor("editor")
    for i in range(n):
        question = services.create_question(editor, conference, title={"en": f"Question {i}", "ru": f"Вопрос {i}"})
        position = services.state_position(
            world.actor("corr_a"),
            conference,
            question,
            world.section_a,
            option="own",
            stance=f"Stance {i}",
            statement=f"Statement {i}",
            language="fr",
            submit=i % 2 == 0,
        )
        services.revise_position(
            world.actor("corr_a"), position, base_version=1, stance=f"Revised {i}", statement=f"Revised statement {i}"
        )


@pytest.mark.parametrize("role", ["corr_a", "member", "corr_b", "anonymous"])
def test_its_query_count_does_not_grow_with_the_agenda(
    world: Any,
    client_as: Any,
    conference: Any,
    questions: Any,
    waves: Any,
    issues: Any,
    role: str,
    django_assert_num_queries: Any,
) -> None:
    client = client_as(role)
    client.get(page_url(conference))  # the session and the federation warmed up like any later request
    counts = []
    for n in (0, 6):
        _grow(world, conference, issues, n)
        with django_assert_num_queries(PINNED[role]) as captured:
            page = client.get(page_url(conference))
        assert page.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert Wave.objects.filter(conference=conference).count() == 2


# Session, user, the second-factor checks, the actor's person and roles (none for an anonymous visitor), the
# federation, the conference, the section, the matrix reduced to the section's row (8 queries, and for a correspondent
# who holds the editorial role today), and for the section's own people the secretariat's move if there is one.
PINNED = {"corr_a": 19, "member": 18, "corr_b": 18, "anonymous": 11}
