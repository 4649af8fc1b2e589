"""The publishing forms: publish (or correct) one language's edition of an issue."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PublishForm(forms.Form):
    language = forms.CharField(max_length=15)
    correction = forms.CharField(
        label=_("What this version corrects"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Readers see this note beside the earlier version, which stays available."),
    )
