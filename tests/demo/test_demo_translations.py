"""The demo's translations and glossary that ``liaison demo`` loads: every state of the workflow, one stale translation
and one machine draft, issue No. 1 complete in four languages, and the federation's key terms in five. Loaded once
for the module; the tests only read it."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from liaison.conference.models import PositionRevision
from liaison.demo import translations as demo_translations
from liaison.editorial.models import Contribution
from liaison.federation.access import actor_for_user
from liaison.federation.models import Person
from liaison.periodicals.models import Issue
from liaison.translations import glossary, services
from liaison.translations.models import (
    EventKind,
    GlossaryConcept,
    GlossaryTerm,
    Translation,
    TranslationState,
)
from liaison.translations.providers import ProviderRefused
from liaison.translations.structure import check_structure, paragraphs

pytestmark = pytest.mark.django_db

FIVE = {"en", "fr", "de", "ru", "es"}


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """The demo, loaded in a transaction that is rolled back after the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def _issue_one() -> Issue:
    return Issue.objects.get(periodical__slug="bulletin", number=1)


def _original_at(translation: Translation) -> str:
    """The original's text the translation was made from."""
    assert translation.source_revision is not None
    revision = translation.contribution.revisions.get(number=translation.source_revision, conflict=False)
    return revision.body


def _actor(username: str) -> Any:
    return actor_for_user(Person.objects.get(user__username=username).user)


def test_every_state_of_the_workflow_is_there(demo: str) -> None:
    states = set(Translation.objects.values_list("state", flat=True))
    assert states == set(TranslationState.values)
    # A draft sent back by its reviewer, with the reason the translator reads.
    returned = Translation.objects.get(
        events__from_state=TranslationState.IN_REVIEW, events__to_state=TranslationState.DRAFT
    )
    assert returned.state == TranslationState.DRAFT and not returned.machine
    assert "Footnote 1" in returned.events.get(to_state=TranslationState.DRAFT, from_state="in_review").note


def test_exactly_one_translation_is_stale_and_it_is_the_strike_fund_in_french(demo: str) -> None:
    [stale] = Translation.objects.filter(stale=True).select_related("contribution")
    original = stale.contribution
    assert (original.title, stale.language, stale.state) == ("For a federation-wide strike fund", "fr", "approved")
    # Stale by the texts themselves, whoever marked it: the original moved on since the approved revision...
    assert stale.approved_revision is not None
    approved_text = original.revisions.get(number=stale.approved_revision, conflict=False).body
    assert approved_text != original.body
    # ...and every other approved translation is still approved against the original's present text.
    for translation in Translation.objects.filter(state=TranslationState.APPROVED, stale=False):
        assert translation.approved_revision == services.current_revision(translation.contribution)
    assert services.mark_stale(original) == []  # nothing left to mark
    assert stale.events.filter(kind=EventKind.STALE).count() == 1
    # What the translator sees: the corrected fact and the added sentence, with its citation of issue No. 1.
    changes = services.changes_since_approval(stale)
    assert changes is not None and changes.changed
    added = "\n".join(text for mark, text in changes.lines if mark == "+")
    assert "four sections of the federation" in added
    langues = Contribution.objects.get(title="Pour une conférence tenue dans toutes nos langues")
    assert f"[[bulletin/1/{langues.item.position}]]" in added
    # The queue of French shows it again, and it no longer counts for an edition.
    assert stale in [entry.translation for entry in services.queue("fr")]
    assert not stale.counts_for_edition


def test_exactly_one_translation_is_a_machine_draft(demo: str) -> None:
    [machine] = Translation.objects.filter(machine=True).select_related("contribution")
    assert (machine.contribution.title, machine.language) == ("Lettre de Liège sur les cours de langue", "ru")
    assert machine.state == TranslationState.DRAFT and machine.translator is None
    assert not machine.has_human_text
    assert machine.assigned_to is not None and machine.assigned_to.username == "translator"
    [revision] = machine.revisions.all()
    assert revision.machine and revision.body == machine.body
    event = machine.events.get(kind=EventKind.MACHINE)
    assert event.note == demo_translations.CannedProvider.name
    assert machine.title == "Письмо из Льежа о языковых курсах"
    assert check_structure(machine.contribution.body, machine.body) == []
    # Every block came back in Russian: no French sentence was left over for want of a canned answer.
    for pair in paragraphs(machine.contribution.body, machine.body):
        assert pair.translation is not None and pair.translation != pair.original


def test_the_canned_provider_refuses_what_it_has_no_answer_for() -> None:
    provider = demo_translations.CannedProvider("fr", "ru", {"Chers camarades,": "Дорогие товарищи,"})
    assert provider.translate("Chers camarades,", "fr", "ru") == "Дорогие товарищи,"
    with pytest.raises(ProviderRefused):
        provider.translate("Bonjour", "fr", "ru")
    with pytest.raises(ProviderRefused):
        provider.translate("Chers camarades,", "fr", "de")


