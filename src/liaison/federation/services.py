"""Operations on the federation registry. Each checks who acts, validates, and writes in one transaction.

Views, API endpoints and commands call these and hold no rules of their own. A refusal is a ``LiaisonError`` whose
message a user can read; ``field`` names the input at fault.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django_countries import countries

from liaison import languages as language_codes
from liaison.errors import LiaisonError, NotAllowed
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

# The status a section has after each kind of event (when that event is its latest).
STATUS_AFTER = {
    EventKind.APPLIED: SectionStatus.APPLICANT,
    EventKind.ADHERED: SectionStatus.ADHERING,
    EventKind.OBSERVER: SectionStatus.OBSERVER,
    EventKind.SUSPENDED: SectionStatus.SUSPENDED,
    EventKind.REINSTATED: SectionStatus.ADHERING,
    EventKind.DISSOLVED: SectionStatus.DISSOLVED,
    EventKind.MERGED_INTO: SectionStatus.DISSOLVED,
}


def get_federation() -> Federation:
    federation = Federation.objects.first()
    if federation is None:
        raise LiaisonError(_("No federation is set up yet: run “liaison demo” or create one in the admin."))
    return federation


def unique_slug(model: Any, text: str, fallback: str) -> str:
    base = slugify(text, allow_unicode=True)[:90] or fallback
    slug, n = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _require(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise NotAllowed(message or _("You may not do this."))


def check_languages(codes: Iterable[str], *, field: str = "languages", required: bool = True) -> list[str]:
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
    if code not in countries:
        raise LiaisonError(
            _("Unknown country code: “%(code)s”. Use a two-letter ISO 3166 code such as FR or BR.") % {"code": code},
            field="country",
        )
    return code


def _check_section_name(name: str, *, exclude: Section | None = None, field: str = "name") -> str:
    name = " ".join((name or "").split())
    if not name:
        raise LiaisonError(_("A section needs a name."), field=field)
    clash = Section.objects.filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise LiaisonError(_("A section named “%(name)s” already exists.") % {"name": name}, field=field)
    return name


# Regions ---------------------------------------------------------------------------------------------------------


def create_region(actor: Actor, *, name: str, order: int = 0) -> Region:
    _require(access.can_manage_registry(actor), _("Only the secretariat manages regions."))
    name = " ".join((name or "").split())
    if not name:
        raise LiaisonError(_("A region needs a name."), field="name")
    if Region.objects.filter(name__iexact=name).exists():
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
    languages: Iterable[str],
    status: str = SectionStatus.APPLICANT,
) -> Section:
    _require(access.can_manage_registry(actor), _("Only the secretariat registers sections."))
    name = _check_section_name(name)
    country = check_country(country)
    cleaned_languages = check_languages(languages)
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
    actor: Actor, section: Section, *, country: str, region: Region, languages: Iterable[str]
) -> Section:
    """Change a section's country, region and languages. A new name is a lineage event: see ``record_event``."""
    _require(access.can_manage_registry(actor), _("Only the secretariat edits sections."))
    section.country = check_country(country)
    section.region = region
    section.languages = check_languages(languages)
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
    """Record a dated event in a section's lineage, and apply its effect when it is the section's latest."""
    _require(access.can_manage_registry(actor), _("Only the secretariat records a section's lineage."))
    if kind not in EventKind.values:
        raise LiaisonError(_("Unknown kind of event “%(kind)s”.") % {"kind": kind}, field="kind")
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

    with transaction.atomic():
        section = Section.objects.select_for_update().get(pk=section.pk)
        old_name = ""
        if kind == EventKind.RENAMED:
            new_name = _check_section_name(new_name, exclude=section, field="new_name")
            old_name = section.name
            if new_name == old_name:
                raise LiaisonError(_("The new name is the same as the current one."), field="new_name")
        else:
            new_name = ""
        is_latest = not section.events.filter(date__gt=date).exists()
        event = SectionEvent.objects.create(
            section=section,
            kind=kind,
            date=date,
            other_section=other_section,
            old_name=old_name,
            new_name=new_name,
            note=note.strip(),
            recorded_by=actor.user,
        )
        changed: list[str] = []
        if kind == EventKind.RENAMED and is_latest:
            section.name = new_name
            changed.append("name")
        if kind in STATUS_AFTER and is_latest:
            section.status = STATUS_AFTER[EventKind(kind)]
            changed.append("status")
        if changed:
            section.save(update_fields=changed)
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
    pseudonym = " ".join((pseudonym or "").split())
    if not pseudonym:
        raise LiaisonError(_("A person needs a pseudonym."), field="pseudonym")
    if len(pseudonym) > 120:
        raise LiaisonError(_("A pseudonym has at most 120 characters."), field="pseudonym")
    clash = Person.objects.filter(pseudonym__iexact=pseudonym)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise LiaisonError(_("The pseudonym “%(p)s” is already taken.") % {"p": pseudonym}, field="pseudonym")
    return pseudonym


def create_person(actor: Actor, *, pseudonym: str, **identity: str) -> Person:
    _require(access.can_manage_people(actor), _("Only the secretariat registers people."))
    unknown = set(identity) - set(IDENTITY_FIELDS)
    if unknown:
        raise LiaisonError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    pseudonym = _check_pseudonym(pseudonym)
    try:
        with transaction.atomic():
            return Person.objects.create(pseudonym=pseudonym, **{k: (v or "").strip() for k, v in identity.items()})
    except IntegrityError as exc:
        raise LiaisonError(_("The pseudonym “%(p)s” is already taken.") % {"p": pseudonym}, field="pseudonym") from exc


