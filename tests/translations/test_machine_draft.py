"""Machine drafts: made block by block with the Markdown kept, labelled as machine-made, never over a person's text,
and nothing changed when the provider fails."""

from __future__ import annotations

import pytest

from liaison.errors import NotAllowed
from liaison.translations import services, tasks
from liaison.translations.models import EventKind, TranslationState
from liaison.translations.providers import (
    LibreTranslateProvider,
    MachineTranslationOff,
    ProviderBadAnswer,
    ProviderRefused,
    ProviderTimeout,
    ProviderUnavailable,
)
from liaison.translations.structure import check_structure, translate_markdown

from .conftest import API_KEY, FRENCH, ORIGINAL, Upper, approved


def test_it_stores_a_machine_draft(world, make):
    french = make.translation(make.contribution())

    services.machine_draft(french, requested_by=world.users["translator"], provider=Upper())

    french.refresh_from_db()
    assert (french.state, french.machine, french.translator, french.source_revision) == ("draft", True, None, 1)
    assert french.title == "WORKERS OF THE PORT"
    assert "THE DOCKERS' UNION MET ON MONDAY[^1]" in french.body
    assert not french.has_human_text
    event = french.events.get()
    assert (event.kind, event.from_state, event.to_state, event.note) == ("machine", "needed", "draft", "upper")
    revision = french.revisions.get()
    assert (revision.machine, revision.author) == (True, world.users["translator"])


def test_it_keeps_the_markdown_structure(world, make):
    french = make.translation(make.contribution())

    services.machine_draft(french, provider=Upper())

    french.refresh_from_db()
    assert check_structure(ORIGINAL, french.body) == []
    assert "[[bulletin/1/1]]" in french.body
    assert "[^1]: IN THE HALL OF THE UNION, 12 MARCH." in french.body
    assert french.body.startswith("# WORKERS OF THE PORT\n")


def test_only_words_are_sent_never_labels_citations_code_or_links():
    provider = Upper()
    text = "See [the *site*](https://example.org/a_b) and `code [^1]`[^note] [[bulletin/2/3]].\n\n[^note]: A note.\n"

    out = translate_markdown(text, lambda s: provider.translate(s, "en", "fr"))

    assert (
        out
        == "SEE [THE *SITE*](https://example.org/a_b) AND `code [^1]`[^note] [[bulletin/2/3]].\n\n[^note]: A NOTE.\n"
    )
    assert provider.calls == ["See", "the", "site", "and", "A note."]


def test_code_blocks_and_tables_keep_their_shape():
    text = "| Name | Town |\n|---|:-:|\n| one | Lyon |\n\n```\nkeep me\n```\n"

    out = translate_markdown(text, str.upper)

    assert out == "| NAME | TOWN |\n|---|:-:|\n| ONE | LYON |\n\n```\nkeep me\n```\n"


def test_a_machine_draft_never_overwrites_a_human_draft(world, make):
    french = make.translation(make.contribution())
    services.save_translation(world.actor("translator"), french, base_version=1, title="Titre", body=FRENCH)

    with pytest.raises(services.MachineDraftRefused, match="person's text"):
        services.machine_draft(french, provider=Upper())

    french.refresh_from_db()
    assert (french.body, french.machine, french.version) == (FRENCH, False, 2)


def test_a_person_who_saves_while_the_machine_works_keeps_their_text(world, make):
    french = make.translation(make.contribution())

    def person_saves() -> None:
        services.save_translation(world.actor("translator"), french, base_version=1, title="Titre", body=FRENCH)

    with pytest.raises(services.MachineDraftRefused):
        services.machine_draft(french, provider=Upper(before=person_saves))

    french.refresh_from_db()
    assert (french.body, french.machine) == (FRENCH, False)
    assert french.revisions.filter(machine=True).count() == 0


def test_a_machine_draft_replaces_an_earlier_machine_draft(world, make):
    french = make.translation(make.contribution())
    services.machine_draft(french, provider=Upper())

    services.machine_draft(french, provider=Upper())

    french.refresh_from_db()
    assert (french.version, french.revisions.count(), french.machine) == (3, 2, True)


@pytest.mark.parametrize("state", [TranslationState.IN_REVIEW, TranslationState.APPROVED])
def test_no_machine_draft_past_drafting(world, make, state):
    french = make.translation(make.contribution())
    services.machine_draft(french, provider=Upper())
    services.transition(world.actor("translator"), french, TranslationState.IN_REVIEW)
    if state == TranslationState.APPROVED:
        services.transition(world.actor("editor"), french, TranslationState.APPROVED)

    with pytest.raises(services.MachineDraftRefused):
        services.machine_draft(french, provider=Upper())


def test_a_machine_draft_stays_one_until_a_person_approves_it(world, make):
    french = make.translation(make.contribution())
    services.machine_draft(french, provider=Upper())
    services.transition(world.actor("translator"), french, TranslationState.IN_REVIEW)
    french.refresh_from_db()
    assert french.machine is True
    # Whoever sent the machine's text for review answers for it, and may not approve it.
    assert french.translator == world.users["translator"]
    with pytest.raises(NotAllowed):
        services.transition(world.actor("translator"), french, TranslationState.APPROVED)

    services.transition(world.actor("editor"), french, TranslationState.APPROVED)

    assert (french.state, french.machine) == (TranslationState.APPROVED, False)


def test_editing_a_machine_draft_makes_it_a_persons(world, make):
    french = make.translation(make.contribution())
    services.machine_draft(french, provider=Upper())
    french.refresh_from_db()

    services.save_translation(
        world.actor("translator"), french, base_version=french.version, title=french.title, body=french.body
    )

    french.refresh_from_db()
    assert (french.machine, french.translator) == (False, world.users["translator"])
    assert french.has_human_text


