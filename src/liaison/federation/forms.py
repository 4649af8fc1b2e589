"""Forms of the registry pages. They parse input only; every rule lives in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from liaison.errors import LiaisonError, NotAllowed
from liaison.federation.models import EventKind, Region, RoleKind, Section

TEXT = {"dir": "auto"}


def apply_error(form: forms.Form, error: LiaisonError) -> None:
    """Put a service's refusal next to the field it names, or above the form when it names none.

    A refusal of permission is not the form's business: it answers 403 (the error page says why), so views catch
    ``LiaisonError`` once and never need a clause of their own for ``NotAllowed``."""
    if isinstance(error, NotAllowed):
        raise PermissionDenied(str(error.message)) from error
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))


def submitted(request: HttpRequest) -> QueryDict | None:
    """The data of a POST (even an empty one, which must then fail validation), or None to show a blank form."""
    return request.POST if request.method == "POST" else None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def country_choices() -> list[tuple[str, str]]:
    return [("", _("Choose a country")), *((code, name) for code, name in countries)]


class LanguagesField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Languages"))
        kwargs.setdefault("help_text", _("Language codes separated by commas, such as “fr, de, ar”."))
        kwargs.setdefault("max_length", 200)
        super().__init__(**kwargs)


class RegionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=32767, initial=0, help_text=_("Regions are listed by this number.")
    )


class SectionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    country = forms.CharField(label=_("Country"), max_length=10)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.all(), empty_label=_("Choose a region"))
    languages = LanguagesField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].widget = forms.Select(choices=country_choices())


class SectionEditForm(SectionForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["name"]


class EventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=EventKind.choices)
    date = forms.DateField(label=_("Date"), widget=DateInput())
    other_section = forms.ModelChoiceField(
        label=_("Other section"),
        queryset=Section.objects.all(),
        required=False,
        empty_label=_("None"),
        help_text=_("For a split: the section this one split from. For a merger: the section it merged into."),
    )
    new_name = forms.CharField(
        label=_("New name"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("For a renaming only."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3, **TEXT}))

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["other_section"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Section.objects.exclude(pk=section.pk)


class DelegationForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Holder"),
        queryset=Section.objects.all(),
        required=False,
        empty_label=_("The secretariat itself"),
        help_text=_("The section the editorial role is delegated to, or the secretariat itself."),
    )
    start = forms.DateField(label=_("From"), widget=DateInput())
    end = forms.DateField(
        label=_("Until"), widget=DateInput(), required=False, help_text=_("Left empty while it lasts.")
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3, **TEXT}))


class HolderLookupForm(forms.Form):
    on = forms.DateField(label=_("Who held it on"), widget=DateInput())


class PeopleFilterForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.all(), required=False, empty_label=_("All sections")
    )
    kind = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All roles")), *RoleKind.choices])


IDENTITY_HELP = _("Protected: only the secretariat and the person's section correspondents see it.")


class PersonForm(forms.Form):
    pseudonym = forms.CharField(
        label=_("Pseudonym"),
        max_length=300,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("The public name, shown everywhere."),
    )
    real_name = forms.CharField(label=_("Real name"), required=False, widget=forms.TextInput(attrs=TEXT))
    address = forms.CharField(label=_("Address"), required=False, widget=forms.Textarea(attrs={"rows": 3, **TEXT}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=100)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3, **TEXT}))

    def __init__(self, *args: Any, with_pseudonym: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_pseudonym:
            del self.fields["pseudonym"]

    def identity(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in ("real_name", "address", "phone", "notes")}


class RoleForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"), choices=RoleKind.choices)
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.all(),
        required=False,
        empty_label=_("None (the federation)"),
        help_text=_("Required for a correspondent or a member; optional for a translator."),
    )
    languages = LanguagesField(required=False, help_text=_("For a translator: the language codes they translate into."))
    since = forms.DateField(label=_("Since"), widget=DateInput(), required=False, help_text=_("Today if left empty."))


class EndRoleForm(forms.Form):
    until = forms.DateField(
        label=_("Last day"), widget=DateInput(), required=False, help_text=_("Today if left empty.")
    )


class InviteForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=300)
    email = forms.CharField(label=_("Email address"), max_length=300, widget=forms.EmailInput())
