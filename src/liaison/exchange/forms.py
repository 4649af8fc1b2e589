"""Forms of the exchange pages. They parse input only; every rule lives in ``services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison.federation.forms import TEXT, DateInput
from liaison.federation.models import Section
from liaison.periodicals.models import Frequency, Issue, Periodical

PDF_ATTRS = {"accept": "application/pdf,.pdf"}


def frequency_choices(paper: Periodical) -> list[tuple[str, Any]]:
    own = Frequency(paper.frequency).label if paper.frequency in Frequency.values else paper.frequency
    return [("", _("as the paper appears (%(frequency)s)") % {"frequency": own}), *Frequency.choices]


class IssueForm(forms.Form):
    number = forms.IntegerField(label=_("Number"), min_value=1, max_value=2_000_000_000)
    date = forms.DateField(label=_("Date it appeared"), widget=DateInput())
    title = forms.CharField(
        label=_("Title"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT), help_text=_("Optional.")
    )
    gap_reason = forms.CharField(
        label=_("Why numbers were skipped"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **TEXT}),
        help_text=_(
            "Only if this issue follows a number that never appeared: partners will not be told it is missing."
        ),
    )
    pdf = forms.FileField(
        label=_("PDF"),
        required=False,
        widget=forms.ClearableFileInput(attrs=PDF_ATTRS),
    )

    def __init__(self, *args: Any, max_size: str = "20 MB", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pdf"].help_text = _("Optional. The issue as a PDF file, at most %(size)s.") % {"size": max_size}


class PdfForm(forms.Form):
    pdf = forms.FileField(label=_("PDF"), widget=forms.FileInput(attrs=PDF_ATTRS))


class PartnerForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.none(), empty_label=_("Choose a section")
    )
    frequency = forms.ChoiceField(label=_("Expected frequency"), required=False)
    started_on = forms.DateField(
        label=_("Since"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty. Issues dated from this day on are due to the partner."),
    )

    def __init__(self, *args: Any, paper: Periodical, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["section"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates
        frequency = self.fields["frequency"]
        assert isinstance(frequency, forms.ChoiceField)
        frequency.choices = frequency_choices(paper)


class FrequencyForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Expected frequency"), required=False)

    def __init__(self, *args: Any, paper: Periodical, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["frequency"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = frequency_choices(paper)


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Why"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))


class ArrivalForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.all(), to_field_name="slug", widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))


class ClaimForm(forms.Form):
    section = forms.ModelChoiceField(queryset=Section.objects.all(), to_field_name="slug", widget=forms.HiddenInput)
    issues = forms.ModelMultipleChoiceField(
        label=_("Issues"), queryset=Issue.objects.none(), to_field_name="number", widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXT))

    def __init__(self, *args: Any, paper: Periodical, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["issues"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Issue.objects.filter(periodical=paper).select_related("periodical")


class RefuseForm(forms.Form):
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2, **TEXT}))
