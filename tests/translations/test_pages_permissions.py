"""Who may use each translators' page and action, for every role of ``world`` (the translator declares French and
German; ``translators`` adds a second French translator and a Russian one).

Allowed: a GET answers 200, a valid POST does its work and redirects (302). Refused: an anonymous visitor is sent to
log in, anyone else gets 403, and a refused POST changes nothing. The desk and the editor are for translators and
the editors; a translator edits only the languages they declared, only what is assigned to them or to nobody, and
never reviews their own text; the glossary is read by every member and kept by the editors and, in their
languages, the translators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from liaison.editorial.models import State
from liaison.translations import glossary, services
from liaison.translations.models import (
    GlossaryTerm,
    Translation,
    TranslationEvent,
    TranslationRevision,
    TranslationState,
)
from tests.conftest import ROLES

from .conftest import FRENCH

EVERYONE = frozenset(ROLES)
MEMBERS = EVERYONE - {"anonymous"}
EDITOR = frozenset({"editor"})
TRANSLATOR = frozenset({"translator"})
DESK = TRANSLATOR | EDITOR
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    may_get: frozenset[str] = NOBODY
    # Valid input for a POST, or None for a page that is only read (which answers a POST with 405).
    post: dict[str, Any] | None = None
    may_post: frozenset[str] = NOBODY
    # Only POST is accepted (an action): a GET answers 405.
    action: bool = False
    # An allowed POST that answers 200 and changes nothing (the structure check).
    reads_only: bool = False


@pytest.fixture
def scene(world, make, issue, translators, settings, libretranslate):
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = libretranslate.url()
    translator, editor = world.actor("translator"), world.actor("editor")
    free = make.contribution(issue=issue, title="Free")
    taken = make.translation(make.contribution(title="Taken"))
    services.assign(editor, taken, translators["reviewer_fr"])
    mine = make.translation(make.contribution(title="Mine"))
    services.claim(translator, mine)
    review = make.translation(make.contribution(title="In review"))
    services.save_translation(translator, review, base_version=1, title="En revue", body=FRENCH)
    services.transition(translator, review, TranslationState.IN_REVIEW)
    declined = make.contribution(title="Declined", state=State.DECLINED)
    term_fr = glossary.add_term(editor, concept="union", language="fr", text="syndicat")
    term_ru = glossary.add_term(editor, concept="union", language="ru", text="профсоюз")
    return {
        "fr": make.translation(free, "fr"),
        "ru": make.translation(free, "ru"),
        "taken": taken,
        "mine": mine,
        "review": review,
        "declined": make.translation(declined, "fr"),
        "term_fr": term_fr,
        "term_ru": term_ru,
        "reviewer_fr": translators["reviewer_fr"],
    }


def pages(scene: dict[str, Any]) -> list[Page]:
    fr, ru, taken, mine, review = scene["fr"], scene["ru"], scene["taken"], scene["mine"], scene["review"]
    text = {"base_version": 1, "title": "Titre", "body": "Le texte.", "action": "save"}
    return [
        Page("desk", "/translations/", DESK),
        Page("desk_filtered", "/translations/?language=ru", DESK),
        Page("glossary", "/translations/glossary/", MEMBERS),
        Page("glossary_search", "/translations/glossary/?q=SYND&language=fr", MEMBERS),
        Page("translation", f"/translations/{fr.pk}/", DESK, text, DESK),
        Page("translation_ru", f"/translations/{ru.pk}/", DESK, text, EDITOR),
        Page("translation_taken", f"/translations/{taken.pk}/", DESK, text, EDITOR),
        Page("translation_declined", f"/translations/{scene['declined'].pk}/", EDITOR, text),
        Page("claim", f"/translations/{fr.pk}/claim/", post={}, may_post=TRANSLATOR, action=True),
        Page("claim_ru", f"/translations/{ru.pk}/claim/", post={}, action=True),
        Page("release", f"/translations/{mine.pk}/release/", post={}, may_post=TRANSLATOR, action=True),
        Page("release_taken", f"/translations/{taken.pk}/release/", post={}, action=True),
        Page(
            "assign",
            f"/translations/{fr.pk}/assign/",
            post={"translator": scene["reviewer_fr"].pk},
            may_post=EDITOR,
            action=True,
        ),
        Page(
            "approve",
            f"/translations/{review.pk}/move/",
            post={"to_state": TranslationState.APPROVED},
            may_post=EDITOR,  # the translator wrote it: not theirs to review
            action=True,
        ),
        Page(
            "return",
            f"/translations/{review.pk}/move/",
            post={"to_state": TranslationState.DRAFT, "reason": "Revoir le titre."},
            may_post=EDITOR,
            action=True,
        ),
        Page("machine", f"/translations/{fr.pk}/machine/", post={}, may_post=DESK, action=True),
        Page("machine_ru", f"/translations/{ru.pk}/machine/", post={}, may_post=EDITOR, action=True),
        Page(
            "check",
            f"/translations/{fr.pk}/check/",
            post={"body": "Sans note."},
            may_post=DESK,
            action=True,
            reads_only=True,
        ),
        Page(
            "glossary_add",
            "/translations/glossary/",
            MEMBERS,
            {"concept": "general-strike", "language": "fr", "text": "grève générale"},
            DESK,
        ),
        Page(
            "term_edit",
            f"/translations/glossary/terms/{scene['term_fr'].pk}/",
            post={"text": "syndicat ouvrier", "note": ""},
            may_post=DESK,
            action=True,
        ),
        Page(
            "term_edit_ru",
            f"/translations/glossary/terms/{scene['term_ru'].pk}/",
            post={"text": "профсоюзы", "note": ""},
            may_post=EDITOR,
            action=True,
        ),
        Page(
            "term_remove",
            f"/translations/glossary/terms/{scene['term_fr'].pk}/remove/",
            post={},
            may_post=DESK,
            action=True,
        ),
        Page(
            "term_remove_ru",
            f"/translations/glossary/terms/{scene['term_ru'].pk}/remove/",
            post={},
            may_post=EDITOR,
            action=True,
        ),
    ]


PAGE_NAMES = [
    "desk",
    "desk_filtered",
    "glossary",
    "glossary_search",
    "translation",
    "translation_ru",
    "translation_taken",
    "translation_declined",
    "claim",
    "claim_ru",
    "release",
    "release_taken",
    "assign",
    "approve",
    "return",
    "machine",
    "machine_ru",
    "check",
    "glossary_add",
    "term_edit",
    "term_edit_ru",
    "term_remove",
    "term_remove_ru",
]


def state() -> list[Any]:
    """Everything a translators' page can change, to show that a refused request changed nothing."""
    return [
        list(
            Translation.objects.order_by("pk").values_list(
                "state", "title", "body", "version", "assigned_to", "translator", "machine", "override_reason"
            )
        ),
        TranslationEvent.objects.count(),
        TranslationRevision.objects.count(),
        list(GlossaryTerm.objects.order_by("pk").values_list("concept__key", "language", "text", "note")),
    ]


