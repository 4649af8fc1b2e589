"""Forms of the editorial pages. They parse input only; every rule of the workflow lives in ``services``.

A contribution's text comes from the textarea or from an uploaded Markdown or text file. The file is read here, so
that a wrong encoding or a huge file is answered next to the field; the length of the text itself is the service's
to judge (``markdown.MAX_BODY_CHARS``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from liaison.editorial import queries, services
from liaison.editorial.models import Call, Contribution, Kind, State
from liaison.errors import LiaisonError
from liaison.federation.forms import TEXT, DateInput
from liaison.federation.models import Person, Region, Section
from liaison.periodicals.models import IssueStatus, Periodical

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
UPLOAD_SUFFIXES = (".md", ".markdown", ".txt")


class CallChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        assert isinstance(obj, Call)
        return _("%(periodical)s No. %(number)s: %(topic)s (until %(deadline)s)") % {
            "periodical": obj.issue.periodical.name,
            "number": obj.issue.number,
            "topic": obj.topic,
            "deadline": obj.deadline.date().isoformat(),
        }


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def read_upload(upload: UploadedFile) -> str:
    """The text of an uploaded file, or a ``ValidationError`` that says what is wrong with it."""
    name = (upload.name or "").lower()
    if not name.endswith(UPLOAD_SUFFIXES):
        raise forms.ValidationError(_("Upload a Markdown (.md) or plain text (.txt) file."), code="suffix")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(
            _("The file has %(size)s; a file has at most 2 MB. Split the text, or shorten it.")
            % {"size": filesizeformat(upload.size)},
            code="size",
        )
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        raise forms.ValidationError(_("The file is larger than 2 MB."), code="size")
    try:
        return services.text_from_upload(data)
    except LiaisonError as exc:
        raise forms.ValidationError(str(exc.message), code="text") from exc


class ContributionForm(forms.Form):
    periodical = forms.ModelChoiceField(
        label=_("Bulletin"), queryset=Periodical.objects.filter(section__isnull=True), empty_label=None
    )
    call = CallChoiceField(
        label=_("Answering the call"),
        queryset=Call.objects.none(),
        required=False,
        empty_label=_("No call: a contribution of the section's own"),
    )
    title = forms.CharField(label=_("Title"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    language = forms.CharField(
        label=_("Original language"),
        max_length=15,
        help_text=_("The language code of the text as written, such as “fr”, “ru”, “zh” or “ar”."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    signed_by = forms.ModelChoiceField(
        label=_("Signed by"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("The section"),
        help_text=_("A person of the section, by pseudonym, or the section itself."),
    )
    body = forms.CharField(
        label=_("Text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 18, "dir": "auto", "class": "body-editor"}),
        help_text=_(
            "Markdown: *italics*, **bold**, lists, tables, footnotes written [^1]; cite an item as "
            "[[bulletin/3/4]] (bulletin, issue, item)."
        ),
    )
    upload = forms.FileField(
        label=_("Or upload the text"),
        required=False,
        help_text=_("A Markdown (.md) or text (.txt) file in UTF-8, at most 2 MB. It takes the place of the text."),
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,.txt,text/markdown,text/plain"}),
    )

    def __init__(self, *args: Any, section: Section, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        call = self.fields["call"]
        assert isinstance(call, forms.ModelChoiceField)
        call.queryset = queries.calls_for(section)
        signer = self.fields["signed_by"]
        assert isinstance(signer, forms.ModelChoiceField)
        signer.queryset = queries.people_of(section)

    def clean_upload(self) -> str | None:
        upload = self.cleaned_data.get("upload")
        return read_upload(upload) if upload else None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        uploaded = data.get("upload")
        if uploaded is not None:
            if (data.get("body") or "").strip():
                self.add_error(
                    "upload", _("Either paste the text or upload a file, not both: your pasted text is kept above.")
                )
            else:
                data["body"] = uploaded
        elif "upload" not in self.errors and not (data.get("body") or "").strip():
            self.add_error("body", _("Write the text here, or upload it as a file."))
        return data


class EditForm(ContributionForm):
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["periodical"]
        del self.fields["call"]


def edit_initial(contribution: Contribution) -> dict[str, Any]:
    return {
        "base_version": contribution.version,
        "title": contribution.title,
        "language": contribution.language,
        "kind": contribution.kind,
        "signed_by": contribution.signed_by_id,
        "body": contribution.body,
    }


class MoveForm(forms.Form):
    """A workflow action on a contribution's page: the state to move to, and the reason the section will read."""

    to_state = forms.ChoiceField(choices=State.choices, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **TEXT}),
        help_text=_("The section reads it on the contribution's page and in its notices."),
    )


class IssueForm(forms.Form):
    number = forms.IntegerField(
        label=_("Number"), required=False, min_value=1, help_text=_("Left empty, the next number.")
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=300, widget=forms.TextInput(attrs=TEXT))
    planned_date = forms.DateField(label=_("Planned date"), required=False, widget=DateInput())
    budget_pages = forms.DecimalField(
        label=_("Space budget (pages)"), max_digits=6, decimal_places=2, initial=16, min_value=0
    )
    gap_reason = forms.CharField(
        label=_("Why numbers are skipped"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **TEXT}),
        help_text=_("Only when the number is not the next one."),
    )


class CallForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    questions = forms.CharField(label=_("Questions"), required=False, widget=forms.Textarea(attrs={"rows": 4, **TEXT}))
    deadline = forms.DateTimeField(
        label=_("Deadline"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
    )
    sections = forms.ModelMultipleChoiceField(
        label=_("Invited sections"),
        queryset=Section.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Invited regions"),
        queryset=Region.objects.order_by("order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every section of an invited region is invited."),
    )


class IssueStatusForm(forms.Form):
    status = forms.ChoiceField(choices=[*IssueStatus.choices, ("publish", _("publish"))], widget=forms.HiddenInput)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2, **TEXT}))


class PlaceForm(ReasonForm):
    contribution = forms.IntegerField(widget=forms.HiddenInput)


class PositionForm(ReasonForm):
    position = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DeskFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *((state, State(state).label) for state in queries.DESK_STATES)],
    )
    section = forms.ModelChoiceField(
        label=_("Section"), queryset=Section.objects.order_by("name"), required=False, empty_label=_("All sections")
    )


class OpenPagesFilterForm(forms.Form):
    bulletin = forms.ModelChoiceField(
        label=_("Bulletin"),
        queryset=Periodical.objects.filter(section__isnull=True).order_by("name"),
        required=False,
        empty_label=_("All bulletins"),
    )


class DiffForm(forms.Form):
    a = forms.IntegerField(min_value=1)
    b = forms.IntegerField(min_value=1)


def default_deadline() -> datetime.datetime:
    later = timezone.localtime() + datetime.timedelta(days=30)
    return later.replace(hour=12, minute=0, second=0, microsecond=0)
