"""Forms of the translators' pages. They parse input only; every rule of the workflow lives in ``services`` and
``glossary`` (a title left empty, a term too long, a language not declared are the services' to refuse)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import languages as language_codes
from liaison.federation.forms import TEXT
from liaison.translations.models import TranslationState

SAVE, REVIEW, REVIEW_ANYWAY = "save", "review", "review_anyway"


def language_choices(codes: list[str], *, empty: str | None = None) -> list[tuple[str, str]]:
    choices = [(code, language_codes.display_name(code)) for code in codes]
    return [("", empty), *choices] if empty is not None else choices


class TranslationForm(forms.Form):
    """The side-by-side editor: the translation's title and text, and the version the editing started from."""

    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    title = forms.CharField(label=_("Title"), required=False, max_length=300)
    body = forms.CharField(
        label=_("Translation"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 24, "class": "body-editor"}),
        help_text=_(
            "Markdown, block by block as in the original: keep its footnotes [^1], citations [[bulletin/3/4]], "
            "headings and lists."
        ),
    )
    action = forms.ChoiceField(
        choices=[(SAVE, SAVE), (REVIEW, REVIEW), (REVIEW_ANYWAY, REVIEW_ANYWAY)], required=False, initial=SAVE
    )

    def __init__(self, *args: Any, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The text's own language and direction, so an Arabic translation is typed right to left.
        attrs = {"lang": language, "dir": language_codes.direction(language)}
        self.fields["title"].widget.attrs.update(attrs)
        self.fields["body"].widget.attrs.update(attrs)

    def clean_action(self) -> str:
        return str(self.cleaned_data.get("action") or SAVE)


class CheckForm(forms.Form):
    """The text of the editor, checked against the original without being saved."""

    body = forms.CharField(required=False, strip=False)


class MoveForm(forms.Form):
    """A workflow action on a translation: the state to move to, and the reason (required to send it back, and to
    approve a structure that differs from the original's)."""

    to_state = forms.ChoiceField(choices=TranslationState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3, **TEXT}))


class AssignForm(forms.Form):
    """The translator a translation is assigned to, by account; empty frees it."""

    translator = forms.IntegerField(required=False, min_value=1)


class DeskFilterForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = language_choices(languages, empty=str(_("Every language")))


class GlossaryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, widget=forms.TextInput(attrs={"type": "search", **TEXT})
    )
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = language_choices(languages, empty=str(_("Every language")))


class TermForm(forms.Form):
    concept = forms.CharField(
        label=_("Concept"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "concept-keys", **TEXT}),
        help_text=_("A short key naming the idea, such as “general-strike”: an existing one, or a new one."),
    )
    language = forms.ChoiceField(label=_("Language"))
    text = forms.CharField(label=_("Term"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    note = forms.CharField(
        label=_("Usage note"),
        required=False,
        max_length=500,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("When to use this term, or which to avoid."),
    )
    definition = forms.CharField(
        label=_("Definition"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **TEXT}),
        help_text=_("Only for a new concept: what it means, for every translator."),
    )

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = language_choices(languages, empty=str(_("Choose a language")))


class TermEditForm(forms.Form):
    text = forms.CharField(label=_("Term"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    note = forms.CharField(label=_("Usage note"), required=False, max_length=500, widget=forms.TextInput(attrs=TEXT))