def _page(scene: dict[str, Any], name: str) -> Page:
    return next(page for page in pages(scene) if page.name == name)


def test_the_matrix_covers_every_page(scene):
    assert [page.name for page in pages(scene)] == PAGE_NAMES


@pytest.mark.parametrize("role", ROLES)
def test_get(scene, client_as, role):
    client = client_as(role)
    for page in pages(scene):
        response = client.get(page.url)
        if page.action:
            assert response.status_code == 405, page.name
        elif role in page.may_get:
            assert response.status_code == 200, (page.name, response.content.decode()[:3000])
        elif role == "anonymous":
            assert response.status_code == 302, page.name
            assert response["Location"].startswith("/accounts/login/?next="), page.name
        else:
            assert response.status_code == 403, page.name


def test_pages_that_are_only_read_refuse_a_post(scene, client_as):
    client = client_as("editor")
    # The glossary's list and its "add a term" form are one URL: that one takes a POST, in the post matrix.
    taking_posts = {page.url for page in pages(scene) if page.post is not None}
    for page in pages(scene):
        if page.post is None and page.url.split("?")[0] not in taking_posts:
            assert client.post(page.url, {}).status_code == 405, page.name


POSTED = [page for page in PAGE_NAMES if page not in ("desk", "desk_filtered", "glossary", "glossary_search")]


