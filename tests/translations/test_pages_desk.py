"""The translators' desk: a translator's queues in their languages with deadlines and overdue work marked, what is
assigned to them, what awaits their review, what went stale; claiming and giving back (with and without HTMX); the
editors' view of every language with assignment and workload; empty states; a fixed number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from liaison.federation.models import Role, RoleKind
from liaison.periodicals.models import Issue
from liaison.translations import services
from liaison.translations.models import EventKind, TranslationState

from .conftest import FRENCH, approved, edit_original

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "desk", "HTTP_HX_CURRENT_URL": "http://testserver/translations/"}


@pytest.fixture
def soon(bulletin):
    """An issue planned in three days: its translations were due four days ago."""
    return Issue.objects.create(
        periodical=bulletin, number=5, planned_date=timezone.localdate() + datetime.timedelta(days=3)
    )


def _queue(response, language):
    return next(queue for queue in response.context["queues"] if queue.language == language)


def _titles(rows):
    return [row.translation.contribution.title for row in rows]


def test_a_translator_sees_the_queues_of_their_languages_soonest_first(world, client_as, make, issue, soon):
    make.contribution(title="No issue")
    make.contribution(title="Later", issue=issue)
    make.contribution(title="Soon", issue=soon)

    response = client_as("translator").get("/translations/")

    assert [queue.language for queue in response.context["queues"]] == ["de", "fr"]
    french = _queue(response, "fr")
    assert _titles(french.rows) == ["Soon", "Later", "No issue"]
    assert [row.entry.overdue for row in french.rows] == [True, False, False]
    assert french.overdue == 1
    html = response.content.decode()
    assert "Queue: French" in html and "Queue: German" in html and "Queue: Russian" not in html
    assert "1 overdue" in html
    assert 'class="badge overdue"' in html
    assert "March 13, 2030" in html  # a week before No. 2's planned date
    assert "no issue yet" in html


def test_it_shows_what_is_assigned_what_awaits_review_and_what_went_stale(world, client_as, make, translators):
    editor = world.actor("editor")
    mine = make.translation(make.contribution(title="Mine"))
    services.assign(editor, mine, world.users["translator"])
    theirs = make.translation(make.contribution(title="Theirs to review"))
    services.save_translation(world.actor("reviewer_fr"), theirs, base_version=1, title="T", body=FRENCH)
    services.transition(world.actor("reviewer_fr"), theirs, TranslationState.IN_REVIEW)
    own = make.translation(make.contribution(title="My own in review"))
    services.save_translation(world.actor("translator"), own, base_version=1, title="T", body=FRENCH)
    services.transition(world.actor("translator"), own, TranslationState.IN_REVIEW)
    old = make.contribution(title="Changed since")
    approved(world, make.translation(old))
    edit_original(old, old.body + "\nA new paragraph.")
    services.mark_stale(old)

    response = client_as("translator").get("/translations/")

    assert _titles(response.context["mine"]) == ["Mine", "My own in review", "Changed since"]
    assert _titles(response.context["review"]) == ["Theirs to review"]
    assert response.context["review"][0].translator == "Second Voice"
    [stale] = response.context["stale"]
    assert (stale.translation.contribution.title, stale.translation.state) == ("Changed since", "approved")
    html = response.content.decode()
    assert 'class="badge stale"' in html
    assert "Give back" in html


def test_machine_drafts_are_labelled_on_the_desk(world, client_as, make):
    from .conftest import Upper

    services.machine_draft(make.translation(make.contribution(title="By machine")), provider=Upper())

    html = client_as("translator").get("/translations/").content.decode()

    assert html.count('class="badge machine">machine draft</span>') == 1


def test_an_empty_desk_says_what_to_do(world, client_as):
    html = client_as("translator").get("/translations/").content.decode()

    assert "Nothing is assigned to you. Claim a translation from a queue below" in html
    assert "Nothing awaits your review." in html
    assert "Nothing waits in French. When the editors accept a contribution" in html


def test_a_translator_without_languages_is_told_to_declare_them(world, client_as):
    Role.objects.filter(person__user=world.users["translator"], kind=RoleKind.TRANSLATOR).update(languages=[])

    response = client_as("translator").get("/translations/")

    assert response.context["queues"] == []
    assert "You have not declared any language yet" in response.content.decode()


def test_a_translator_cannot_filter_their_way_into_another_language(world, client_as, make):
    make.contribution()

    response = client_as("translator").get("/translations/?language=ru")

    assert [queue.language for queue in response.context["queues"]] == ["de", "fr"]


def test_claiming_with_htmx_answers_the_desk(world, client_as, make):
    french = make.translation(make.contribution(title="To claim"))

    response = client_as("translator").post(f"/translations/{french.pk}/claim/", **HTMX)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="desk"')
    assert "“To claim” into French is yours now." in html
    french.refresh_from_db()
    assert french.assigned_to == world.users["translator"]
    assert french.events.get().kind == EventKind.ASSIGNED
    assert _titles(response.context["mine"]) == ["To claim"]


def test_claiming_without_htmx_goes_back_to_the_desk(world, client_as, make):
    french = make.translation(make.contribution())

    response = client_as("translator").post(f"/translations/{french.pk}/claim/", {"next": "/translations/"})

    assert response.status_code == 302
    assert response["Location"] == "/translations/"
    french.refresh_from_db()
    assert french.assigned_to == world.users["translator"]


def test_claiming_what_someone_took_first_says_who(world, client_as, make, translators):
    french = make.translation(make.contribution())
    services.claim(world.actor("reviewer_fr"), french)

    response = client_as("translator").post(f"/translations/{french.pk}/claim/", **HTMX)

    assert "Second Voice already took this translation." in response.content.decode()
    french.refresh_from_db()
    assert french.assigned_to == translators["reviewer_fr"]


def test_an_offsite_next_is_ignored(world, client_as, make):
    french = make.translation(make.contribution())

    response = client_as("translator").post(f"/translations/{french.pk}/claim/", {"next": "https://evil.example/"})

    assert response["Location"] == "/translations/"


def test_giving_back_frees_the_translation(world, client_as, make):
    french = make.translation(make.contribution(title="Given back"))
    services.claim(world.actor("translator"), french)

    response = client_as("translator").post(f"/translations/{french.pk}/release/", **HTMX)

    assert "You gave back “Given back” into French" in response.content.decode()
    french.refresh_from_db()
    assert french.assigned_to is None
    assert response.context["mine"] == []
    assert _queue(response, "fr").rows[0].claim


def test_the_editors_see_every_language_and_assign_to_those_who_speak_it(world, client_as, make, translators):
    french = make.translation(make.contribution(title="To assign"))

    response = client_as("editor").get("/translations/")

    assert [queue.language for queue in response.context["queues"]] == ["en", "fr", "de", "ru", "es"]
    row = _queue(response, "fr").rows[0]
    assert [name for _pk, name in row.choices] == ["Second Voice", "Tongues"]
    assert [name for _pk, name in _queue(response, "ru").rows[0].choices] == ["Perevodchik"]
    assert _queue(response, "es").rows[0].choices == []
    assert "Nothing waits in English." in response.content.decode()

    response = client_as("editor").post(
        f"/translations/{french.pk}/assign/", {"translator": translators["reviewer_fr"].pk}, **HTMX
    )

    assert "“To assign” into French is assigned to Second Voice." in response.content.decode()
    french.refresh_from_db()
    assert french.assigned_to == translators["reviewer_fr"]


def test_assigning_to_someone_who_does_not_speak_the_language_is_refused(world, client_as, make, translators):
    french = make.translation(make.contribution())

    response = client_as("editor").post(
        f"/translations/{french.pk}/assign/", {"translator": translators["translator_ru"].pk}, **HTMX
    )

    assert "Perevodchik has not declared French among their languages." in response.content.decode()
    french.refresh_from_db()
    assert french.assigned_to is None


@pytest.mark.parametrize("wanted", ["999999", "abc"])
def test_assigning_to_nobody_known_is_refused(world, client_as, make, wanted):
    french = make.translation(make.contribution())

    response = client_as("editor").post(f"/translations/{french.pk}/assign/", {"translator": wanted}, **HTMX)

    html = response.content.decode()
    assert "choose another from the list" in html or "Choose a translator from the list." in html
    french.refresh_from_db()
    assert french.assigned_to is None


def test_assigning_nobody_frees_it(world, client_as, make):
    french = make.translation(make.contribution(title="Freed"))
    services.claim(world.actor("translator"), french)

    response = client_as("editor").post(f"/translations/{french.pk}/assign/", {"translator": ""}, **HTMX)

    assert "“Freed” into French is free to claim." in response.content.decode()
    french.refresh_from_db()
    assert french.assigned_to is None


def test_the_editors_see_the_workload_per_translator(world, client_as, make, translators):
    editor = world.actor("editor")
    for title in ("One", "Two"):
        services.assign(editor, make.translation(make.contribution(title=title)), world.users["translator"])
    russian = make.translation(make.contribution(title="Three"), "ru")
    services.assign(editor, russian, translators["translator_ru"])
    services.save_translation(world.actor("translator_ru"), russian, base_version=1, title="Т", body="Текст.")

    response = client_as("editor").get("/translations/")

    loads = {load.name: (load.open, load.needed, load.draft) for load in response.context["loads"]}
    assert loads == {"Tongues": (2, 2, 0), "Perevodchik": (1, 0, 1), "Second Voice": (0, 0, 0)}
    assert "Workload per translator" in response.content.decode()


def test_the_editors_filter_by_language(world, client_as, make):
    make.contribution()

    response = client_as("editor").get("/translations/?language=ru")

    assert [queue.language for queue in response.context["queues"]] == ["ru"]
    assert response.context["filtering"]


def test_a_translator_sees_no_assignment_controls(world, client_as, make):
    make.contribution()

    html = client_as("translator").get("/translations/").content.decode()

    assert "/assign/" not in html
    assert "Workload per translator" not in html


def _busy_desk(world, make, translators, issue, count):
    editor = world.actor("editor")
    for index in range(count):
        contribution = make.contribution(title=f"Text {index}", issue=issue if index % 2 else None)
        french = make.translation(contribution)
        if index % 3 == 0:
            services.assign(editor, french, world.users["translator"])
        elif index % 3 == 1:
            reviewer = world.actor("reviewer_fr")
            services.save_translation(reviewer, french, base_version=1, title="T", body=FRENCH)
            services.transition(reviewer, french, TranslationState.IN_REVIEW)
        else:
            approved(world, french)
            edit_original(contribution, contribution.body + f"\nChange {index}.")
            services.mark_stale(contribution)


@pytest.mark.parametrize("count", [3, 15])
def test_the_translators_desk_takes_a_fixed_number_of_queries(
    world, client_as, make, translators, issue, django_assert_num_queries, count
):
    _busy_desk(world, make, translators, issue, count)
    client = client_as("translator")
    client.get("/translations/")
    # The session, the account and its roles, the federation twice (the navigation's, the working languages),
    # a queue per language, the assigned, the reviews (two), the stale ones and the pseudonyms.
    with django_assert_num_queries(15):
        response = client.get("/translations/")
    assert sum(len(queue.rows) for queue in response.context["queues"]) == 2 * count


@pytest.mark.parametrize("count", [3, 15])
def test_the_editors_desk_takes_a_fixed_number_of_queries(
    world, client_as, make, translators, issue, django_assert_num_queries, count
):
    _busy_desk(world, make, translators, issue, count)
    client = client_as("editor")
    client.get("/translations/")
    # The session, the account, its second factor and its roles, the federation twice, five languages' queues, the
    # reviews (two), the stale ones, the workload (two) and the pseudonyms.
    with django_assert_num_queries(18):
        response = client.get("/translations/")
    assert sum(len(queue.rows) for queue in response.context["queues"]) == 4 * count


def test_an_action_keeps_the_language_the_editor_filtered_by(world, client_as, make):
    french = make.translation(make.contribution())

    response = client_as("editor").post(
        f"/translations/{french.pk}/assign/",
        {"translator": world.users["translator"].pk},
        **{**HTMX, "HTTP_HX_CURRENT_URL": "http://testserver/translations/?language=fr"},
    )

    assert [queue.language for queue in response.context["queues"]] == ["fr"]
