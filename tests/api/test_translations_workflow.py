"""The translation workflow through the API: saving (conflicts too), who may work on which translation, review by
someone else, structure checks at approval, claiming and assigning, a stale translation brought up to date, and
machine drafts against a local server that speaks LibreTranslate's protocol."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.test import Client

from liaison.editorial import services as editorial_services
from liaison.editorial.models import State
from liaison.translations.models import Translation, TranslationEvent, TranslationRevision
from tests.api.conftest import API, bearer
from tests.api.test_translations_scene import TranslationScene, build_translation_scene
from tests.conftest import World
from tests.translations.conftest import LibreTranslateServer


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


@pytest.fixture
def as_(api_as: Callable[[str], Client], tscene: TranslationScene) -> Callable[[str], Client]:
    """A client for the world's roles and for the scene's two extra translators ("second", "translator_ru")."""

    def make(role: str) -> Client:
        if role in tscene.tokens:
            return Client(headers=bearer(tscene.tokens[role]))
        return api_as(role)

    return make


def send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def save(client: Client, translation_id: int, base_version: int, body: str, title: str = "Titre") -> Any:
    return send(
        client, "put", f"/translations/{translation_id}", {"base_version": base_version, "title": title, "body": body}
    )


def move(client: Client, translation_id: int, to: str, reason: str = "") -> Any:
    return send(client, "post", f"/translations/{translation_id}/transitions", {"to": to, "reason": reason})


def state_of(translation_id: int) -> tuple[Any, ...]:
    t = Translation.objects.get(pk=translation_id)
    return (t.state, t.version, t.title, t.body, t.assigned_to_id, t.machine, t.stale)


# Saving ----------------------------------------------------------------------------------------------------------


def test_a_save_needs_the_version_it_started_from(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = send(
        as_("translator"), "put", f"/translations/{tscene.ids['internal_b_fr']}", {"title": "T", "body": "B"}
    )
    assert response.status_code == 422
    assert "base_version" in response.content.decode()


def test_a_first_save_makes_a_draft_and_takes_the_translation(
    as_: Callable[[str], Client], tscene: TranslationScene
) -> None:
    response = save(as_("translator"), tscene.ids["internal_b_fr"], 1, "Texte interne.", "Interne de Beta")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["state"], data["version"], data["title"], data["body"]) == (
        "draft",
        2,
        "Interne de Beta",
        "Texte interne.",
    )
    assert (data["translator"], data["assigned_to"], data["assigned_to_me"]) == ("Tongues", "Tongues", True)
    assert data["allowed_moves"] == ["in_review"]
    assert [(e["from_state"], e["to_state"]) for e in data["events"]] == [("needed", "draft")]


@pytest.mark.parametrize(
    ("fields", "field", "detail"),
    [
        ({"title": "   "}, "title", "needs a title"),
        ({"body": " \n "}, "body", "The text is empty"),
        ({"body": "nul \x00 here"}, "body", "NUL"),
        ({"body": "mot " * 60_000}, "body", "at most"),
    ],
)
def test_bad_input_is_named_and_changes_nothing(
    as_: Callable[[str], Client], tscene: TranslationScene, fields: dict[str, str], field: str, detail: str
) -> None:
    translation_id = tscene.ids["internal_b_fr"]
    before = state_of(translation_id)
    data = {"base_version": 1, "title": "Titre", "body": "Texte.", **fields}
    response = send(as_("translator"), "put", f"/translations/{translation_id}", data)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and detail in response.json()["detail"]
    assert state_of(translation_id) == before


def test_a_stale_save_is_a_conflict_that_keeps_both_texts(
    as_: Callable[[str], Client], tscene: TranslationScene
) -> None:
    translation_id = tscene.ids["placed_b_fr"]
    version = tscene.ids["placed_b_fr_version"]
    first = save(as_("editor"), translation_id, version, "Le texte de la secrétaire.")
    assert first.status_code == 200, first.content
    second = save(as_("translator"), translation_id, version, "Mon texte, plus tard.")
    assert second.status_code == 409
    data = second.json()
    assert data["field"] == "body" and "revision 3" in data["detail"]
    assert (data["theirs"]["body"], data["theirs"]["number"], data["theirs"]["author"]) == (
        "Le texte de la secrétaire.",
        2,
        "Editor Pseud",
    )
    assert (data["yours"]["body"], data["yours"]["conflict"], data["yours"]["author"]) == (
        "Mon texte, plus tard.",
        True,
        "Tongues",
    )
    assert Translation.objects.get(pk=translation_id).body == "Le texte de la secrétaire."
    revisions = as_("translator").get(f"{API}/translations/{translation_id}/revisions").json()
    assert [(r["number"], r["conflict"]) for r in revisions] == [(1, False), (2, False), (3, True)]


def test_a_machine_draft_that_arrived_meanwhile_is_simply_replaced(
    as_: Callable[[str], Client], tscene: TranslationScene
) -> None:
    # The editor opened the English translation before the machine draft came (version 1): a person's text wins.
    response = save(as_("editor"), tscene.ids["placed_b_en"], 1, "Placed text, by a person.", "Placed of Beta")
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["machine"], data["translator"], data["body"]) == (False, "Editor Pseud", "Placed text, by a person.")


# Who works on which ------------------------------------------------------------------------------------------------


def test_a_translator_is_refused_a_language_they_did_not_declare(
    as_: Callable[[str], Client], tscene: TranslationScene
) -> None:
    translation_id = tscene.ids["pub_a_ru"]
    before = state_of(translation_id)
    client = as_("translator")
    refused = [
        save(client, translation_id, 1, "Текст."),
        send(client, "post", f"/translations/{translation_id}/claim", {}),
        send(client, "post", f"/translations/{translation_id}/machine-draft", {}),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    assert refused[0].json()["detail"] == "Only translators who declared Russian work on this translation."
    assert refused[1].json()["detail"] == "You have not declared Russian among your languages."
    assert state_of(translation_id) == before
    assert client.get(f"{API}/queues/ru").status_code == 403


def test_a_translator_is_refused_what_is_assigned_to_someone_else(
    as_: Callable[[str], Client], world: World, tscene: TranslationScene
) -> None:
    translation_id = tscene.ids["internal_b_fr"]
    assigned = send(
        as_("editor"), "post", f"/translations/{translation_id}/assign", {"translator": world.people["second"].pk}
    )
    assert assigned.status_code == 200, assigned.content
    assert assigned.json()["assigned_to"] == "Zweite Stimme"
    before = state_of(translation_id)
    client = as_("translator")
    edit = save(client, translation_id, 1, "Texte.")
    assert edit.status_code == 403
    assert edit.json()["detail"] == "This translation is assigned to Zweite Stimme."
    taken = send(client, "post", f"/translations/{translation_id}/claim", {})
    assert taken.status_code == 409
    assert taken.json()["detail"] == "Zweite Stimme already took this translation."
    released = send(client, "post", f"/translations/{translation_id}/release", {})
    assert released.status_code == 403
    assert state_of(translation_id) == before
    # The one it is assigned to works on it.
    assert save(as_("second"), translation_id, 1, "Texte.").status_code == 200


def test_claiming_and_giving_back(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["internal_b_fr"]
    client = as_("translator")
    claimed = send(client, "post", f"/translations/{translation_id}/claim", {})
    assert claimed.status_code == 200, claimed.content
    assert (claimed.json()["assigned_to"], claimed.json()["assigned_to_me"]) == ("Tongues", True)
    again = send(client, "post", f"/translations/{translation_id}/claim", {})
    assert again.status_code == 200
    assert TranslationEvent.objects.filter(translation_id=translation_id, kind="assigned").count() == 1
    assert [t["id"] for t in client.get(f"{API}/translations?mine=true&state=needed").json()] == [translation_id]
    released = send(client, "post", f"/translations/{translation_id}/release", {})
    assert (released.json()["assigned_to"], released.json()["assigned_to_me"]) == (None, False)
    assert client.get(f"{API}/translations?mine=true&state=needed").json() == []


@pytest.mark.parametrize(
    ("person", "detail"),
    [
        ("member", "Alpha Member is not a translator."),
        ("translator_ru", "Perevodchik has not declared French among their languages."),
        ("offline", "Quiet One has no account, so cannot translate in Liaison."),
        (None, "No person with the number 999999."),
    ],
)
def test_an_assignment_to_the_wrong_person_is_refused(
    as_: Callable[[str], Client], world: World, tscene: TranslationScene, person: str | None, detail: str
) -> None:
    translation_id = tscene.ids["internal_b_fr"]
    person_id = world.people[person].pk if person else 999999
    response = send(as_("editor"), "post", f"/translations/{translation_id}/assign", {"translator": person_id})
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "field": "translator"}
    assert Translation.objects.get(pk=translation_id).assigned_to is None


def test_the_editor_frees_an_assignment(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["placed_b_ru"]
    response = send(as_("editor"), "post", f"/translations/{translation_id}/assign", {"translator": None})
    assert response.status_code == 200
    assert response.json()["assigned_to"] is None
    events = as_("editor").get(f"{API}/translations/{translation_id}").json()["events"]
    assert [(e["kind"], e["note"]) for e in events] == [("assigned", "Perevodchik"), ("assigned", "")]


# Review and approval -----------------------------------------------------------------------------------------------


def test_nobody_reviews_their_own_text(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["placed_b_de"]
    own = move(as_("translator"), translation_id, "approved")
    assert own.status_code == 403
    assert own.json()["detail"] == (
        "You translated this text: another translator of German or the secretariat reviews it."
    )
    assert Translation.objects.get(pk=translation_id).state == "in_review"
    assert as_("translator").get(f"{API}/translations/{translation_id}").json()["allowed_moves"] == []
    assert as_("second").get(f"{API}/translations/{translation_id}").json()["allowed_moves"] == [
        "approved",
        "draft",
    ]
    approved = move(as_("second"), translation_id, "approved")
    assert approved.status_code == 201, approved.content
    assert (approved.json()["from_state"], approved.json()["to_state"], approved.json()["by"]) == (
        "in_review",
        "approved",
        "Zweite Stimme",
    )
    # Placed, not yet published: its approved translation waits for the issue, as the original does.
    assert as_("anonymous").get(f"{API}/translations/{translation_id}").status_code == 404
    detail = as_("corr_b").get(f"{API}/translations/{translation_id}").json()
    assert (detail["translator"], detail["reviewer"], detail["state"]) == ("Tongues", "Zweite Stimme", "approved")


def test_returning_needs_a_reason_for_the_translator(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["placed_b_de"]
    bare = move(as_("second"), translation_id, "draft")
    assert bare.status_code == 400
    assert bare.json()["field"] == "reason"
    assert Translation.objects.get(pk=translation_id).state == "in_review"
    returned = move(as_("second"), translation_id, "draft", "Der Titel fehlt.")
    assert returned.status_code == 201
    events = as_("translator").get(f"{API}/translations/{translation_id}").json()["events"]
    assert (events[-1]["to_state"], events[-1]["note"], events[-1]["by"]) == (
        "draft",
        "Der Titel fehlt.",
        "Zweite Stimme",
    )


ORIGINAL = "Los trabajadores votaron[^1] como dice [[bulletin/1/1]].\n\n[^1]: El lunes."


def test_a_translation_that_drops_a_footnote_needs_a_reason_to_be_approved(
    as_: Callable[[str], Client], world: World, tscene: TranslationScene
) -> None:
    original = tscene.scene.contributions["placed_b"]
    editorial_services.save_contribution(
        world.actor("editor"),
        original,
        base_version=original.version,
        title=original.title,
        language=original.language,
        kind=original.kind,
        body=ORIGINAL,
    )
    translation_id = tscene.ids["placed_b_fr"]
    version = Translation.objects.get(pk=translation_id).version
    assert save(as_("translator"), translation_id, version, "Les travailleurs ont voté.").status_code == 200
    assert move(as_("translator"), translation_id, "in_review").status_code == 201
    refused = move(as_("editor"), translation_id, "approved")
    assert refused.status_code == 400
    data = refused.json()
    assert data["field"] == "reason"
    assert [p["code"] for p in data["problems"]] == ["footnote_missing", "citation_missing"]
    assert "Footnote [^1] of the original is missing." in data["detail"]
    assert Translation.objects.get(pk=translation_id).state == "in_review"
    approved = move(as_("editor"), translation_id, "approved", "La note ne se traduit pas ; la citation suit.")
    assert approved.status_code == 201, approved.content
    detail = as_("translator").get(f"{API}/translations/{translation_id}").json()
    assert detail["state"] == "approved"
    assert detail["override_reason"] == "La note ne se traduit pas ; la citation suit."
    assert len(detail["problems"]) == 2  # still shown: the reason accepts them, it does not hide them


@pytest.mark.parametrize(
    ("name", "to", "status", "detail"),
    [
        ("internal_b_fr", "draft", 400, "becomes a draft when its text is saved"),
        ("internal_b_fr", "in_review", 400, "cannot become in review"),
        ("pub_a_de", "in_review", 400, "cannot become in review"),
        ("placed_b_fr", "approved", 400, "cannot become approved"),
        ("placed_b_de", "in_review", 400, "cannot become in review"),
    ],
)
def test_refused_moves_say_why(
    as_: Callable[[str], Client], tscene: TranslationScene, name: str, to: str, status: int, detail: str
) -> None:
    translation_id = tscene.ids[name]
    before = state_of(translation_id)
    response = move(as_("editor"), translation_id, to)
    assert response.status_code == status, response.content
    assert detail in response.json()["detail"]
    assert state_of(translation_id) == before


def test_a_translation_in_review_is_not_edited(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["placed_b_de"]
    response = save(as_("editor"), translation_id, Translation.objects.get(pk=translation_id).version, "Neu.")
    assert response.status_code == 400
    assert "in review" in response.json()["detail"]
    assert as_("editor").get(f"{API}/translations/{translation_id}").json()["may_edit"] is False


def test_the_translations_of_a_withdrawn_original_are_closed(
    as_: Callable[[str], Client], world: World, tscene: TranslationScene
) -> None:
    editorial_services.transition(world.actor("corr_a"), tscene.scene.contributions["accepted_a"], State.WITHDRAWN)
    translation_id = tscene.ids["accepted_a_en"]
    before = state_of(translation_id)
    response = save(as_("editor"), translation_id, 1, "Text.")
    assert response.status_code == 400
    assert "withdrawn" in response.json()["detail"]
    assert state_of(translation_id) == before
    detail = as_("editor").get(f"{API}/translations/{translation_id}").json()
    assert (detail["allowed_moves"], detail["may_edit"]) == ([], False)


def test_a_stale_translation_is_brought_up_to_date(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["accepted_a_de"]
    client = as_("translator")
    seen = client.get(f"{API}/translations/{translation_id}").json()
    assert seen["stale"] is True and "+Text, corrected by the secretariat." in seen["changes"]["diff"]
    assert tscene.ids["accepted_a_de"] in [t["id"] for t in client.get(f"{API}/queues/de").json()]
    saved = save(client, translation_id, seen["version"], "Text, von der Sekretärin korrigiert.", seen["title"])
    assert saved.status_code == 200, saved.content
    assert (saved.json()["state"], saved.json()["events"][-1]["note"]) == ("draft", "edited after approval")
    assert move(client, translation_id, "in_review").status_code == 201
    assert move(as_("second"), translation_id, "approved").status_code == 201
    done = client.get(f"{API}/translations/{translation_id}").json()
    assert (done["state"], done["stale"], done["reviewer"]) == ("approved", False, "Zweite Stimme")
    assert "changes" not in done or done["changes"] is None
    assert tscene.ids["accepted_a_de"] not in [t["id"] for t in client.get(f"{API}/queues/de").json()]


# Machine drafts ----------------------------------------------------------------------------------------------------


@pytest.fixture
def libretranslate(settings: Any) -> Iterator[LibreTranslateServer]:
    server = LibreTranslateServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.MT_PROVIDER, settings.MT_URL, settings.MT_TIMEOUT = "libretranslate", server.url("ok"), 2
    yield server
    server.stopping.set()
    server.shutdown()
    server.server_close()


def ask_machine(client: Client, translation_id: int) -> Any:
    return send(client, "post", f"/translations/{translation_id}/machine-draft", {})


def test_machine_translation_off_says_how_to_turn_it_on(as_: Callable[[str], Client], tscene: TranslationScene) -> None:
    translation_id = tscene.ids["internal_b_fr"]
    before = state_of(translation_id)
    response = ask_machine(as_("translator"), translation_id)
    assert response.status_code == 503
    assert "MT_PROVIDER=libretranslate" in response.json()["detail"]
    assert state_of(translation_id) == before


def test_machine_translation_misconfigured_says_so(
    as_: Callable[[str], Client], tscene: TranslationScene, settings: Any
) -> None:
    settings.MT_PROVIDER, settings.MT_URL = "libretranslate", ""
    response = ask_machine(as_("translator"), tscene.ids["internal_b_fr"])
    assert response.status_code == 503
    assert "MT_PROVIDER and MT_URL" in response.json()["detail"]


def test_a_machine_draft_comes_from_the_provider_labelled(
    as_: Callable[[str], Client], tscene: TranslationScene, libretranslate: LibreTranslateServer
) -> None:
    translation_id = tscene.ids["internal_b_fr"]
    response = ask_machine(as_("translator"), translation_id)
    assert response.status_code == 202, response.content
    assert response.json()["translation_id"] == translation_id
    assert response.json()["detail"].startswith("The machine draft is ready.")
    assert {(r["source"], r["target"]) for r in libretranslate.requests} == {("es", "fr")}
    data = as_("translator").get(f"{API}/translations/{translation_id}").json()
    assert (data["machine"], data["state"], data["title"], data["body"]) == (
        True,
        "draft",
        "«fr» Internal of Beta",
        "«fr» Text.",
    )
    assert data["events"][-1]["kind"] == "machine" and "LibreTranslate" in data["events"][-1]["note"]
    # Labelled wherever it is shown: in lists and in the edition too.
    listed = as_("editor").get(f"{API}/translations?contribution={tscene.ids['internal_b']}&language=fr").json()
    assert [t["machine"] for t in listed] == [True]
    edition = as_("editor").get(f"{API}/bulletins/internal/issues/1/editions/fr").json()
    assert [(c["status"], c["machine"]) for c in edition["contents"]] == [("draft", True)]


def test_a_machine_draft_never_replaces_a_persons_text(
    as_: Callable[[str], Client], tscene: TranslationScene, libretranslate: LibreTranslateServer
) -> None:
    translation_id = tscene.ids["placed_b_fr"]
    before = state_of(translation_id)
    response = ask_machine(as_("translator"), translation_id)
    assert response.status_code == 409
    assert "a machine draft never replaces it" in response.json()["detail"]
    assert state_of(translation_id) == before
    assert libretranslate.requests == []


@pytest.mark.parametrize("mode", ["fail", "busy", "garbage", "slow"])
def test_a_provider_down_slow_or_answering_garbage_changes_nothing(
    as_: Callable[[str], Client],
    tscene: TranslationScene,
    libretranslate: LibreTranslateServer,
    settings: Any,
    mode: str,
) -> None:
    settings.MT_URL, settings.MT_TIMEOUT = libretranslate.url(mode), 0.5
    translation_id = tscene.ids["internal_b_fr"]
    before = (state_of(translation_id), TranslationRevision.objects.filter(translation_id=translation_id).count())
    response = ask_machine(as_("translator"), translation_id)
    # Tasks run within the request here (no REDIS_URL): the provider's failure is the answer, with its reason.
    assert response.status_code == 503, response.content
    assert response.json()["detail"].endswith("Nothing was changed; ask again later.")
    assert (
        state_of(translation_id),
        TranslationRevision.objects.filter(translation_id=translation_id).count(),
    ) == before
    events = as_("translator").get(f"{API}/translations/{translation_id}").json()["events"]
    assert [e["kind"] for e in events] == ["machine_failed"]  # once: without a worker, nothing retries by itself
    assert response.json()["detail"].startswith(events[0]["note"])


def test_a_provider_that_refuses_answers_502_with_its_reason(
    as_: Callable[[str], Client], tscene: TranslationScene, libretranslate: LibreTranslateServer, settings: Any
) -> None:
    settings.MT_URL = libretranslate.url("keyed")  # the server wants a key, and none is configured
    translation_id = tscene.ids["internal_b_fr"]
    before = state_of(translation_id)
    response = ask_machine(as_("translator"), translation_id)
    assert response.status_code == 502
    assert "check MT_API_KEY" in response.json()["detail"] and "Invalid API key" in response.json()["detail"]
    assert state_of(translation_id) == before


def test_with_a_worker_the_draft_is_queued_and_nothing_changes_yet(
    as_: Callable[[str], Client],
    tscene: TranslationScene,
    libretranslate: LibreTranslateServer,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    translation_id = tscene.ids["internal_b_fr"]
    before = state_of(translation_id)
    with django_capture_on_commit_callbacks() as callbacks:
        response = ask_machine(as_("translator"), translation_id)
    assert response.status_code == 202, response.content
    assert response.json()["detail"].startswith("A machine draft is on its way")
    assert len(callbacks) == 1
    assert state_of(translation_id) == before  # until a worker runs the job
    assert libretranslate.requests == []
