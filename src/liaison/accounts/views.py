"""Account pages: login with a second factor where required, password reset, the personal page, the language.

The views translate requests into calls to ``liaison.accounts.services`` and hold no rules of their own.
"""

from __future__ import annotations

from typing import Any

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django.views.i18n import set_language as django_set_language

from liaison.accounts import services
from liaison.accounts.forms import CodeForm, LanguageForm, PasswordResetForm
from liaison.errors import LiaisonError
from liaison.federation.access import needs_two_factor
from liaison.federation.models import Federation


def safe_next(request: HttpRequest, default: str = "accounts:me") -> str:
    """The ``next`` URL of the request when it stays on this site, else the default page (no open redirect)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


# Login and logout ------------------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("You are signed in as %(u)s.") % {"u": form.get_user().get_username()})
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You are signed out."))
        return response


# Second factor ---------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    next_url = safe_next(request)
    if user.is_verified():
        messages.info(request, _("You have already given your second factor in this session."))
        return redirect(next_url)
    device = services.confirmed_device(user)
    setup = services.device_for_setup(user) if device is None else None
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            verified = services.verify_second_factor(user, form.cleaned_data["code"])
        except LiaisonError as exc:
            form.add_error("code" if exc.field == "code" else None, str(exc))
        else:
            django_otp.login(request, verified)
            if setup is not None:
                messages.success(request, _("Your authenticator app is set up. Its code will be asked at each login."))
            else:
                messages.success(request, _("Code accepted. You are signed in with two factors."))
            return redirect(next_url)
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "setup": setup,
        "required": needs_two_factor(user),
    }
    if setup is not None:
        context["qr_code"] = services.qr_code_data_uri(setup)
        context["secret"] = services.secret_base32(setup)
    return render(request, "accounts/two_factor.html", context)


# Passwords -------------------------------------------------------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: Any) -> HttpResponse:
        federation = Federation.objects.first()
        if federation is not None:
            self.extra_email_context = {"site_name": federation.name}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.lift_lockout(form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:me")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


# The personal page -----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        try:
            services.set_interface_language(user, language)
        except LiaisonError as exc:
            form.add_error("language", str(exc))
        else:
            response = redirect("accounts:me")
            if language:
                with translation.override(language):
                    messages.success(request, _("Liaison now speaks to you in the language you chose."))
                response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE)
            else:
                # Said in the language the next page will be in: the browser's, not the preference just dropped.
                browser = HttpRequest()
                browser.META["HTTP_ACCEPT_LANGUAGE"] = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
                with translation.override(translation.get_language_from_request(browser)):
                    messages.success(request, _("Liaison now follows your browser's language."))
                response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)
            return response
    page = services.personal_page(user)
    return render(request, "accounts/me.html", {"page": page, "language_form": form})


# Interface language ----------------------------------------------------------------------------------------------


def set_language(request: HttpRequest) -> HttpResponseBase:
    """Django's language switch, which also remembers the choice on a signed-in user's account."""
    response = django_set_language(request)
    user: Any = getattr(request, "user", None)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and user is not None
        and user.is_authenticated
        and response.status_code in (302, 204)
        and language in dict(settings.LANGUAGES)
    ):
        services.set_interface_language(user, language)
    return response
