"""Forms of the account pages. They only shape input; the rules are in ``services``."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from liaison.accounts.services import FOLLOW_BROWSER

UserModel = get_user_model()


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=20,
        help_text=_("Six digits; a new one appears every 30 seconds."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "autofocus": True, "size": 8}
        ),
    )


def _language_choices() -> list[tuple[str, Any]]:
    # Each language in its own name, as in the header's switcher: a reader lost in a foreign interface finds theirs.
    own_names = [(code, get_language_info(code)["name_local"].capitalize()) for code, _name in settings.LANGUAGES]
    return [(FOLLOW_BROWSER, _("Follow my browser")), *own_names]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Interface language"),
        choices=_language_choices,
        required=False,
        help_text=_("The language of Liaison's menus and pages. Contributions keep their own languages."),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, which also reaches invited people who have not chosen a password yet.

    Django skips accounts without a usable password; an invitation leaves the password unusable until its link is
    followed, so without this an invitation that expired could never be renewed by its owner. Accounts that have
    logged in before and lost their password on purpose (set unusable by an administrator) stay skipped.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        email_field = UserModel.get_email_field_name()
        candidates = UserModel._default_manager.filter(**{f"{email_field}__iexact": email, "is_active": True})
        wanted = _folded(email)
        for user in candidates:
            # Compared again after folding, as Django does: "__iexact" lets look-alike Unicode addresses match.
            if _folded(getattr(user, email_field)) != wanted:
                continue
            if user.has_usable_password() or user.last_login is None:
                yield user


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
