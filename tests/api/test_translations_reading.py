"""Reading translations through the API: who sees which, the filters, what a reader and a translator each get, the
original's changes since approval, query counts, hostile Markdown and text in every script."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from liaison.editorial import services as editorial_services
from liaison.editorial.models import Contribution, State
from liaison.translations import glossary, services
from liaison.translations.models import Translation
from tests.api.conftest import API
from tests.api.test_editorial_contributions import HOSTILE, Tags
from tests.api.test_translations_scene import TranslationScene, build_translation_scene
from tests.conftest import World


@pytest.fixture
def tscene(world: World) -> TranslationScene:
    return build_translation_scene(world)


def send(client: Client, method: str, path: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(f"{API}{path}", data, content_type="application/json")


def names(tscene: TranslationScene, client: Client, query: str = "") -> set[str]:
    response = client.get(f"{API}/translations{query}")
    assert response.status_code == 200, response.content
    by_id = {t.pk: name for name, t in tscene.translations.items()}
    return {by_id[t["id"]] for t in response.json()}


# Who sees which ----------------------------------------------------------------------------------------------------

EVERY = {
    f"{original}_{language}"
    for original, languages in (
        ("pub_a", "en de ru es"),
        ("accepted_a", "en de ru es"),
        ("internal_b", "en fr de ru"),
        ("placed_b", "en fr de ru"),
    )
    for language in languages.split()
}
PUBLIC = {"pub_a_de"}
MEMBERS = PUBLIC | {"internal_b_de"}
SECTION_A = MEMBERS | {name for name in EVERY if name.startswith(("pub_a", "accepted_a"))}
SECTION_B = MEMBERS | {name for name in EVERY if name.startswith(("internal_b", "placed_b"))}


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", PUBLIC),
        ("norole", PUBLIC),
        ("member", SECTION_A),
        ("corr_a", SECTION_A),
        ("corr_b", SECTION_B),
        ("translator", EVERY),
        ("editor", EVERY),
    ],
)
def test_the_list_shows_only_what_the_caller_may_see(
    api_as: Callable[[str], Client], tscene: TranslationScene, role: str, expected: set[str]
) -> None:
    assert names(tscene, api_as(role)) == expected


def test_a_withdrawn_original_takes_its_translations_out_of_the_translators_sight(
    api_as: Callable[[str], Client], world: World, tscene: TranslationScene
) -> None:
    original = tscene.scene.contributions["accepted_a"]
    editorial_services.transition(world.actor("corr_a"), original, State.WITHDRAWN)
    assert not {n for n in names(tscene, api_as("translator")) if n.startswith("accepted_a")}
    # Its section and the editors still see them: nothing is lost.
    assert {n for n in names(tscene, api_as("corr_a")) if n.startswith("accepted_a")} == {
        "accepted_a_en",
        "accepted_a_de",
        "accepted_a_ru",
        "accepted_a_es",
    }
    assert "accepted_a_de" in names(tscene, api_as("editor"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?language=de", {"pub_a_de", "internal_b_de", "placed_b_de", "accepted_a_de"}),
        ("?language=DE", {"pub_a_de", "internal_b_de", "placed_b_de", "accepted_a_de"}),
        ("?state=in_review", {"placed_b_de"}),
        ("?state=approved&stale=false", {"pub_a_de", "internal_b_de"}),
        ("?stale=true", {"accepted_a_de"}),
        ("?contribution={placed_b}&state=draft", {"placed_b_fr", "placed_b_en"}),
        ("?mine=true", {"placed_b_fr", "placed_b_de", "accepted_a_de", "pub_a_de", "internal_b_de"}),
        ("?mine=true&state=draft", {"placed_b_fr"}),
    ],
)
def test_it_filters(api_as: Callable[[str], Client], tscene: TranslationScene, query: str, expected: set[str]) -> None:
    assert names(tscene, api_as("translator"), query.format(**tscene.ids)) == expected


def test_a_variant_of_a_language_finds_it(
    api_as: Callable[[str], Client], world: World, tscene: TranslationScene
) -> None:
    world.federation.working_languages = [*world.federation.working_languages, "pt-br"]
    world.federation.save()
    services.ensure_translations(tscene.scene.contributions["accepted_a"])
    found = api_as("editor").get(f"{API}/translations?language=pt").json()
    assert [(t["language"], t["contribution_id"]) for t in found] == [("pt-br", tscene.ids["accepted_a"])]


def test_mine_needs_a_token(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = api_as("anonymous").get(f"{API}/translations?mine=true")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_an_unknown_filter_is_named(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    client = api_as("corr_a")
    language = client.get(f"{API}/translations?language=klingonese")
    assert language.status_code == 404
    assert language.json() == {"detail": "Unknown language code “klingonese”.", "field": "language"}
    # A contribution the caller may not see answers as one that does not exist.
    hidden = client.get(f"{API}/translations?contribution={tscene.ids['placed_b']}")
    missing = client.get(f"{API}/translations?contribution=999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["field"] == "contribution"
    # One that the caller sees, without a translation in that state, is simply an empty list.
    assert client.get(f"{API}/translations?contribution={tscene.ids['pub_a']}&state=in_review").json() == []


@pytest.mark.parametrize("extra", [0, 5])
def test_the_list_costs_the_same_queries_however_long(
    api_as: Callable[[str], Client],
    world: World,
    tscene: TranslationScene,
    django_assert_num_queries: Callable[..., Any],
    extra: int,
) -> None:
    for n in range(extra):
        contribution = Contribution.objects.create(
            section=world.section_b,
            periodical=tscene.scene.bulletin,
            title=f"More {n}",
            language="es",
            body="Más.",
            state=State.ACCEPTED,
        )
        services.ensure_translations(contribution)
    editor, corr_b = api_as("editor"), api_as("corr_b")
    editor.get(f"{API}/me"), corr_b.get(f"{API}/me")  # the tokens' last use, written at most once a minute
    with django_assert_num_queries(4):  # token, person, roles; the translations with all they show
        assert len(editor.get(f"{API}/translations").json()) == 16 + 4 * extra
    with django_assert_num_queries(4):
        assert editor.get(f"{API}/translations?language=fr&state=needed&stale=false&mine=true").json() == []
    # A correspondent: one more, to know whether their section holds the editorial delegation today.
    with django_assert_num_queries(5):
        assert len(corr_b.get(f"{API}/translations").json()) == 1 + 8 + 4 * extra  # pub_a_de, and section B's own


def test_a_reader_gets_the_text_but_not_the_workings(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    response = api_as("anonymous").get(f"{API}/translations/{tscene.ids['pub_a_de']}")
    assert response.status_code == 200
    data = response.json()
    assert (data["title"], data["body"], data["html"]) == (
        "Veröffentlicht von Alpha",
        "Text auf Deutsch.",
        "<p>Text auf Deutsch.</p>\n",
    )
    assert (data["state"], data["machine"], data["stale"], data["dir"]) == ("approved", False, False, "ltr")
    assert (data["translator"], data["reviewer"]) == ("Tongues", "Editor Pseud")
    assert data["original"] == {
        "title": "Published of Alpha",
        "language": "fr",
        "dir": "ltr",
        "body": "Text.",
        "revision": 1,
    }
    assert (data["allowed_moves"], data["may_edit"], data["assigned_to_me"]) == ([], False, False)
    assert not {"events", "revision_count", "changes", "problems", "pairs", "glossary"} & set(data)


def test_a_translator_sees_the_history_and_what_changed(
    api_as: Callable[[str], Client], tscene: TranslationScene
) -> None:
    data = api_as("translator").get(f"{API}/translations/{tscene.ids['accepted_a_de']}").json()
    assert data["stale"] is True and data["state"] == "approved"
    assert [(e["kind"], e["to_state"], e["by"]) for e in data["events"]] == [
        ("transition", "draft", "Tongues"),
        ("transition", "in_review", "Tongues"),
        ("transition", "approved", "Editor Pseud"),
        ("stale", "approved", ""),
    ]
    changes = data["changes"]
    assert (changes["from_revision"], changes["to_revision"]) == (1, 2)
    assert "\n-Text.\n+Text, corrected by the secretariat." in changes["diff"]
    assert data["original"]["body"] == "Text, corrected by the secretariat."
    # Nothing to move it to: saving the updated text reopens it as a draft.
    assert (data["allowed_moves"], data["may_edit"]) == ([], True)
    assert data["pairs"] == [
        {
            "kind": "paragraph",
            "label": "",
            "original": "Text, corrected by the secretariat.",
            "translation": "Alter Text.",
        }
    ]


def test_the_original_section_sees_the_workings_too(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    data = api_as("corr_a").get(f"{API}/translations/{tscene.ids['accepted_a_de']}").json()
    assert data["changes"]["to_revision"] == 2
    assert len(data["events"]) == 4
    assert (data["allowed_moves"], data["may_edit"]) == ([], False)
    revisions = api_as("corr_a").get(f"{API}/translations/{tscene.ids['accepted_a_de']}/revisions").json()
    assert [(r["number"], r["body"], r["author"], r["machine"]) for r in revisions] == [
        (1, "Alter Text.", "Tongues", False)
    ]


def test_a_machine_draft_is_labelled_as_such(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    data = api_as("corr_b").get(f"{API}/translations/{tscene.ids['placed_b_en']}").json()
    assert (data["machine"], data["state"], data["translator"]) == (True, "draft", None)
    assert data["title"] == "PLACED OF BETA"
    assert [(e["kind"], e["note"]) for e in data["events"]] == [("machine", "upper")]
    revisions = api_as("corr_b").get(f"{API}/translations/{tscene.ids['placed_b_en']}/revisions").json()
    assert [(r["machine"], r["author"]) for r in revisions] == [(True, "")]
    listed = api_as("corr_b").get(f"{API}/translations?contribution={tscene.ids['placed_b']}&language=en").json()
    assert [t["machine"] for t in listed] == [True]


def test_structure_problems_and_glossary_terms_are_shown_before_approval(
    api_as: Callable[[str], Client], world: World, tscene: TranslationScene
) -> None:
    original = tscene.scene.contributions["placed_b"]
    editorial_services.save_contribution(
        world.actor("editor"),
        original,
        base_version=original.version,
        title=original.title,
        language=original.language,
        kind=original.kind,
        body="La grève générale[^1] fue votada [[bulletin/1/1]].\n\n[^1]: Una nota.",
    )
    world.federation.working_languages = [*world.federation.working_languages, "ar"]
    world.federation.save()
    services.ensure_translations(original)
    # Spanish terms, so that the original's words are found; the Arabic one is what the translator is shown.
    glossary.add_term(world.actor("editor"), concept="general-strike", language="es", text="huelga general")
    glossary.add_term(world.actor("editor"), concept="general-strike", language="es", text="grève générale")
    translation = Translation.objects.get(contribution=original, language="ar")
    send(
        api_as("editor"),
        "put",
        f"/translations/{translation.pk}",
        {"base_version": translation.version, "title": "عنوان", "body": "نص بدون حاشية."},
    )
    data = api_as("translator").get(f"{API}/translations/{translation.pk}").json()
    assert data["dir"] == "rtl"
    assert [p["code"] for p in data["problems"]] == ["footnote_missing", "citation_missing"]
    assert "[^1]" in data["problems"][0]["message"]
    assert [(g["concept"], g["found"], [t["text"] for t in g["equivalents"]]) for g in data["glossary"]] == [
        ("general-strike", "grève générale", ["إضراب عام"])
    ]
    assert data["glossary"][0]["equivalents"][0]["dir"] == "rtl"
    assert [p["kind"] for p in data["pairs"]] == ["paragraph", "footnote"]
    assert data["pairs"][1] == {"kind": "footnote", "label": "1", "original": "[^1]: Una nota.", "translation": None}


# Hostile and foreign texts -----------------------------------------------------------------------------------------


def test_hostile_markdown_comes_back_inert(api_as: Callable[[str], Client], tscene: TranslationScene) -> None:
    path = f"/translations/{tscene.ids['placed_b_fr']}"
    response = send(
        api_as("translator"),
        "put",
        path,
        {"base_version": tscene.ids["placed_b_fr_version"], "title": "<script>alert(1)</script>", "body": HOSTILE},
    )
    assert response.status_code == 200, response.content
    html = response.json()["html"]
    parser = Tags()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in ("script", "iframe", "object", "style"), tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not (value or "").strip().lower().startswith(("javascript:", "data:")), (tag, name, value)
    assert all("javascript:" not in tag for tag in re.findall(r"<[^>]*>", html.lower()))
    assert ("a", [("href", "https://example.org"), ("rel", "noopener noreferrer nofollow")]) in parser.tags
    # The Markdown and the title are kept as written (a page escapes them): nothing the translator wrote is lost.
    data = api_as("editor").get(f"{API}{path}").json()
    assert (data["body"], data["title"]) == (HOSTILE, "<script>alert(1)</script>")


SCRIPTS = [
    ("ru", "ltr", "Перевод доклада", "Текст на русском[^1].\n\n[^1]: Примечание."),
    ("el", "ltr", "Μετάφραση", "Κείμενο στα ελληνικά."),
    ("ar", "rtl", "ترجمة التقرير", "نص باللغة العربية."),
    ("he", "rtl", "תרגום הדוח", "טקסט בעברית."),
    ("fa", "rtl", "ترجمه گزارش", "متن فارسی."),
    ("zh", "ltr", "报告译文", "中文文本，第二段。"),
    ("ja", "ltr", "報告の翻訳", "日本語のテキスト。"),
    ("ko", "ltr", "보고서 번역", "한국어 텍스트."),
    ("hi", "ltr", "रिपोर्ट का अनुवाद", "हिंदी में पाठ।"),
    ("th", "ltr", "คำแปลรายงาน", "ข้อความภาษาไทย"),
    ("am", "ltr", "የሪፖርቱ ትርጉም", "የአማርኛ ጽሑፍ።"),
    ("ka", "ltr", "ანგარიშის თარგმანი", "ქართული ტექსტი."),
    ("hy", "ltr", "Զեկույցի թարգմանություն", "Հայերեն տեքստ։"),
    ("ta", "ltr", "அறிக்கையின் மொழிபெயர்ப்பு", "தமிழ் உரை."),
    ("yi", "rtl", "איבערזעצונג", "ייִדיש טעקסט — 𝄞 ✊🏽 e\u0301."),
]


@pytest.mark.parametrize(("language", "direction", "title", "body"), SCRIPTS)
def test_every_script_round_trips(
    api_as: Callable[[str], Client],
    world: World,
    tscene: TranslationScene,
    language: str,
    direction: str,
    title: str,
    body: str,
) -> None:
    world.federation.working_languages = [*world.federation.working_languages, language]
    world.federation.save()
    services.ensure_translations(tscene.scene.contributions["placed_b"])
    translation = Translation.objects.get(contribution=tscene.scene.contributions["placed_b"], language=language)
    client = api_as("editor")
    saved = send(client, "put", f"/translations/{translation.pk}", {"base_version": 1, "title": title, "body": body})
    assert saved.status_code == 200, saved.content
    assert title in saved.content.decode()  # as it is, not as \\u escapes
    data = client.get(f"{API}/translations/{translation.pk}").json()
    assert (data["title"], data["body"], data["language"], data["dir"]) == (title, body, language, direction)
    assert body.split("[^1]")[0] in data["html"]
    listed = client.get(f"{API}/translations?language={language}&contribution={tscene.ids['placed_b']}").json()
    assert [(t["title"], t["dir"]) for t in listed] == [(title, direction)]
