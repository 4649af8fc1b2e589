"""The conference's reading pages: the list, a conference with its timeline, agenda and waves, the positions matrix
and the secretariat's overdue list. Their content in the reader's language (and the fallback, marked with ``lang``
and ``dir``), the matrix's filters and empty states, and query counts that do not grow with the data."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone

from liaison.conference import services
from liaison.conference.models import Conference, Endorsement, Wave
from liaison.federation import services as federation
from liaison.federation.models import EventKind, Role, RoleKind, Section, SectionStatus
from tests.conference.conftest import StatePosition


def html_of(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def cell_of(html: str, label: str, section: str) -> str:
    """The HTML of the matrix's cell for ``section`` under the question labelled ``label``."""
    row = re.search(
        rf'<tr role="row">\s*<th scope="row"[^>]*>\s*<span class="section-name" dir="auto">{section}</span>'
        rf"(.*?)</tr>",
        html,
        re.S,
    )
    assert row is not None, f"no row for {section}"
    cell = re.search(rf'<td role="cell" data-label="{re.escape(label)}"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert cell is not None, f"no cell {label} for {section}"
    return cell.group(1)


# The list ----------------------------------------------------------------------------------------------------------


def test_the_list_shows_each_conference_newest_first(
    world: Any, conference: Conference, bulletin: Any, client_as: Any
) -> None:
    editor = world.actor("editor")
    services.create_conference(
        editor, title="Первая конференция", place="Москва", starts_on=datetime.date(2029, 5, 1), bulletin=bulletin
    )
    services.create_conference(editor, title="未定の会議", bulletin=bulletin)
    html = html_of(client_as("member").get("/conferences/"))
    # Undated first (being planned), then by planned start, the latest first.
    assert html.index("未定の会議") < html.index("Second International Conference") < html.index("Первая конференция")
    assert "Geneva" in html and "Москва" in html
    assert '<time datetime="2031-09-01">' in html and '<time datetime="2031-09-05">' in html
    assert "In preparation" in html and "members only" in html
    assert "not fixed yet" in html
    assert "2 questions" not in html and "0 questions" in html


def test_the_public_sees_public_conferences_only(
    world: Any, conference: Conference, bulletin: Any, client_as: Any
) -> None:
    services.create_conference(world.actor("editor"), title="Internal preparation", bulletin=bulletin)
    html = html_of(client_as("anonymous").get("/conferences/"))
    assert "Second International Conference" in html and "Internal preparation" not in html


def test_the_empty_list_says_what_comes(world: Any, client_as: Any) -> None:
    assert "No public conference is being prepared" in html_of(client_as("anonymous").get("/conferences/"))
    assert "the secretariat announces one here" in html_of(client_as("member").get("/conferences/"))


def test_the_navigation_links_to_the_conferences(world: Any, client_as: Any) -> None:
    assert '<a href="/conferences/">Conferences</a>' in html_of(client_as("anonymous").get("/"))


def test_the_list_costs_the_same_for_1_and_6_conferences(
    world: Any, bulletin: Any, client_as: Any, django_assert_num_queries: Any
) -> None:
    client = client_as("member")
    counts = []
    for n in (1, 6):
        while Conference.objects.count() < n:
            conference = services.create_conference(
                world.actor("editor"), title=f"C{Conference.objects.count()}", bulletin=bulletin
            )
            services.create_question(world.actor("editor"), conference, title={"en": "Q"})
        # session, user, two-factor checks (2), person, roles, the conferences with their questions counted,
        # the federation.
        with django_assert_num_queries(8) as captured:
            client.get("/conferences/")
        counts.append(len(captured))
    assert counts[0] == counts[1]


# A conference ------------------------------------------------------------------------------------------------------


def test_the_conference_page(world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any) -> None:
    editor = world.actor("editor")
    services.add_milestone(editor, conference, date=datetime.date(2031, 2, 1), title={"en": "The agenda is fixed"})
    services.move_section(editor, waves[0], world.section_b, reason="It asked to reply with Europe.")
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/"))
    assert "Second International Conference" in html and "Geneva" in html and "In preparation" in html
    assert '<time datetime="2031-02-01">' in html and "The agenda is fixed" in html
    assert "Question 1:" in html and "The united front" in html and "joint action to the larger parties" in html
    assert "support, oppose, support with amendments, abstain" in html
    assert "its own answer, abstain" in html
    # Each wave: its regions, its deadline in the reader's time zone named, and its issue linked.
    assert '<time datetime="2031-03-01T12:00:00+00:00">' in html and "(UTC)" in html
    assert f'href="/bulletins/bulletin/{waves[0].issue.number}/"' in html and "Bulletin No. 2" in html
    assert "moved here by the secretariat" in html
    assert f'href="/conferences/{conference.pk}/positions/"' in html
    assert f'href="/conferences/{conference.pk}/calendar.ics"' in html
    # Only the secretariat is shown the way to the overdue list.
    assert f'href="/conferences/{conference.pk}/overdue/"' not in html
    assert f'href="/conferences/{conference.pk}/overdue/"' in html_of(
        client_as("editor").get(f"/conferences/{conference.pk}/")
    )


def test_deadlines_are_shown_in_the_current_time_zone(
    world: Any, conference: Conference, waves: Any, client_as: Any, settings: Any
) -> None:
    settings.TIME_ZONE = "Asia/Tokyo"
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/"))
    # Noon UTC is nine in the evening in Tokyo, and the page says in which zone.
    assert '<time datetime="2031-03-01T21:00:00+09:00">' in html and "(Asia/Tokyo)" in html


def test_a_reader_in_french_reads_french_texts_and_the_fallback_is_marked(
    world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any
) -> None:
    services.add_milestone(
        world.actor("editor"),
        conference,
        date=datetime.date(2031, 2, 1),
        title={"en": "Agenda fixed", "fr": "Ordre du jour arrêté"},
    )
    user = world.users["member"]
    user.language = "fr"
    user.save()
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/"))
    assert '<html lang="fr"' in html
    assert '<span dir="auto">Le front unique</span>' in html and '<span dir="auto">Les syndicats</span>' in html
    assert "Ordre du jour arrêté" in html and "Agenda fixed" not in html
    # The description exists only in English: shown, and marked as English for the browser and the reader.
    assert '<span lang="en" dir="ltr">Should the sections propose joint action' in html
    assert "(Anglais)" in html


def test_a_fallback_into_a_right_to_left_language_is_marked_so(
    world: Any, conference: Conference, client_as: Any
) -> None:
    world.federation.working_languages = ["en", "ar"]
    world.federation.save()
    services.create_question(world.actor("editor"), conference, title={"ar": "الجبهة الموحدة"})
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/"))
    assert '<span lang="ar" dir="rtl">الجبهة الموحدة</span>' in html


def test_the_empty_conference_says_what_comes(world: Any, conference: Conference, client_as: Any) -> None:
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/"))
    assert "No milestone is set yet" in html
    assert "The agenda has no questions yet." in html
    assert "No reply wave is set yet" in html


def test_the_conference_page_costs_the_same_for_2_and_12_questions(
    world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any, django_assert_num_queries: Any
) -> None:
    editor = world.actor("editor")
    client = client_as("member")
    counts = []
    for n in (2, 12):
        while conference.questions.count() < n:
            services.create_question(editor, conference, title={"en": f"Q{conference.questions.count()}"})
            services.add_milestone(editor, conference, date=datetime.date(2031, 1, 1), title={"en": "Step"})
        # The request's 8 (see the list) less the conferences; the conference, its milestones, questions, waves,
        # their regions and the sections moved into them.
        with django_assert_num_queries(13) as captured:
            client.get(f"/conferences/{conference.pk}/")
        counts.append(len(captured))
    assert counts[0] == counts[1]


# The matrix --------------------------------------------------------------------------------------------------------


def test_the_matrix_shows_each_cell(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    alpha = state(option="amend", stance="Nous soutenons, avec des amendements.", to="published")
    beta = state(section="b", option="oppose", stance="Мы против единого фронта.", language="ru", to="published")
    services.endorse(world.actor("corr_b"), world.section_b, alpha)
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/positions/"))
    assert "<caption>Positions of 2 sections on the agenda of Second International Conference</caption>" in html
    assert '<th scope="col" role="columnheader" id="q1">' in html
    assert '<th scope="rowgroup" role="rowheader" colspan="3" dir="auto">Europe</th>' in html
    a1 = cell_of(html, "1. The united front", "Section Alpha")
    # The state is written, not only coloured; the option in the reader's words; the stance marked as French.
    assert '<span class="badge pstate-published">Published</span>' in a1
    assert "Support with amendments" in a1
    assert '<span lang="fr" dir="ltr">Nous soutenons, avec des amendements.</span>' in a1
    assert f'href="/contributions/{alpha.contribution_id}/"' in a1
    assert 'Endorsed by: <span dir="auto">Section Beta</span>' in a1
    b1 = cell_of(html, "1. The united front", "Section Beta")
    assert '<span lang="ru" dir="ltr">Мы против единого фронта.</span>' in b1 and "Oppose" in b1
    assert f'href="/contributions/{beta.contribution_id}/"' in b1
    a2 = cell_of(html, "2. The trade unions", "Section Alpha")
    assert "Not yet stated" in a2 and "/contributions/" not in a2
    assert "Wave: Europe" in html and "Wave: Americas" in html


def test_the_matrix_in_the_readers_language(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    state(question=1, option="own", stance="Nous soutenons.", to="published")
    user = world.users["member"]
    user.language = "fr"
    user.save()
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/positions/"))
    # The stance is in French like the reader: no lang attribute, nothing to mark.
    cell = cell_of(html, "2. Les syndicats", "Section Alpha")
    assert '<span dir="auto">Nous soutenons.</span>' in cell and "lang=" not in cell
    user.language = "ru"
    user.save()
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/positions/"))
    # No Russian title for question 2: the English one, marked; its label before each cell on a phone too.
    assert '<span lang="en" dir="ltr">The trade unions</span>' in html
    cell = cell_of(html, "2. The trade unions", "Section Alpha")
    assert '<span lang="fr" dir="ltr">Nous soutenons.</span>' in cell


def test_a_draft_is_its_sections_business(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    state(stance="Un brouillon.")
    own = html_of(client_as("corr_a").get(f"/conferences/{conference.pk}/positions/"))
    assert "Un brouillon." in own and '<span class="badge pstate-draft">Draft</span>' in own
    other = html_of(client_as("corr_b").get(f"/conferences/{conference.pk}/positions/"))
    assert "Un brouillon." not in other
    assert "Not yet stated" in cell_of(other, "1. The united front", "Section Alpha")


def test_the_matrix_shows_a_split_on_both_sides_with_its_date(
    world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any
) -> None:
    editor = world.actor("editor")
    gamma = federation.create_section(editor, name="Секция Гамма", country="FR", region=world.europe, languages=["ru"])
    federation.record_event(
        editor, gamma, kind=EventKind.SPLIT_FROM, date=datetime.date(2024, 5, 1), other_section=world.section_a
    )
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/positions/"))
    assert 'Split from <span dir="auto">Section Alpha</span> on May 1, 2024' in html
    assert '<span dir="auto">Секция Гамма</span> split from it on May 1, 2024' in html


def test_the_filters(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    state(section="b", to="submitted")
    client = client_as("editor")
    url = f"/conferences/{conference.pk}/positions/"
    by_region = html_of(client.get(url, {"region": world.americas.pk}))
    assert "Section Beta" in by_region and "Section Alpha" not in by_region
    assert (
        "(filtered)" in by_region
        and f'href="/conferences/{conference.pk}/positions.csv?region={world.americas.pk}"' in by_region
    )
    by_wave = html_of(client.get(url, {"wave": waves[0].pk}))
    assert "Section Alpha" in by_wave and "Section Beta" not in by_wave
    by_state = html_of(client.get(url, {"state": "submitted"}))
    assert "Section Beta" in by_state and "Section Alpha" not in by_state
    # The form keeps what was chosen.
    assert f'<option value="{world.americas.pk}" selected>Americas</option>' in by_region
    nothing = html_of(client.get(url, {"state": "published"}))
    assert "No section matches these filters." in nothing and "<table" not in nothing


def test_a_filter_not_understood_is_said_and_dropped(
    world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any
) -> None:
    html = html_of(
        client_as("member").get(f"/conferences/{conference.pk}/positions/", {"region": "999", "state": "lost"})
    )
    assert "Select a valid choice" in html
    assert "Section Alpha" in html and "Section Beta" in html


def test_a_wave_of_another_conference_is_not_a_filter(
    world: Any, conference: Conference, questions: Any, waves: Any, bulletin: Any, issues: Any, client_as: Any
) -> None:
    editor = world.actor("editor")
    other = services.create_conference(editor, title="Another", bulletin=bulletin)
    elsewhere = services.create_wave(
        editor, other, name="Elsewhere", regions=[world.europe], deadline=timezone.now(), issue=issues[0]
    )
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/positions/", {"wave": elsewhere.pk}))
    assert "Select a valid choice" in html and "Section Beta" in html


def test_the_empty_matrix(world: Any, conference: Conference, client_as: Any) -> None:
    html = html_of(client_as("member").get(f"/conferences/{conference.pk}/positions/"))
    assert "The agenda has no questions yet" in html and "<table" not in html


def _federation_of(world: Any, conference: Conference, questions: Any, n: int) -> None:
    """``n`` sections in all, each but Beta with a submitted position on every question endorsed by Beta; every
    other new section split from the one before it."""
    editor = world.actor("editor")
    previous = world.section_a
    for i in range(n - Section.objects.count()):
        section = Section.objects.create(
            name=f"Раздел {i:02}", slug=f"r{i}", country="DE", region=world.europe, status=SectionStatus.ADHERING
        )
        Role.objects.create(person=world.people["corr_a"], kind=RoleKind.CORRESPONDENT, section=section)
        if i % 2:
            federation.record_event(
                editor, section, kind=EventKind.SPLIT_FROM, date=datetime.date(2020, 1, 1), other_section=previous
            )
        previous = section
    writer = world.actor("corr_a")
    for section in Section.objects.exclude(pk=world.section_b.pk):
        for question in questions:
            position = services.state_position(
                writer,
                conference,
                question,
                section,
                option="abstain",
                stance="Wir enthalten uns.",
                statement="Warum.",
                language="de",
                submit=True,
            )
            Endorsement.objects.create(section=world.section_b, position=position, revision=1)
    assert Section.objects.count() == n


@pytest.mark.parametrize(("sections", "more_questions"), [(2, 0), (12, 3)])
def test_the_matrix_page_costs_the_same_whatever_its_size(
    world: Any,
    conference: Conference,
    questions: Any,
    waves: Any,
    client_as: Any,
    django_assert_num_queries: Any,
    sections: int,
    more_questions: int,
) -> None:
    _federation_of(world, conference, questions, sections)
    for i in range(more_questions):
        services.create_question(world.actor("editor"), conference, title={"en": f"Question {i}"})
    client = client_as("corr_a")
    url = f"/conferences/{conference.pk}/positions/"
    # The request's 7 (session, user, two-factor checks, person, roles, federation), the conference, the matrix's 8,
    # the editorial role's holder twice (a correspondent may hold it: once for the matrix, once for the page's
    # links), the filters' regions and waves.
    with django_assert_num_queries(20):
        html = html_of(client.get(url))
    assert html.count('<th scope="row"') == sections
    assert html.count('<td role="cell"') == sections * (2 + more_questions)
    # Filtered, the form's two choices are validated: two more, whatever the size.
    with django_assert_num_queries(22):
        html_of(client.get(url, {"region": world.europe.pk, "wave": waves[0].pk}))


# The overdue list ------------------------------------------------------------------------------------------------


def _deadline_passed(wave: Wave) -> None:
    Wave.objects.filter(pk=wave.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))


def test_the_overdue_list_groups_by_wave_with_the_correspondents(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    state(question=0, to="submitted")
    _deadline_passed(waves[0])
    Wave.objects.filter(pk=waves[1].pk).update(deadline=timezone.now() - datetime.timedelta(minutes=30))
    html = html_of(client_as("editor").get(f"/conferences/{conference.pk}/overdue/"))
    europe = html.index('<span dir="auto">Europe</span>')
    americas = html.index('<span dir="auto">Americas</span>')
    assert europe < americas
    alpha = html[europe:americas]
    assert "Section Alpha" in alpha and "Alpha Corr" in alpha
    # Alpha stated its position on question 1: only question 2 is missing.
    assert "The trade unions" in alpha and "The united front" not in alpha
    beta = html[americas:]
    assert "Section Beta" in beta and "Beta Corr" in beta
    assert "The united front" in beta and "The trade unions" in beta
    # The protected identity stays protected even here: pseudonyms only.
    assert "Hidden" not in html


def test_a_former_correspondent_is_not_listed(
    world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any
) -> None:
    Role.objects.filter(person=world.people["corr_a"]).update(until=datetime.date(2021, 1, 1))
    _deadline_passed(waves[0])
    html = html_of(client_as("editor").get(f"/conferences/{conference.pk}/overdue/"))
    assert "Section Alpha" in html and "Alpha Corr" not in html and "No correspondent" in html


def test_nobody_overdue(world: Any, conference: Conference, questions: Any, waves: Any, client_as: Any) -> None:
    html = html_of(client_as("editor").get(f"/conferences/{conference.pk}/overdue/"))
    assert "Nobody is overdue" in html


@pytest.mark.parametrize("sections", [2, 12])
def test_the_overdue_list_costs_the_same_whatever_its_size(
    world: Any,
    conference: Conference,
    questions: Any,
    waves: Any,
    client_as: Any,
    django_assert_num_queries: Any,
    sections: int,
) -> None:
    for i in range(sections - 2):
        section = Section.objects.create(
            name=f"Sección {i:02}", slug=f"s{i}", country="ES", region=world.europe, status=SectionStatus.ADHERING
        )
        Role.objects.create(person=world.people["corr_a"], kind=RoleKind.CORRESPONDENT, section=section)
    _deadline_passed(waves[0])
    _deadline_passed(waves[1])
    client = client_as("editor")
    # session, user, its second factor, person, roles, federation; the conference, the matrix's 8, the correspondents.
    with django_assert_num_queries(16):
        html = html_of(client.get(f"/conferences/{conference.pk}/overdue/"))
    assert html.count('<th scope="row">') == sections


def test_stating_every_position_clears_the_overdue_list(
    world: Any, conference: Conference, questions: Any, waves: Any, state: StatePosition, client_as: Any
) -> None:
    for question in (0, 1):
        state(question=question, section="b", option="abstain", to="submitted")
    _deadline_passed(waves[1])
    html = html_of(client_as("editor").get(f"/conferences/{conference.pk}/overdue/"))
    assert "Nobody is overdue" in html
