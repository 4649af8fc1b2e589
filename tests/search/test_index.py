"""The index holds what readers may read, follows the texts as they change, and can be rebuilt."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management import call_command
from django.db import connection

from liaison.editorial import services as editorial
from liaison.editorial import signals
from liaison.editorial.models import Contribution, Revision
from liaison.periodicals.models import Audience
from liaison.search import services
from liaison.search.models import DocumentKind, SearchDocument
from liaison.translations import services as translations
from liaison.translations.models import TranslationState
from tests.search.conftest import RUSSIAN, Archive, find


def indexed(contribution: Contribution) -> list[tuple[str, str]]:
    return sorted(SearchDocument.objects.filter(item__contribution=contribution).values_list("language", "kind"))


def test_it_indexes_a_published_issue_with_its_approved_translations(archive: Archive) -> None:
    items = archive.items
    assert indexed(items["dockers"]) == [
        ("de", DocumentKind.TRANSLATION),
        ("en", DocumentKind.TRANSLATION),
        ("es", DocumentKind.TRANSLATION),
        ("fr", DocumentKind.ITEM),
        ("ru", DocumentKind.TRANSLATION),
    ]
    assert indexed(items["chinese"]) == [("zh", DocumentKind.ITEM)]
    assert indexed(items["arabic"]) == [("ar", DocumentKind.ITEM)]
    # Its French translation is stale (the original changed after approval): only the original.
    assert indexed(items["hostile"]) == [("en", DocumentKind.ITEM)]
    # Its French translation is in review: only the original.
    assert indexed(items["letter"]) == [("de", DocumentKind.ITEM)]
    document = SearchDocument.objects.get(item__contribution=items["hostile"])
    assert document.body.endswith("A sentence the editor added.")  # the text as published
    assert (document.section_id, document.periodical_id, document.contribution_kind, document.audience) == (
        items["hostile"].section_id,
        archive.bulletin.pk,
        "opinion",
        Audience.PUBLIC,
    )
    assert document.date == archive.issue.planned_date


def test_it_never_indexes_drafts_or_what_is_not_published(archive: Archive) -> None:
    assert indexed(archive.hidden["draft"]) == []
    assert indexed(archive.hidden["pending"]) == []
    assert not SearchDocument.objects.filter(translation=archive.hidden["in_review"]).exists()
    assert not SearchDocument.objects.filter(translation=archive.hidden["stale"]).exists()
    assert SearchDocument.objects.count() == 10  # 5 + 1 + 1 + 1 + 1 in the bulletin, 1 in the internal bulletin


def test_publishing_an_issue_indexes_it(world: Any, archive: Archive) -> None:
    pending = archive.hidden["pending"]
    assert find(world.actor("anonymous"), "pendingword") == []
    editorial.mark_published(world.actor("editor"), pending.item.issue)
    assert find(world.actor("anonymous"), "pendingword") == ["Pending"]
    assert find(world.actor("anonymous"), "motenattente") == ["En attente"]


def test_a_translation_approved_after_publication_is_found(world: Any, archive: Archive) -> None:
    translation = archive.hidden["in_review"]
    assert find(world.actor("anonymous"), "brouillonnerie") == []
    translations.transition(world.actor("editor"), translation, TranslationState.APPROVED)
    assert find(world.actor("anonymous"), "brouillonnerie") == ["Lettre sur la solidarité"]


def test_a_translation_sent_back_to_work_leaves_the_index(world: Any, archive: Archive) -> None:
    russian = archive.items["dockers"].translations.get(language="ru")
    assert find(world.actor("anonymous"), "забастовка") == ["Докеры бастуют"]
    translations.save_translation(
        world.actor("editor"), russian, base_version=russian.version, title="Докеры", body=RUSSIAN + "\n\nЕщё."
    )
    russian.refresh_from_db()
    assert russian.state == TranslationState.DRAFT
    assert find(world.actor("anonymous"), "забастовка") == []
    assert indexed(archive.items["dockers"]) == [
        ("de", DocumentKind.TRANSLATION),
        ("en", DocumentKind.TRANSLATION),
        ("es", DocumentKind.TRANSLATION),
        ("fr", DocumentKind.ITEM),
    ]


def test_translations_that_go_stale_leave_the_index(world: Any, archive: Archive) -> None:
    # The editorial services never change a published text; a change that reaches one anyway (a citation followed,
    # a repair by hand) is announced like any save, and the translations approved against the old text go.
    dockers = archive.items["dockers"]
    number = dockers.revisions.count() + 1
    dockers.body = "Le syndicat a changé d'avis : plus de grève."
    dockers.version += 1
    dockers.save()
    Revision.objects.create(contribution=dockers, number=number, title=dockers.title, body=dockers.body, language="fr")
    signals.contribution_saved.send(sender=Contribution, contribution=dockers)
    assert indexed(dockers) == [("fr", DocumentKind.ITEM)]
    assert find(world.actor("anonymous"), "strike") == []
    assert find(world.actor("anonymous"), "avis") == ["Les dockers en grève"]


def test_a_bulletin_made_internal_is_hidden_from_the_public(world: Any, archive: Archive) -> None:
    assert find(world.actor("anonymous"), "strike") == ["The dockers on strike"]
    archive.bulletin.audience = Audience.MEMBERS
    archive.bulletin.save()
    assert find(world.actor("anonymous"), "strike") == []
    assert find(world.actor("member"), "strike") == ["The dockers on strike"]
    assert set(SearchDocument.objects.values_list("audience", flat=True)) == {Audience.MEMBERS}


def test_reindexing_an_issue_changes_nothing(world: Any, archive: Archive) -> None:
    before = sorted(SearchDocument.objects.values_list("item_id", "language", "title", "body"))
    assert services.reindex_issue(archive.issue) == 9
    assert services.reindex_issue(archive.issue) == 9
    assert sorted(SearchDocument.objects.values_list("item_id", "language", "title", "body")) == before
    # The full-text index followed the rows: each text is found once, not once per indexing.
    assert sorted(find(world.actor("anonymous"), "havre")) == [
        "Die Hafenarbeiter im Streik",
        "Les dockers en grève",
        "Los estibadores en huelga",
        "The dockers on strike",
    ]


def test_the_reindex_command_rebuilds_everything(world: Any, archive: Archive) -> None:
    before = sorted(SearchDocument.objects.values_list("item_id", "language", "body"))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # What a migration that rebuilt the table would do: the triggers are gone, the FTS tables out of step.
            cursor.execute("DROP TRIGGER search_fts_insert")
            cursor.execute("DROP TRIGGER search_trigram_insert")
            cursor.execute("INSERT INTO search_fts(search_fts) VALUES ('delete-all')")
        else:
            cursor.execute("UPDATE search_searchdocument SET vector = NULL")
    assert find(world.actor("anonymous"), "strike") == []
    out = StringIO()
    call_command("reindex", stdout=out)
    assert out.getvalue().strip() == "Indexed 10 texts."
    assert sorted(SearchDocument.objects.values_list("item_id", "language", "body")) == before
    assert find(world.actor("anonymous"), "strike") == ["The dockers on strike"]
    assert find(world.actor("anonymous"), "工人工会") == ["码头工人罢工"]
    # New texts are indexed again as they come.
    translations.transition(world.actor("editor"), archive.hidden["in_review"], TranslationState.APPROVED)
    assert find(world.actor("anonymous"), "brouillonnerie") == ["Lettre sur la solidarité"]
