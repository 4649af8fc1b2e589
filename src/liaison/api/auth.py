"""How the API knows who calls: a bearer token, or nobody.

The API never reads the session cookie: a browser's cookie is not a token, so a page elsewhere cannot make a
signed-in visitor's browser write through the API (no CSRF), and what the API answers depends on the token alone.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from liaison.api import services
from liaison.api.services import Unauthorized
from liaison.federation.access import ANONYMOUS, Actor, actor_for_user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``. With ``optional``, a request without the header acts as anonymous.

    A header that is present but wrong (malformed, unknown or revoked token) is always refused with a 401 and the
    reason, never quietly read as anonymous: a client with a broken token should learn it at once.
    """

    def __init__(self, *, optional: bool) -> None:
        super().__init__()
        self.optional = optional

    def __call__(self, request: HttpRequest) -> Actor | None:
        value = request.headers.get(self.header, "")
        if not value:
            if self.optional:
                return ANONYMOUS
            raise Unauthorized(_("This needs a token: send “Authorization: Bearer <token>”."))
        scheme, _space, key = value.partition(" ")
        if scheme.lower() != "bearer":
            raise Unauthorized(_("The Authorization header must read “Bearer <token>”."))
        return self.authenticate(request, key)

    def authenticate(self, request: HttpRequest, token: str) -> Actor:
        api_token = services.authenticate(token)
        request.api_token = api_token  # type: ignore[attr-defined]
        # A token is made only in a session that passed two-factor login, so it carries the account's full roles.
        return actor_for_user(api_token.user)


optional_token = TokenAuth(optional=True)
required_token = TokenAuth(optional=False)

# The operations that also answer anonymous requests say so in the schema: the token, or nothing (ninja adds this
# empty requirement to the token's own).
OPTIONAL_SECURITY: dict[str, Any] = {"security": [{}]}


def actor_of(request: HttpRequest) -> Actor:
    actor = getattr(request, "auth", None)
    return actor if isinstance(actor, Actor) else ANONYMOUS


def require_account(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthorized(_("This needs a token: send “Authorization: Bearer <token>”."))
