"""The conference endpoints at work: what each answer holds for whom, the matrix and its filters, positions with
their history, endorsements, the writes and their refusals (status, message, nothing changed), text in any script,
and a matrix whose queries do not grow with the federation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.conference import services
from liaison.conference.models import ConferenceStatus, Endorsement, Position, Question, Wave
from liaison.federation.models import Section, SectionStatus
from tests.api.conftest import API, post_json
from tests.api.test_conference_scene import Scene, build_scene, publish
from tests.conftest import World


@pytest.fixture
def scene(world: World) -> Scene:
    return build_scene(world)


def url(scene: Scene, path: str = "", *, internal: bool = False) -> str:
    return f"{API}/conferences/{(scene.internal if internal else scene.public).pk}{path}"


def put_json(client: Client, path: str, data: dict[str, Any]) -> Any:
    return client.put(path, data, content_type="application/json")


def cells(answer: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    return {row["section"]["slug"]: row["cells"] for group in answer["groups"] for row in group["rows"]}


# Reading ---------------------------------------------------------------------------------------------------------


def test_a_conference_with_its_timeline_agenda_and_waves(world: World, scene: Scene, api_as: Callable) -> None:
    services.add_milestone(
        world.actor("editor"), scene.public, date=scene.waves[0].deadline.date(), title={"en": "Europe replies"}
    )
    services.move_section(world.actor("editor"), scene.waves[0], world.section_b, reason="It asked to.")
    answer = api_as("anonymous").get(url(scene)).json()
    assert answer["title"] == "Second International Conference" and answer["place"] == "Genève"
    assert (answer["status"], answer["public"], answer["bulletin"]) == ("preparing", True, "bulletin")
    assert answer["milestones"] == [{"date": "2099-03-01", "title": {"en": "Europe replies"}}]
    assert [q["number"] for q in answer["questions"]] == [1, 2, 3]
    first, second = answer["questions"][:2]
    assert first["title"]["fr"] == "Le front unique"
    assert [o["code"] for o in first["options"]] == ["support", "oppose", "amend", "abstain"]
    assert [o["code"] for o in second["options"]] == ["own", "abstain"]
    europe, americas = answer["waves"]
    assert europe == {
        "id": scene.waves[0].pk,
        "name": "Europe",
        "deadline": "2099-03-01T12:00:00Z",
        "issue": 1,
        "regions": [{"slug": "europe", "name": "Europe"}],
        "moved_in": [{"slug": "beta", "name": "Section Beta"}],
    }
    assert americas["issue"] == 2
    assert api_as("anonymous").get(url(scene, "/waves")).json() == answer["waves"]
    assert api_as("anonymous").get(url(scene, "/questions")).json() == answer["questions"]


def test_option_labels_follow_accept_language(scene: Scene, api_as: Callable) -> None:
    english = api_as("anonymous").get(url(scene, "/questions")).json()
    assert english[0]["options"][-1] == {"code": "abstain", "label": "abstain"}
    german = api_as("anonymous").get(url(scene, "/questions"), HTTP_ACCEPT_LANGUAGE="de").json()
    assert german[0]["options"][-1]["code"] == "abstain"


def test_the_public_reads_published_positions_only(scene: Scene, api_as: Callable) -> None:
    answer = api_as("anonymous").get(url(scene, "/positions")).json()
    assert [q["title"] for q in answer["questions"]] == ["The united front", "The trade unions", "The youth"]
    assert [g["region"]["slug"] for g in answer["groups"]] == ["europe", "americas"]
    alpha, beta = cells(answer)["alpha"], cells(answer)["beta"]
    assert alpha[0]["state"] == "published"
    assert (alpha[0]["option"], alpha[0]["stance"], alpha[0]["stance_language"]) == (
        "support",
        "Nous soutenons le front unique.",
        "fr",
    )
    assert alpha[0]["contribution_id"] == scene.positions["published_a"].contribution_id
    # Submitted: its state is known, its content is the editors' and its section's until published.
    assert (alpha[1]["state"], alpha[1]["option"], alpha[1]["stance"]) == ("submitted", None, "")
    # A draft is its section's business: to others it is not stated.
    assert (beta[0]["state"], beta[0]["stance"]) == ("not_stated", "")
    row = answer["groups"][0]["rows"][0]
    assert row["wave"] == {"id": scene.waves[0].pk, "name": "Europe"}
    assert row["deadline"] == "2099-03-01T12:00:00Z"


def test_each_reads_what_is_theirs(scene: Scene, api_as: Callable) -> None:
    editor = cells(api_as("editor").get(url(scene, "/positions")).json())
    assert editor["alpha"][1]["stance"] == "Submitted stance of Alpha."
    assert editor["beta"][0]["state"] == "not_stated"
    own = cells(api_as("corr_b").get(url(scene, "/positions")).json())
    assert (own["beta"][0]["state"], own["beta"][0]["stance"]) == ("draft", "Draft stance of Beta.")
    assert own["alpha"][1]["stance"] == ""


def test_the_matrix_filters(scene: Scene, api_as: Callable) -> None:
    client = api_as("member")
    assert list(cells(client.get(url(scene, "/positions?region=americas")).json())) == ["beta"]
    assert list(cells(client.get(url(scene, f"/positions?wave={scene.waves[0].pk}")).json())) == ["alpha"]
    assert list(cells(client.get(url(scene, "/positions?state=published")).json())) == ["alpha"]
    assert list(cells(client.get(url(scene, "/positions?state=overdue")).json())) == []


def test_the_matrix_refuses_unknown_filters(scene: Scene, api_as: Callable) -> None:
    client = api_as("member")
    region = client.get(url(scene, "/positions?region=atlantis"))
    assert (region.status_code, region.json()) == (404, {"detail": "No region “atlantis”.", "field": "region"})
    other_wave = Wave.objects.filter(conference=scene.internal).get().pk
    wave = client.get(url(scene, f"/positions?wave={other_wave}"))
    assert wave.status_code == 404 and wave.json()["field"] == "wave"
    assert client.get(url(scene, "/positions?state=lost")).status_code == 422


def test_one_position_with_its_history_and_endorsements(world: World, scene: Scene, api_as: Callable) -> None:
    corr_a = world.actor("corr_a")
    position = scene.positions["published_a"]
    services.endorse(world.actor("corr_b"), world.section_b, position)
    # Revised after publication: a new statement, submitted; the public still reads the published version.
    services.revise_position(
        corr_a, position, base_version=1, option="amend", stance="Avec des amendements.", statement="Why.", submit=True
    )
    public = api_as("anonymous").get(url(scene, "/positions/alpha/1")).json()
    # The public reads, and is told it reads, the version published; the revision is the editors' business.
    assert (public["state"], public["option"], public["version"]) == ("published", "support", None)
    assert [r["number"] for r in public["revisions"]] == [1]
    assert [e["section"]["slug"] for e in public["endorsements"]] == ["beta"]
    assert public["endorsements"][0]["revision"] == 1
    own = api_as("corr_a").get(url(scene, "/positions/alpha/1")).json()
    assert (own["option"], own["stance"], own["version"]) == ("amend", "Avec des amendements.", 2)
    assert [(r["number"], r["option"], r["contribution_state"]) for r in own["revisions"]] == [
        (1, "support", "published"),
        (2, "amend", "submitted"),
    ]


def test_a_position_not_stated_has_its_state_and_nothing_else(scene: Scene, api_as: Callable) -> None:
    answer = api_as("corr_a").get(url(scene, "/positions/beta/1")).json()
    assert answer["section"] == {"slug": "beta", "name": "Section Beta"}
    assert (answer["state"], answer["option"], answer["revisions"], answer["version"]) == ("not_stated", None, [], None)
    missing = api_as("corr_a").get(url(scene, "/positions/beta/9"))
    assert (missing.status_code, missing.json()["detail"]) == (404, "The conference has no question 9.")
    unknown = api_as("corr_a").get(url(scene, "/positions/atlantis/1"))
    assert (unknown.status_code, unknown.json()["detail"]) == (404, "No section “atlantis”.")


def test_endorsements_are_listed_with_the_withdrawn_ones(world: World, scene: Scene, api_as: Callable) -> None:
    assert scene.endorsement is not None
    services.withdraw_endorsement(world.actor("corr_b"), scene.endorsement)
    again = services.endorse(world.actor("corr_b"), world.section_b, scene.positions["internal_a"])
    client = api_as("member")
    listed = client.get(url(scene, "/endorsements", internal=True)).json()
    assert [(e["id"], e["withdrawn_at"] is None) for e in listed] == [(scene.endorsement.pk, False), (again.pk, True)]
    assert listed[0]["position_section"]["slug"] == "alpha" and listed[0]["question"] == 1
    assert [e["id"] for e in client.get(url(scene, "/endorsements?standing=true", internal=True)).json()] == [again.pk]
    assert client.get(url(scene, "/endorsements?section=alpha", internal=True)).json() == []
    assert client.get(url(scene, "/endorsements?section=atlantis", internal=True)).status_code == 404


# Writing ---------------------------------------------------------------------------------------------------------


def test_an_editor_prepares_a_conference(world: World, scene: Scene, api_as: Callable) -> None:
    client = api_as("editor")
    created = post_json(
        client,
        "/conferences",
        {"title": "Третья конференция", "bulletin": "bulletin", "place": "北京", "public": True},
    )
    assert created.status_code == 201
    answer = created.json()
    assert (answer["title"], answer["place"], answer["status"]) == ("Третья конференция", "北京", "preparing")
    assert "Третья конференция".encode() in created.content  # UTF-8 as it is, not \u escapes
    question = post_json(
        client,
        f"/conferences/{answer['id']}/questions",
        {"title": {"ru": "Профсоюзы", "en": "Unions"}, "description": {"fr": "Faut-il…"}, "options": ["oppose"]},
    )
    assert question.status_code == 201
    assert question.json()["number"] == 1
    assert [o["code"] for o in question.json()["options"]] == ["oppose", "abstain"]
    wave = post_json(
        client,
        f"/conferences/{answer['id']}/waves",
        {"name": "Азия", "regions": ["asia"], "deadline": "2099-05-01T09:00:00+09:00", "issue": 2},
    )
    assert wave.status_code == 201
    assert (wave.json()["name"], wave.json()["deadline"]) == ("Азия", "2099-05-01T00:00:00Z")


@pytest.mark.parametrize(
    ("path", "body", "field", "detail"),
    [
        ("/conferences", {"title": "X", "bulletin": "atlantis"}, "bulletin", "No bulletin “atlantis”."),
        (
            "/conferences",
            {"title": "X", "bulletin": "internal", "public": True},
            "public",
            "Internal is for members only: a conference whose statements appear in it cannot be public.",
        ),
        ("/conferences", {"title": "  ", "bulletin": "bulletin"}, "title", "A conference needs a title."),
        (
            "/conferences/{public}/questions",
            {"title": {"zh": "统一战线"}},
            "title",
            "Chinese is not one of the federation's working languages.",
        ),
        ("/conferences/{public}/questions", {"title": {}}, "title", "Write it in at least one language."),
        (
            "/conferences/{public}/questions",
            {"title": {"en": "X"}, "options": ["maybe"]},
            "options",
            None,
        ),
        (
            "/conferences/{public}/waves",
            {"name": "X", "regions": ["atlantis"], "deadline": "2099-01-01T00:00:00Z", "issue": 2},
            "regions",
            "No region “atlantis”.",
        ),
        (
            "/conferences/{public}/waves",
            {"name": "X", "regions": ["asia"], "deadline": "2099-01-01T00:00:00Z", "issue": 9},
            "issue",
            "Bulletin has no issue No. 9.",
        ),
        (
            "/conferences/{public}/waves",
            {"name": "X", "regions": ["europe"], "deadline": "2099-01-01T00:00:00Z", "issue": 2},
            "regions",
            "Europe already reply in another wave of this conference.",
        ),
    ],
)
def test_an_editors_bad_input_is_refused(
    scene: Scene, api_as: Callable, path: str, body: dict[str, Any], field: str, detail: str | None
) -> None:
    counts = (Question.objects.count(), Wave.objects.count())
    response = post_json(api_as("editor"), path.format(**scene.ids), body)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    if detail:
        assert response.json()["detail"] == detail
    assert (Question.objects.count(), Wave.objects.count()) == counts


def test_a_deadline_without_a_time_zone_is_refused_by_the_schema(scene: Scene, api_as: Callable) -> None:
    body = {"name": "X", "regions": ["asia"], "deadline": "2099-01-01T00:00:00", "issue": 2}
    assert post_json(api_as("editor"), f"/conferences/{scene.public.pk}/waves", body).status_code == 422


def position_body(**changes: Any) -> dict[str, Any]:
    body = {
        "section": "alpha",
        "question": 3,
        "option": "own",
        "stance": "نحن ندعم الشباب.",
        "statement": "## البيان\n\nنص كامل.",
        "language": "ar",
    }
    return {**body, **changes}


def test_a_correspondent_states_a_position_in_any_script(scene: Scene, api_as: Callable) -> None:
    created = post_json(api_as("corr_a"), f"/conferences/{scene.public.pk}/positions", position_body(submit=True))
    assert created.status_code == 201, created.content
    answer = created.json()
    assert (answer["state"], answer["stance"], answer["stance_language"]) == ("submitted", "نحن ندعم الشباب.", "ar")
    assert answer["version"] == 1
    assert "نحن ندعم الشباب.".encode() in created.content
    position = Position.objects.get(question__number=3, section__slug="alpha", conference=scene.public)
    assert position.contribution.kind == "position" and position.contribution.language == "ar"
    assert position.contribution.target_issue == scene.waves[0].issue
    editor = cells(api_as("editor").get(url(scene, "/positions")).json())
    assert editor["alpha"][2]["stance"] == "نحن ندعم الشباب."


@pytest.mark.parametrize(
    ("changes", "status", "field", "detail"),
    [
        ({"question": 9}, 400, "question", "The conference has no question 9."),
        ({"section": "atlantis"}, 400, "section", "No section “atlantis”."),
        (
            {"question": 1, "option": "alternative"},
            400,
            "option",
            "Question 1 does not offer “alternative”; choose one of: support, oppose, support with amendments, "
            "abstain.",
        ),
        (
            {"question": 1, "option": "support"},
            409,
            None,
            "Section Alpha has already stated its position on question 1: revise it instead.",
        ),
        ({"stance": "  "}, 400, "stance", "Say the position in a sentence or two: the matrix shows it."),
        ({"language": "xx-nowhere"}, 400, "language", None),
    ],
)
def test_a_bad_position_is_refused_with_the_reason(
    scene: Scene, api_as: Callable, changes: dict[str, Any], status: int, field: str | None, detail: str | None
) -> None:
    count = Position.objects.count()
    response = post_json(api_as("corr_a"), f"/conferences/{scene.public.pk}/positions", position_body(**changes))
    assert response.status_code == status, response.content
    assert response.json()["field"] == field
    if detail:
        assert response.json()["detail"] == detail
    assert Position.objects.count() == count


def test_no_position_changes_once_the_conference_is_closed(world: World, scene: Scene, api_as: Callable) -> None:
    editor = world.actor("editor")
    services.set_conference_status(editor, scene.public, ConferenceStatus.CONVENED)
    services.set_conference_status(editor, scene.public, ConferenceStatus.CLOSED)
    closed = "The conference “Second International Conference” is closed: its positions can no longer change."
    stated = post_json(api_as("corr_a"), f"/conferences/{scene.public.pk}/positions", position_body())
    assert (stated.status_code, stated.json()["detail"]) == (400, closed)
    revised = put_json(api_as("corr_b"), url(scene, "/positions/beta/1"), {"base_version": 1, "option": "amend"})
    assert (revised.status_code, revised.json()["detail"]) == (400, closed)
    endorsed = post_json(
        api_as("corr_b"), f"/conferences/{scene.public.pk}/positions/alpha/1/endorsements", {"section": "beta"}
    )
    assert (endorsed.status_code, endorsed.json()["detail"]) == (400, closed)


def test_a_revision_from_an_outdated_version_is_a_conflict(scene: Scene, api_as: Callable) -> None:
    client = api_as("corr_b")
    first = put_json(client, url(scene, "/positions/beta/1"), {"base_version": 1, "option": "amend"})
    assert first.status_code == 200
    assert (first.json()["option"], first.json()["version"]) == ("amend", 2)
    late = put_json(client, url(scene, "/positions/beta/1"), {"base_version": 1, "option": "support"})
    assert late.status_code == 409
    assert late.json()["detail"] == "Someone revised this position in the meantime: reload it and revise again."
    assert Position.objects.get(pk=scene.positions["draft_b"].pk).option == "amend"


def test_a_revision_once_submitted_needs_a_new_statement(scene: Scene, api_as: Callable) -> None:
    response = put_json(api_as("corr_a"), url(scene, "/positions/alpha/2"), {"base_version": 1, "stance": "Other."})
    assert response.status_code == 400
    assert response.json()["field"] == "statement"
    nothing = put_json(api_as("corr_b"), url(scene, "/positions/beta/1"), {"base_version": 1})
    assert (nothing.status_code, nothing.json()["detail"]) == (400, "Nothing changed: the position is as it was.")
    missing = put_json(api_as("corr_a"), url(scene, "/positions/alpha/3"), {"base_version": 1, "option": "own"})
    assert missing.status_code == 404
    assert missing.json()["detail"] == "Section Alpha has no position on question 3: state it first."


def test_endorsing_and_withdrawing(world: World, scene: Scene, api_as: Callable) -> None:
    client = api_as("corr_b")
    path = f"/conferences/{scene.public.pk}/positions/alpha/1/endorsements"
    created = post_json(client, path, {"section": "beta"})
    assert created.status_code == 201
    answer = created.json()
    assert (answer["section"]["slug"], answer["position_section"]["slug"], answer["revision"]) == ("beta", "alpha", 1)
    twice = post_json(client, path, {"section": "beta"})
    assert (twice.status_code, twice.json()["detail"]) == (409, "Section Beta already endorses this position.")
    matrix = cells(api_as("anonymous").get(url(scene, "/positions")).json())
    assert matrix["alpha"][0]["endorsed_by"] == ["Section Beta"]
    withdrawn = api_as("corr_b").delete(url(scene, f"/endorsements/{answer['id']}"))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    again = api_as("corr_b").delete(url(scene, f"/endorsements/{answer['id']}"))
    assert (again.status_code, again.json()["detail"]) == (400, "This endorsement was already withdrawn.")
    assert Endorsement.objects.filter(pk=answer["id"]).exists()  # the record stays
    other = api_as("corr_b").delete(url(scene, f"/endorsements/{answer['id']}", internal=True))
    assert other.status_code == 404


def test_a_section_does_not_endorse_its_own_position_nor_an_unpublished_one(
    world: World, scene: Scene, api_as: Callable
) -> None:
    client = api_as("corr_a")
    own = post_json(client, f"/conferences/{scene.public.pk}/positions/alpha/1/endorsements", {"section": "alpha"})
    assert (own.status_code, own.json()) == (
        400,
        {"detail": "A section does not endorse its own position; it states it.", "field": "position"},
    )
    # Section A's submitted position is visible to the editors, but not published: not endorsable.
    submitted = post_json(
        api_as("corr_b"), f"/conferences/{scene.public.pk}/positions/alpha/2/endorsements", {"section": "beta"}
    )
    assert submitted.status_code == 404
    assert not Endorsement.objects.filter(position=scene.positions["submitted_a"]).exists()


def test_a_published_position_of_another_section_in_another_language(
    world: World, scene: Scene, api_as: Callable
) -> None:
    # Section B states in Spanish; once published, a member reads it, with the question in German.
    position = scene.positions["draft_b"]
    services.revise_position(
        world.actor("corr_b"), position, base_version=1, stance="Nos oponemos.", language="es", submit=True
    )
    publish(world, Position.objects.get(pk=position.pk))
    answer = api_as("member").get(url(scene, "/positions"), HTTP_ACCEPT_LANGUAGE="de").json()
    assert answer["questions"][0] == {
        "id": scene.questions[0].pk,
        "number": 1,
        "title": "Die Einheitsfront",
        "language": "de",
    }
    beta = cells(answer)["beta"][0]
    assert (beta["state"], beta["option"], beta["stance"], beta["stance_language"]) == (
        "published",
        "oppose",
        "Nos oponemos.",
        "es",
    )


# Queries ---------------------------------------------------------------------------------------------------------


def count_queries(client: Client, path: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_the_matrix_costs_the_same_queries_whatever_the_sections_and_questions(
    world: World, scene: Scene, api_as: Callable
) -> None:
    client = api_as("member")
    path = url(scene, "/positions")
    before = count_queries(client, path)
    for index in range(8):
        Section.objects.create(
            name=f"Секция {index}", slug=f"s{index}", country="DE", region=world.europe, status=SectionStatus.ADHERING
        )
    for index in range(4):
        services.create_question(world.actor("editor"), scene.public, title={"en": f"Question {index}"})
    assert count_queries(client, path) == before
    assert len(cells(client.get(path).json())) == 10
