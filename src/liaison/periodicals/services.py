"""Operations on periodicals. Each checks who acts, validates, and writes in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from liaison.errors import LiaisonError, NotAllowed
from liaison.federation import access
from liaison.federation.access import Actor
from liaison.federation.models import Section, SectionStatus
from liaison.federation.services import check_languages, clean_name, unique_slug
from liaison.periodicals.models import Frequency, Periodical


def add_periodical(actor: Actor, *, section: Section | None, name: str, language: str, frequency: str) -> Periodical:
    """Register a periodical: a section's own paper (its correspondents or the secretariat), or, without a section,
    one of the federation's bulletins (the secretariat only)."""
    section_id = section.pk if section is not None else None
    if not access.can_manage_periodicals_of(actor, section_id):
        if section is None:
            raise NotAllowed(_("Only the secretariat adds the federation's own periodicals."))
        raise NotAllowed(_("Only the secretariat and the section's correspondents add its periodicals."))
    if section is not None and section.status == SectionStatus.DISSOLVED:
        raise LiaisonError(_("%(section)s is dissolved.") % {"section": section}, field="section")
    name = clean_name(name)
    if not name:
        raise LiaisonError(_("A periodical needs a name."), field="name")
    if len(name) > 200:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": 200}, field="name")
    codes = check_languages(language or "", field="language")
    if len(codes) != 1:
        raise LiaisonError(_("Give one language code."), field="language")
    if frequency not in Frequency.values:
        raise LiaisonError(_("Choose how often it appears."), field="frequency")
    with transaction.atomic():
        siblings = Periodical.objects.filter(section=section).values_list("name", flat=True)
        if any(clean_name(other).casefold() == name.casefold() for other in siblings):
            if section is None:
                message = _("The federation already has a periodical named “%(name)s”.") % {"name": name}
            else:
                message = _("%(section)s already has a periodical named “%(name)s”.") % {
                    "section": section,
                    "name": name,
                }
            raise LiaisonError(message, field="name")
        return Periodical.objects.create(
            name=name,
            slug=unique_slug(Periodical, name, "periodical"),
            section=section,
            language=codes[0],
            frequency=frequency,
        )
