"""The federation at a glance: ``/``."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaison.federation import services
from liaison.federation.models import Federation, Region, Section
from tests.federation.conftest import make_periodical, make_section

# Anonymous: the federation (view and navigation), regions, sections, their periodicals, the federation's
# periodicals, the editorial holder.
OVERVIEW_QUERIES = 7


def test_it_groups_sections_by_region(world, client_as):
    make_section("Section Gamma", world.europe)
    html = client_as("anonymous").get("/").content.decode()
    europe, americas = html.index(">Europe</h2>"), html.index(">Americas</h2>")
    assert europe < html.index("Section Alpha") < html.index("Section Gamma") < americas < html.index("Section Beta")


def test_it_shows_status_country_and_languages(world, client_as):
    html = client_as("anonymous").get("/").content.decode()
    assert 'class="badge adhering"' in html
    assert "France" in html and "Brazil" in html
    assert "Portuguese, Spanish" in html


def test_it_names_countries_and_languages_in_the_readers_language(world, client_as):
    html = client_as("anonymous").get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Brésil" in html
    assert "Portugais, Espagnol" in html


def test_it_lists_the_working_languages(world, client_as):
    html = client_as("anonymous").get("/").content.decode()
    assert '<span lang="ru">Russian</span>' in html


def test_it_shows_periodicals_of_sections_and_of_the_federation(world, client_as):
    make_periodical("Alpha Paper", world.section_a, "fr")
    make_periodical("World Bulletin", None, "en")
    html = client_as("anonymous").get("/").content.decode()
    assert "Alpha Paper" in html
    assert "World Bulletin" in html


def test_it_shows_who_holds_the_editorial_role_today(world, client_as):
    services.delegate_editorial_role(world.actor("editor"), section=world.section_b, start=datetime.date(2001, 1, 1))
    html = client_as("anonymous").get("/").content.decode()
    assert "Editorial role today" in html
    assert html.index("Editorial role today") < html.index("Section Beta")


def test_it_says_when_nobody_holds_the_editorial_role(world, client_as):
    assert "nobody is recorded" in client_as("anonymous").get("/").content.decode()


def test_it_says_what_to_do_without_a_federation(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "No federation is set up yet" in response.content.decode()
    assert "liaison demo" in response.content.decode()


def test_it_says_what_to_do_without_sections(client, db):
    Federation.objects.create(pk=1, name="Empty Federation", founded=datetime.date(2000, 1, 1))
    html = client.get("/").content.decode()
    assert "No section is registered yet" in html
    assert "log in as the secretariat" in html


def test_it_offers_the_secretariat_its_forms(world, client_as):
    assert "/sections/add/" in client_as("editor").get("/").content.decode()
    assert "/sections/add/" not in client_as("corr_a").get("/").content.decode()


def test_it_refuses_a_post(world, client_as):
    assert client_as("editor").post("/").status_code == 405


def test_its_query_count_is_pinned(world, client_as, django_assert_num_queries):
    client = client_as("anonymous")
    with django_assert_num_queries(OVERVIEW_QUERIES):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("sections", [2, 20])
def test_its_query_count_does_not_grow_with_sections(world, client_as, django_assert_num_queries, sections):
    asia = Region.objects.create(name="Asia", slug="asia", order=3)
    for n in range(sections - Section.objects.count()):
        section = make_section(f"Section {n}", asia if n % 2 else world.europe, slug=f"s-{n}")
        make_periodical(f"Paper {n}", section)
    assert Section.objects.count() == sections
    client = client_as("anonymous")
    with django_assert_num_queries(OVERVIEW_QUERIES):
        response = client.get("/")
    assert response.content.decode().count('class="card"') == sections


def test_a_signed_in_reader_costs_a_fixed_number_of_queries_more(world, client_as):
    client = client_as("member")
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    for n in range(10):
        make_section(f"Section {n}", world.americas, slug=f"s-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)
