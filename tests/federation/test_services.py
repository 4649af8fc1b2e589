"""The registry's services, called directly: their effects and their refusals."""

from __future__ import annotations

import datetime

import pytest

from liaison.errors import LiaisonError, NotAllowed
from liaison.federation import services
from liaison.federation.models import EditorialDelegation, Role, RoleKind, Section, SectionEvent, SectionStatus
from tests.federation.conftest import make_section

D = datetime.date


def _event(world, section, kind, date, **extra):
    return services.record_event(world.actor("editor"), section, kind=kind, date=date, **extra)


def _status(section):
    section.refresh_from_db()
    return section.status


# record_event ------------------------------------------------------------------------------------------------------


def test_an_event_sets_the_status(world):
    _event(world, world.section_a, "suspended", D(2010, 1, 1))
    assert _status(world.section_a) == SectionStatus.SUSPENDED
    _event(world, world.section_a, "reinstated", D(2011, 1, 1))
    assert _status(world.section_a) == SectionStatus.ADHERING


def test_a_back_dated_event_does_not_override_a_later_one(world):
    _event(world, world.section_a, "suspended", D(2010, 1, 1))
    _event(world, world.section_a, "applied", D(2005, 1, 1))
    assert _status(world.section_a) == SectionStatus.SUSPENDED


def test_a_back_dated_status_event_wins_over_a_later_renaming(world):
    # The latest event is a renaming, which says nothing about the status: the back-dated suspension still counts.
    _event(world, world.section_a, "renamed", D(2012, 1, 1), new_name="Section Alef")
    _event(world, world.section_a, "suspended", D(2010, 1, 1))
    assert _status(world.section_a) == SectionStatus.SUSPENDED


def test_an_event_on_the_same_day_as_another_comes_after_it(world):
    _event(world, world.section_a, "suspended", D(2010, 1, 1))
    _event(world, world.section_a, "dissolved", D(2010, 1, 1))
    assert _status(world.section_a) == SectionStatus.DISSOLVED


def test_a_merger_dissolves_the_merged_section_only(world):
    _event(world, world.section_b, "merged_into", D(2010, 1, 1), other_section=world.section_a)
    assert _status(world.section_b) == SectionStatus.DISSOLVED
    assert _status(world.section_a) == SectionStatus.ADHERING


def test_a_renaming_renames(world):
    event = _event(world, world.section_a, "renamed", D(2010, 1, 1), new_name="  Section   Alef ")
    world.section_a.refresh_from_db()
    assert world.section_a.name == "Section Alef"
    assert (event.old_name, event.new_name) == ("Section Alpha", "Section Alef")
    assert world.section_a.slug == "alpha"  # addresses stay stable


def test_a_back_dated_renaming_slots_into_the_chain_of_names(world):
    _event(world, world.section_a, "renamed", D(2012, 1, 1), new_name="Section Gimel")
    early = _event(world, world.section_a, "renamed", D(2010, 1, 1), new_name="Section Bet")
    world.section_a.refresh_from_db()
    assert world.section_a.name == "Section Gimel"
    assert (early.old_name, early.new_name) == ("Section Alpha", "Section Bet")
    later = SectionEvent.objects.get(new_name="Section Gimel")
    assert later.old_name == "Section Bet"


def test_it_refuses_a_renaming_to_the_same_name(world):
    with pytest.raises(LiaisonError) as refusal:
        _event(world, world.section_a, "renamed", D(2010, 1, 1), new_name="section alpha")
    assert refusal.value.field == "new_name"


def test_it_forgets_the_other_section_of_an_event_that_has_none(world):
    event = _event(world, world.section_a, "adhered", D(2010, 1, 1), other_section=world.section_b, new_name="X")
    assert (event.other_section, event.new_name) == (None, "")


@pytest.mark.parametrize(
    ("date", "field"),
    [(D(1999, 12, 31), "date"), (datetime.date.today() + datetime.timedelta(days=2), "date"), (None, "date")],
)
def test_it_refuses_a_date_out_of_bounds(world, date, field):
    with pytest.raises(LiaisonError) as refusal:
        _event(world, world.section_a, "adhered", date)
    assert refusal.value.field == field
    assert not SectionEvent.objects.exists()


