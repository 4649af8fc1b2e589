"""Account pages: login with a second factor where required, the personal page, the interface language."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.i18n import set_language as django_set_language


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"


def two_factor(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/two_factor.html")


@login_required
def me(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/me.html")


def set_language(request: HttpRequest) -> HttpResponse:
    response = django_set_language(request)
    user = getattr(request, "user", None)
    language = request.POST.get("language", "")
    if user is not None and user.is_authenticated and response.status_code in (302, 204):
        from django.conf import settings

        if language in dict(settings.LANGUAGES):
            user.language = language
            user.save(update_fields=["language"])
    return response
