"""The position form through the real pages: a correspondent states and revises the section's position (drafts,
submission, revisions after submission), every refusal shown next to its field with nothing changed, the history as
each reader may see it, stances in every script, and a hostile statement rendered inert."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils.html import escape

from liaison.conference import services
from liaison.conference.models import ConferenceStatus, Position, PositionRevision
from liaison.editorial.models import Contribution, State
from liaison.federation.models import Section
from tests.conference.conftest import StatePosition, publish
from tests.editorial.test_pages_contribution import HOSTILE, assert_inert

URL = "/conferences/{pk}/sections/{slug}/questions/{n}/"


def url(conference: Any, n: int = 1, slug: str = "alpha") -> str:
    return URL.format(pk=conference.pk, slug=slug, n=n)


def form(**changes: Any) -> dict[str, Any]:
    data = {
        "option": "support",
        "stance": "We support the united front, on our own programme.",
        "language": "fr",
        "statement": "Our full statement.\n\nIt explains why.",
    }
    data.update(changes)
    return data


def snapshot() -> tuple[int, int, int, list[tuple[int, str, int]]]:
    """What a refused request must leave as it was."""
    return (
        Position.objects.count(),
        PositionRevision.objects.count(),
        Contribution.objects.count(),
        list(Position.objects.order_by("pk").values_list("pk", "option", "version")),
    )


@pytest.fixture
def scene(world: Any, conference: Any, questions: Any, waves: Any) -> Any:
    return conference


# Stating -----------------------------------------------------------------------------------------------------------


def test_a_correspondent_sees_the_form_with_every_offered_option(client_as: Any, scene: Any) -> None:
    page = client_as("corr_a").get(url(scene))
    assert page.status_code == 200
    html = page.content.decode()
    for value, label in (("support", "Support"), ("oppose", "Oppose"), ("amend", "Support with amendments")):
        assert f'value="{value}"' in html and label in html
    # "abstain" is always an explicit choice, never an empty cell.
    assert 'value="abstain"' in html
    assert 'value="alternative"' not in html
    assert 'name="csrfmiddlewaretoken"' in html
    # The language is chosen among the section's (French only for Alpha).
    assert '<option value="fr" selected>' in html
    assert [code for code, _name in page.context["form"].fields["language"].choices] == ["fr"]


@pytest.mark.parametrize(
    ("language", "title", "title_language"),
    [("fr", "Le front unique", "fr"), ("de", "Die Einheitsfront", "de"), ("ru", None, None)],
)
def test_the_options_and_question_come_in_the_readers_language(
    client_as: Any, scene: Any, language: str, title: str | None, title_language: str | None
) -> None:
    from django.conf import settings
    from django.utils import translation
    from django.utils.text import capfirst

    from liaison.conference.models import Option

    client = client_as("corr_a")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get(url(scene)).content.decode()
    with translation.override(language):
        labels = [escape(capfirst(str(Option(code).label))) for code in ("support", "oppose", "amend", "abstain")]
    for label in labels:
        assert f"\n {label}</label>" in html
    if title is None:
        # No Russian title yet: another language's, marked as such for the browser and screen readers.
        title, title_language = services.text_in(scene.questions.get(number=1).title, language)
        assert title_language != language
    assert f'lang="{title_language}" dir="ltr">{title}</h2>' in html


def test_a_question_without_options_offers_its_own_answer_and_abstain(client_as: Any, scene: Any) -> None:
    html = client_as("corr_a").get(url(scene, 2)).content.decode()
    assert 'value="own"' in html and 'value="abstain"' in html
    assert 'value="support"' not in html


def test_it_states_a_draft_position(world: Any, client_as: Any, scene: Any, issues: Any) -> None:
    client = client_as("corr_a")
    answer = client.post(url(scene), form())
    assert answer.status_code == 302 and answer["Location"] == url(scene)
    position = Position.objects.get(section=world.section_a)
    assert (position.option, position.stance, position.language) == (
        "support",
        {"fr": "We support the united front, on our own programme."},
        "fr",
    )
    contribution = position.contribution
    assert (contribution.kind, contribution.state, contribution.target_issue) == ("position", "draft", issues[0])
    page = client.get(answer["Location"])
    html = page.content.decode()
    assert "position on question 1 is stated" in html and "Its statement is draft" in html
    # The statement is linked to its page in the editorial workflow, where it is submitted.
    assert f'href="/contributions/{contribution.pk}/"' in html
    assert "Our full statement." in html


def test_it_submits_at_once_when_asked(world: Any, client_as: Any, scene: Any) -> None:
    answer = client_as("corr_a").post(url(scene), form(submit_now="1"))
    assert answer.status_code == 302
    assert Position.objects.get(section=world.section_a).contribution.state == State.SUBMITTED


def test_abstain_is_a_position(world: Any, client_as: Any, scene: Any) -> None:
    answer = client_as("corr_a").post(url(scene, 2), form(option="abstain", stance="We abstain until the congress."))
    assert answer.status_code == 302
    assert Position.objects.get(section=world.section_a).option == "abstain"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"option": "alternative"}, "option", "does not offer"),
        ({"option": ""}, "option", "does not offer"),
        ({"stance": "   "}, "stance", "Say the position in a sentence or two"),
        ({"stance": "x" * 501}, "stance", "at most 500 characters"),
        ({"statement": ""}, "statement", "The text is empty."),
        ({"language": "de"}, "language", "Select a valid choice"),
        ({"language": "xx"}, "language", "Select a valid choice"),
    ],
)
def test_bad_input_is_refused_next_to_its_field(
    client_as: Any, scene: Any, changes: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()
    answer = client_as("corr_a").post(url(scene), form(**changes))
    assert answer.status_code == 400
    assert message in " ".join(answer.context["form"].errors[field])
    assert "Nothing was saved" in answer.content.decode()
    assert snapshot() == before


def test_a_closed_conference_refuses_positions(world: Any, client_as: Any, scene: Any) -> None:
    editor = world.actor("editor")
    services.set_conference_status(editor, scene, ConferenceStatus.CONVENED)
    services.set_conference_status(editor, scene, ConferenceStatus.CLOSED)
    client = client_as("corr_a")
    page = client.get(url(scene))
    assert "The conference is closed" in page.content.decode()
    assert 'name="statement"' not in page.content.decode()
    before = snapshot()
    answer = client.post(url(scene), form())
    assert answer.status_code == 400
    assert "is closed: its positions can no longer change" in " ".join(answer.context["form"].non_field_errors())
    assert "is closed: its positions can no longer change" in answer.content.decode()
    assert snapshot() == before


def test_an_unknown_question_or_section_is_404(client_as: Any, scene: Any) -> None:
    client = client_as("corr_a")
    assert client.get(url(scene, 9)).status_code == 404
    assert client.post(url(scene, 9), form()).status_code == 404
    assert client.get(url(scene, slug="nowhere")).status_code == 404


# Revising ----------------------------------------------------------------------------------------------------------


def test_it_revises_a_draft_in_place(world: Any, client_as: Any, scene: Any, state: StatePosition) -> None:
    position = state()
    client = client_as("corr_a")
    page = client.get(url(scene))
    assert page.context["form"].initial["base_version"] == 1
    assert page.context["form"].initial["statement"] == position.contribution.body
    answer = client.post(url(scene), form(option="amend", stance="With amendments.", base_version="1"))
    assert answer.status_code == 302
    position.refresh_from_db()
    assert (position.option, position.version) == ("amend", 2)
    # A draft statement is edited in place: the same contribution.
    assert position.contribution_id == PositionRevision.objects.get(position=position, number=1).contribution_id
    html = client.get(url(scene)).content.decode()
    assert "is revised (version 2)" in html
    history = client.get(url(scene)).context["history"]
    assert [h["revision"].number for h in history] == [2, 1]
    assert [h["option"] for h in history] == ["Support with amendments", "Support"]
    assert history[0]["author"] == "Alpha Corr"


def test_a_revision_after_submission_needs_a_new_statement(
    world: Any, client_as: Any, scene: Any, state: StatePosition
) -> None:
    position = state(to="submitted")
    client = client_as("corr_a")
    before = snapshot()
    body = position.contribution.body
    answer = client.post(url(scene), form(option="oppose", statement=body, base_version="1"))
    assert answer.status_code == 400
    assert "a revision comes with a new statement" in " ".join(answer.context["form"].errors["statement"])
    assert snapshot() == before
    answer = client.post(
        url(scene), form(option="oppose", statement="We changed our mind, and say why.", base_version="1")
    )
    assert answer.status_code == 302
    position.refresh_from_db()
    assert (position.option, position.version, position.contribution.state) == ("oppose", 2, "draft")
    # The statement that was with the editors is withdrawn, with a reason, and stays in the history.
    first = PositionRevision.objects.get(position=position, number=1).contribution
    assert first.state == State.WITHDRAWN


def test_an_outdated_revision_is_refused(world: Any, client_as: Any, scene: Any, state: StatePosition) -> None:
    position = state()
    services.revise_position(world.actor("corr_a"), position, base_version=1, option="oppose")
    before = snapshot()
    answer = client_as("corr_a").post(url(scene), form(option="amend", base_version="1"))
    assert answer.status_code == 400
    assert "Someone revised this position in the meantime" in answer.content.decode()
    assert snapshot() == before


def test_a_revision_that_changes_nothing_is_refused(
    world: Any, client_as: Any, scene: Any, state: StatePosition
) -> None:
    position = state(stance="We support the united front, on our own programme.")
    before = snapshot()
    answer = client_as("corr_a").post(url(scene), form(statement=position.contribution.body, base_version="1"))
    assert answer.status_code == 400
    assert "Nothing changed" in answer.content.decode()
    assert snapshot() == before


def test_a_revision_of_a_placed_statement_is_refused(
    world: Any, client_as: Any, scene: Any, state: StatePosition
) -> None:
    from liaison.editorial import services as editorial

    position = state(to="submitted")
    editor = world.actor("editor")
    editorial.transition(editor, position.contribution, State.ACCEPTED)
    position.contribution.refresh_from_db()
    editorial.place(editor, position.contribution, position.contribution.target_issue, reason="Placed.")
    before = snapshot()
    answer = client_as("corr_a").post(url(scene), form(option="oppose", statement="A new text.", base_version="1"))
    assert answer.status_code == 400
    assert "ask the editors to take it out" in answer.content.decode()
    assert snapshot() == before


def test_a_form_without_its_version_is_refused(world: Any, client_as: Any, scene: Any, state: StatePosition) -> None:
    state()
    before = snapshot()
    answer = client_as("corr_a").post(url(scene), form(option="oppose"))
    assert answer.status_code == 400
    assert "This form is out of date" in answer.content.decode()
    assert snapshot() == before


# Reading -----------------------------------------------------------------------------------------------------------


def test_readers_see_published_versions_only(world: Any, client_as: Any, scene: Any, state: StatePosition) -> None:
    position = state(option="support", stance="First we support it.", to="published")
    services.revise_position(
        world.actor("corr_a"),
        position,
        base_version=1,
        option="oppose",
        stance="Now we oppose it.",
        statement="Our second statement, explaining the change.",
        submit=True,
    )
    member_b = client_as("corr_b").get(url(scene))
    assert member_b.status_code == 200
    html = member_b.content.decode()
    assert "First we support it." in html and "Now we oppose it." not in html
    assert [h["revision"].number for h in member_b.context["history"]] == [1]
    assert member_b.context["form"] is None and 'name="statement"' not in html
    # Others read, and are told they read, the published version while a revision is with the editors.
    assert (member_b.context["cell"].state, member_b.context["cell"].revision) == ("published", 1)
    # The editors read what was submitted; the section everything.
    assert [h["revision"].number for h in client_as("editor").get(url(scene)).context["history"]] == [2, 1]
    assert [h["revision"].number for h in client_as("member").get(url(scene)).context["history"]] == [2, 1]
    assert "Now we oppose it." in client_as("corr_a").get(url(scene)).content.decode()


def test_a_draft_is_not_shown_to_other_sections(world: Any, client_as: Any, scene: Any, state: StatePosition) -> None:
    state(stance="Our secret draft stance.")
    for role in ("corr_b", "editor", "translator", "anonymous"):
        page = client_as(role).get(url(scene))
        assert page.status_code == 200
        assert "Our secret draft stance." not in page.content.decode(), role
        assert "No position is stated yet." in page.content.decode()
    assert "Our secret draft stance." in client_as("member").get(url(scene)).content.decode()


@pytest.mark.parametrize(
    ("language", "stance", "direction"),
    [
        ("ru", "Мы поддерживаем единый фронт рабочих организаций.", "ltr"),
        ("zh", "我们支持统一战线，但保留批评的自由。", "ltr"),
        ("ar", "نحن ندعم الجبهة الموحدة مع حرية النقد.", "rtl"),
    ],
)
def test_stances_in_every_script(
    world: Any, client_as: Any, scene: Any, language: str, stance: str, direction: str
) -> None:
    Section.objects.filter(pk=world.section_a.pk).update(languages=["fr", "ru", "zh", "ar"])
    answer = client_as("corr_a").post(url(scene), form(stance=stance, language=language, statement=stance * 3))
    assert answer.status_code == 302
    position = Position.objects.get(section=world.section_a)
    assert position.stance == {language: stance}
    publish(world, position)
    html = client_as("anonymous").get(url(scene)).content.decode()
    assert f'<blockquote class="stance" lang="{language}" dir="{direction}">{stance}</blockquote>' in html
    section_page = client_as("corr_b").get(f"/conferences/{scene.pk}/sections/alpha/").content.decode()
    assert f'lang="{language}">{stance}</span>' in section_page


def test_a_hostile_statement_is_rendered_inert(world: Any, client_as: Any, scene: Any) -> None:
    hostile_stance = '<script>alert("stance")</script> <img src=x onerror=alert(1)>'
    answer = client_as("corr_a").post(url(scene), form(stance=hostile_stance, statement=HOSTILE))
    assert answer.status_code == 302
    own = client_as("corr_a").get(url(scene)).content.decode()
    assert_inert(own)
    position = Position.objects.get(section=world.section_a)
    publish(world, position)
    for role in ("anonymous", "member", "corr_b"):
        html = client_as(role).get(url(scene)).content.decode()
        assert_inert(html)
        assert "&lt;script&gt;alert(&quot;stance&quot;)&lt;/script&gt;" in html
        assert "Hello" in html  # the statement is there, rendered
        assert_inert(client_as(role).get(f"/conferences/{scene.pk}/sections/alpha/").content.decode())


def test_a_members_only_conference_hides_its_positions_from_the_public(
    world: Any, client_as: Any, bulletin: Any, questions: Any
) -> None:
    internal = services.create_conference(world.actor("editor"), title="Internal conference", bulletin=bulletin)
    services.create_question(world.actor("editor"), internal, title={"en": "A question"})
    page_url = url(internal)
    answer = client_as("anonymous").get(page_url)
    assert answer.status_code == 302 and "/login/" in answer["Location"]
    assert client_as("member").get(page_url).status_code == 200