def test_only_the_secretariat_records_events(world):
    with pytest.raises(NotAllowed):
        services.record_event(world.actor("corr_a"), world.section_a, kind="adhered", date=D(2010, 1, 1))


# lineage -----------------------------------------------------------------------------------------------------------


def test_lineage_shows_a_split_on_both_sides(world):
    applied = _event(world, world.section_a, "applied", D(2001, 1, 1))
    split = _event(world, world.section_b, "split_from", D(2010, 1, 1), other_section=world.section_a)
    unrelated = make_section("Section Gamma", world.europe)
    _event(world, unrelated, "adhered", D(2005, 1, 1))
    assert services.lineage(world.section_a) == [applied, split]
    assert services.lineage(world.section_b) == [split]


def test_lineage_is_in_date_order_whatever_the_order_of_recording(world):
    late = _event(world, world.section_a, "suspended", D(2012, 1, 1))
    early = _event(world, world.section_a, "adhered", D(2002, 1, 1))
    assert services.lineage(world.section_a) == [early, late]


# sections ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["SECTION ALPHA", " Section  Alpha", "section alpha"])
def test_it_refuses_a_duplicate_section_name(world, name):
    with pytest.raises(LiaisonError) as refusal:
        services.create_section(world.actor("editor"), name=name, country="FR", region=world.europe, languages=["fr"])
    assert refusal.value.field == "name"


def test_it_compares_names_in_their_composed_form(world):
    editor = world.actor("editor")
    services.create_section(editor, name="Sección", country="ES", region=world.europe, languages="es")
    with pytest.raises(LiaisonError):  # "o" + combining accent, as some keyboards type it
        services.create_section(editor, name="Seccio\u0301n", country="ES", region=world.europe, languages="es")


def test_it_never_gives_a_section_a_slug_that_a_page_uses(world):
    section = services.create_section(
        world.actor("editor"), name="Add", country="FR", region=world.europe, languages="fr"
    )
    assert section.slug == "add-2"


def test_a_refused_update_leaves_the_section_as_it_was(world):
    with pytest.raises(LiaisonError):
        services.update_section(
            world.actor("editor"), world.section_a, country="XX", region=world.americas, languages="de"
        )
    assert (world.section_a.country.code, world.section_a.region, world.section_a.languages) == (
        "FR",
        world.europe,
        ["fr"],
    )


def test_check_languages_reads_a_list_in_a_string(world):
    assert services.check_languages("fr, de;pt_BR  FR") == ["fr", "de", "pt-br"]


# editorial delegation ----------------------------------------------------------------------------------------------


def _delegate(world, section, start, end=None):
    return services.delegate_editorial_role(world.actor("editor"), section=section, start=start, end=end)


def test_a_delegation_closes_the_open_span_the_day_before(world):
    first = _delegate(world, world.section_a, D(2001, 1, 1))
    _delegate(world, None, D(2004, 3, 1))
    first.refresh_from_db()
    assert first.end == D(2004, 2, 29)


def test_editorial_holder_on_answers_for_each_day(world):
    _delegate(world, world.section_a, D(2001, 1, 1))
    _delegate(world, None, D(2004, 3, 1))
    assert services.editorial_holder_on(D(2000, 12, 31)) is None
    assert services.editorial_holder_on(D(2001, 1, 1)).section == world.section_a
    assert services.editorial_holder_on(D(2004, 2, 29)).section == world.section_a
    assert services.editorial_holder_on(D(2004, 3, 1)).section is None
    assert services.editorial_holder_on(D(2090, 1, 1)).section is None


def test_it_refuses_overlapping_delegations(world):
    _delegate(world, world.section_a, D(2001, 1, 1), D(2003, 1, 1))
    for start, end in [(D(2002, 1, 1), None), (D(2000, 6, 1), D(2001, 1, 1)), (D(2003, 1, 1), D(2003, 2, 1))]:
        with pytest.raises(LiaisonError):
            _delegate(world, world.section_b, start, end)
    assert EditorialDelegation.objects.count() == 1


def test_it_refuses_a_delegation_to_a_dissolved_section(world):
    _event(world, world.section_b, "dissolved", D(2010, 1, 1))
    world.section_b.refresh_from_db()
    with pytest.raises(LiaisonError) as refusal:
        _delegate(world, world.section_b, D(2011, 1, 1))
    assert refusal.value.field == "section"


