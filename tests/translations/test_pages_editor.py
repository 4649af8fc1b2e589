"""The side-by-side editor through its real forms: the original block by block with footnotes aligned, the glossary
terms beside it, the structure check before review, saving and conflicts that keep both texts, the review actions
(with and without HTMX), machine drafts labelled as such, the history, the diff of a stale original, hostile
Markdown, and text in every script."""

from __future__ import annotations

import re

import pytest

from liaison.translations import glossary, services
from liaison.translations.models import EventKind, Translation, TranslationEvent, TranslationState
from tests.editorial.test_pages_contribution import HOSTILE, assert_inert

from .conftest import FRENCH, ORIGINAL, approved, edit_original

HTMX = {"HTTP_HX_REQUEST": "true"}


def _url(translation: Translation, action: str = "") -> str:
    return f"/translations/{translation.pk}/{action + '/' if action else ''}"


def _save(client, translation, *, body=FRENCH, title="Les travailleurs du port", base=None, action="save"):
    return client.post(
        _url(translation),
        {
            "base_version": translation.version if base is None else base,
            "title": title,
            "body": body,
            "action": action,
        },
    )


@pytest.fixture
def french(world, make, issue):
    return make.translation(make.contribution(issue=issue))


# What the page shows ------------------------------------------------------------------------------------------------


def test_it_shows_the_original_block_by_block_with_the_footnotes_aligned(world, client_as, french):
    services.save_translation(
        world.actor("translator"),
        french,
        base_version=1,
        title="Les travailleurs du port",
        body=FRENCH.replace("- une caisse de grève\n", ""),
    )

    response = client_as("translator").get(_url(french))

    pairs = response.context["pairs"]
    assert [pair.kind for pair in pairs] == ["heading", "paragraph", "item", "item", "footnote"]
    assert pairs[-1].label == "1"
    assert pairs[-1].original == "[^1]: In the hall of the union, 12 March."
    assert pairs[-1].translation == "[^1]: Dans la salle du syndicat, le 12 mars."
    assert pairs[3].original == "- a strike fund" and pairs[3].translation is None
    html = response.content.decode()
    assert "footnote [^1]" in html
    assert "Not in the translation yet." in html


def test_it_shows_the_glossary_terms_of_the_original_with_their_translations(world, client_as, french):
    editor = world.actor("editor")
    glossary.add_term(editor, concept="union", language="en", text="union", note="")
    glossary.add_term(editor, concept="union", language="fr", text="syndicat", note="jamais « union »")
    glossary.add_term(editor, concept="union", language="de", text="Gewerkschaft")
    glossary.add_term(editor, concept="strike-fund", language="en", text="strike fund")

    response = client_as("translator").get(_url(french))

    found = {o.term.text: [t.text for t in o.equivalents] for o in response.context["occurrences"]}
    assert found == {"union": ["syndicat"], "strike fund": []}
    html = response.content.decode()
    assert "jamais « union »" in html
    assert "Gewerkschaft" not in html
    assert "No French term yet." in html
    assert "/translations/glossary/?concept=strike-fund&amp;language=fr#add-term" in html


def test_without_glossary_terms_it_says_so(world, client_as, french):
    assert (
        "No term of the glossary occurs in the original." in client_as("translator").get(_url(french)).content.decode()
    )


def test_it_shows_the_deadline_and_whether_it_is_overdue(world, client_as, french):
    html = client_as("translator").get(_url(french)).content.decode()

    assert "March 13, 2030" in html and "for No. 2, planned for March 20, 2030" in html
    assert 'class="badge overdue"' not in html


# Saving ---------------------------------------------------------------------------------------------------------


def test_saving_makes_a_draft_and_takes_the_translation(world, client_as, french):
    client = client_as("translator")
    response = _save(client, french)

    assert response.status_code == 302
    french.refresh_from_db()
    assert (french.state, french.body, french.version) == (TranslationState.DRAFT, FRENCH, 2)
    assert french.assigned_to == world.users["translator"]
    assert "Saved: version 2." in client.get(response["Location"]).content.decode()


