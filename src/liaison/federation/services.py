"""Operations on the federation registry. Each checks who acts, validates, and writes in one transaction.

Views, API endpoints and commands call these and hold no rules of their own. A refusal is a ``LiaisonError`` whose
message a user can read; ``field`` names the input at fault.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from liaison import languages as language_codes
from liaison.errors import LiaisonError, NotAllowed, NotFound
from liaison.federation import access
from liaison.federation.access import Actor
from liaison.federation.models import (
    EditorialDelegation,
    EventKind,
    Federation,
    Person,
    Region,
    Role,
    RoleKind,
    Section,
    SectionEvent,
    SectionStatus,
)

# The status a section has after each kind of event (when that event is its latest such event).
STATUS_AFTER = {
    EventKind.APPLIED: SectionStatus.APPLICANT,
    EventKind.ADHERED: SectionStatus.ADHERING,
    EventKind.OBSERVER: SectionStatus.OBSERVER,
    EventKind.SUSPENDED: SectionStatus.SUSPENDED,
    EventKind.REINSTATED: SectionStatus.ADHERING,
    EventKind.DISSOLVED: SectionStatus.DISSOLVED,
    EventKind.MERGED_INTO: SectionStatus.DISSOLVED,
}
STATUS_EVENTS = [str(kind) for kind in STATUS_AFTER]


def get_federation() -> Federation:
    federation = Federation.objects.first()
    if federation is None:
        raise NotFound(_("No federation is set up yet: run “liaison demo” or create one in the admin."))
    return federation


# Slugs that would collide with the registry's own URLs (``/sections/add/``).
RESERVED_SLUGS = frozenset({"add"})


def unique_slug(model: Any, text: str, fallback: str) -> str:
    base = slugify(text, allow_unicode=True)[:90] or fallback
    slug, n = base, 2
    while slug in RESERVED_SLUGS or model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise NotAllowed(message or _("You may not do this."))


def clean_name(text: str | None) -> str:
    """A name as stored: Unicode in its composed form (NFC), inner runs of spaces made one, no outer spaces."""
    _refuse_nul(text)
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _refuse_nul(text: str | None, field: str | None = None) -> None:
    # PostgreSQL cannot store a NUL character in text; it only arrives by mistake or on purpose, never in a name.
    if text and "\x00" in text:
        raise LiaisonError(_("The text contains a NUL character; remove it and try again."), field=field)


def _name_key(text: str) -> str:
    return clean_name(text).casefold()


def _name_taken(names: Iterable[str], name: str) -> bool:
    # Compared in Python, not with ``iexact``: SQLite folds the case of ASCII letters only, so "СЕКЦИЯ" and
    # "секция" would pass as different names there. The registry holds hundreds of names, not millions.
    key = _name_key(name)
    return any(_name_key(other) == key for other in names)


def _check_length(value: str, limit: int, field: str) -> None:
    if len(value) > limit:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": limit}, field=field)


def check_languages(codes: str | Iterable[str], *, field: str = "languages", required: bool = True) -> list[str]:
    """Language codes, cleaned and checked. A string is read as a list separated by commas or spaces."""
    if isinstance(codes, str):
        codes = re.split(r"[\s,;]+", codes)
    cleaned: list[str] = []
    for code in codes:
        code = language_codes.normalize(code)
        if code and code not in cleaned:
            cleaned.append(code)
    if required and not cleaned:
        raise LiaisonError(_("Name at least one language."), field=field)
    bad = language_codes.invalid_codes(cleaned)
    if bad:
        raise LiaisonError(
            _("Unknown language code: %(codes)s. Use codes such as en, fr, de, ru, es, zh, ar.")
            % {"codes": ", ".join(bad)},
            field=field,
        )
    return cleaned


def check_country(code: str) -> str:
    code = (code or "").strip().upper()
    if not code:
        raise LiaisonError(_("Choose a country."), field="country")
    if code not in countries:
        raise LiaisonError(
            _("Unknown country code: “%(code)s”. Use a two-letter ISO 3166 code such as FR or BR.") % {"code": code},
            field="country",
        )
    return code


def _check_section_name(name: str, *, exclude: Section | None = None, field: str = "name") -> str:
    name = clean_name(name)
    if not name:
        raise LiaisonError(_("A section needs a name."), field=field)
    _check_length(name, 200, field)
    others = Section.objects.all()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if _name_taken(others.values_list("name", flat=True), name):
        raise LiaisonError(_("A section named “%(name)s” already exists.") % {"name": name}, field=field)
    return name


# Regions ---------------------------------------------------------------------------------------------------------


def create_region(actor: Actor, *, name: str, order: int = 0) -> Region:
    _require(access.can_manage_registry(actor), _("Only the secretariat manages regions."))
    name = clean_name(name)
    if not name:
        raise LiaisonError(_("A region needs a name."), field="name")
    _check_length(name, 100, "name")
    if not 0 <= order <= 32767:
        raise LiaisonError(_("The order is a number from 0 to 32767."), field="order")
    if _name_taken(Region.objects.values_list("name", flat=True), name):
        raise LiaisonError(_("A region named “%(name)s” already exists.") % {"name": name}, field="name")
    try:
        with transaction.atomic():
            return Region.objects.create(name=name, slug=unique_slug(Region, name, "region"), order=order)
    except IntegrityError as exc:  # a concurrent request created the same name
        raise LiaisonError(_("A region named “%(name)s” already exists.") % {"name": name}, field="name") from exc


# Sections --------------------------------------------------------------------------------------------------------


def create_section(
    actor: Actor,
    *,
    name: str,
    country: str,
    region: Region,
    languages: str | Iterable[str],
    status: str = SectionStatus.APPLICANT,
) -> Section:
    """Register a section. Its status changes afterwards only through lineage events (``record_event``)."""
    _require(access.can_manage_registry(actor), _("Only the secretariat registers sections."))
    name = _check_section_name(name)
    country = check_country(country)
    cleaned_languages = check_languages(languages)
    if region is None:
        raise LiaisonError(_("Choose a region."), field="region")
    if status not in SectionStatus.values:
        raise LiaisonError(_("Unknown status “%(status)s”.") % {"status": status}, field="status")
    try:
        with transaction.atomic():
            return Section.objects.create(
                name=name,
                slug=unique_slug(Section, name, "section"),
                country=country,
                region=region,
                languages=cleaned_languages,
                status=status,
            )
    except IntegrityError as exc:
        raise LiaisonError(_("A section named “%(name)s” already exists.") % {"name": name}, field="name") from exc


def update_section(
    actor: Actor, section: Section, *, country: str, region: Region, languages: str | Iterable[str]
) -> Section:
    """Change a section's country, region and languages. A new name is a lineage event: see ``record_event``."""
    _require(access.can_manage_registry(actor), _("Only the secretariat edits sections."))
    country = check_country(country)
    cleaned_languages = check_languages(languages)
    if region is None:
        raise LiaisonError(_("Choose a region."), field="region")
    # Assigned only once everything is valid: a refused edit leaves the caller's object as it was.
    section.country = country
    section.region = region
    section.languages = cleaned_languages
    section.save(update_fields=["country", "region", "languages"])
    return section