# roles -------------------------------------------------------------------------------------------------------------


def test_assign_role_reopens_an_ended_role(world):
    role = Role.objects.get(person=world.people["corr_b"])
    services.end_role(world.actor("editor"), role, until=D(2021, 1, 1))
    again = services.assign_role(
        world.actor("editor"),
        world.people["corr_b"],
        kind="correspondent",
        section=world.section_b,
        since=D(2022, 1, 1),
    )
    assert again.pk == role.pk
    assert (again.since, again.until) == (D(2022, 1, 1), None)
    assert Role.objects.filter(person=world.people["corr_b"]).count() == 1


def test_assign_role_refuses_to_reopen_a_role_inside_its_old_span(world):
    role = Role.objects.get(person=world.people["corr_b"])
    services.end_role(world.actor("editor"), role, until=D(2021, 1, 1))
    with pytest.raises(LiaisonError) as refusal:
        services.assign_role(
            world.actor("editor"),
            world.people["corr_b"],
            kind="correspondent",
            section=world.section_b,
            since=D(2020, 6, 1),
        )
    assert refusal.value.field == "since"


def test_assign_role_refuses_a_role_already_held(world):
    with pytest.raises(LiaisonError) as refusal:
        services.assign_role(
            world.actor("editor"), world.people["corr_b"], kind="correspondent", section=world.section_b
        )
    assert refusal.value.field == "kind"


def test_a_secretariat_role_belongs_to_no_section(world):
    role = services.assign_role(
        world.actor("editor"), world.people["offline"], kind="secretariat", section=world.section_a
    )
    assert role.section is None


def test_a_translator_needs_languages(world):
    with pytest.raises(LiaisonError) as refusal:
        services.assign_role(world.actor("editor"), world.people["offline"], kind="translator")
    assert refusal.value.field == "languages"


def test_end_role_refuses_an_end_before_the_start(world):
    role = Role.objects.get(person=world.people["corr_b"])
    with pytest.raises(LiaisonError) as refusal:
        services.end_role(world.actor("editor"), role, until=D(2019, 12, 31))
    assert refusal.value.field == "until"
    role.refresh_from_db()
    assert role.until is None


def test_end_role_refuses_a_role_that_already_ended(world):
    role = Role.objects.get(person=world.people["corr_b"])
    services.end_role(world.actor("editor"), role, until=D(2021, 1, 1))
    with pytest.raises(LiaisonError):
        services.end_role(world.actor("editor"), role, until=D(2022, 1, 1))


def test_only_the_secretariat_assigns_and_ends_roles(world):
    role = Role.objects.get(person=world.people["member"])
    with pytest.raises(NotAllowed):
        services.end_role(world.actor("corr_a"), role)
    with pytest.raises(NotAllowed):
        services.assign_role(
            world.actor("corr_a"), world.people["offline"], kind=RoleKind.CORRESPONDENT, section=world.section_a
        )


# people ------------------------------------------------------------------------------------------------------------


def test_a_correspondent_corrects_an_identity_but_not_a_pseudonym(world):
    corr_a = world.actor("corr_a")
    person = world.people["offline"]
    services.update_person(corr_a, person, real_name="Quentin Corrected")
    person.refresh_from_db()
    assert (person.pseudonym, person.real_name) == ("Quiet One", "Quentin Corrected")
    with pytest.raises(NotAllowed):
        services.update_person(corr_a, person, pseudonym="Renamed")
    with pytest.raises(NotAllowed):
        services.update_person(world.actor("corr_b"), person, real_name="Not Mine")


def test_pseudonyms_are_unique_whatever_the_case_in_any_script(world):
    editor = world.actor("editor")
    services.create_person(editor, pseudonym="Ёжик")
    with pytest.raises(LiaisonError) as refusal:
        services.create_person(editor, pseudonym="ЁЖИК")
    assert refusal.value.field == "pseudonym"


def test_a_section_slug_may_be_in_any_script(world):
    section = services.create_section(
        world.actor("editor"), name="القسم المصري", country="EG", region=world.europe, languages="ar"
    )
    assert Section.objects.get(slug="القسم-المصري") == section
