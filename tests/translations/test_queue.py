"""The translators' desk: a queue per language with deadlines from the target issue, and each translator's load."""

from __future__ import annotations

import datetime

from liaison.editorial.models import State
from liaison.periodicals.models import Issue
from liaison.translations import services
from liaison.translations.models import TranslationState

from .conftest import approved, edit_original


def test_the_deadline_is_a_week_before_the_issue(world, make, issue):
    make.contribution(issue=issue)

    [entry] = services.queue("fr", today=datetime.date(2030, 3, 1))

    assert entry.issue == issue
    assert entry.deadline == datetime.date(2030, 3, 13)
    assert not entry.overdue


def test_a_deadline_past_is_overdue(world, make, issue):
    make.contribution(issue=issue)

    [entry] = services.queue("fr", today=datetime.date(2030, 3, 14))

    assert entry.overdue


def test_an_unplaced_contribution_takes_the_deadline_of_the_issue_it_is_meant_for(world, make, bulletin):
    meant = Issue.objects.create(periodical=bulletin, number=7, planned_date=datetime.date(2031, 1, 10))
    make.contribution(target=meant)

    [entry] = services.queue("de")

    assert (entry.issue, entry.deadline) == (meant, datetime.date(2031, 1, 3))


def test_soonest_deadline_first_and_no_issue_last(world, make, bulletin, issue):
    later = Issue.objects.create(periodical=bulletin, number=3, planned_date=datetime.date(2030, 6, 1))
    none = make.contribution(title="No issue yet")
    late = make.contribution(title="Later", issue=later)
    soon = make.contribution(title="Soon", issue=issue)

    order = [entry.translation.contribution for entry in services.queue("fr")]

    assert order == [soon, late, none]
    assert services.queue("fr")[-1].deadline is None


def test_it_holds_what_is_not_approved_and_what_went_stale(world, make):
    done = make.contribution(title="Done")
    approved(world, make.translation(done))
    stale = make.contribution(title="Stale")
    approved(world, make.translation(stale))
    edit_original(stale, stale.body + "\nOne more line.")
    services.mark_stale(stale)
    todo = make.contribution(title="To do")

    titles = sorted(entry.translation.contribution.title for entry in services.queue("fr"))

    assert titles == ["Stale", "To do"]
    assert todo.title in titles


def test_withdrawn_originals_leave_the_queue(world, make):
    contribution = make.contribution()
    contribution.state = State.WITHDRAWN
    contribution.save()

    assert services.queue("fr") == []


def test_the_original_language_has_no_queue_entry(world, make):
    make.contribution(language="fr")

    assert services.queue("fr") == []
    assert len(services.queue("en")) == 1


def test_the_queue_costs_one_query(world, make, issue, django_assert_num_queries):
    for n in range(5):
        make.contribution(title=f"Text {n}", issue=issue if n % 2 else None)

    with django_assert_num_queries(1):
        entries = services.queue("fr")
        for entry in entries:
            assert entry.translation.contribution.section.name
            assert entry.translation.assigned_to is None

    assert len(entries) == 5


def test_workload_counts_each_translators_assignments(world, make, translators):
    editor = world.actor("editor")
    for n in range(3):
        contribution = make.contribution(title=f"Text {n}")
        services.assign(editor, make.translation(contribution, "fr"), world.users["translator"])
        services.assign(editor, make.translation(contribution, "ru"), translators["translator_ru"])
    first = make.translation(make.made[0], "fr")
    services.save_translation(world.actor("translator"), first, base_version=1, title="T", body="Texte.")
    services.transition(world.actor("translator"), first, TranslationState.IN_REVIEW)

    loads = {load.name: load for load in services.workload()}

    tongues = loads["Tongues"]
    assert (tongues.needed, tongues.draft, tongues.in_review, tongues.open) == (2, 0, 1, 2)
    assert sorted(tongues.languages) == ["de", "fr"]
    assert (loads["Perevodchik"].needed, loads["Perevodchik"].languages) == (3, ["ru"])
    assert loads["Second Voice"].open == 0
    assert [load.name for load in services.workload()][:2] == ["Perevodchik", "Tongues"]


def test_workload_counts_stale_work_as_open(world, make):
    contribution = make.contribution()
    french = make.translation(contribution)
    services.assign(world.actor("editor"), french, world.users["translator"])
    approved(world, french)
    assert [load.approved for load in services.workload() if load.name == "Tongues"] == [1]
    edit_original(contribution, contribution.body + "\nMore.")
    services.mark_stale(contribution)

    [tongues] = [load for load in services.workload() if load.name == "Tongues"]

    assert (tongues.stale, tongues.approved, tongues.open) == (1, 0, 1)