def test_saving_the_same_text_says_nothing_changed(world, client_as, french):
    client = client_as("translator")
    _save(client, french)
    french.refresh_from_db()

    response = _save(client, french)

    french.refresh_from_db()
    assert french.version == 2
    assert "Nothing to save" in client.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", FRENCH, "A translation needs a title."),
        ("Titre", "   ", "The text is empty."),
        ("Titre", "a\x00b", "Null characters are not allowed."),
    ],
)
def test_bad_input_is_answered_next_to_the_field_and_saves_nothing(world, client_as, french, title, body, message):
    response = _save(client_as("translator"), french, title=title, body=body)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    french.refresh_from_db()
    assert (french.version, french.state) == (1, TranslationState.NEEDED)
    assert french.revisions.count() == 0


def test_a_concurrent_save_is_a_visible_conflict_and_nothing_is_lost(world, client_as, french):
    # The translator opened the editor at version 1; meanwhile the secretariat saved its own text.
    services.save_translation(world.actor("editor"), french, base_version=1, title="Titre", body="Le texte du bureau.")

    response = _save(client_as("translator"), french, body="Mon texte, commencé avant.", base=1)

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone saved this translation while you were editing it" in html
    assert "Le texte du bureau." in html and "Mon texte, commencé avant." in html
    form = response.context["form"]
    assert form.initial["body"] == "Mon texte, commencé avant."
    assert form.initial["base_version"] == 2
    french.refresh_from_db()
    assert french.body == "Le texte du bureau."
    kept = french.revisions.get(conflict=True)
    assert (kept.body, kept.author) == ("Mon texte, commencé avant.", world.users["translator"])

    # Saving again from the conflict's form replaces their text knowingly; theirs stays a revision.
    response = _save(client_as("translator"), french, body="Mon texte, commencé avant.", base=2)

    assert response.status_code == 302
    french.refresh_from_db()
    assert french.body == "Mon texte, commencé avant."
    assert french.revisions.filter(body="Le texte du bureau.").exists()


def test_the_conflict_kept_is_shown_in_the_history(world, client_as, french):
    services.save_translation(world.actor("editor"), french, base_version=1, title="Titre", body="Premier.")
    _save(client_as("translator"), french, body="Second, perdu ?", base=1)

    html = client_as("translator").get(_url(french)).content.decode()

    assert "kept after a conflict" in html
    assert "Second, perdu ?" in html


# The structure check and sending to review -------------------------------------------------------------------------


def test_the_check_reports_what_the_typed_text_lost_without_saving(world, client_as, french):
    body = FRENCH.replace("[^1]", "").replace("[[bulletin/1/1]]", "")

    response = client_as("translator").post(_url(french, "check"), {"body": body}, **HTMX)

    html = response.content.decode()
    assert html.startswith('<div id="structure"')
    assert "Footnote [^1] of the original is missing." in html
    assert "Citation [[bulletin/1/1]] of the original is missing." in html
    assert "Checked as typed; nothing was saved." in html
    french.refresh_from_db()
    assert french.version == 1


def test_the_check_of_a_faithful_text_says_so(world, client_as, french):
    response = client_as("translator").post(_url(french, "check"), {"body": FRENCH}, **HTMX)

    assert "Same footnotes, citations, headings and lists as the original." in response.content.decode()


def test_save_and_send_to_review(world, client_as, french):
    client = client_as("translator")
    response = _save(client, french, action="review")

    french.refresh_from_db()
    assert french.state == TranslationState.IN_REVIEW
    html = client.get(response["Location"]).content.decode()
    assert "Saved and sent to review: another translator of French or the secretariat reviews it." in html
    assert 'name="body"' not in html  # in review, nobody edits it
    assert "In review: the reviewer approves it or returns it" in html


def test_a_text_that_lost_a_footnote_is_saved_but_not_sent_until_confirmed(world, client_as, french):
    body = FRENCH.replace("lundi[^1]", "lundi").replace("[^1]: Dans la salle du syndicat, le 12 mars.\n", "")

    client = client_as("translator")
    response = _save(client, french, body=body, action="review")

    french.refresh_from_db()
    assert (french.state, french.body) == (TranslationState.DRAFT, body)
    html = client.get(response["Location"]).content.decode()
    assert "Saved, but not sent to review: Footnote [^1] of the original is missing." in html
    assert "Send to review despite the differences" in html

    _save(client, french, body=body, action="review_anyway")

    french.refresh_from_db()
    assert french.state == TranslationState.IN_REVIEW


# Reviewing --------------------------------------------------------------------------------------------------------