def record_event(
    actor: Actor,
    section: Section,
    *,
    kind: str,
    date: datetime.date,
    other_section: Section | None = None,
    new_name: str = "",
    note: str = "",
) -> SectionEvent:
    """Record a dated event in a section's lineage, and apply its effect when nothing later overrides it.

    Events may be recorded late and out of order (history is often written after the fact): a back-dated status
    event changes the status only if no later status event exists, and a back-dated rename slots into the chain of
    names without changing the current one if a later rename exists.
    """
    _require(access.can_manage_registry(actor), _("Only the secretariat records a section's lineage."))
    if kind not in EventKind.values:
        raise LiaisonError(_("Unknown kind of event “%(kind)s”.") % {"kind": kind}, field="kind")
    if date is None:
        raise LiaisonError(_("Give the date of the event."), field="date")
    federation = get_federation()
    if date < federation.founded:
        raise LiaisonError(
            _("The federation was founded on %(founded)s; an event cannot be dated before it.")
            % {"founded": federation.founded.isoformat()},
            field="date",
        )
    if date > timezone.localdate():
        raise LiaisonError(_("A lineage event records what happened: it cannot be dated in the future."), field="date")
    needs_other = kind in (EventKind.SPLIT_FROM, EventKind.MERGED_INTO)
    if needs_other and other_section is None:
        raise LiaisonError(_("Name the section this one split from or merged into."), field="other_section")
    if not needs_other:
        other_section = None
    if other_section is not None and other_section.pk == section.pk:
        raise LiaisonError(_("A section cannot split from or merge into itself."), field="other_section")

    try:
        with transaction.atomic():
            section = Section.objects.select_for_update(of=("self",)).get(pk=section.pk)
            changed: list[str] = []
            old_name = ""
            if kind == EventKind.RENAMED:
                new_name = _check_section_name(new_name, exclude=section, field="new_name")
                renames = list(section.events.filter(kind=EventKind.RENAMED).order_by("date", "id"))
                before = [e for e in renames if e.date <= date]
                after = [e for e in renames if e.date > date]
                if before:
                    old_name = before[-1].new_name
                elif after:
                    old_name = after[0].old_name
                else:
                    old_name = section.name
                if _name_key(new_name) == _name_key(old_name):
                    raise LiaisonError(_("The new name is the same as the name it replaces."), field="new_name")
                if after:
                    # The next rename now renames from this name.
                    after[0].old_name = new_name
                    after[0].save(update_fields=["old_name"])
                else:
                    section.name = new_name
                    changed.append("name")
            else:
                new_name = ""
            if kind in STATUS_AFTER and not section.events.filter(kind__in=STATUS_EVENTS, date__gt=date).exists():
                section.status = STATUS_AFTER[EventKind(kind)]
                changed.append("status")
            event = SectionEvent.objects.create(
                section=section,
                kind=kind,
                date=date,
                other_section=other_section,
                old_name=old_name,
                new_name=new_name,
                note=(note or "").strip(),
                recorded_by=actor.user,
            )
            if changed:
                section.save(update_fields=changed)
    except IntegrityError as exc:  # a concurrent rename took the name
        raise LiaisonError(
            _("A section named “%(name)s” already exists.") % {"name": new_name}, field="new_name"
        ) from exc
    return event


