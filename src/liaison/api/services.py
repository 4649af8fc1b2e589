"""Operations on API tokens: create one (its secret returned once), revoke one, and authenticate a secret."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from liaison.api.models import ApiToken
from liaison.errors import LiaisonError, NotFound
from liaison.federation.access import needs_two_factor
from liaison.federation.services import clean_name

KEY_START = "lsn_"
PREFIX_LENGTH = len(KEY_START) + 8
# ``last_used`` is a hint for its owner ("is this token still in use?"), not an audit log: writing it on every
# request would turn each read into a write, so it moves at most once in this span.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
MAX_ACTIVE_TOKENS = 50


class Unauthorized(LiaisonError):
    """The request names no valid token where one is needed (401)."""

    status = 401


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_token(user: Any, *, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user`` and return it with its secret, which is not stored and cannot be shown again.

    The caller must have checked that the session passed two-factor login when the account needs it: a token
    carries the account's powers without asking for the second factor again.
    """
    if user is None or not user.is_authenticated:
        raise Unauthorized(_("Log in to create a token."))
    verified = getattr(user, "is_verified", None)
    if needs_two_factor(user) and not (verified is not None and verified()):
        raise LiaisonError(_("Give your second factor before creating a token."))
    name = clean_name(name)
    if not name:
        raise LiaisonError(_("Give the token a name, such as the program that will use it."), field="name")
    if len(name) > 100:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": 100}, field="name")
    with transaction.atomic():
        active = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
        names = list(active.values_list("name", flat=True))
        if len(names) >= MAX_ACTIVE_TOKENS:
            raise LiaisonError(
                ngettext(
                    "You have %(n)d token in use: revoke it first if you no longer need it.",
                    "You have %(n)d tokens in use: revoke one you no longer need first.",
                    len(names),
                )
                % {"n": len(names)}
            )
        if any(other.casefold() == name.casefold() for other in names):
            raise LiaisonError(
                _("You already have a token named “%(name)s”: choose another name.") % {"name": name}, field="name"
            )
        key = KEY_START + secrets.token_urlsafe(32)
        token = ApiToken.objects.create(user=user, name=name, prefix=key[:PREFIX_LENGTH], key_hash=hash_key(key))
    return token, key


def revoke_token(user: Any, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s tokens. Another account's token is answered as missing, to reveal nothing."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
        if token is None:
            raise NotFound(_("No such token."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def authenticate(key: str) -> ApiToken:
    """The active token whose secret is ``key``, with its account; ``Unauthorized`` with the reason otherwise."""
    key = key.strip()
    if not key:
        raise Unauthorized(_("The Authorization header names no token: send “Authorization: Bearer <token>”."))
    token = ApiToken.objects.select_related("user").filter(key_hash=hash_key(key)).first()
    if token is None:
        raise Unauthorized(_("Unknown token."))
    if token.revoked_at is not None:
        raise Unauthorized(_("This token was revoked on %(date)s.") % {"date": token.revoked_at.date().isoformat()})
    if not token.user.is_active:
        raise Unauthorized(_("The account of this token is disabled."))
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now
    return token
