"""People and their roles: ``/people/``, ``/people/<id>/`` and the secretariat's forms about people."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from liaison.accounts.models import User
from liaison.federation.models import Person, Role, RoleKind
from tests.conftest import PROTECTED_STRINGS
from tests.federation.conftest import errors_of, make_person

# Session, account, the two-factor gate's two checks (accounts' middleware), the actor's person and roles, the
# federation, the count, a page of people, their roles, and the sections of the filter.
PEOPLE_QUERIES = 11


def _person_url(world, key):
    return f"/people/{world.people[key].pk}/"


def _listed(response):
    """The pseudonyms in the table of people, in order."""
    return re.findall(r'<th scope="row"><a href="/people/\d+/" dir="auto">([^<]+)</a></th>', response.content.decode())


# The list ----------------------------------------------------------------------------------------------------------


def test_it_lists_people_by_pseudonym_with_sections_and_roles(world, client_as):
    response = client_as("member").get("/people/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "6 people" in html
    assert _listed(response) == ["Alpha Corr", "Alpha Member", "Beta Corr", "Editor Pseud", "Quiet One", "Tongues"]
    assert 'correspondent <span class="muted">(<span dir="auto">Section Beta</span>)</span>' in html
    assert "secretariat editor" in html
    assert not [s for s in PROTECTED_STRINGS if s in html]


def test_it_filters_by_section(world, client_as):
    assert _listed(client_as("member").get("/people/", {"section": world.section_b.pk})) == ["Beta Corr"]


def test_it_filters_by_role_kind(world, client_as):
    assert _listed(client_as("member").get("/people/", {"kind": "correspondent"})) == ["Alpha Corr", "Beta Corr"]


def test_it_filters_by_section_and_kind_on_the_same_role(world, client_as):
    person = make_person("Member Of Alpha", kind=RoleKind.MEMBER, section=world.section_a)
    Role.objects.create(person=person, kind=RoleKind.CORRESPONDENT, section=world.section_b)
    response = client_as("member").get("/people/", {"section": world.section_a.pk, "kind": "correspondent"})
    assert _listed(response) == ["Alpha Corr"]


def test_it_leaves_ended_roles_out_of_the_filter(world, client_as):
    Role.objects.filter(person=world.people["corr_b"]).update(until=datetime.date(2021, 1, 1))
    assert _listed(client_as("member").get("/people/", {"kind": "correspondent"})) == ["Alpha Corr"]


def test_it_says_when_nobody_matches(world, client_as):
    html = client_as("member").get("/people/", {"kind": "translator", "section": world.section_b.pk}).content.decode()
    assert "Nobody matches these filters." in html


def test_it_shows_a_bad_filter_next_to_its_field(world, client_as):
    html = client_as("member").get("/people/", {"section": "999999"}).content.decode()
    assert 'id="id_section_error"' in html


def test_an_account_without_a_role_is_refused(world, client):
    client.force_login(User.objects.create_user(username="stranger", password="x" * 12))
    assert client.get("/people/").status_code == 403


def test_its_query_count_does_not_grow_with_people(world, client_as, django_assert_num_queries):
    client = client_as("member")
    with django_assert_num_queries(PEOPLE_QUERIES):
        client.get("/people/")
    for n in range(30):
        make_person(f"Reader {n}", section=world.section_a if n % 2 else world.section_b)
    with django_assert_num_queries(PEOPLE_QUERIES):
        response = client.get("/people/")
    assert "36 people" in response.content.decode()


def test_it_pages_a_long_list(world, client_as):
    Person.objects.bulk_create(Person(pseudonym=f"Reader {n:03}") for n in range(120))
    client = client_as("member")
    first = client.get("/people/").content.decode()
    assert "Page 1 of 2" in first and "Reader 000" in first and "Tongues" not in first
    assert "Tongues" in client.get("/people/", {"page": 2}).content.decode()


# A person's page ---------------------------------------------------------------------------------------------------


def test_it_shows_pseudonym_and_roles(world, client_as):
    html = client_as("member").get(_person_url(world, "corr_b")).content.decode()
    assert '<h1 dir="auto">Beta Corr</h1>' in html
    assert '<a href="/sections/beta/" dir="auto">Section Beta</a>' in html
    assert "Protected identity" not in html


def test_it_shows_the_identity_to_the_secretariat_in_a_protected_block(world, client_as):
    html = client_as("editor").get(_person_url(world, "corr_b")).content.decode()
    block = html[html.index('<section class="protected"') :]
    assert "Only the secretariat and your section's correspondents see this." in block
    assert "Beatriz Hidden" in block and "+33 1 23 45 67 89" in block


def test_it_shows_the_identity_to_the_correspondent_of_the_persons_section(world, client_as):
    assert "Quentin Hidden" in client_as("corr_a").get(_person_url(world, "offline")).content.decode()
    assert "Quentin Hidden" not in client_as("corr_b").get(_person_url(world, "offline")).content.decode()


def test_it_shows_an_ended_role_as_ended(world, client_as):
    Role.objects.filter(person=world.people["corr_b"]).update(until=datetime.date(2021, 1, 1))
    html = client_as("editor").get(_person_url(world, "corr_b")).content.decode()
    assert '<tr class="ended">' in html
    assert "End this role" not in html


def test_it_answers_404_for_an_unknown_person(world, client_as):
    assert client_as("member").get("/people/999999/").status_code == 404


# Adding and editing people -------------------------------------------------------------------------------------


def test_the_secretariat_adds_a_person(world, client_as):
    client = client_as("editor")
    response = client.post(
        "/people/add/", {"pseudonym": " Новый  Товарищ ", "real_name": "Иван Петров", "phone": "+7 495 000"}
    )
    person = Person.objects.get(pseudonym="Новый Товарищ")
    assert response["Location"] == f"/people/{person.pk}/"
    assert (person.real_name, person.phone, person.address) == ("Иван Петров", "+7 495 000", "")
    page = client.get(response["Location"]).content.decode()
    assert "Новый Товарищ added. Give them a role next." in page
    assert "Иван Петров" in page


def test_it_refuses_a_taken_pseudonym(world, client_as):
    response = client_as("editor").post("/people/add/", {"pseudonym": "quiet   ONE", "real_name": "Someone"})
    assert response.status_code == 400
    assert errors_of(response, "pseudonym") == ["The pseudonym “quiet ONE” is already taken."]
    assert Person.objects.count() == 6


@pytest.mark.parametrize("pseudonym", ["Товарищ", "同志", "الرفيق"])
def test_it_stores_and_shows_pseudonyms_in_any_script(world, client_as, pseudonym):
    client = client_as("editor")
    response = client.post("/people/add/", {"pseudonym": pseudonym})
    assert response.status_code == 302
    assert f'<h1 dir="auto">{pseudonym}</h1>' in client.get(response["Location"]).content.decode()


def test_the_secretariat_edits_pseudonym_and_identity(world, client_as):
    client = client_as("editor")
    response = client.post(
        f"/people/{world.people['offline'].pk}/edit/",
        {"pseudonym": "Loud One", "real_name": "Quentin Changed", "address": "", "phone": "", "notes": ""},
        follow=True,
    )
    assert "Loud One saved." in response.content.decode()
    person = Person.objects.get(pk=world.people["offline"].pk)
    assert (person.pseudonym, person.real_name, person.address) == ("Loud One", "Quentin Changed", "")


def test_a_correspondent_corrects_the_identity_but_not_the_pseudonym(world, client_as):
    client = client_as("corr_a")
    url = f"/people/{world.people['offline'].pk}/edit/"
    assert 'name="pseudonym"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {"pseudonym": "Hijacked", "real_name": "Quentin Fixed", "address": "4 Hidden Lane", "phone": "", "notes": ""},
    )
    assert response.status_code == 302
    person = Person.objects.get(pk=world.people["offline"].pk)
    assert (person.pseudonym, person.real_name, person.address) == ("Quiet One", "Quentin Fixed", "4 Hidden Lane")


def test_the_edit_form_refuses_a_taken_pseudonym(world, client_as):
    response = client_as("editor").post(f"/people/{world.people['offline'].pk}/edit/", {"pseudonym": "TONGUES"})
    assert errors_of(response, "pseudonym") == ["The pseudonym “TONGUES” is already taken."]
    assert Person.objects.get(pk=world.people["offline"].pk).pseudonym == "Quiet One"


# Roles ---------------------------------------------------------------------------------------------------------


def test_the_secretariat_assigns_a_role(world, client_as):
    client = client_as("editor")
    url = f"/people/{world.people['offline'].pk}/roles/add/"
    response = client.post(url, {"kind": "correspondent", "section": world.section_a.pk}, follow=True)
    assert "Quiet One is now correspondent of Section Alpha." in response.content.decode()
    role = Role.objects.get(person=world.people["offline"], kind=RoleKind.CORRESPONDENT)
    assert (role.section, role.since, role.until) == (world.section_a, timezone.localdate(), None)


def test_it_assigns_a_translator_with_languages(world, client_as):
    url = f"/people/{world.people['offline'].pk}/roles/add/"
    client_as("editor").post(url, {"kind": "translator", "languages": "ar, zh", "since": "2020-05-01"})
    role = Role.objects.get(person=world.people["offline"], kind=RoleKind.TRANSLATOR)
    assert (role.languages, role.section, role.since) == (["ar", "zh"], None, datetime.date(2020, 5, 1))


def test_it_refuses_a_translator_with_an_unknown_language(world, client_as):
    url = f"/people/{world.people['offline'].pk}/roles/add/"
    response = client_as("editor").post(url, {"kind": "translator", "languages": "ar, qq"})
    assert errors_of(response, "languages")[0].startswith("Unknown language code: qq.")
    assert not Role.objects.filter(person=world.people["offline"], kind=RoleKind.TRANSLATOR).exists()


def test_it_refuses_a_correspondent_without_a_section(world, client_as):
    url = f"/people/{world.people['offline'].pk}/roles/add/"
    response = client_as("editor").post(url, {"kind": "correspondent"})
    assert errors_of(response, "section") == ["A correspondent or member belongs to a section: name it."]


def test_it_refuses_a_role_already_held(world, client_as):
    url = f"/people/{world.people['offline'].pk}/roles/add/"
    response = client_as("editor").post(url, {"kind": "member", "section": world.section_a.pk})
    assert errors_of(response, "kind") == ["Quiet One already holds this role."]
    assert Role.objects.filter(person=world.people["offline"]).count() == 1


def test_the_secretariat_ends_a_role(world, client_as):
    role = Role.objects.get(person=world.people["corr_b"])
    client = client_as("editor")
    response = client.post(f"/people/{world.people['corr_b'].pk}/roles/{role.pk}/end/", {"until": "2024-02-29"})
    assert response["Location"] == f"/people/{world.people['corr_b'].pk}/"
    assert (
        "Beta Corr is correspondent of Section Beta until Feb. 29, 2024."
        in client.get(response["Location"]).content.decode()
    )
    role.refresh_from_db()
    assert role.until == datetime.date(2024, 2, 29)


def test_it_refuses_to_end_a_role_before_it_began(world, client_as):
    role = Role.objects.get(person=world.people["corr_b"])
    response = client_as("editor").post(
        f"/people/{world.people['corr_b'].pk}/roles/{role.pk}/end/", {"until": "2019-12-31"}
    )
    assert errors_of(response, "until") == ["A role cannot end before it began (2020-01-01)."]
    role.refresh_from_db()
    assert role.until is None


def test_it_answers_404_for_a_role_of_another_person(world, client_as):
    role = Role.objects.get(person=world.people["corr_b"])
    assert client_as("editor").get(f"/people/{world.people['corr_a'].pk}/roles/{role.pk}/end/").status_code == 404


# Invitations ---------------------------------------------------------------------------------------------------


def test_the_secretariat_invites_a_person(world, client_as, invitation_templates):
    client = client_as("editor")
    person = world.people["offline"]
    response = client.post(f"/people/{person.pk}/invite/", {"username": "quiet", "email": "quiet@example.org"})
    assert response["Location"] == f"/people/{person.pk}/"
    person.refresh_from_db()
    assert person.user.username == "quiet" and not person.user.has_usable_password()
    [message] = mail.outbox
    assert message.to == ["quiet@example.org"]
    assert urlsafe_base64_encode(force_bytes(person.user.pk)) in message.body
    assert "Test Federation" in message.subject + message.body
    assert "a link to choose a password went to quiet@example.org" in client.get(response["Location"]).content.decode()


def test_it_refuses_a_taken_user_name(world, client_as, invitation_templates):
    response = client_as("editor").post(
        f"/people/{world.people['offline'].pk}/invite/", {"username": "Corr_A", "email": "new@example.org"}
    )
    assert errors_of(response, "username") == ["The user name “Corr_A” is taken."]
    assert not mail.outbox
    assert Person.objects.get(pk=world.people["offline"].pk).user is None


@pytest.mark.parametrize(
    ("field", "data"),
    [
        ("email", {"username": "quiet", "email": "not-an-address"}),
        ("email", {"username": "quiet", "email": "corr_a@example.org"}),
        ("username", {"username": "quiet one!", "email": "q@example.org"}),
    ],
)
def test_it_refuses_a_bad_invitation(world, client_as, invitation_templates, field, data):
    response = client_as("editor").post(f"/people/{world.people['offline'].pk}/invite/", data)
    assert response.status_code == 400
    assert errors_of(response, field)
    assert not User.objects.filter(username="quiet").exists()
    assert not mail.outbox


def test_it_does_not_invite_a_person_who_has_an_account(world, client_as):
    client = client_as("editor")
    response = client.get(f"/people/{world.people['corr_a'].pk}/invite/", follow=True)
    assert "Alpha Corr already has an account." in response.content.decode()
