"""The record of the editorial role: ``/editorial-role/``."""

from __future__ import annotations

import datetime

from liaison.federation import services
from liaison.federation.models import EditorialDelegation
from tests.federation.conftest import errors_of

URL = "/editorial-role/"


def _delegate(world, section, start, end=None):
    return services.delegate_editorial_role(world.actor("editor"), section=section, start=start, end=end)


def test_it_lists_who_held_the_role_when(world, client_as):
    _delegate(world, world.section_a, datetime.date(2001, 1, 1))
    _delegate(world, None, datetime.date(2005, 1, 1))
    html = client_as("editor").get(URL).content.decode()
    alpha, secretariat = (
        html.index('<th scope="row" dir="auto">Section Alpha</th>'),
        html.index('<th scope="row" dir="auto">the secretariat</th>'),
    )
    assert alpha < secretariat
    assert '<time datetime="2004-12-31">' in html
    assert "ongoing" in html


def test_it_says_what_to_do_when_nothing_is_recorded(world, client_as):
    assert "Nothing is recorded yet." in client_as("editor").get(URL).content.decode()


def test_it_records_a_delegation(world, client_as):
    client = client_as("editor")
    response = client.post(URL, {"section": world.section_a.pk, "start": "2001-01-01", "note": "Until formed."})
    assert response.status_code == 302
    page = client.get(URL).content.decode()
    assert "Recorded: Section Alpha holds the editorial role from 2001-01-01." in page
    span = EditorialDelegation.objects.get()
    assert (span.section, span.start, span.end, span.note) == (
        world.section_a,
        datetime.date(2001, 1, 1),
        None,
        "Until formed.",
    )
    assert span.recorded_by == world.users["editor"]


def test_a_new_delegation_closes_the_open_one(world, client_as):
    _delegate(world, world.section_a, datetime.date(2001, 1, 1))
    response = client_as("editor").post(URL, {"section": "", "start": "2003-07-01"})
    assert response.status_code == 302
    first, second = EditorialDelegation.objects.order_by("start")
    assert first.end == datetime.date(2003, 6, 30)
    assert (second.section, second.end) == (None, None)


def test_it_answers_who_held_it_on_a_day(world, client_as):
    _delegate(world, world.section_a, datetime.date(2001, 1, 1))
    _delegate(world, None, datetime.date(2005, 1, 1))
    client = client_as("editor")
    assert (
        'the editorial role was held by <strong dir="auto">Section Alpha</strong>'
        in client.get(URL, {"on": "2004-12-31"}).content.decode()
    )
    assert (
        'held by <strong dir="auto">the secretariat</strong>' in client.get(URL, {"on": "2005-01-01"}).content.decode()
    )
    assert "Nothing is recorded for" in client.get(URL, {"on": "2000-06-01"}).content.decode()


def test_it_refuses_a_lookup_that_is_not_a_date(world, client_as):
    html = client_as("editor").get(URL, {"on": "yesterday"}).content.decode()
    assert 'id="id_on_error"' in html
    assert "Enter a valid date." in html


def _refused(client, data, field):
    before = list(EditorialDelegation.objects.values_list("section", "start", "end"))
    response = client.post(URL, data)
    assert response.status_code == 400
    assert list(EditorialDelegation.objects.values_list("section", "start", "end")) == before
    return errors_of(response, field)


def test_it_refuses_an_overlapping_delegation(world, client_as):
    _delegate(world, world.section_a, datetime.date(2001, 1, 1), datetime.date(2002, 12, 31))
    errors = _refused(client_as("editor"), {"section": world.section_b.pk, "start": "2002-06-01"}, "start")
    assert errors == ["Section Alpha already holds the editorial role from 2001-01-01 to 2002-12-31."]


def test_it_refuses_a_delegation_that_would_swallow_a_later_one(world, client_as):
    _delegate(world, world.section_a, datetime.date(2010, 1, 1))
    errors = _refused(
        client_as("editor"), {"section": world.section_b.pk, "start": "2009-01-01", "end": "2010-06-01"}, "start"
    )
    assert errors == ["Section Alpha holds the editorial role from 2010-01-01 onwards."]


def test_a_temporary_delegation_hands_the_role_back(world, client_as):
    _delegate(world, None, datetime.date(2001, 1, 1))
    response = client_as("editor").post(
        URL, {"section": world.section_a.pk, "start": "2006-01-01", "end": "2006-06-30"}
    )
    assert response.status_code == 302
    spans = list(EditorialDelegation.objects.order_by("start").values_list("section", "start", "end"))
    assert spans == [
        (None, datetime.date(2001, 1, 1), datetime.date(2005, 12, 31)),
        (world.section_a.pk, datetime.date(2006, 1, 1), datetime.date(2006, 6, 30)),
        (None, datetime.date(2006, 7, 1), None),
    ]


def test_it_refuses_a_delegation_before_the_founding(world, client_as):
    errors = _refused(client_as("editor"), {"section": "", "start": "1999-01-01"}, "start")
    assert errors == ["The delegation cannot start before the federation was founded."]


def test_it_refuses_an_end_before_the_start(world, client_as):
    errors = _refused(client_as("editor"), {"section": "", "start": "2005-01-01", "end": "2004-01-01"}, "end")
    assert errors == ["The delegation cannot end before it starts."]


def test_it_refuses_a_section_that_does_not_exist(world, client_as):
    errors = _refused(client_as("editor"), {"section": 999999, "start": "2005-01-01"}, "section")
    assert "valid choice" in errors[0]
