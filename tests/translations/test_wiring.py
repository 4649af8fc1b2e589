"""The translations follow the editorial workflow without being asked: acceptance makes them due, a new text of the
original makes approved ones stale, and a renumbering of cited items reaches them too."""

from __future__ import annotations

import contextlib

from liaison.editorial import services as editorial
from liaison.editorial.models import Contribution, Item, State
from liaison.translations.models import Translation, TranslationState

from .conftest import FRENCH, ORIGINAL, approved

PLAIN = ORIGINAL.replace(" [[bulletin/1/1]]", "")
PLAIN_FR = FRENCH.replace(" [[bulletin/1/1]]", "")


def save(world, contribution: Contribution, body: str) -> None:
    editorial.save_contribution(
        world.actor("editor"),
        contribution,
        base_version=contribution.version,
        title=contribution.title,
        language=contribution.language,
        kind=contribution.kind,
        body=body,
    )


def test_accepting_a_contribution_makes_its_translations_due(world, make):
    contribution = make.contribution(state=State.SUBMITTED)
    Translation.objects.filter(contribution=contribution).delete()

    editorial.transition(world.actor("editor"), contribution, State.ACCEPTED)

    languages = set(contribution.translations.values_list("language", flat=True))
    assert languages == {"fr", "de", "ru", "es"}
    assert set(contribution.translations.values_list("state", flat=True)) == {TranslationState.NEEDED}


def test_a_refused_acceptance_creates_nothing(world, make):
    contribution = make.contribution(state=State.DRAFT)
    Translation.objects.filter(contribution=contribution).delete()

    with contextlib.suppress(Exception):
        editorial.transition(world.actor("editor"), contribution, State.ACCEPTED)

    assert not contribution.translations.exists()


def test_an_editorial_save_makes_approved_translations_stale(world, make):
    contribution = make.contribution(body=PLAIN)
    french = approved(world, make.translation(contribution), body=PLAIN_FR)

    save(world, contribution, PLAIN.replace("met on Monday", "met on Tuesday"))

    french.refresh_from_db()
    assert french.stale is True and french.state == TranslationState.APPROVED


def test_a_conflicting_save_leaves_them_fresh(world, make):
    contribution = make.contribution(body=PLAIN)
    french = approved(world, make.translation(contribution), body=PLAIN_FR)
    stale_version = contribution.version
    save(world, contribution, PLAIN)  # the same text: nothing to translate again

    with contextlib.suppress(editorial.EditConflict):
        editorial.save_contribution(
            world.actor("editor"),
            contribution,
            base_version=stale_version,
            title=contribution.title,
            language="en",
            kind=contribution.kind,
            body="A text that lost the race.",
        )

    french.refresh_from_db()
    assert french.stale is False


def test_a_renumbering_of_cited_items_reaches_the_translations(world, make, issue):
    first = make.contribution(issue=issue, title="First")
    second = make.contribution(issue=issue, title="Second")
    citing = make.contribution(body=ORIGINAL.replace("[[bulletin/1/1]]", "[[bulletin/2/2]]"), title="Citing")
    save(world, citing, citing.body)  # records the citation, as every save does
    french = approved(world, make.translation(citing), body=FRENCH.replace("[[bulletin/1/1]]", "[[bulletin/2/2]]"))
    approved_against = french.approved_revision

    editorial.move_item(world.actor("editor"), Item.objects.get(contribution=second), position=1, reason="")

    citing.refresh_from_db()
    french.refresh_from_db()
    assert "[[bulletin/2/1]]" in citing.body and "[[bulletin/2/1]]" in french.body
    assert "[[bulletin/2/2]]" not in french.body
    assert french.stale is False and french.state == TranslationState.APPROVED
    assert french.approved_revision == citing.revisions.order_by("-number").first().number != approved_against
    assert french.revisions.order_by("-number").first().body == french.body
    # and the next save of an unchanged text still finds it up to date
    save(world, citing, citing.body)
    french.refresh_from_db()
    assert french.stale is False
    assert Item.objects.get(contribution=first).position == 2
