"""The Django admin: every registry model is registered; a person's identity shows to superusers only."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.accounts.models import User
from liaison.federation import models as federation
from liaison.periodicals.models import Periodical


@pytest.mark.parametrize(
    "model",
    [
        federation.Federation,
        federation.Region,
        federation.Section,
        federation.SectionEvent,
        federation.Person,
        federation.Role,
        federation.EditorialDelegation,
        Periodical,
    ],
)
def test_the_model_is_registered(model):
    assert admin.site.is_registered(model)


def _superuser_client() -> Client:
    user = User.objects.create_superuser(username="root", email="root@example.org", password="x" * 12)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def _staff_client() -> Client:
    user = User.objects.create_user(username="staff", password="x" * 12, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_person", "change_person"]))
    client = Client()
    client.force_login(user)
    return client


def test_a_superuser_sees_the_identity(world):
    html = _superuser_client().get(f"/admin/federation/person/{world.people['offline'].pk}/change/").content.decode()
    assert "Quentin Hidden" in html


def test_other_staff_never_see_the_identity(world):
    client = _staff_client()
    person = world.people["offline"]
    change = client.get(f"/admin/federation/person/{person.pk}/change/")
    assert change.status_code == 200
    assert "Quiet One" in change.content.decode()
    assert "Quentin Hidden" not in change.content.decode()
    listing = client.get("/admin/federation/person/").content.decode()
    assert "Quiet One" in listing and "Hidden" not in listing


def test_other_staff_saving_a_person_keep_the_identity(world):
    person = world.people["offline"]
    response = _staff_client().post(
        f"/admin/federation/person/{person.pk}/change/",
        {
            "pseudonym": "Quiet Two",
            "user": "",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "roles-MIN_NUM_FORMS": "0",
            "roles-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.pseudonym, person.real_name) == ("Quiet Two", "Quentin Hidden")
