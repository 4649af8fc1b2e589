"""Private feed tokens: a member's address for reading the internal bulletins' feeds in a feed reader.

A feed reader cannot log in, so the address itself must prove who reads: ``/feeds/private/<token>/<slug>/<lang>.atom``.
The token is ``<public_id>.<signature>``, the signature an HMAC of the public id under the site's ``SECRET_KEY``.
The database keeps only the public id: a copy of it (a backup) yields no working address, yet the member's page can
show the address again whenever they add a feed, which a hashed secret shown once could not.

A token reads what its account may read *now*: a member who leaves the federation, or an account disabled, reads
nothing with it any more, without anyone having to revoke it.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from liaison.errors import Conflict, NotAllowed, NotFound
from liaison.federation.access import Actor, actor_for_user
from liaison.publishing.models import FeedToken

SALT = "liaison.publishing.feed_tokens"
PUBLIC_ID_BYTES = 18  # 24 characters of URL-safe base64


def _signature(public_id: str, secret: str | None = None) -> str:
    return salted_hmac(SALT, public_id, secret=secret, algorithm="sha256").hexdigest()


def token_string(token: FeedToken) -> str:
    """The secret part of the member's feed addresses."""
    return f"{token.public_id}.{_signature(token.public_id)}"


def may_have_token(actor: Actor) -> bool:
    """Only members read internal bulletins; the public feeds need no token."""
    return actor.is_member


def active_token(user: Any) -> FeedToken | None:
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).first()


def create_token(actor: Actor) -> FeedToken:
    """A new feed token for the actor; the one they had, if any, is revoked in the same transaction (its addresses
    stop working), so a member who suspects their address leaked replaces it in one step."""
    if not may_have_token(actor):
        raise NotAllowed(_("Only members of the federation have a private feed address."))
    try:
        with transaction.atomic():
            FeedToken.objects.filter(user=actor.user, revoked_at__isnull=True).update(revoked_at=timezone.now())
            return FeedToken.objects.create(user=actor.user, public_id=secrets.token_urlsafe(PUBLIC_ID_BYTES))
    except IntegrityError as exc:
        # Two requests at once: the database kept one active token, the other request lost.
        raise Conflict(_("Your feed address was being changed at the same moment: reload the page.")) from exc


def revoke_token(actor: Actor, token_id: int) -> FeedToken:
    """Revoke one of the actor's tokens (again is harmless). Another account's token is answered as missing."""
    with transaction.atomic():
        token = FeedToken.objects.select_for_update().filter(pk=token_id, user=actor.user).first()
        if token is None or actor.user is None:
            raise NotFound(_("No such feed address."))
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def reader_for(token: str) -> Actor | None:
    """The member a token reads for, or None for a forged, unknown or revoked token, a disabled account or someone
    no longer a member. The callers answer all of these alike, so a token reveals nothing it does not open."""
    public_id, dot, signature = token.partition(".")
    if not dot or not public_id or len(public_id) > 32:
        return None
    # The signature is checked before the database is asked, so guessed tokens cost nothing but a hash.
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(signature, _signature(public_id, key)) for key in keys):
        return None
    row = FeedToken.objects.select_related("user").filter(public_id=public_id, revoked_at__isnull=True).first()
    if row is None or not row.user.is_active:
        return None
    # A token only reads: the second factor guards the secretariat's powers to change things, not its reading.
    actor = actor_for_user(row.user)
    return actor if actor.is_member else None
