"""Operations on accounts: the interface language, the second factor, and what a person's own page shows.

Views and commands call these and hold no rules of their own; a refusal is a ``LiaisonError`` with a readable message.
"""

from __future__ import annotations

import base64
import io
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from liaison.errors import Conflict, LiaisonError, NotFound
from liaison.federation.access import active_roles, needs_two_factor
from liaison.federation.models import Person, Role

# The name given to devices set up on the two-factor page, and the only name ``demo_code`` will read.
DEVICE_NAME = "authenticator app"
DEMO_DEVICE_NAME = "demo"

FOLLOW_BROWSER = ""

_CODE = re.compile(r"^\d{6}$")


# Interface language ----------------------------------------------------------------------------------------------


def set_interface_language(user: Any, language: str) -> None:
    """Save the language a user reads the interface in; empty means "follow my browser"."""
    language = (language or "").strip()
    if language != FOLLOW_BROWSER and language not in dict(settings.LANGUAGES):
        raise LiaisonError(
            _("Liaison's interface is not available in “%(code)s”.") % {"code": language}, field="language"
        )
    user.language = language
    user.save(update_fields=["language"])


# Second factor ---------------------------------------------------------------------------------------------------


def confirmed_device(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def must_give_second_factor(user: Any) -> bool:
    """Whether a signed-in account must give a code before going on: its role requires it, or it chose to have one.

    A second factor set up voluntarily is asked for too: one that a stolen password could skip would protect nothing.
    """
    return needs_two_factor(user) or TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def device_for_setup(user: Any) -> TOTPDevice:
    """The unconfirmed device a user is setting up, created the first time.

    The same device comes back on every visit, so that reloading the page does not change the secret that the user
    may already have scanned. A user with a confirmed device cannot set up another one here: that would let whoever
    knows the password replace the second factor.
    """
    if confirmed_device(user) is not None:
        raise Conflict(_("Your second factor is already set up."))
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    """The secret as an authenticator app asks for it when typed by hand, in groups of four letters."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an SVG QR code in a data: URI, which the page's CSP allows for images."""
    out = io.BytesIO()
    segno.make(device.config_url, error="m").save(out, kind="svg", scale=5, border=4, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def clean_code(code: str) -> str:
    code = re.sub(r"[\s-]", "", code or "")
    if not _CODE.match(code):
        raise LiaisonError(_("Enter the 6-digit code that your authenticator app shows."), field="code")
    return code


def verify_second_factor(user: Any, code: str) -> TOTPDevice:
    """Check a code against the user's confirmed device, or confirm the device being set up with it.

    Wrong codes count against the device (django-otp's throttling doubles the wait after each one); the count is
    committed before the refusal is raised, so the refusal cannot roll it back. The caller marks the session verified
    with ``django_otp.login``.
    """
    code = clean_code(code)
    refusal: str | None = None
    with transaction.atomic():
        devices = TOTPDevice.objects.select_for_update().filter(user=user).order_by("-confirmed", "id")
        device = devices.first()
        if device is None:
            raise NotFound(_("You have no second factor yet: set one up first."))
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = (info or {}).get("locked_until")
            seconds = max(math.ceil((locked_until - timezone.now()).total_seconds()) if locked_until else 1, 1)
            refusal = ngettext(
                "Too many wrong codes in a row. Wait %(seconds)d second, then enter the current code.",
                "Too many wrong codes in a row. Wait %(seconds)d seconds, then enter the current code.",
                seconds,
            ) % {"seconds": seconds}
        elif not device.verify_token(code):
            refusal = _("This code is not right. Check that your app shows the code for this account, and try again.")
        elif not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).exclude(pk=device.pk).delete()
    if refusal is not None:
        raise LiaisonError(refusal, field="code")
    return device


def demo_code(username: str) -> str:
    """The code that the demo device of ``username`` accepts now, so that a newcomer can log in without an app.

    Only a device named "demo" is read: a real person's second factor must never be printable from the server.
    """
    device = (
        TOTPDevice.objects.filter(user__username=username, confirmed=True, name=DEMO_DEVICE_NAME).order_by("id").first()
    )
    if device is None:
        raise NotFound(
            _("%(username)s has no confirmed device named “%(name)s”; only demo devices can print their codes.")
            % {"username": username, "name": DEMO_DEVICE_NAME}
        )
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    # A code is accepted once: when this step's code was used already, the next step's is accepted (tolerance).
    ahead = device.last_t + 1 - totp.t()
    if ahead > 0:
        if ahead > device.tolerance:
            raise Conflict(
                ngettext(
                    "The demo code was just used; wait %(s)d second.",
                    "The demo code was just used; wait %(s)d seconds.",
                    device.step,
                )
                % {"s": device.step}
            )
        totp.time = time.time() + ahead * device.step
    return f"{totp.token():0{device.digits}d}"


# The personal page -----------------------------------------------------------------------------------------------


@dataclass
class PersonalPage:
    """What the personal page shows: only the account's own person, never anyone else's."""

    person: Person | None
    roles: list[Role] = field(default_factory=list)
    device: TOTPDevice | None = None
    two_factor_required: bool = False


def personal_page(user: Any) -> PersonalPage:
    person = Person.objects.filter(user=user).first()
    roles: list[Role] = []
    if person is not None:
        roles = list(Role.objects.filter(active_roles(), person=person).select_related("section"))
    return PersonalPage(
        person=person, roles=roles, device=confirmed_device(user), two_factor_required=needs_two_factor(user)
    )


# Password guessing -----------------------------------------------------------------------------------------------


def lift_lockout(user: Any) -> int:
    """Forget the failed logins on an account whose owner just proved, by email, that it is theirs.

    Called when a password is reset, so that the locked-out page's advice ("reset your password") really lets the
    owner back in; the attempts of a guesser against other accounts stay counted.
    """
    from axes.utils import reset

    return reset(username=user.get_username())
