"""An issue's edition in a language is complete when every item can be read in it."""

from __future__ import annotations

from liaison.periodicals.models import Issue
from liaison.translations import services

from .conftest import approved, edit_original


def test_an_edition_is_complete_when_every_item_is_approved_or_original(world, make, issue):
    english = make.contribution(title="In English", issue=issue)
    make.contribution(title="En français", language="fr", issue=issue)
    approved(world, make.translation(english))

    edition = services.edition_status(issue, "fr")

    assert edition.complete
    assert [c.status for c in edition.items] == ["approved", "original"]
    assert edition.missing == []


def test_it_lists_what_is_missing_per_item(world, make, issue):
    english = make.contribution(title="In English", issue=issue)
    other = make.contribution(title="Another", issue=issue)
    approved(world, make.translation(english))
    services.save_translation(
        world.actor("translator"), make.translation(other), base_version=1, title="Autre", body="Texte."
    )

    edition = services.edition_status(issue, "fr")

    assert not edition.complete
    [missing] = edition.missing
    assert (missing.item.contribution, missing.status) == (other, "draft")
    assert missing.translation == make.translation(other)


def test_a_stale_translation_counts_as_missing(world, make, issue):
    english = make.contribution(issue=issue)
    approved(world, make.translation(english))
    assert services.edition_status(issue, "fr").complete
    edit_original(english, english.body + "\nA late correction.")
    services.mark_stale(english)

    edition = services.edition_status(issue, "fr")

    assert not edition.complete
    assert [c.status for c in edition.missing] == ["stale"]


def test_the_original_language_edition_is_complete_at_once(world, make, issue):
    make.contribution(issue=issue)

    assert services.edition_status(issue, "en").complete
    assert services.edition_status(issue, "en-gb").complete


def test_an_item_without_a_translation_row_is_missing(world, make, issue):
    english = make.contribution(issue=issue)
    english.translations.filter(language="ru").delete()

    [missing] = services.edition_status(issue, "ru").missing

    assert (missing.status, missing.translation) == ("none", None)


def test_an_empty_issue_has_no_complete_edition(world, bulletin):
    empty = Issue.objects.create(periodical=bulletin, number=9)

    assert not services.edition_status(empty, "en").complete
    assert services.complete_languages(empty) == []


def test_complete_languages_lists_each_complete_edition(world, make, issue, translators):
    english = make.contribution(issue=issue)
    approved(world, make.translation(english, "fr"))
    russian = make.translation(english, "ru")
    ru = world.actor("translator_ru")
    services.save_translation(ru, russian, base_version=1, title="Портовые рабочие", body="Текст.")
    services.transition(ru, russian, "in_review")
    services.transition(world.actor("editor"), russian, "approved", reason="A short summary, by decision.")

    assert services.complete_languages(issue) == ["en", "fr", "ru"]


def test_editions_cost_three_queries_whatever_the_size(world, make, issue, django_assert_num_queries):
    for n in range(6):
        make.contribution(title=f"Text {n}", issue=issue)

    with django_assert_num_queries(3):  # the federation's languages, the items, their translations
        editions = services.edition_statuses(issue)

    assert sorted(editions) == ["de", "en", "es", "fr", "ru"]
    assert len(editions["fr"].missing) == 6
