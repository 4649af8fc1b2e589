"""The positions matrix exported as CSV: one row per section and question, the page's filters, UTF-8 with a byte-order
mark so that spreadsheet programs read Cyrillic, CJK and Arabic, and a file name to save it under."""

from __future__ import annotations

import csv
import io
from typing import Any

from liaison.conference import services
from liaison.conference.models import Conference
from liaison.federation.models import Section
from tests.conference.conftest import StatePosition

HEADER = [
    "Region",
    "Section",
    "Wave",
    "Question number",
    "Question",
    "Option",
    "Stance",
    "Language of the stance",
    "State",
    "Endorsed by",
    "Statement",
]


def rows_of(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_one_row_per_section_and_question(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    Section.objects.filter(pk=world.section_a.pk).update(name="Секция «Альфа»")
    Section.objects.filter(pk=world.section_b.pk).update(name="ベータ支部")
    alpha = state(option="amend", stance="Мы поддерживаем, с поправками.", language="ru", to="published")
    state(section="b", option="oppose", stance="نحن نعارض الجبهة الموحدة.", language="ar", to="published")
    services.endorse(world.actor("corr_b"), world.section_b, alpha)
    rows = rows_of(client_as("member").get(f"/conferences/{conference.pk}/positions.csv"))
    assert rows[0] == HEADER
    assert len(rows) == 1 + 2 * 2
    assert rows[1] == [
        "Europe",
        "Секция «Альфа»",
        "Europe",
        "1",
        "The united front",
        "support with amendments",
        "Мы поддерживаем, с поправками.",
        "ru",
        "published",
        "ベータ支部",
        f"http://testserver/contributions/{alpha.contribution_id}/",
    ]
    assert rows[2][:10] == [
        "Europe",
        "Секция «Альфа»",
        "Europe",
        "2",
        "The trade unions",
        "",
        "",
        "",
        "not yet stated",
        "",
    ]
    assert rows[2][10] == ""
    assert rows[3][1] == "ベータ支部" and rows[3][6] == "نحن نعارض الجبهة الموحدة." and rows[3][7] == "ar"


def test_the_file_is_named_after_the_conference(
    world: Any, conference: Conference, questions: Any, client_as: Any
) -> None:
    Conference.objects.filter(pk=conference.pk).update(title="Вторая конференция")
    response = client_as("member").get(f"/conferences/{conference.pk}/positions.csv")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    # The name in UTF-8 for the programs that read it (RFC 6266), percent-encoded.
    assert (
        "filename*=utf-8''%D0%B2%D1%82%D0%BE%D1%80%D0%B0%D1%8F-%D0%BA%D0%BE%D0%BD%D1%84%D0%B5%D1%80%D0%B5%D0%BD%D1%86%D0%B8%D1%8F-positions.csv"
        in disposition
    )


def test_it_follows_the_pages_filters_and_the_readers_language(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    state(section="b", to="submitted")
    user = world.users["editor"]
    user.language = "fr"
    user.save()
    rows = rows_of(
        client_as("editor").get(f"/conferences/{conference.pk}/positions.csv", {"region": world.americas.pk})
    )
    assert {row[1] for row in rows[1:]} == {"Section Beta"}
    # The question titles in French, the reader's language.
    assert [row[4] for row in rows[1:]] == ["Le front unique", "Les syndicats"]
    rows = rows_of(client_as("editor").get(f"/conferences/{conference.pk}/positions.csv", {"state": "submitted"}))
    assert {row[1] for row in rows[1:]} == {"Section Beta"}


def test_what_a_section_wrote_cannot_run_as_a_formula(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    Section.objects.filter(pk=world.section_a.pk).update(name="=Section")
    state(stance='=HYPERLINK("http://evil.example","click")', to="published")
    rows = rows_of(client_as("member").get(f"/conferences/{conference.pk}/positions.csv"))
    assert rows[1][1] == "'=Section"
    assert rows[1][6] == '\'=HYPERLINK("http://evil.example","click")'


def test_a_draft_does_not_leak_into_the_export(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    state(stance="Secret draft of Alpha.")
    for role in ("corr_b", "translator", "editor", "anonymous"):
        body = client_as(role).get(f"/conferences/{conference.pk}/positions.csv").content.decode("utf-8-sig")
        assert "Secret draft of Alpha." not in body
    # Its own section reads it (as in the matrix), a member of it too.
    for role in ("corr_a", "member"):
        body = client_as(role).get(f"/conferences/{conference.pk}/positions.csv").content.decode("utf-8-sig")
        assert "Secret draft of Alpha." in body


def test_an_empty_agenda_gives_the_header_alone(world: Any, conference: Conference, client_as: Any) -> None:
    assert rows_of(client_as("member").get(f"/conferences/{conference.pk}/positions.csv")) == [HEADER]
