"""Nobody sees a protected identity that is not theirs to see, on any registry page.

Each role fetches every page built here (the pages it may use and the 403s and redirects of the others, the person
page and edit form of every person, and forms answered with errors). Only the page and the edit form of a person
whose identity the role may see may show one of ``PROTECTED_STRINGS``; there, the identity must show.
"""

from __future__ import annotations

import datetime

import pytest

from liaison.federation import access, services
from tests.conftest import PROTECTED_STRINGS, ROLES
from tests.federation.conftest import make_periodical, registry_pages


def _leaks(html: str) -> list[str]:
    return [text for text in PROTECTED_STRINGS if text in html]


def _history(world) -> None:
    """Some lineage, periodicals and delegations, so that every part of every page is drawn."""
    editor = world.actor("editor")
    services.record_event(
        editor, world.section_b, kind="split_from", date=datetime.date(2010, 1, 1), other_section=world.section_a
    )
    services.delegate_editorial_role(editor, section=world.section_a, start=datetime.date(2001, 1, 1))
    make_periodical("Alpha Paper", world.section_a, "fr")


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_an_identity_the_role_may_not_see(world, client_as, role):
    _history(world)
    client = client_as(role)
    actor = world.actor(role)
    visible = {key for key, person in world.people.items() if access.can_see_identity(actor, person)}
    for page in registry_pages(world):
        if page.name in ("person", "person_edit", "person_edit_own"):
            continue  # covered person by person below
        html = client.get(page.url).content.decode()
        assert not _leaks(html), (role, page.name)
        if page.post is not None:  # a form answered with an error shows what was posted, and nothing more
            html = client.post(page.url, {}).content.decode()
            assert not _leaks(html), (role, page.name, "POST")
    for key, person in world.people.items():
        for url in (f"/people/{person.pk}/", f"/people/{person.pk}/edit/"):
            html = client.get(url).content.decode()
            if key in visible:
                assert person.real_name in html, (role, url)
            else:
                assert not _leaks(html), (role, url)


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("anonymous", set()),
        ("member", {"member"}),
        ("corr_a", {"corr_a", "member", "offline"}),
        ("corr_b", {"corr_b"}),
        ("translator", {"translator"}),
        ("editor", {"editor", "corr_a", "corr_b", "member", "translator", "offline"}),
    ],
)
def test_the_rule_is_the_one_expected(world, role, sees):
    actor = world.actor(role)
    assert {key for key, person in world.people.items() if access.can_see_identity(actor, person)} == sees


def test_the_people_list_shows_no_identity_even_to_the_secretariat(world, client_as):
    html = client_as("editor").get("/people/").content.decode()
    assert not _leaks(html)


def test_a_section_page_shows_no_identity_even_to_the_secretariat(world, client_as):
    for slug in ("alpha", "beta"):
        assert not _leaks(client_as("editor").get(f"/sections/{slug}/").content.decode())


def test_a_correspondent_no_longer_sees_identities_after_their_role_ended(world, client_as):
    from liaison.federation.models import Role

    Role.objects.filter(person=world.people["corr_a"]).update(until=datetime.date(2021, 1, 1))
    html = client_as("corr_a").get(f"/people/{world.people['offline'].pk}/").content.decode()
    assert not _leaks(html)
