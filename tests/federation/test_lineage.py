"""A section's lineage: recorded through ``/sections/<slug>/lineage/add/``, shown on both sections' pages."""

from __future__ import annotations

import datetime

from django.utils import timezone

from liaison.federation import services
from liaison.federation.models import SectionEvent, SectionStatus
from tests.federation.conftest import errors_of, make_section


def _split_b_from_a(world):
    return services.record_event(
        world.actor("editor"),
        world.section_b,
        kind="split_from",
        date=datetime.date(2015, 6, 1),
        other_section=world.section_a,
    )


def test_the_parent_says_the_child_split_away(world, client_as):
    _split_b_from_a(world)
    html = client_as("anonymous").get("/sections/alpha/").content.decode()
    assert '<time datetime="2015-06-01">' in html
    assert '<a href="/sections/beta/" dir="auto">Section Beta</a> split away from this section.' in html


def test_the_child_says_it_split_from_the_parent(world, client_as):
    _split_b_from_a(world)
    html = client_as("anonymous").get("/sections/beta/").content.decode()
    assert 'Split from <a href="/sections/alpha/" dir="auto">Section Alpha</a>.' in html
    assert "split away" not in html


def test_a_merger_shows_on_both_sides(world, client_as):
    services.record_event(
        world.actor("editor"),
        world.section_b,
        kind="merged_into",
        date=datetime.date(2016, 1, 1),
        other_section=world.section_a,
    )
    assert "merged into this section" in client_as("anonymous").get("/sections/alpha/").content.decode()
    beta = client_as("anonymous").get("/sections/beta/").content.decode()
    assert 'Merged into <a href="/sections/alpha/" dir="auto">Section Alpha</a>.' in beta
    assert 'class="badge dissolved"' in beta


def test_a_renaming_shows_old_and_new_names(world, client_as):
    services.record_event(
        world.actor("editor"), world.section_b, kind="renamed", date=datetime.date(2017, 1, 1), new_name="Seção Beta"
    )
    html = client_as("anonymous").get("/sections/beta/").content.decode()
    assert 'Renamed: <span dir="auto">Section Beta</span> → <span dir="auto">Seção Beta</span>.' in html


def test_the_form_records_an_event(world, client_as):
    client = client_as("editor")
    response = client.post(
        "/sections/beta/lineage/add/", {"kind": "suspended", "date": "2019-03-01", "note": "No letters for a year."}
    )
    assert response.status_code == 302
    assert response["Location"] == "/sections/beta/"
    world.section_b.refresh_from_db()
    assert world.section_b.status == SectionStatus.SUSPENDED
    page = client.get("/sections/beta/").content.decode()
    assert "Recorded in the lineage of Section Beta" in page
    assert "No letters for a year." in page


def test_the_form_records_a_split(world, client_as):
    response = client_as("editor").post(
        "/sections/beta/lineage/add/",
        {"kind": "split_from", "date": "2019-03-01", "other_section": world.section_a.pk},
    )
    assert response.status_code == 302
    assert SectionEvent.objects.get().other_section == world.section_a


def _refused(client, data, field):
    response = client.post("/sections/beta/lineage/add/", data)
    assert response.status_code == 400
    assert SectionEvent.objects.count() == 0
    assert "Nothing was saved" in response.content.decode()
    return errors_of(response, field)


def test_it_refuses_a_date_before_the_founding(world, client_as):
    errors = _refused(client_as("editor"), {"kind": "adhered", "date": "1999-12-31"}, "date")
    assert errors == ["The federation was founded on 2000-01-01; an event cannot be dated before it."]


def test_it_refuses_a_date_in_the_future(world, client_as):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    errors = _refused(client_as("editor"), {"kind": "adhered", "date": tomorrow.isoformat()}, "date")
    assert errors == ["A lineage event records what happened: it cannot be dated in the future."]


def test_it_refuses_a_split_naming_a_section_that_does_not_exist(world, client_as):
    gone = make_section("Section Gone", world.europe)
    gone_pk = gone.pk
    gone.delete()
    for pk in (gone_pk, 999999, "not-a-number"):
        errors = _refused(
            client_as("editor"), {"kind": "split_from", "date": "2019-03-01", "other_section": pk}, "other_section"
        )
        assert errors and "valid choice" in errors[0]


def test_it_refuses_a_split_that_names_no_section(world, client_as):
    errors = _refused(client_as("editor"), {"kind": "split_from", "date": "2019-03-01"}, "other_section")
    assert errors == ["Name the section this one split from or merged into."]


def test_it_refuses_a_split_from_itself(world, client_as):
    errors = _refused(
        client_as("editor"),
        {"kind": "split_from", "date": "2019-03-01", "other_section": world.section_b.pk},
        "other_section",
    )
    assert errors and "valid choice" in errors[0]


def test_it_refuses_a_renaming_to_another_sections_name(world, client_as):
    errors = _refused(
        client_as("editor"), {"kind": "renamed", "date": "2019-03-01", "new_name": "  section   ALPHA "}, "new_name"
    )
    assert errors == ["A section named “section ALPHA” already exists."]
    world.section_b.refresh_from_db()
    assert world.section_b.name == "Section Beta"


def test_it_refuses_an_unknown_kind(world, client_as):
    errors = _refused(client_as("editor"), {"kind": "exploded", "date": "2019-03-01"}, "kind")
    assert errors and "valid choice" in errors[0]


def test_it_refuses_a_missing_date(world, client_as):
    assert _refused(client_as("editor"), {"kind": "adhered", "date": ""}, "date") == ["This field is required."]