def lineage(section: Section) -> list[SectionEvent]:
    """A section's events and the events of others that name it (a split from it, a merger into it), by date."""
    return list(
        SectionEvent.objects.filter(Q(section=section) | Q(other_section=section))
        .select_related("section", "other_section")
        .order_by("date", "id")
    )


# People and roles ------------------------------------------------------------------------------------------------

IDENTITY_FIELDS = ("real_name", "address", "phone", "notes")


def _check_pseudonym(pseudonym: str, *, exclude: Person | None = None) -> str:
    pseudonym = clean_name(pseudonym)
    if not pseudonym:
        raise LiaisonError(_("A person needs a pseudonym."), field="pseudonym")
    if len(pseudonym) > 120:
        raise LiaisonError(_("A pseudonym has at most 120 characters."), field="pseudonym")
    others = Person.objects.all()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if _name_taken(others.values_list("pseudonym", flat=True), pseudonym):
        raise LiaisonError(_("The pseudonym “%(p)s” is already taken.") % {"p": pseudonym}, field="pseudonym")
    return pseudonym


def _check_identity(identity: dict[str, str | None]) -> dict[str, str]:
    unknown = set(identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise LiaisonError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for key, value in identity.items():
        _refuse_nul(value, key)
    return {key: unicodedata.normalize("NFC", (value or "").strip()) for key, value in identity.items()}


def create_person(actor: Actor, *, pseudonym: str, **identity: str) -> Person:
    _require(access.can_manage_people(actor), _("Only the secretariat registers people."))
    cleaned = _check_identity(dict(identity))
    pseudonym = _check_pseudonym(pseudonym)
    try:
        with transaction.atomic():
            return Person.objects.create(pseudonym=pseudonym, **cleaned)
    except IntegrityError as exc:
        raise LiaisonError(_("The pseudonym “%(p)s” is already taken.") % {"p": pseudonym}, field="pseudonym") from exc


def update_person(actor: Actor, person: Person, *, pseudonym: str | None = None, **identity: str) -> Person:
    """Change a pseudonym (secretariat) and the protected identity (whoever may see it may correct it).

    ``pseudonym`` left out (or unchanged) keeps the current one, so a correspondent's edit never touches it.
    """
    _require(access.can_see_identity(actor, person), _("You may not edit this person."))
    cleaned = _check_identity(dict(identity))
    new_pseudonym = person.pseudonym
    if pseudonym is not None and clean_name(pseudonym) != person.pseudonym:
        _require(access.can_manage_people(actor), _("Only the secretariat changes a pseudonym."))
        new_pseudonym = _check_pseudonym(pseudonym, exclude=person)
    person.pseudonym = new_pseudonym
    for key, value in cleaned.items():
        setattr(person, key, value)
    try:
        with transaction.atomic():
            person.save(update_fields=["pseudonym", *cleaned])
    except IntegrityError as exc:
        raise LiaisonError(
            _("The pseudonym “%(p)s” is already taken.") % {"p": new_pseudonym}, field="pseudonym"
        ) from exc
    return person


def assign_role(
    actor: Actor,
    person: Person,
    *,
    kind: str,
    section: Section | None = None,
    languages: str | Iterable[str] = (),
    since: datetime.date | None = None,
) -> Role:
    """Give a person a role. A role they held before and that has ended is taken up again (the same row)."""
    _require(access.can_manage_people(actor), _("Only the secretariat assigns roles."))
    if kind not in RoleKind.values:
        raise LiaisonError(_("Unknown role “%(kind)s”.") % {"kind": kind}, field="kind")
    if kind == RoleKind.SECRETARIAT:
        section = None
    elif kind in (RoleKind.CORRESPONDENT, RoleKind.MEMBER) and section is None:
        raise LiaisonError(_("A correspondent or member belongs to a section: name it."), field="section")
    if section is not None and section.status == SectionStatus.DISSOLVED:
        raise LiaisonError(_("%(section)s is dissolved.") % {"section": section}, field="section")
    cleaned = check_languages(languages, required=True) if kind == RoleKind.TRANSLATOR else []
    since = since or timezone.localdate()
    try:
        with transaction.atomic():
            existing = (
                Role.objects.select_for_update(of=("self",))
                .filter(person=person, kind=kind, section=section)
                .order_by("pk")
                .first()
            )
            if existing is not None and (existing.until is None or existing.until >= timezone.localdate()):
                raise LiaisonError(_("%(person)s already holds this role.") % {"person": person}, field="kind")
            if existing is not None and existing.until is not None and existing.until >= since:
                raise LiaisonError(
                    _("%(person)s held this role until %(d)s: it can be taken up again from the day after.")
                    % {"person": person, "d": existing.until.isoformat()},
                    field="since",
                )
            if existing is not None:  # an ended role taken up again: reopen it rather than duplicate it
                existing.until = None
                existing.since = since
                existing.languages = cleaned
                existing.save(update_fields=["until", "since", "languages"])
                return existing
            return Role.objects.create(person=person, kind=kind, section=section, languages=cleaned, since=since)
    except IntegrityError as exc:  # a concurrent request gave the same role
        raise LiaisonError(_("%(person)s already holds this role.") % {"person": person}, field="kind") from exc


def end_role(actor: Actor, role: Role, *, until: datetime.date | None = None) -> Role:
    """End a role on ``until`` (today by default), the last day it is held."""
    _require(access.can_manage_people(actor), _("Only the secretariat ends roles."))
    until = until or timezone.localdate()
    if role.until is not None and role.until < timezone.localdate():
        raise LiaisonError(_("This role already ended on %(d)s.") % {"d": role.until.isoformat()}, field="until")
    if until < role.since:
        raise LiaisonError(
            _("A role cannot end before it began (%(d)s).") % {"d": role.since.isoformat()}, field="until"
        )
    role.until = until
    role.save(update_fields=["until"])
    return role


def invite(actor: Actor, person: Person, *, username: str, email: str, request: Any = None) -> Any:
    """Give a person an account and email them a link to choose their password.

    The mail is sent inside the transaction: if it cannot be sent, no account is left behind without its link, and
    the invitation can simply be tried again.
    """
    _require(access.can_manage_people(actor), _("Only the secretariat creates accounts."))
    if person.user_id:
        raise LiaisonError(_("%(person)s already has an account.") % {"person": person}, field="username")
    User = get_user_model()
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        raise LiaisonError(_("Choose a user name."), field="username")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise LiaisonError(" ".join(exc.messages), field="username") from exc
    _check_length(username, 150, "username")
    if User.objects.filter(username__iexact=username).exists():
        raise LiaisonError(_("The user name “%(u)s” is taken.") % {"u": username}, field="username")
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        raise LiaisonError(_("Enter a valid email address."), field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise LiaisonError(_("Another account already uses this email address."), field="email")
    federation = get_federation()
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email)
            user.set_unusable_password()
            user.save()
            person.user = user
            person.save(update_fields=["user"])
            # Django's reset form skips accounts without a usable password; send the same mail directly to this one.
            _send_password_link(user, request, site_name=federation.name)
    except IntegrityError as exc:
        raise LiaisonError(_("The user name “%(u)s” is taken.") % {"u": username}, field="username") from exc
    return user


def _send_password_link(user: Any, request: Any, *, site_name: str) -> None:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    form = PasswordResetForm()
    domain = request.get_host() if request is not None else "127.0.0.1:8000"
    protocol = "https" if request is not None and request.is_secure() else "http"
    form.send_mail(
        "registration/invitation_subject.txt",
        "registration/invitation_email.txt",
        {
            "email": user.email,
            "domain": domain,
            "site_name": site_name,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": protocol,
        },
        None,
        user.email,
    )


# Editorial delegation --------------------------------------------------------------------------------------------


def delegate_editorial_role(
    actor: Actor,
    *,
    section: Section | None,
    start: datetime.date,
    end: datetime.date | None = None,
    note: str = "",
) -> EditorialDelegation:
    """Record who holds the editorial role from ``start``. An open span that began earlier is closed the day before;
    if the new span has an end, the holder of that open span takes the role up again the day after it (a temporary
    delegation), so the record never falls silent by accident.

    Any other overlap with a recorded span is refused: the record answers "who held it on that day?" with one
    holder, so a correction is made by ending or removing the span at fault first.
    """
    _require(access.can_manage_registry(actor), _("Only the secretariat records the editorial delegation."))
    if start is None:
        raise LiaisonError(_("Give the first day of the delegation."), field="start")
    if end is not None and end < start:
        raise LiaisonError(_("The delegation cannot end before it starts."), field="end")
    if start < get_federation().founded:
        raise LiaisonError(_("The delegation cannot start before the federation was founded."), field="start")
    if section is not None and section.status == SectionStatus.DISSOLVED:
        raise LiaisonError(
            _("%(section)s is dissolved: it cannot hold the editorial role.") % {"section": section}, field="section"
        )
    with transaction.atomic():
        spans = list(
            EditorialDelegation.objects.select_for_update(of=("self",)).select_related("section").order_by("start")
        )
        resumed: EditorialDelegation | None = None
        for span in spans:
            if span.end is None and span.start < start:
                span.end = start - datetime.timedelta(days=1)
                span.save(update_fields=["end"])
                if end is not None:
                    resumed = EditorialDelegation(
                        section=span.section, start=end + datetime.timedelta(days=1), recorded_by=actor.user
                    )
        for span in spans:
            span_end = span.end or datetime.date.max
            new_end = end or datetime.date.max
            if span.start <= new_end and start <= span_end:
                if span.end is None:
                    message = _("%(holder)s holds the editorial role from %(start)s onwards.")
                else:
                    message = _("%(holder)s already holds the editorial role from %(start)s to %(end)s.")
                raise LiaisonError(
                    message
                    % {
                        "holder": span.holder_name,
                        "start": span.start.isoformat(),
                        "end": span.end.isoformat() if span.end else "",
                    },
                    field="start",
                )
        delegation = EditorialDelegation.objects.create(
            section=section, start=start, end=end, note=(note or "").strip(), recorded_by=actor.user
        )
        if resumed is not None:
            resumed.save()
        return delegation


def editorial_holder_on(day: datetime.date) -> EditorialDelegation | None:
    """Who held the editorial role on ``day`` (None when nothing was recorded for it)."""
    return (
        EditorialDelegation.objects.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("section")
        .first()
    )
