"""The glossary page: concepts with their terms per language, filtered by language and searched in every script;
adding, changing and removing terms (editors everywhere, translators in their languages), with and without HTMX;
empty states; a fixed number of queries."""

from __future__ import annotations

import pytest

from liaison.translations import glossary
from liaison.translations.models import GlossaryConcept, GlossaryTerm

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def terms(world):
    editor = world.actor("editor")
    made = {}
    for concept, language, text, note in (
        ("general-strike", "en", "general strike", ""),
        ("general-strike", "fr", "grève générale", ""),
        ("general-strike", "ru", "всеобщая забастовка", ""),
        ("union", "en", "union", "the organisation, not the act of uniting"),
        ("union", "fr", "syndicat", ""),
        ("union", "ru", "Профсоюз", ""),
        ("union", "zh", "工会", ""),
        ("union", "ar", "نقابة", ""),
    ):
        made[(concept, language)] = glossary.add_term(editor, concept=concept, language=language, text=text, note=note)
    return made


def _keys(response):
    return [row.concept.key for row in response.context["rows"]]


def test_it_lists_concepts_with_their_terms_per_language(world, client_as, terms):
    response = client_as("member").get("/translations/glossary/")

    assert _keys(response) == ["general-strike", "union"]
    union = response.context["rows"][1]
    assert [group.language for group in union.languages] == ["ar", "en", "fr", "ru", "zh"]
    html = response.content.decode()
    assert "the organisation, not the act of uniting" in html
    assert '<span class="term" lang="ar" dir="rtl">نقابة</span>' in html
    assert '<span class="term" lang="zh" dir="ltr">工会</span>' in html
    # A member reads the glossary but does not keep it.
    assert "Add a term" not in html and "/remove/" not in html


def test_it_filters_by_language_and_shows_what_is_missing(world, client_as, terms):
    glossary.add_term(world.actor("editor"), concept="strike-fund", language="en", text="strike fund")

    response = client_as("translator").get("/translations/glossary/?language=fr")

    rows = {row.concept.key: row for row in response.context["rows"]}
    assert [group.language for group in rows["union"].languages] == ["fr"]
    assert rows["strike-fund"].missing
    html = response.content.decode()
    assert "No French term yet." in html
    assert "Профсоюз" not in html


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("профсоюз", ["union"]),  # another case, in Cyrillic
        ("GRÈVE", ["general-strike"]),
        ("工会", ["union"]),
        ("uniting", ["union"]),  # in a usage note
        ("strike", ["general-strike"]),  # in the concept's key
        ("nothing like it", []),
    ],
)
def test_it_searches_in_every_script_ignoring_case(world, client_as, terms, search, found):
    response = client_as("member").get("/translations/glossary/", {"q": search})

    assert _keys(response) == found


def test_an_empty_search_says_so(world, client_as, terms):
    html = client_as("translator").get("/translations/glossary/?q=zzz").content.decode()

    assert "No concept matches this search." in html


def test_an_empty_glossary_says_what_to_do(world, client_as):
    assert (
        "Add the federation's first term below"
        in client_as("translator").get("/translations/glossary/").content.decode()
    )
    assert (
        "the secretariat and the translators fill it"
        in client_as("member").get("/translations/glossary/").content.decode()
    )


def test_a_translator_adds_a_term_in_their_language(world, client_as, terms):
    client = client_as("translator")
    response = client.post(
        "/translations/glossary/",
        {"concept": "union", "language": "fr", "text": "syndicat ouvrier", "note": "plus rare"},
    )

    assert response.status_code == 302
    term = GlossaryTerm.objects.get(text="syndicat ouvrier")
    assert (term.concept.key, term.language, term.note, term.created_by) == (
        "union",
        "fr",
        "plus rare",
        world.users["translator"],
    )
    assert "“syndicat ouvrier” is the French term for “union”." in client.get(response["Location"]).content.decode()


def test_a_new_concept_is_made_with_its_definition(world, client_as):
    client_as("editor").post(
        "/translations/glossary/",
        {"concept": "Strike Fund", "language": "en", "text": "strike fund", "definition": "Money kept for strikes."},
    )

    concept = GlossaryConcept.objects.get()
    assert (concept.key, concept.definition) == ("strike-fund", "Money kept for strikes.")


