"""Pages where an account manages its API tokens: list them, create one (its secret shown once), revoke one.

The pages sit behind the two-factor gate of ``RequireTwoFactorMiddleware`` (they are not under ``/api/``), so an
account that needs a second factor has given it before it can create a token; ``services.create_token`` checks again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from liaison.api import services
from liaison.api.forms import TokenForm
from liaison.api.models import ApiToken
from liaison.errors import LiaisonError


def _owner(request: HttpRequest) -> Any:
    """The signed-in account (``login_required`` keeps the anonymous out)."""
    return request.user


def _list_page(request: HttpRequest, form: TokenForm, status: int = 200) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=_owner(request))
    return render(request, "api/tokens.html", {"tokens": tokens, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _list_page(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        token, secret = services.create_token(request.user, name=form.cleaned_data["name"])
    except LiaisonError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        return _list_page(request, form, status=400)
    # The secret is rendered here and nowhere else: not in a message, a session or a log, and not cached.
    response = render(
        request,
        "api/token_created.html",
        {"token": token, "secret": secret, "api_url": request.build_absolute_uri(reverse("api:api-root"))},
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=token_id, user=_owner(request)).first()
    if token is None:
        raise Http404(_("No such token."))
    if request.method == "POST":
        try:
            services.revoke_token(request.user, token.pk)
        except LiaisonError as exc:
            raise Http404(str(exc)) from exc
        messages.success(
            request, _("The token “%(name)s” is revoked: programs using it are refused.") % {"name": token.name}
        )
        return redirect("tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