def test_every_page_taking_a_post_is_in_the_post_matrix(scene):
    assert [page.name for page in pages(scene) if page.post is not None] == POSTED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", POSTED)
def test_post(scene, client_as, name, role):
    page = _page(scene, name)
    before = state()
    response = client_as(role).post(page.url, page.post or {})
    if role in page.may_post:
        if page.reads_only:
            assert response.status_code == 200
            assert state() == before
            return
        assert response.status_code == 302, response.content.decode()[:3000]
        assert not response["Location"].startswith("/accounts/login/")
        assert state() != before
        return
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    elif page.name == "translation_declined" and role == "editor":
        # The editors may edit any translation, but the original was declined: the translations are closed.
        assert response.status_code == 400
        assert "its translations are closed" in response.content.decode()
    else:
        assert response.status_code == 403, response.content.decode()[:3000]
    assert state() == before


def test_a_translator_reads_a_language_they_did_not_declare_without_an_editor(scene, client_as):
    html = client_as("translator").get(f"/translations/{scene['ru'].pk}/").content.decode()

    assert "Only translators who declared Russian work on this translation." in html
    assert 'name="body"' not in html
    assert "Claim it" not in html


def test_a_translator_reads_a_translation_assigned_to_someone_else_without_an_editor(scene, client_as):
    html = client_as("translator").get(f"/translations/{scene['taken'].pk}/").content.decode()

    assert "This translation is assigned to Second Voice." in html
    assert 'name="body"' not in html


def test_the_reviewer_is_never_the_translator(scene, client_as, world):
    review = scene["review"]
    page = client_as("translator").get(f"/translations/{review.pk}/").content.decode()
    assert "You translated this text: another translator of French or the secretariat reviews it." in page
    assert 'value="approved"' not in page

    second = client_as("translator")
    second.force_login(scene["reviewer_fr"])
    page = second.get(f"/translations/{review.pk}/").content.decode()
    assert 'value="approved"' in page
    response = second.post(f"/translations/{review.pk}/move/", {"to_state": TranslationState.APPROVED})

    assert response.status_code == 302
    review.refresh_from_db()
    assert (review.state, review.reviewer, review.translator) == (
        TranslationState.APPROVED,
        scene["reviewer_fr"],
        world.users["translator"],
    )


def test_a_translator_may_not_review_a_text_they_wrote_part_of(scene, client_as, world, translators):
    """Another translator sent it to review, but the world's translator wrote an earlier revision of it."""
    review = scene["review"]
    services.transition(world.actor("editor"), review, TranslationState.DRAFT, reason="Un mot.")
    review.refresh_from_db()
    services.assign(world.actor("editor"), review, translators["reviewer_fr"])
    services.save_translation(
        world.actor("reviewer_fr"), review, base_version=review.version, title="En revue", body=FRENCH + "\nRevu."
    )
    services.transition(world.actor("reviewer_fr"), review, TranslationState.IN_REVIEW)
    before = state()

    response = client_as("translator").post(f"/translations/{review.pk}/move/", {"to_state": "approved"})

    assert response.status_code == 403
    assert state() == before


def test_the_nav_links_the_desk_for_translators_and_editors_only(scene, client_as):
    for role in ROLES:
        html = client_as(role).get("/bulletins/").content.decode()
        assert ('href="/translations/"' in html) == (role in DESK), role
