"""The secretariat's forms for regions and sections: adding a region or a section, editing a section."""

from __future__ import annotations

import pytest

from liaison.federation.models import Region, Section, SectionStatus
from tests.federation.conftest import errors_of


def _section(world, **fields):
    data = {"name": "Section Gamma", "country": "DE", "region": world.europe.pk, "languages": "de, en"}
    data.update(fields)
    return data


def test_it_adds_a_region(world, client_as):
    client = client_as("editor")
    response = client.post("/regions/add/", {"name": "  Asia  ", "order": "3"}, follow=True)
    assert response.redirect_chain == [("/", 302)]
    assert "Region “Asia” added." in response.content.decode()
    assert Region.objects.get(slug="asia").order == 3


def test_it_refuses_a_duplicate_region(world, client_as):
    response = client_as("editor").post("/regions/add/", {"name": "EUROPE", "order": "0"})
    assert response.status_code == 400
    assert errors_of(response, "name") == ["A region named “EUROPE” already exists."]
    assert Region.objects.count() == 2


def test_it_adds_a_section(world, client_as):
    client = client_as("editor")
    response = client.post("/sections/add/", _section(world), follow=True)
    assert response.redirect_chain == [("/sections/section-gamma/", 302)]
    assert "Section “Section Gamma” added as an applicant." in response.content.decode()
    section = Section.objects.get(slug="section-gamma")
    assert (section.country.code, section.region, section.languages) == ("DE", world.europe, ["de", "en"])
    assert section.status == SectionStatus.APPLICANT


def test_the_form_offers_countries_and_regions(world, client_as):
    html = client_as("editor").get("/sections/add/").content.decode()
    assert '<option value="BR">Brazil</option>' in html
    assert f'<option value="{world.americas.pk}">Americas</option>' in html


@pytest.mark.parametrize("name", ["Section Alpha", "section alpha", "  SECTION   Alpha  ", "Section\tAlpha"])
def test_it_refuses_a_duplicate_name(world, client_as, name):
    response = client_as("editor").post("/sections/add/", _section(world, name=name))
    assert response.status_code == 400
    assert errors_of(response, "name") == [f"A section named “{' '.join(name.split())}” already exists."]
    assert Section.objects.count() == 2


def test_it_refuses_a_duplicate_name_in_another_case_of_cyrillic(world, client_as):
    client = client_as("editor")
    assert client.post("/sections/add/", _section(world, name="Русская секция", languages="ru")).status_code == 302
    response = client.post("/sections/add/", _section(world, name="РУССКАЯ СЕКЦИЯ", languages="ru"))
    assert errors_of(response, "name") == ["A section named “РУССКАЯ СЕКЦИЯ” already exists."]
    assert Section.objects.count() == 3


@pytest.mark.parametrize("country", ["XX", "UK", "FRA", "12"])
def test_it_refuses_an_unknown_country_code(world, client_as, country):
    response = client_as("editor").post("/sections/add/", _section(world, country=country))
    assert response.status_code == 400
    assert errors_of(response, "country") == [
        f"Unknown country code: “{country}”. Use a two-letter ISO 3166 code such as FR or BR."
    ]
    assert not Section.objects.filter(name="Section Gamma").exists()


@pytest.mark.parametrize("languages", ["de, xx", "english", "de, 123"])
def test_it_refuses_an_unknown_language_code(world, client_as, languages):
    response = client_as("editor").post("/sections/add/", _section(world, languages=languages))
    assert response.status_code == 400
    [error] = errors_of(response, "languages")
    assert error.startswith("Unknown language code:")
    assert not Section.objects.filter(name="Section Gamma").exists()


def test_it_refuses_no_language(world, client_as):
    response = client_as("editor").post("/sections/add/", _section(world, languages=" , "))
    assert errors_of(response, "languages") == ["Name at least one language."]


def test_it_refuses_a_region_that_does_not_exist(world, client_as):
    response = client_as("editor").post("/sections/add/", _section(world, region=999999))
    assert response.status_code == 400
    assert "valid choice" in errors_of(response, "region")[0]


def test_it_shows_the_error_next_to_its_field(world, client_as):
    html = client_as("editor").post("/sections/add/", _section(world, country="XX")).content.decode()
    error = html.index('id="id_country_error"')
    assert html.index('<label for="id_country"') < error < html.index('<select name="country"')
    assert 'aria-invalid="true"' in html


@pytest.mark.parametrize(
    ("name", "slug", "country", "languages"),
    [
        ("Русская секция", "русская-секция", "RU", "ru"),
        ("日本支部", "日本支部", "JP", "ja"),
        ("القسم المصري", "القسم-المصري", "EG", "ar, en"),
    ],
)
def test_it_stores_and_shows_names_in_any_script(world, client_as, name, slug, country, languages):
    client = client_as("editor")
    response = client.post("/sections/add/", _section(world, name=name, country=country, languages=languages))
    assert response.status_code == 302
    section = Section.objects.get(country=country)
    assert (section.name, section.slug) == (name, slug)
    page = client.get(response["Location"]).content.decode()
    assert f'<h1 dir="auto">{name}</h1>' in page
    overview = client.get("/").content.decode()
    assert f'dir="auto">{name}</a>' in overview


def test_it_edits_a_section(world, client_as):
    client = client_as("editor")
    response = client.post(
        "/sections/alpha/edit/", {"country": "be", "region": world.americas.pk, "languages": "FR, nl, fr"}, follow=True
    )
    assert response.redirect_chain == [("/sections/alpha/", 302)]
    assert "Section “Section Alpha” saved." in response.content.decode()
    world.section_a.refresh_from_db()
    assert (world.section_a.country.code, world.section_a.region, world.section_a.languages) == (
        "BE",
        world.americas,
        ["fr", "nl"],
    )


def test_the_edit_form_starts_from_the_current_values(world, client_as):
    html = client_as("editor").get("/sections/beta/edit/").content.decode()
    assert 'value="pt, es"' in html
    assert '<option value="BR" selected>' in html
    assert 'name="name"' not in html


def test_a_refused_edit_saves_nothing(world, client_as):
    response = client_as("editor").post(
        "/sections/alpha/edit/", {"country": "BE", "region": world.americas.pk, "languages": "fr, klingon"}
    )
    assert response.status_code == 400
    assert errors_of(response, "languages")[0].startswith("Unknown language code: klingon.")
    world.section_a.refresh_from_db()
    assert (world.section_a.country.code, world.section_a.region, world.section_a.languages) == (
        "FR",
        world.europe,
        ["fr"],
    )


def test_it_says_to_add_a_region_first(client_as, world):
    Section.objects.all().delete()
    Region.objects.all().delete()
    assert "Add a region first." in client_as("editor").get("/sections/add/").content.decode()