@pytest.fixture
def in_review(world, french):
    translator = world.actor("translator")
    services.save_translation(translator, french, base_version=1, title="Les travailleurs du port", body=FRENCH)
    services.transition(translator, french, TranslationState.IN_REVIEW)
    french.refresh_from_db()
    return french


def test_the_reviewer_approves_with_htmx(world, client_as, in_review):
    response = client_as("editor").post(_url(in_review, "move"), {"to_state": "approved"}, **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<article id="translation"')
    assert "is now approved." in html
    in_review.refresh_from_db()
    assert (in_review.state, in_review.reviewer) == (TranslationState.APPROVED, world.users["editor"])
    assert "Reviewed by" in html and "Editor Pseud" in html


def test_returning_needs_a_reason_the_translator_reads(world, client_as, in_review):
    client = client_as("editor")
    response = client.post(_url(in_review, "move"), {"to_state": "draft", "reason": "  "}, **HTMX)

    assert "Give the reason: the translator will read it." in response.content.decode()
    in_review.refresh_from_db()
    assert in_review.state == TranslationState.IN_REVIEW

    response = client.post(_url(in_review, "move"), {"to_state": "draft", "reason": "Le titre est trop long."})

    assert response.status_code == 302
    in_review.refresh_from_db()
    assert in_review.state == TranslationState.DRAFT
    html = client_as("translator").get(_url(in_review)).content.decode()
    assert "Le titre est trop long." in html
    assert "from in review to draft" in html


def test_a_different_structure_is_approved_only_with_a_recorded_reason(world, client_as, french):
    translator = world.actor("translator")
    body = FRENCH.replace("[[bulletin/1/1]]", "")
    services.save_translation(translator, french, base_version=1, title="Titre", body=body)
    services.transition(translator, french, TranslationState.IN_REVIEW)
    client = client_as("editor")

    page = client.get(_url(french)).content.decode()
    assert "Citation [[bulletin/1/1]] of the original is missing." in page
    assert "Approve despite the differences" in page
    assert "Why it may differ from the original (kept with the approval)" in page

    response = client.post(_url(french, "move"), {"to_state": "approved"})
    assert response.status_code == 400
    assert "Correct it, or record why it may differ." in response.content.decode()
    french.refresh_from_db()
    assert french.state == TranslationState.IN_REVIEW

    client.post(_url(french, "move"), {"to_state": "approved", "reason": "The cited item is not translated yet."})

    french.refresh_from_db()
    assert (french.state, french.override_reason) == (
        TranslationState.APPROVED,
        "The cited item is not translated yet.",
    )
    page = client.get(_url(french)).content.decode()
    assert "Approved despite a different structure, because" in page


def test_a_move_not_in_the_workflow_is_refused_with_a_message(world, client_as, french):
    response = client_as("editor").post(_url(french, "move"), {"to_state": "approved"})

    assert response.status_code == 400
    assert "A translation that is needed cannot become approved." in response.content.decode()


def test_a_move_not_understood_is_refused(world, client_as, in_review):
    response = client_as("editor").post(_url(in_review, "move"), {"to_state": "published"})

    assert response.status_code == 400
    in_review.refresh_from_db()
    assert in_review.state == TranslationState.IN_REVIEW


def test_the_history_is_shown(world, client_as, in_review):
    html = client_as("editor").get(_url(in_review)).content.decode()

    assert "from needed to draft" in html
    assert "from draft to in review" in html
    assert "Tongues" in html


# Machine drafts ---------------------------------------------------------------------------------------------------


@pytest.fixture
def provider(settings, libretranslate):
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = libretranslate.url()
    return libretranslate


def test_without_a_provider_no_machine_draft_is_offered(world, client_as, french):
    html = client_as("translator").get(_url(french)).content.decode()
    assert "Ask for a machine draft" not in html

    response = client_as("translator").post(_url(french, "machine"), **HTMX, HTTP_HX_TARGET="machine")

    assert "Machine translation is off" in response.content.decode()
    french.refresh_from_db()
    assert (french.machine, french.version) == (False, 1)


def test_a_machine_draft_is_made_and_labelled_until_a_person_approves_it(world, client_as, french, provider):
    client = client_as("translator")
    assert "Ask for a machine draft" in client.get(_url(french)).content.decode()

    response = client.post(_url(french, "machine"), **HTMX, HTTP_HX_TARGET="machine")

    html = response.content.decode()
    assert html.startswith('<div id="machine"')
    assert "The machine draft is ready." in html
    assert "Open the machine draft" in html
    french.refresh_from_db()
    assert (french.machine, french.state) == (True, TranslationState.DRAFT)
    assert "«fr»" in french.body and "[^1]" in french.body and "[[bulletin/1/1]]" in french.body
    page = client.get(_url(french)).content.decode()
    assert "A machine made this text and nobody has approved it yet" in page
    assert page.count('class="badge machine"') >= 4  # the state, the preview, the history and the revision
    assert "Ask for a new machine draft" in page  # until a person writes, another draft may replace this one

    # Sent to review as it is, then approved by someone else: no longer a machine draft.
    client.post(
        _url(french), {"base_version": french.version, "title": french.title, "body": french.body, "action": "review"}
    )
    client_as("editor").post(_url(french, "move"), {"to_state": "approved"})
    french.refresh_from_db()
    assert (french.state, french.machine) == (TranslationState.APPROVED, False)
    assert 'class="badge machine"' not in client.get(_url(french)).content.decode().split("History")[0]


def test_a_provider_down_says_so_and_changes_nothing(world, client_as, french, settings, libretranslate):
    settings.MT_PROVIDER = "libretranslate"
    settings.MT_URL = libretranslate.url("fail")

    client = client_as("translator")
    response = client.post(_url(french, "machine"))

    assert response.status_code == 302
    french.refresh_from_db()
    assert (french.machine, french.body, french.version) == (False, "", 1)
    failure = TranslationEvent.objects.get(translation=french, kind=EventKind.MACHINE_FAILED)
    page = client.get(_url(french)).content.decode()
    assert "Nothing was changed; ask again later." in page
    assert "The last request" in page and failure.note[:30] in page
    assert "Machine translation failed; nothing was changed." in page


def test_a_machine_draft_never_replaces_a_persons_text(world, client_as, french, provider):
    _save(client_as("translator"), french, body="Écrit à la main.")

    response = client_as("translator").post(_url(french, "machine"), **HTMX, HTTP_HX_TARGET="machine")

    assert "a machine draft never replaces it" in response.content.decode()
    french.refresh_from_db()
    assert (french.body, french.machine) == ("Écrit à la main.", False)
    assert provider.requests == []


def test_with_a_worker_the_draft_is_queued_after_the_commit(
    world, client_as, french, provider, settings, django_capture_on_commit_callbacks
):
    settings.CELERY_TASK_ALWAYS_EAGER = False

    with django_capture_on_commit_callbacks() as callbacks:
        response = client_as("translator").post(_url(french, "machine"), **HTMX, HTTP_HX_TARGET="machine")

    assert "A machine draft is on its way" in response.content.decode()
    assert len(callbacks) == 1
    french.refresh_from_db()
    assert french.machine is False  # nothing happens until a worker runs the job


def test_the_workers_task_makes_the_draft(world, french, provider):
    from liaison.translations import tasks

    assert tasks.machine_draft_task.apply(args=[french.pk, world.users["translator"].pk]).get() == "drafted"

    french.refresh_from_db()
    assert french.machine is True
    assert french.events.get(kind=EventKind.MACHINE).actor == world.users["translator"]


# Staleness --------------------------------------------------------------------------------------------------------


def test_a_stale_translation_shows_what_changed_in_the_original(world, client_as, french):
    approved(world, french)
    contribution = french.contribution
    edit_original(contribution, ORIGINAL.replace("on Monday", "on Tuesday"), title="Workers of the harbour")
    services.mark_stale(contribution)

    html = client_as("translator").get(_url(french)).content.decode()

    assert "The original changed since this translation was approved" in html
    assert "approved against revision 1 of the original, which is now at revision 2" in html
    assert re.search(r'class="diff-removed">.*?<del>Monday</del>', html, re.S)
    assert re.search(r'class="diff-added">.*?<ins>Tuesday</ins>', html, re.S)
    assert "<ins>harbour</ins>" in html
    assert "The original changed: this translation is out of date." in html


# Hostile input and every script -------------------------------------------------------------------------------


def test_hostile_markdown_in_a_translation_is_inert(world, client_as, french):
    response = _save(client_as("translator"), french, body=HOSTILE, title='<img src=x onerror="alert(1)">')
    assert response.status_code == 302

    for role in ("translator", "editor"):
        html = client_as(role).get(_url(french)).content.decode()
        assert_inert(html)
        assert "&lt;script&gt;alert(&quot;stolen&quot;)&lt;/script&gt;" in html  # shown as text, in the source


@pytest.mark.parametrize(
    ("language", "title", "body", "direction"),
    [
        (
            "ar",
            "عمال الميناء",
            "# عمال الميناء\n\nاجتمعت نقابة عمال الميناء يوم الاثنين[^1].\n\n[^1]: في قاعة النقابة.\n",
            "rtl",
        ),
        (
            "ru",
            "Портовые рабочие",
            "# Портовые рабочие\n\nПрофсоюз докеров собрался в понедельник[^1].\n\n[^1]: В зале.\n",
            "ltr",
        ),
        ("zh", "港口工人", "# 港口工人\n\n码头工人工会星期一开会[^1]。\n\n[^1]：在工会大厅。\n", "ltr"),
    ],
)
def test_text_in_every_script_round_trips(world, client_as, make, language, title, body, direction):
    world.federation.working_languages = [*world.federation.working_languages, "ar", "zh"]
    world.federation.save()
    translation = make.translation(make.contribution(), language)
    client = client_as("editor")

    response = _save(client, translation, title=title, body=body.replace("\n", "\r\n"))

    assert response.status_code == 302
    translation.refresh_from_db()
    assert (translation.title, translation.body) == (title, body)
    html = client.get(_url(translation)).content.decode()
    assert f'<textarea name="body" cols="40" rows="24" class="body-editor" lang="{language}" dir="{direction}"' in html
    assert f'lang="{language}" dir="{direction}"' in html
    assert title in html
    # The form's text, sent back as it is, is the same text: saving it changes nothing.
    form = client.get(_url(translation)).context["form"]
    _save(client, translation, title=form.initial["title"], body=form.initial["body"])
    translation.refresh_from_db()
    assert translation.version == 2


def test_an_arabic_original_is_shown_right_to_left(world, client_as, make):
    original = "# تقرير\n\nنص عربي[^1].\n\n[^1]: حاشية.\n"
    french = make.translation(make.contribution(body=original, title="تقرير", language="ar"))

    html = client_as("translator").get(_url(french)).content.decode()

    assert '<div class="source" lang="ar" dir="rtl"># تقرير</div>' in html
    assert '<p class="original-title" lang="ar" dir="rtl">تقرير</p>' in html
    assert 'lang="fr" dir="ltr"' in html


def test_an_unknown_translation_is_not_found(world, client_as):
    assert client_as("editor").get("/translations/999999/").status_code == 404


def test_saving_another_language_than_declared_changes_nothing(world, client_as, make):
    russian = make.translation(make.contribution(), "ru")

    response = _save(client_as("translator"), russian, body="Текст.")

    assert response.status_code == 403
    russian.refresh_from_db()
    assert (russian.body, russian.version) == ("", 1)


def test_saving_a_text_assigned_to_someone_else_changes_nothing(world, client_as, french, translators):
    services.assign(world.actor("editor"), french, translators["reviewer_fr"])

    response = _save(client_as("translator"), french)

    assert response.status_code == 403
    french.refresh_from_db()
    assert (french.body, french.version) == ("", 1)


def test_a_text_in_review_is_not_saved_and_the_page_says_why(world, client_as, in_review):
    response = _save(client_as("translator"), in_review, body="Autre chose.")

    assert response.status_code == 400
    assert "This translation is in review; the reviewer sends it back before it is edited." in response.content.decode()
    in_review.refresh_from_db()
    assert (in_review.body, in_review.state) == (FRENCH, TranslationState.IN_REVIEW)


def test_claiming_and_assigning_on_the_page_answer_the_assignment_box(world, client_as, french, translators):
    response = client_as("translator").post(_url(french, "claim"), **HTMX, HTTP_HX_TARGET="assignment")

    html = response.content.decode()
    assert html.startswith('<div id="assignment"')
    assert "is yours now." in html and "Give it back" in html

    response = client_as("editor").post(
        _url(french, "assign"), {"translator": translators["reviewer_fr"].pk}, **HTMX, HTTP_HX_TARGET="assignment"
    )

    html = response.content.decode()
    assert 'Assigned to <strong dir="auto">Second Voice</strong>.' in html
    french.refresh_from_db()
    assert french.assigned_to == translators["reviewer_fr"]