def test_a_translator_may_not_add_a_term_in_a_language_they_did_not_declare(world, client_as, terms):
    before = GlossaryTerm.objects.count()

    response = client_as("translator").post(
        "/translations/glossary/", {"concept": "union", "language": "ru", "text": "союз"}
    )

    assert response.status_code == 403
    assert "The secretariat and the translators of a language keep its glossary." in response.content.decode()
    assert GlossaryTerm.objects.count() == before


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        ({"concept": "union", "language": "fr", "text": "SYNDICAT"}, 409, "is already a term for this concept"),
        ({"concept": "!!!", "language": "fr", "text": "mot"}, 400, "Name the concept"),
        ({"concept": "union", "language": "fr", "text": ""}, 400, "This field is required."),
        ({"concept": "union", "language": "xx", "text": "mot"}, 400, "Select a valid choice."),
    ],
)
def test_bad_terms_are_refused_next_to_the_field(world, client_as, terms, data, status, message):
    before = GlossaryTerm.objects.count()

    response = client_as("editor").post("/translations/glossary/", data)

    assert response.status_code == status
    assert message in response.content.decode()
    assert "Nothing was saved." in response.content.decode()
    assert GlossaryTerm.objects.count() == before


def test_changing_a_term_with_htmx_answers_its_concept(world, client_as, terms):
    term = terms[("union", "fr")]

    response = client_as("translator").post(
        f"/translations/glossary/terms/{term.pk}/", {"text": "syndicat ", "note": "toujours"}, **HTMX
    )

    html = response.content.decode()
    assert html.startswith(f'<li id="concept-{term.concept_id}"')
    assert "The term now reads “syndicat”." in html
    term.refresh_from_db()
    assert (term.text, term.note) == ("syndicat", "toujours")


def test_changing_a_term_into_a_duplicate_is_refused(world, client_as, terms):
    glossary.add_term(world.actor("editor"), concept="union", language="fr", text="syndicat ouvrier")
    term = terms[("union", "fr")]

    response = client_as("translator").post(
        f"/translations/glossary/terms/{term.pk}/", {"text": "Syndicat Ouvrier", "note": ""}, **HTMX
    )

    assert "is already a term for this concept" in response.content.decode()
    term.refresh_from_db()
    assert term.text == "syndicat"


def test_changing_a_term_without_htmx_goes_back(world, client_as, terms):
    term = terms[("union", "fr")]

    response = client_as("editor").post(
        f"/translations/glossary/terms/{term.pk}/", {"text": "", "note": "", "next": "/translations/glossary/?q=x"}
    )

    assert response["Location"] == "/translations/glossary/?q=x"
    term.refresh_from_db()
    assert term.text == "syndicat"


def test_removing_the_last_term_removes_the_concept(world, client_as):
    term = glossary.add_term(world.actor("editor"), concept="lonely", language="de", text="einsam")

    response = client_as("translator").post(f"/translations/glossary/terms/{term.pk}/remove/", **HTMX)

    assert response.status_code == 200
    assert "“einsam” is no longer a German term for “lonely”." in response.content.decode()
    assert not GlossaryConcept.objects.filter(key="lonely").exists()


def test_a_translator_keeps_only_their_languages(world, client_as, terms):
    response = client_as("translator").get("/translations/glossary/")

    union = next(row for row in response.context["rows"] if row.concept.key == "union")
    editable = {group.language: [entry.editable for entry in group.terms] for group in union.languages}
    assert editable == {"ar": [False], "en": [False], "fr": [True], "ru": [False], "zh": [False]}
    assert "You keep the glossary in: French, German." in response.content.decode()


def test_unknown_terms_are_not_found(world, client_as):
    assert client_as("editor").post("/translations/glossary/terms/999999/", {"text": "x"}).status_code == 404
    assert client_as("editor").post("/translations/glossary/terms/999999/remove/").status_code == 404


@pytest.mark.parametrize("count", [2, 20])
def test_the_glossary_takes_a_fixed_number_of_queries(world, client_as, django_assert_num_queries, count):
    editor = world.actor("editor")
    for index in range(count):
        for language, word in (("en", "word"), ("fr", "mot"), ("ru", "слово")):
            glossary.add_term(editor, concept=f"concept-{index}", language=language, text=f"{word} {index}")
    client = client_as("translator")
    client.get("/translations/glossary/")
    # The session, the account and its roles, the federation twice (the navigation's, the working languages), the
    # concepts, their terms, and the keys offered when adding a term.
    with django_assert_num_queries(11):
        response = client.get("/translations/glossary/?q=word")
    assert response.context["total"] == count


def test_hostile_terms_are_shown_as_text(world, client_as):
    from tests.editorial.test_pages_contribution import assert_inert

    glossary.add_term(
        world.actor("editor"),
        concept="xss",
        language="fr",
        text='<script>alert("t")</script>',
        note='<img src=x onerror="alert(1)">',
        definition='<a href="javascript:alert(2)">d</a>',
    )

    for role in ("member", "translator"):
        html = client_as(role).get("/translations/glossary/").content.decode()
        assert_inert(html)
        assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
