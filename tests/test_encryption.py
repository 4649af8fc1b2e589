"""Protected identities are encrypted at rest: the database file alone does not reveal them."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from liaison import encryption
from liaison.federation.models import Person


@pytest.fixture(autouse=True)
def _fresh_keys():
    encryption._fernet.cache_clear()
    yield
    encryption._fernet.cache_clear()


def _raw_row(person: Person) -> tuple[str, ...]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pseudonym, real_name, address, phone, notes FROM federation_person WHERE id = %s", [person.pk]
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_the_raw_row_holds_no_protected_text() -> None:
    person = Person.objects.create(
        pseudonym="Public Name",
        real_name="Секретное Имя 秘密 سري",
        address="12 Hidden Road",
        phone="+49 30 1234567",
        notes="Met at the 2024 school",
    )
    row = _raw_row(person)
    assert row[0] == "Public Name"
    joined = " ".join(row[1:])
    for secret in ("Секретное", "秘密", "سري", "Hidden Road", "1234567", "2024 school"):
        assert secret not in joined
    assert all(value.startswith("fernet:") for value in row[1:])
    fetched = Person.objects.get(pk=person.pk)
    assert fetched.real_name == "Секретное Имя 秘密 سري"
    assert fetched.phone == "+49 30 1234567"


@pytest.mark.django_db
def test_an_empty_identity_stays_empty() -> None:
    person = Person.objects.create(pseudonym="Nobody Known")
    assert _raw_row(person)[1:] == ("", "", "", "")
    assert Person.objects.get(pk=person.pk).real_name == ""


@pytest.mark.django_db
def test_a_rotated_key_still_reads_old_rows(settings) -> None:
    old_key = settings.ENCRYPTION_KEYS[0]
    person = Person.objects.create(pseudonym="Rotated", real_name="Old Key Name")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode(), old_key]
    encryption._fernet.cache_clear()
    assert Person.objects.get(pk=person.pk).real_name == "Old Key Name"
    Person.objects.filter(pk=person.pk).update(real_name="New Key Name")
    settings.ENCRYPTION_KEYS = settings.ENCRYPTION_KEYS[:1]
    encryption._fernet.cache_clear()
    assert Person.objects.get(pk=person.pk).real_name == "New Key Name"


@pytest.mark.django_db
def test_a_lost_key_is_a_clear_error(settings) -> None:
    person = Person.objects.create(pseudonym="Locked", real_name="Unreadable")
    settings.ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    encryption._fernet.cache_clear()
    with pytest.raises(ImproperlyConfigured, match="ENCRYPTION_KEYS"):
        Person.objects.get(pk=person.pk)


def test_a_malformed_key_is_a_clear_error(settings) -> None:
    settings.ENCRYPTION_KEYS = ["not-a-key"]
    with pytest.raises(ImproperlyConfigured, match="Fernet keys"):
        encryption.encrypt("x")
