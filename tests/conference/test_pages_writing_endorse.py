"""Endorsements on a position's page: a correspondent of another section endorses a published position in that
section's name and withdraws it; an endorsement of one's own position, of an unpublished one, a second one, or one in
another's name is refused with a clear message (or 403) and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from liaison.conference import services
from liaison.conference.models import ConferenceStatus, Endorsement
from tests.conference.conftest import StatePosition, publish


def base(conference: Any, n: int = 1) -> str:
    return f"/conferences/{conference.pk}/sections/alpha/questions/{n}/"


@pytest.fixture
def published(world: Any, state: StatePosition) -> Any:
    position = state(option="support", stance="We support it.")
    publish(world, position)
    position.refresh_from_db()
    return position


def standing() -> list[tuple[int, int]]:
    return list(Endorsement.objects.filter(withdrawn_at__isnull=True).values_list("section_id", "position_id"))


def test_a_correspondent_of_another_section_endorses_and_withdraws(
    world: Any, client_as: Any, conference: Any, published: Any
) -> None:
    client = client_as("corr_b")
    page = client.get(base(conference)).content.decode()
    assert "Endorse in the name of Section Beta" in page
    assert "No section endorses this position." in page
    answer = client.post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == 302 and answer["Location"] == base(conference)
    assert standing() == [(world.section_b.pk, published.pk)]
    html = client.get(base(conference)).content.decode()
    assert "Section Beta endorses the position of Section Alpha on question 1." in html
    assert "Withdraw the endorsement of Section Beta" in html
    # Every reader sees who endorses.
    assert "Section Beta" in client_as("anonymous").get(base(conference)).context["endorsements"][0].section.name
    endorsement = Endorsement.objects.get()
    answer = client.post(base(conference) + f"endorsements/{endorsement.pk}/withdraw/")
    assert answer.status_code == 302
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_at is not None
    html = client.get(base(conference)).content.decode()
    assert "Section Beta no longer endorses the position" in html
    assert "Endorse in the name of Section Beta" in html


def test_the_own_section_cannot_endorse_its_position(
    world: Any, client_as: Any, conference: Any, published: Any
) -> None:
    client = client_as("corr_a")
    assert "Endorse in the name of" not in client.get(base(conference)).content.decode()
    answer = client.post(base(conference) + "endorse/", {"section": world.section_a.pk})
    assert answer.status_code == 400
    assert "A section does not endorse its own position; it states it." in answer.content.decode()
    assert standing() == []


def test_an_unpublished_position_cannot_be_endorsed(
    world: Any, client_as: Any, conference: Any, state: StatePosition
) -> None:
    state(to="submitted")
    client = client_as("corr_b")
    assert "Endorse in the name of" not in client.get(base(conference)).content.decode()
    answer = client.post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == 400
    assert "Only a published position can be endorsed." in answer.content.decode()
    assert standing() == []


def test_no_position_at_all_cannot_be_endorsed(
    world: Any, client_as: Any, conference: Any, questions: Any, waves: Any
) -> None:
    answer = client_as("corr_b").post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == 400
    assert "Only a published position can be endorsed." in answer.content.decode()


def test_a_second_endorsement_is_refused(world: Any, client_as: Any, conference: Any, published: Any) -> None:
    services.endorse(world.actor("corr_b"), world.section_b, published)
    answer = client_as("corr_b").post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == 400
    assert "Section Beta already endorses this position." in answer.content.decode()
    assert len(standing()) == 1


def test_a_closed_conference_refuses_endorsements(world: Any, client_as: Any, conference: Any, published: Any) -> None:
    editor = world.actor("editor")
    services.set_conference_status(editor, conference, ConferenceStatus.CONVENED)
    services.set_conference_status(editor, conference, ConferenceStatus.CLOSED)
    client = client_as("corr_b")
    assert "Endorse in the name of" not in client.get(base(conference)).content.decode()
    answer = client.post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == 400
    assert "is closed" in answer.content.decode()
    assert standing() == []


def test_a_missing_section_is_refused(world: Any, client_as: Any, conference: Any, published: Any) -> None:
    for data in ({}, {"section": "abc"}, {"section": 9999}):
        answer = client_as("corr_b").post(base(conference) + "endorse/", data)
        assert answer.status_code == 400
        assert "Choose the section that endorses this position." in answer.content.decode()
    assert standing() == []


@pytest.mark.parametrize(("role", "status"), [("member", 403), ("editor", 403), ("translator", 403), ("corr_a", 403)])
def test_nobody_endorses_in_anothers_name(
    world: Any, client_as: Any, conference: Any, published: Any, role: str, status: int
) -> None:
    answer = client_as(role).post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == status
    assert standing() == []


def test_an_anonymous_visitor_is_asked_to_log_in(world: Any, client_as: Any, conference: Any, published: Any) -> None:
    answer = client_as("anonymous").post(base(conference) + "endorse/", {"section": world.section_b.pk})
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert standing() == []


@pytest.mark.parametrize("role", ["member", "editor", "corr_a", "translator"])
def test_only_the_endorsing_sections_correspondents_withdraw(
    world: Any, client_as: Any, conference: Any, published: Any, role: str
) -> None:
    endorsement = services.endorse(world.actor("corr_b"), world.section_b, published)
    answer = client_as(role).post(base(conference) + f"endorsements/{endorsement.pk}/withdraw/")
    assert answer.status_code == 403
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_at is None


def test_a_withdrawn_endorsement_cannot_be_withdrawn_again(
    world: Any, client_as: Any, conference: Any, published: Any
) -> None:
    endorsement = services.endorse(world.actor("corr_b"), world.section_b, published)
    services.withdraw_endorsement(world.actor("corr_b"), endorsement)
    answer = client_as("corr_b").post(base(conference) + f"endorsements/{endorsement.pk}/withdraw/")
    assert answer.status_code == 400
    assert "This endorsement was already withdrawn." in answer.content.decode()


def test_an_endorsement_of_another_position_is_404_here(
    world: Any, client_as: Any, conference: Any, published: Any
) -> None:
    endorsement = services.endorse(world.actor("corr_b"), world.section_b, published)
    answer = client_as("corr_b").post(base(conference, 2) + f"endorsements/{endorsement.pk}/withdraw/")
    assert answer.status_code == 404
    endorsement.refresh_from_db()
    assert endorsement.withdrawn_at is None


def test_endorsing_answers_only_post(world: Any, client_as: Any, conference: Any, published: Any) -> None:
    assert client_as("corr_b").get(base(conference) + "endorse/").status_code == 405
