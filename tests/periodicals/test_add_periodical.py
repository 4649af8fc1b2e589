"""Adding a periodical: ``periodicals.services.add_periodical`` and its pages."""

from __future__ import annotations

import pytest

from liaison.errors import LiaisonError, NotAllowed
from liaison.periodicals import services
from liaison.periodicals.models import Frequency, Periodical


def _add(world, role, section, **fields):
    data = {"name": "Alpha Paper", "language": "fr", "frequency": Frequency.MONTHLY}
    data.update(fields)
    return services.add_periodical(world.actor(role), section=section, **data)


def test_a_correspondent_adds_a_periodical_to_their_section(world):
    periodical = _add(world, "corr_a", world.section_a, name="  La   Lettre ", language="FR")
    assert (periodical.name, periodical.section, periodical.language, periodical.slug) == (
        "La Lettre",
        world.section_a,
        "fr",
        "la-lettre",
    )


def test_a_correspondent_may_not_add_to_another_section(world):
    with pytest.raises(NotAllowed):
        _add(world, "corr_a", world.section_b)
    assert not Periodical.objects.exists()


@pytest.mark.parametrize("role", ["member", "translator", "anonymous"])
def test_others_may_not_add_periodicals(world, role):
    with pytest.raises(NotAllowed):
        _add(world, role, world.section_a)


def test_the_secretariat_adds_to_any_section_and_to_the_federation(world):
    assert _add(world, "editor", world.section_b, language="pt").section == world.section_b
    bulletin = _add(world, "editor", None, name="International Bulletin", language="en")
    assert bulletin.section is None


def test_only_the_secretariat_adds_the_federations_own(world):
    with pytest.raises(NotAllowed):
        _add(world, "corr_a", None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"language": "xx"}, "language"),
        ({"language": ""}, "language"),
        ({"language": "fr, de"}, "language"),
        ({"name": "   "}, "name"),
        ({"frequency": "hourly"}, "frequency"),
    ],
)
def test_it_refuses_bad_input(world, fields, field):
    with pytest.raises(LiaisonError) as refusal:
        _add(world, "corr_a", world.section_a, **fields)
    assert refusal.value.field == field
    assert not Periodical.objects.exists()


def test_it_refuses_a_duplicate_name_in_the_same_section(world):
    _add(world, "corr_a", world.section_a)
    with pytest.raises(LiaisonError) as refusal:
        _add(world, "corr_a", world.section_a, name="ALPHA  paper")
    assert refusal.value.field == "name"
    assert _add(world, "corr_b", world.section_b, name="Alpha Paper").slug == "alpha-paper-2"


def test_the_section_page_form_adds_one(world, client_as):
    client = client_as("corr_a")
    response = client.post(
        "/sections/alpha/periodicals/add/", {"name": "Бюллетень", "language": "ru", "frequency": "quarterly"}
    )
    assert response["Location"] == "/sections/alpha/"
    page = client.get("/sections/alpha/").content.decode()
    assert "Periodical “Бюллетень” added." in page
    assert '<th scope="row" dir="auto">Бюллетень</th>' in page
    assert Periodical.objects.get().section == world.section_a


def test_the_form_shows_a_bad_language_next_to_its_field(world, client_as):
    response = client_as("corr_a").post(
        "/sections/alpha/periodicals/add/", {"name": "Paper", "language": "zz", "frequency": "monthly"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["language"] == [
        "Unknown language code: zz. Use codes such as en, fr, de, ru, es, zh, ar."
    ]
    assert not Periodical.objects.exists()


def test_the_secretariat_form_adds_the_federations_bulletin(world, client_as):
    response = client_as("editor").post(
        "/periodicals/add/", {"section": "", "name": "Bulletin", "language": "en", "frequency": "monthly"}
    )
    assert response["Location"] == "/"
    assert Periodical.objects.get().section is None


def test_the_secretariat_form_refuses_a_section_that_does_not_exist(world, client_as):
    response = client_as("editor").post(
        "/periodicals/add/", {"section": "999999", "name": "Bulletin", "language": "en", "frequency": "monthly"}
    )
    assert response.status_code == 400
    assert not Periodical.objects.exists()
