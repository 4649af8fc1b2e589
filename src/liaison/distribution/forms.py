"""Forms of distribution's pages: they parse input; the services decide (and refuse with the field at fault)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import languages as language_codes
from liaison.distribution.gaps import GapRow
from liaison.distribution.models import ReceiptHow, SubscriberKind, SubscriptionChannel, SubscriptionState
from liaison.federation.forms import DateInput
from liaison.federation.models import Person, Section
from liaison.periodicals.models import Periodical
from liaison.publishing.models import FileFormat


class SubscribeForm(forms.Form):
    # A plain text field: the service checks the address and says what is wrong in its own words.
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    language = forms.ChoiceField(label=_("Language"))
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=FileFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[FileFormat.EMAIL],
        help_text=_("The email edition comes in the message itself; the others as links to the files."),
    )

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(code, language_codes.display_name(code)) for code in languages]
        self.fields["language"].choices = choices  # type: ignore[attr-defined]


class ClaimForm(forms.Form):
    items = forms.MultipleChoiceField(label=_("Missing issues to ask for again"), widget=forms.CheckboxSelectMultiple)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, rows: list[GapRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [  # type: ignore[attr-defined]
            (
                f"{r.subscription_id}:{r.issue_id}",
                _("%(periodical)s No. %(number)s (%(language)s, %(channel)s)")
                % {
                    "periodical": r.periodical_name,
                    "number": r.number,
                    "language": language_codes.display_name(r.language),
                    "channel": SubscriptionChannel(r.channel).label,
                },
            )
            for r in rows
        ]

    def pairs(self) -> list[tuple[int, int]]:
        found = []
        for value in self.cleaned_data["items"]:
            subscription, _sep, issue = value.partition(":")
            found.append((int(subscription), int(issue)))
        return found


class ReceiptForm(forms.Form):
    item = forms.ChoiceField(label=_("Issue that arrived"))
    how = forms.ChoiceField(
        label=_("How"),
        choices=[(ReceiptHow.POST, ReceiptHow.POST.label), (ReceiptHow.BY_HAND, ReceiptHow.BY_HAND.label)],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)

    def __init__(self, *args: Any, rows: list[GapRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = {}
        for r in rows:
            choices[f"{r.issue_id}:{r.language}"] = _("%(periodical)s No. %(number)s (%(language)s)") % {
                "periodical": r.periodical_name,
                "number": r.number,
                "language": language_codes.display_name(r.language),
            }
        self.fields["item"].choices = list(choices.items())  # type: ignore[attr-defined]

    def issue_and_language(self) -> tuple[int, str]:
        issue, _sep, language = self.cleaned_data["item"].partition(":")
        return int(issue), language


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the claim is refused"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class SubscriberFilters(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any kind")), *SubscriberKind.choices])
    periodical = forms.ModelChoiceField(
        label=_("Periodical"), required=False, queryset=Periodical.objects.none(), empty_label=_("Any periodical")
    )
    state = forms.ChoiceField(
        label=_("Subscription state"), required=False, choices=[("", _("Any state")), *SubscriptionState.choices]
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    email = forms.CharField(
        label=_("Exact email address"),
        required=False,
        max_length=254,
        help_text=_("Addresses are stored encrypted: only an exact address can be looked up."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["periodical"].queryset = Periodical.objects.order_by("name")  # type: ignore[attr-defined]


TEXT = {"dir": "auto"}


def _email_field() -> forms.CharField:
    return forms.CharField(
        label=_("Email address"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


def _postal_address_field() -> forms.CharField:
    return forms.CharField(
        label=_("Postal address"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, **TEXT}),
        help_text=_("As it goes on the label, line by line. Needed for what is received by post."),
    )


def _language_field() -> forms.CharField:
    return forms.CharField(
        label=_("Preferred language"),
        required=False,
        max_length=15,
        help_text=_("A language code, such as “fr”, “ru” or “ar”."),
    )


class SubscriberForm(forms.Form):
    """A subscriber's details. Every field is sent back whole: an empty one clears it (the service says when it
    may not be cleared)."""

    name = forms.CharField(
        label=_("Organisation's name"), required=False, max_length=200, widget=forms.TextInput(attrs=TEXT)
    )
    email = _email_field()
    postal_address = _postal_address_field()
    language = _language_field()

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kind != SubscriberKind.ORGANISATION:
            # A section is named by the section, a person by their pseudonym: no name to type.
            del self.fields["name"]

    def changes(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields}


class NewSubscriberForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SubscriberKind.choices)
    section = forms.ModelChoiceField(
        label=_("Section"),
        required=False,
        queryset=Section.objects.none(),
        empty_label=_("Choose a section"),
        help_text=_("For a section."),
    )
    person = forms.ModelChoiceField(
        label=_("Person"),
        required=False,
        queryset=Person.objects.none(),
        empty_label=_("A reader known by the address only"),
        help_text=_("For one of the federation's people; leave it empty for a reader known by the address only."),
    )
    name = forms.CharField(
        label=_("Organisation's name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("For an organisation."),
    )
    email = _email_field()
    postal_address = _postal_address_field()
    language = _language_field()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = Section.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["person"].queryset = Person.objects.order_by("pseudonym")  # type: ignore[attr-defined]


def periodical_label(periodical: Periodical) -> str:
    if periodical.section_id is None:
        return periodical.name
    return _("%(periodical)s (paper of %(section)s)") % {"periodical": periodical.name, "section": periodical.section}


class AddSubscriptionForm(forms.Form):
    """A subscription recorded for a subscriber, active at once. The periodicals are given already read (one query
    for the page, none more to check the choice); the languages offered are every language one of them comes out
    in, and the service says when the one chosen is not the periodical's."""

    periodical = forms.TypedChoiceField(label=_("Periodical"), coerce=int)
    language = forms.ChoiceField(label=_("Language"))
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        required=False,
        choices=FileFormat.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[FileFormat.EMAIL],
        help_text=_("By email, at least one: the email edition comes in the message itself, the others as links."),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=SubscriptionChannel.choices, initial=SubscriptionChannel.EMAIL
    )
    started_on = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=DateInput(),
        help_text=_("Today when left empty. Issues published since then are due; never a day in the future."),
    )

    def __init__(self, *args: Any, periodicals: list[Periodical], languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.periodicals = {p.pk: p for p in periodicals}
        self.fields["periodical"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a periodical")),
            *((p.pk, periodical_label(p)) for p in periodicals),
        ]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            (code, language_codes.display_name(code)) for code in languages
        ]

    def chosen_periodical(self) -> Periodical:
        return self.periodicals[self.cleaned_data["periodical"]]