def test_issue_one_is_complete_in_four_languages_and_russian_is_under_way(demo: str) -> None:
    one = _issue_one()
    assert set(services.complete_languages(one)) == {"en", "fr", "de", "es"}
    editions = services.edition_statuses(one)
    for language in ("en", "fr", "de", "es"):
        statuses = {coverage.status for coverage in editions[language].items}
        assert statuses <= {"original", "approved"}
    russian = editions["ru"]
    # The bulletin's own texts: the conference's statements are tested with the conference (test_conference_demo).
    statements = set(PositionRevision.objects.values_list("contribution_id", flat=True))
    assert sorted(c.status for c in russian.items if c.item.contribution_id not in statements) == [
        "approved",
        "approved",
        "draft",
        "draft",
        "in_review",
        "original",
    ]
    assert {c.item.contribution.language for c in russian.missing if c.item.contribution_id not in statements} == {
        "es",
        "fr",
    }


def test_each_translation_keeps_its_originals_footnotes_and_citations(demo: str) -> None:
    written = Translation.objects.exclude(body="").select_related("contribution")
    statements = PositionRevision.objects.values("contribution_id")
    # and the machine draft; the conference's statements are tested with the conference (test_conference_demo)
    assert written.exclude(contribution__in=statements).count() == len(demo_translations.WORKS) + 1
    for translation in written:
        assert check_structure(_original_at(translation), translation.body) == [], translation
        assert translation.override_reason == ""


def test_each_translation_is_translated_block_by_block(demo: str) -> None:
    for translation in Translation.objects.exclude(body="").select_related("contribution"):
        assert translation.title != translation.contribution.title
        for pair in paragraphs(_original_at(translation), translation.body):
            assert pair.matched, (translation, pair)
            assert pair.original != pair.translation, (translation, pair)


def test_nobody_reviewed_their_own_translation(demo: str) -> None:
    approved = Translation.objects.filter(state=TranslationState.APPROVED)
    assert approved.count() >= 3 * 5
    reviewers = set()
    for translation in approved:
        assert translation.reviewer_id is not None and translation.approved_at is not None
        assert translation.reviewer_id not in services.authors(translation)
        reviewers.add(translation.reviewer.username)  # type: ignore[union-attr]
    assert reviewers == {"translator", "reviewer", "editor"}


def test_the_demo_translators_have_work_on_their_desks(demo: str) -> None:
    in_review = Translation.objects.get(state=TranslationState.IN_REVIEW)
    reviewer, translator = _actor("reviewer"), _actor("translator")
    assert services.may_review(reviewer, in_review) and not services.may_review(translator, in_review)
    russian = {entry.translation.pk for entry in services.queue("ru")}
    assert {t.pk for t in Translation.objects.filter(language="ru").exclude(state="approved")} <= russian
    loads = {load.name: load for load in services.workload()}
    assert loads["Nadia Perevod"].open >= 3 and loads["Nadia Perevod"].stale == 1
    assert loads["Marta Lectora"].languages == ["en", "fr", "es", "ru"]
    # Still needed: some assigned, some waiting in the queue for anyone.
    needed = Translation.objects.filter(state=TranslationState.NEEDED)
    assert needed.filter(assigned_to__isnull=False).exists() and needed.filter(assigned_to__isnull=True).exists()


def test_the_glossary_holds_the_federations_key_terms_in_five_languages(demo: str) -> None:
    concepts = GlossaryConcept.objects.prefetch_related("terms")
    assert concepts.count() >= 12
    keys = set(concepts.values_list("key", flat=True))
    assert {"section", "correspondent", "bulletin", "general-strike", "united-front", "conference", "position"} <= keys
    for concept in concepts:
        assert concept.definition
        assert {term.language for term in concept.terms.all()} == FIVE, concept.key
    assert GlossaryTerm.objects.get(concept__key="united-front", language="fr").text == "front unique"


def test_the_glossary_shows_beside_the_demo_texts(demo: str) -> None:
    machine = Translation.objects.get(machine=True)
    found = glossary.terms_in(machine.contribution.body, "fr", target="ru")
    circle = next(o for o in found if o.concept.key == "study-circle")
    assert "кружок" in [term.text for term in circle.equivalents]
    langues = Contribution.objects.get(title="Pour une conférence tenue dans toutes nos langues")
    assert {"conference", "working-language", "secretariat"} <= {
        o.concept.key for o in glossary.terms_in(langues.body, "fr")
    }


def test_the_command_says_where_to_find_the_translations(demo: str) -> None:
    assert "reviewer" in demo and "Marta Lectora" in demo
    assert "/translations/" in demo
    assert "switcher" in demo and "issue No. 1" in demo
