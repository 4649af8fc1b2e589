"""Forms of the conference's writing pages: a section's position, and the secretariat's preparation (the conference,
its timeline, agenda and reply waves). They parse input only; every rule lives in ``services``.

Texts the secretariat writes for every reader come as one field per working language (``title_fr``, ``title_de``…),
gathered back into the mapping language → text that the services take.
"""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cache
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from liaison import languages as language_codes
from liaison.conference.models import OFFERABLE, Conference, ConferenceStatus, Option, Question, Wave
from liaison.editorial.forms import DateTimeInput
from liaison.federation.forms import TEXT, DateInput
from liaison.federation.models import Region, Section, SectionStatus
from liaison.federation.services import get_federation
from liaison.periodicals.models import Issue, Periodical


def language_choices(codes: list[str]) -> list[tuple[str, str]]:
    return [(code, language_codes.display_name(code)) for code in codes]


def option_choices(options: list[str]) -> list[tuple[str, str]]:
    return [(code, capfirst(str(Option(code).label))) for code in options if code in Option.values]


@cache
def _zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


# A section's position ---------------------------------------------------------------------------------------------


class PositionForm(forms.Form):
    """The option, the stance and the full statement. Options and texts are the service's to judge (a refusal says
    which options the question offers); the language is chosen among the section's."""

    option = forms.CharField(label=_("Option"), required=False)
    stance = forms.CharField(
        label=_("Stance"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, **TEXT}),
        help_text=_("A sentence or two, at most 500 characters: the matrix shows it in every reader's row."),
    )
    language = forms.ChoiceField(
        label=_("Language"), help_text=_("The language the stance and the statement are written in.")
    )
    statement = forms.CharField(
        label=_("Full statement"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "dir": "auto", "class": "body-editor"}),
        help_text=_(
            "Markdown: *italics*, **bold**, lists, footnotes written [^1]. It goes through the bulletin's editorial "
            "workflow and appears in your wave's issue."
        ),
    )
    base_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    def __init__(self, *args: Any, question: Question, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["option"].widget = forms.RadioSelect(choices=option_choices(question.offered_options()))
        language = self.fields["language"]
        assert isinstance(language, forms.ChoiceField)
        language.choices = language_choices(languages)


def position_languages(section: Section, current: str = "") -> list[str]:
    """The section's languages (the federation's working languages for a section that names none), and the
    language the position is written in now, should it be another."""
    codes = [language_codes.normalize(c) for c in section.languages] or list(get_federation().working_languages)
    if current and current not in codes:
        codes.append(current)
    return codes


class EndorseForm(forms.Form):
    section = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# The secretariat's preparation ----------------------------------------------------------------------------------


class TextsForm(forms.Form):
    """A form with one field per working language for each text named in ``texts`` (``{"title": (label, …)}``)."""

    texts: dict[str, tuple[Any, int, bool]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = list(get_federation().working_languages)
        for name, (label, limit, long) in self.texts.items():
            for code in self.languages:
                attrs = {"lang": code, "dir": language_codes.direction(code)}
                widget = forms.Textarea(attrs={"rows": 3, **attrs}) if long else forms.TextInput(attrs=attrs)
                self.fields[f"{name}_{code}"] = forms.CharField(
                    label=_("%(text)s (%(language)s)") % {"text": label, "language": language_codes.display_name(code)},
                    required=False,
                    max_length=limit,
                    widget=widget,
                )

    def texts_of(self, name: str) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"{name}_{code}", "") for code in self.languages}

    def first_field(self, name: str) -> str:
        """Where a refusal of the whole text goes ("write it in at least one language")."""
        return f"{name}_{self.languages[0]}" if self.languages else name

    @staticmethod
    def initial_for(name: str, texts: dict[str, str]) -> dict[str, str]:
        return {f"{name}_{code}": text for code, text in texts.items()}


class ConferenceForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    place = forms.CharField(label=_("Place"), max_length=200, required=False, widget=forms.TextInput(attrs=TEXT))
    starts_on = forms.DateField(label=_("Planned start"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_("Planned end"), required=False, widget=DateInput())
    bulletin = forms.ModelChoiceField(
        label=_("Bulletin"),
        queryset=Periodical.objects.filter(section__isnull=True).order_by("name"),
        empty_label=None,
        help_text=_("The bulletin in which the sections' statements appear."),
    )
    public = forms.BooleanField(
        label=_("Public"),
        required=False,
        help_text=_("Everyone may read the published positions, not only members. Needs a public bulletin."),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ConferenceStatus.choices)


class MilestoneForm(TextsForm):
    texts = {"title": (_("Title"), 300, False)}

    date = forms.DateField(label=_("Date"), widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["date"])


class QuestionForm(TextsForm):
    texts = {"title": (_("Title"), 300, False), "description": (_("Description"), 5000, True)}

    options = forms.MultipleChoiceField(
        label=_("Options"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The choices a position makes; “abstain” is always offered. Without options, sections answer in their "
            "own words."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = self.fields["options"]
        assert isinstance(options, forms.MultipleChoiceField)
        options.choices = option_choices(list(OFFERABLE))
        self.order_fields([name for name in self.fields if name != "options"])


class QuestionMoveForm(forms.Form):
    to = forms.IntegerField(label=_("Place on the agenda"), min_value=1)


class NaiveDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a time zone yet: the form reads it in the time zone chosen beside it."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        if isinstance(value, datetime.datetime):
            return timezone.make_naive(value) if timezone.is_aware(value) else value
        return forms.fields.BaseTemporalField.to_python(self, value)


class WaveForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, widget=forms.TextInput(attrs=TEXT))
    regions = forms.ModelMultipleChoiceField(
        label=_("Regions"),
        queryset=Region.objects.order_by("order", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their sections reply in this wave, unless the secretariat moves one."),
    )
    deadline = NaiveDateTimeField(
        label=_("Deadline"),
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"],
    )
    time_zone = forms.ChoiceField(label=_("Time zone of the deadline"))
    issue = forms.ModelChoiceField(
        label=_("Issue"),
        queryset=Issue.objects.none(),
        empty_label=None,
        help_text=_("The bulletin issue in which this wave's replies appear."),
    )

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issue = self.fields["issue"]
        assert isinstance(issue, forms.ModelChoiceField)
        issue.queryset = Issue.objects.filter(periodical=conference.bulletin).select_related("periodical")
        zone = self.fields["time_zone"]
        assert isinstance(zone, forms.ChoiceField)
        zone.choices = [(name, name) for name in _zones()]
        zone.initial = timezone.get_current_timezone_name()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        naive, zone = data.get("deadline"), data.get("time_zone")
        if isinstance(naive, datetime.datetime) and zone:
            data["deadline"] = naive.replace(tzinfo=zoneinfo.ZoneInfo(zone))
        return data


class MoveSectionForm(forms.Form):
    section = forms.ModelChoiceField(
        label=_("Section"),
        queryset=Section.objects.exclude(status=SectionStatus.DISSOLVED).order_by("name"),
        empty_label=_("Choose a section"),
    )
    wave = forms.ModelChoiceField(label=_("Into the wave"), queryset=Wave.objects.none(), empty_label=None)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, **TEXT}),
        help_text=_("Recorded with the move; the section reads it on its positions page."),
    )

    def __init__(self, *args: Any, conference: Conference, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wave = self.fields["wave"]
        assert isinstance(wave, forms.ModelChoiceField)
        wave.queryset = conference.waves.order_by("deadline", "id")
