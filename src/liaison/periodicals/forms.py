"""Forms of the periodicals pages. They parse input only; every rule lives in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.federation.models import Section
from liaison.periodicals.models import Frequency


class PeriodicalForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Published by"),
        queryset=Section.objects.all(),
        required=False,
        empty_label=_("The federation itself"),
    )
    name = forms.CharField(label=_("Name"), max_length=300, widget=forms.TextInput(attrs={"dir": "auto"}))
    language = forms.CharField(
        label=_("Language"), max_length=20, help_text=_("A language code, such as “fr”, “pt-br” or “ar”.")
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)

    def __init__(self, *args: Any, with_section: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_section:
            del self.fields["section"]