def update_person(actor: Actor, person: Person, *, pseudonym: str, **identity: str) -> Person:
    """Change a pseudonym (secretariat) and the protected identity (whoever may see it may correct it)."""
    _require(access.can_see_identity(actor, person), _("You may not edit this person."))
    if pseudonym != person.pseudonym:
        _require(access.can_manage_people(actor), _("Only the secretariat changes a pseudonym."))
        person.pseudonym = _check_pseudonym(pseudonym, exclude=person)
    for key, value in identity.items():
        if key not in IDENTITY_FIELDS:
            raise LiaisonError(_("Unknown field: %(f)s") % {"f": key})
        setattr(person, key, (value or "").strip())
    person.save()
    return person


def assign_role(
    actor: Actor,
    person: Person,
    *,
    kind: str,
    section: Section | None = None,
    languages: Iterable[str] = (),
    since: datetime.date | None = None,
) -> Role:
    _require(access.can_manage_people(actor), _("Only the secretariat assigns roles."))
    if kind not in RoleKind.values:
        raise LiaisonError(_("Unknown role “%(kind)s”.") % {"kind": kind}, field="kind")
    if kind == RoleKind.SECRETARIAT:
        section = None
    elif kind in (RoleKind.CORRESPONDENT, RoleKind.MEMBER) and section is None:
        raise LiaisonError(_("A correspondent or member belongs to a section: name it."), field="section")
    cleaned = check_languages(languages, required=True) if kind == RoleKind.TRANSLATOR else []
    existing = Role.objects.filter(person=person, kind=kind, section=section).first()
    if existing is not None and existing.is_active():
        raise LiaisonError(_("%(person)s already holds this role.") % {"person": person}, field="kind")
    with transaction.atomic():
        if existing is not None:  # an ended role taken up again: reopen it rather than duplicate it
            existing.until = None
            existing.since = since or timezone.localdate()
            existing.languages = cleaned
            existing.save(update_fields=["until", "since", "languages"])
            return existing
        return Role.objects.create(
            person=person, kind=kind, section=section, languages=cleaned, since=since or timezone.localdate()
        )


def end_role(actor: Actor, role: Role, *, until: datetime.date | None = None) -> Role:
    _require(access.can_manage_people(actor), _("Only the secretariat ends roles."))
    until = until or timezone.localdate()
    if until < role.since:
        raise LiaisonError(_("A role cannot end before it began (%(d)s).") % {"d": role.since}, field="until")
    role.until = until
    role.save(update_fields=["until"])
    return role


def invite(actor: Actor, person: Person, *, username: str, email: str, request: Any = None) -> Any:
    """Give a person an account and email them a link to choose their password."""
    _require(access.can_manage_people(actor), _("Only the secretariat creates accounts."))
    if person.user_id:
        raise LiaisonError(_("%(person)s already has an account.") % {"person": person})
    User = get_user_model()
    username = (username or "").strip()
    email = (email or "").strip()
    if not username:
        raise LiaisonError(_("Choose a user name."), field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise LiaisonError(_("The user name “%(u)s” is taken.") % {"u": username}, field="username")
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        raise LiaisonError(_("Enter a valid email address."), field="email")
    with transaction.atomic():
        user = User.objects.create_user(username=username, email=email)
        user.set_unusable_password()
        user.save()
        person.user = user
        person.save(update_fields=["user"])
    # Django's reset form skips accounts without a usable password; send the same mail directly to this one.
    _send_password_link(user, request)
    return user


def _send_password_link(user: Any, request: Any) -> None:
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
            "site_name": get_federation().name,
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
    """Record who holds the editorial role from ``start``. An open span that began earlier is closed the day before."""
    _require(access.can_manage_registry(actor), _("Only the secretariat records the editorial delegation."))
    if end is not None and end < start:
        raise LiaisonError(_("The delegation cannot end before it starts."), field="end")
    if start < get_federation().founded:
        raise LiaisonError(_("The delegation cannot start before the federation was founded."), field="start")
    with transaction.atomic():
        spans = list(EditorialDelegation.objects.select_for_update().order_by("start"))
        for span in spans:
            if span.end is None and span.start < start:
                span.end = start - datetime.timedelta(days=1)
                span.save(update_fields=["end"])
        for span in spans:
            span_end = span.end or datetime.date.max
            new_end = end or datetime.date.max
            if span.start <= new_end and start <= span_end:
                raise LiaisonError(
                    _("%(holder)s already holds the editorial role from %(start)s to %(end)s.")
                    % {"holder": span.holder_name, "start": span.start, "end": span.end or _("today")},
                    field="start",
                )
        return EditorialDelegation.objects.create(
            section=section, start=start, end=end, note=note.strip(), recorded_by=actor.user
        )


def editorial_holder_on(day: datetime.date) -> EditorialDelegation | None:
    """Who held the editorial role on ``day`` (None when nothing was recorded for it)."""
    return (
        EditorialDelegation.objects.filter(start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .select_related("section")
        .first()
    )