def test_it_uses_the_local_libretranslate_server(world, make, settings, libretranslate):
    settings.MT_PROVIDER, settings.MT_URL, settings.MT_API_KEY = "libretranslate", libretranslate.url("keyed"), API_KEY
    russian = make.translation(make.contribution(), "ru")

    services.machine_draft(russian)

    russian.refresh_from_db()
    assert russian.machine is True
    assert russian.title == "«ru» Workers of the port"
    assert "«ru» The dockers' union met on Monday[^1]" in russian.body
    assert check_structure(ORIGINAL, russian.body) == []
    assert {r["target"] for r in libretranslate.requests} == {"ru"}
    assert all(r["api_key"] == API_KEY for r in libretranslate.requests)
    assert not any("[^1]" in r["q"] or "[[" in r["q"] for r in libretranslate.requests)


def test_cyrillic_cjk_and_arabic_originals_round_trip(world, make, settings, libretranslate):
    settings.MT_PROVIDER, settings.MT_URL = "libretranslate", libretranslate.url()
    for language, body in (
        ("ru", "Всеобщая забастовка[^1].\n\n[^1]: Примечание."),
        ("zh", "总罢工。"),
        ("ar", "إضراب عام."),
    ):
        contribution = make.contribution(language=language, title=body.split("[")[0], body=body)
        english = make.translation(contribution, "en")

        services.machine_draft(english)

        english.refresh_from_db()
        assert check_structure(body, english.body) == []
        first = body.split("\n")[0].split("[")[0]
        assert english.body.startswith(f"«en» {first}")


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("fail", ProviderUnavailable),
        ("garbage", ProviderBadAnswer),
        ("nokey", ProviderBadAnswer),
        ("slow", ProviderTimeout),
        ("keyed", ProviderRefused),
    ],
)
def test_a_failing_provider_changes_nothing(world, make, libretranslate, mode, error):
    french = make.translation(make.contribution())

    with pytest.raises(error) as failed:
        services.machine_draft(french, provider=LibreTranslateProvider(libretranslate.url(mode), timeout=0.3))

    assert str(failed.value)
    french.refresh_from_db()
    assert (french.state, french.body, french.title, french.version, french.machine) == ("needed", "", "", 1, False)
    assert french.revisions.count() == 0


def test_asking_is_refused_at_once_when_machine_translation_is_off(world, make, settings):
    settings.MT_PROVIDER = "none"
    french = make.translation(make.contribution())

    with pytest.raises(MachineTranslationOff):
        services.check_machine_draft(world.actor("translator"), french)


def test_asking_follows_the_translators_rules(world, make, libretranslate):
    provider = LibreTranslateProvider(libretranslate.url())
    contribution = make.contribution()

    with pytest.raises(NotAllowed):
        services.check_machine_draft(world.actor("translator"), make.translation(contribution, "ru"), provider)
    french = approved(world, make.translation(contribution))
    with pytest.raises(services.MachineDraftRefused):
        services.check_machine_draft(world.actor("translator"), french, provider)
    services.check_machine_draft(world.actor("translator"), make.translation(contribution, "de"), provider)


# The task ---------------------------------------------------------------------------------------------------------


def test_the_task_makes_the_draft(world, make, settings, libretranslate):
    settings.MT_PROVIDER, settings.MT_URL = "libretranslate", libretranslate.url()
    french = make.translation(make.contribution())

    assert tasks.request_machine_draft(french.pk, world.users["translator"].pk) == "drafted"

    french.refresh_from_db()
    assert french.machine is True
    assert french.revisions.get().author == world.users["translator"]


def test_the_task_keeps_a_persons_text_and_says_so(world, make, settings, libretranslate):
    settings.MT_PROVIDER, settings.MT_URL = "libretranslate", libretranslate.url()
    french = make.translation(make.contribution())
    services.save_translation(world.actor("translator"), french, base_version=1, title="Titre", body=FRENCH)

    assert tasks.request_machine_draft(french.pk) == "kept"
    assert libretranslate.requests == []


def test_the_task_for_a_translation_that_is_gone(world):
    assert tasks.request_machine_draft(987654) == "gone"


@pytest.mark.parametrize("mode", ["fail", "garbage", "slow"])
def test_a_temporary_failure_is_recorded_and_raised_for_a_retry(world, make, settings, libretranslate, mode):
    settings.MT_PROVIDER, settings.MT_URL, settings.MT_TIMEOUT = "libretranslate", libretranslate.url(mode), 0.3
    french = make.translation(make.contribution())

    with pytest.raises(tasks.RETRY_ON):
        tasks.request_machine_draft(french.pk)

    event = french.events.get()
    assert event.kind == EventKind.MACHINE_FAILED
    assert "tried again later" in event.note
    french.refresh_from_db()
    assert (french.state, french.body) == ("needed", "")


def test_a_refusal_is_recorded_and_not_retried(world, make, settings, libretranslate):
    settings.MT_PROVIDER, settings.MT_URL, settings.MT_API_KEY = "libretranslate", libretranslate.url("keyed"), "bad"
    french = make.translation(make.contribution())

    with pytest.raises(ProviderRefused) as refused:
        tasks.request_machine_draft(french.pk)

    assert not isinstance(refused.value, tasks.RETRY_ON)
    assert "MT_API_KEY" in french.events.get(kind=EventKind.MACHINE_FAILED).note


def test_the_task_when_machine_translation_is_off(world, make, settings):
    settings.MT_PROVIDER = "none"
    french = make.translation(make.contribution())

    with pytest.raises(MachineTranslationOff):
        tasks.request_machine_draft(french.pk)

    assert french.events.get().kind == EventKind.MACHINE_FAILED
