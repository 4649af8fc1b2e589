"""The search form: the words, and the filters. It reads input only; what a query may be is ``query.parse``'s to
judge, and who finds what is ``services``'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from liaison import languages as language_codes
from liaison.editorial import queries as editorial_queries
from liaison.editorial.models import Kind
from liaison.federation.access import Actor
from liaison.federation.forms import DateInput
from liaison.federation.models import Section
from liaison.search import services
from liaison.search.query import MAX_CHARS


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Words to find"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_CHARS, "autocomplete": "off"}),
    )
    section = forms.ChoiceField(label=_("Section"), required=False)
    periodical = forms.ChoiceField(label=_("Bulletin"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Kind.choices])
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Until"), required=False, widget=DateInput())

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One query each: the sections, the bulletins this reader may read, the languages of what they may find.
        sections = list(Section.objects.order_by("name").values_list("pk", "slug", "name"))
        self.sections = {slug: pk for pk, slug, _name in sections}
        self.bulletins = {p.slug: p for p in editorial_queries.bulletins_for(actor)}
        self._choices("section", [("", _("All sections")), *((s, n) for _pk, s, n in sections)])
        self._choices("periodical", [("", _("All bulletins")), *((s, p.name) for s, p in self.bulletins.items())])
        languages = services.languages_found(actor)
        self._choices("language", [("", _("All languages")), *((c, language_codes.display_name(c)) for c in languages)])

    def _choices(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period comes before its start."))
        return data

    @property
    def filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields if name != "q")

    def filters(self) -> services.Filters:
        data = self.cleaned_data
        return services.Filters(
            section_id=self.sections.get(data["section"]),
            language=data["language"],
            periodical_id=self.bulletins[data["periodical"]].pk if data["periodical"] else None,
            kind=data["kind"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        )
