"""Operations of the exchange of papers. Each checks who acts, validates, and writes in one transaction.

The rows are the distribution app's wherever it has one (a partnership is a ``Subscription``, an arrival a
``Receipt``, a claim a ``Claim``), so the gap report, the API and the claims desk see the exchange as they see the
bulletin; the distribution services do the writing and this module adds the exchange's own rules: who may act
(``access``), what a registered issue is, and the PDF.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from liaison.distribution import services as distribution
from liaison.distribution.models import (
    CURRENT_SUBSCRIPTION,
    Claim,
    Receipt,
    ReceiptHow,
    Subscription,
    SubscriptionChannel,
    SubscriptionState,
)
from liaison.errors import Conflict, LiaisonError, NotAllowed, NotFound
from liaison.exchange import access, schedule, uploads
from liaison.exchange.models import IssueFile, Partnership
from liaison.exchange.status import issue_date
from liaison.federation.access import Actor
from liaison.federation.models import Section, SectionStatus
from liaison.federation.services import clean_name
from liaison.periodicals.models import Frequency, Issue, IssueStatus, Periodical

TEXT_LIMIT = 300


def _paper(periodical: Periodical) -> Section:
    if periodical.section is None:
        raise LiaisonError(
            _("“%(name)s” is one of the federation's bulletins, not a section's paper.") % {"name": periodical.name},
            field="periodical",
        )
    return periodical.section


def _require_publisher(actor: Actor, periodical: Periodical) -> Section:
    section = _paper(periodical)
    if not access.can_publish(actor, section.pk):
        raise NotAllowed(_("Only the correspondents of %(section)s speak for its paper.") % {"section": section})
    return section


def _require_receiver(actor: Actor, section: Section) -> None:
    if not access.can_receive(actor, section.pk):
        raise NotAllowed(
            _("Only the correspondents of %(section)s record what it received and claim what it missed.")
            % {"section": section}
        )


def _text(value: str, field: str, limit: int = TEXT_LIMIT) -> str:
    value = clean_name(value)
    if len(value) > limit:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return value


# Issues --------------------------------------------------------------------------------------------------------------


def register_issue(
    actor: Actor,
    periodical: Periodical,
    *,
    number: int,
    date: datetime.date,
    title: str = "",
    gap_reason: str = "",
    pdf: UploadedFile | None = None,
    today: datetime.date | None = None,
) -> Issue:
    """Record that an issue of a section's paper appeared, with its number and date, and optionally its PDF.

    Numbers may be registered in any order (back issues are registered late), but the dates must follow the numbers:
    an issue is not dated before a lower number or after a higher one. A number registered while it was planned (an
    ``Issue`` row not yet published) is published with the date given."""
    _require_publisher(actor, periodical)
    today = today or schedule.today()
    if number is None or number < 1:
        raise LiaisonError(_("Issue numbers start at 1."), field="number")
    if number > 2_000_000_000:
        raise LiaisonError(_("This number is too large."), field="number")
    if date is None:
        raise LiaisonError(_("Give the date the issue appeared."), field="date")
    if date > today:
        raise LiaisonError(
            _("An issue is registered once it has appeared: its date cannot be after today (%(today)s).")
            % {"today": today.isoformat()},
            field="date",
        )
    title = _text(title, "title")
    gap_reason = (gap_reason or "").strip()
    if "\x00" in gap_reason:
        raise LiaisonError(_("The text contains a NUL character; remove it and try again."), field="gap_reason")
    checked = uploads.check_pdf(pdf, fallback_name=f"{periodical.slug}-{number}") if pdf is not None else None
    with transaction.atomic():
        # The paper's row is the lock that serializes registrations: two correspondents cannot take the same number.
        Periodical.objects.select_for_update().get(pk=periodical.pk)
        existing = Issue.objects.filter(periodical=periodical, number=number).first()
        if existing is not None and issue_date(existing) is not None:
            raise Conflict(
                _("No. %(n)s of %(paper)s is already registered (dated %(date)s).")
                % {"n": number, "paper": periodical.name, "date": issue_date(existing)},
                field="number",
            )
        _check_order(periodical, number, date)
        issue = existing or Issue(periodical=periodical, number=number)
        issue.title = title or issue.title
        issue.gap_reason = gap_reason or issue.gap_reason
        issue.status = IssueStatus.PUBLISHED
        issue.planned_date = date
        issue.published_at = schedule.local_noon(date)
        issue.save()
        if checked is not None:
            _store_pdf(actor, issue, checked)
    return issue


def _check_order(periodical: Periodical, number: int, date: datetime.date) -> None:
    neighbours = Issue.objects.filter(
        periodical=periodical, status=IssueStatus.PUBLISHED, published_at__isnull=False
    ).exclude(number=number)
    before = neighbours.filter(number__lt=number).order_by("-number").first()
    after = neighbours.filter(number__gt=number).order_by("number").first()
    before_day = issue_date(before) if before is not None else None
    after_day = issue_date(after) if after is not None else None
    if before is not None and before_day is not None and date < before_day:
        raise LiaisonError(
            _("No. %(n)s cannot be dated before No. %(other)s, which appeared on %(date)s.")
            % {"n": number, "other": before.number, "date": before_day.isoformat()},
            field="date",
        )
    if after is not None and after_day is not None and date > after_day:
        raise LiaisonError(
            _("No. %(n)s cannot be dated after No. %(other)s, which appeared on %(date)s.")
            % {"n": number, "other": after.number, "date": after_day.isoformat()},
            field="date",
        )


def attach_pdf(actor: Actor, issue: Issue, pdf: UploadedFile) -> IssueFile:
    """Attach (or replace) the PDF of a registered issue."""
    _require_publisher(actor, issue.periodical)
    if issue_date(issue) is None:
        raise LiaisonError(_("Register the issue before attaching its PDF."), field="pdf")
    checked = uploads.check_pdf(pdf, fallback_name=f"{issue.periodical.slug}-{issue.number}")
    with transaction.atomic():
        return _store_pdf(actor, issue, checked)


def _store_pdf(actor: Actor, issue: Issue, checked: uploads.CheckedPdf) -> IssueFile:
    """Write the file, then its row. A replaced file is deleted only once the new row is committed, and the new
    file is deleted if its row cannot be written: no file is lost, none is left behind."""
    old = IssueFile.objects.filter(issue=issue).first()
    row = old or IssueFile(issue=issue)
    old_name = old.file.name if old is not None else ""
    row.file.save("issue.pdf", checked.upload, save=False)
    storage, new_name = row.file.storage, row.file.name or ""
    try:
        row.name = checked.name
        row.size = checked.size
        row.sha256 = checked.sha256
        row.uploaded_by = actor.user
        row.save()
    except Exception:
        storage.delete(new_name)
        raise
    if old_name and old_name != new_name:
        transaction.on_commit(lambda: storage.delete(old_name))
    return row


# Partners ------------------------------------------------------------------------------------------------------------


def _frequency(value: str) -> str:
    value = value or ""
    if value and value not in Frequency.values:
        raise LiaisonError(_("Choose how often the partner expects the paper."), field="frequency")
    return value


def add_partner(
    actor: Actor,
    periodical: Periodical,
    section: Section,
    *,
    frequency: str = "",
    started_on: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Partnership:
    """Make ``section`` an exchange partner of a section's paper: a post subscription of the section to the paper in
    its language, active from ``started_on`` (today by default), with the frequency the partner expects (empty: the
    paper's own). A subscription the section already has to the paper (made on the distribution pages) is taken as
    the partnership rather than doubled."""
    publisher = _require_publisher(actor, periodical)
    today = today or schedule.today()
    frequency = _frequency(frequency)
    if section.pk == publisher.pk:
        raise LiaisonError(_("A section does not exchange its paper with itself."), field="section")
    if section.status == SectionStatus.DISSOLVED:
        raise LiaisonError(_("%(section)s is dissolved.") % {"section": section}, field="section")
    started_on = started_on or today
    if started_on > today:
        raise LiaisonError(_("A partnership starts today or on a day past."), field="started_on")
    with transaction.atomic():
        subscriber = distribution.subscriber_for_section(section)
        current = list(
            subscriber.subscriptions.select_for_update(of=("self",))
            .filter(periodical=periodical, state__in=CURRENT_SUBSCRIPTION)
            .select_related("partnership")
            .order_by("-channel")  # post first
        )
        if any(hasattr(s, "partnership") for s in current):
            raise Conflict(
                _("%(section)s already receives %(paper)s in exchange.") % {"section": section, "paper": periodical},
                field="section",
            )
        if current:
            subscription = current[0]
        else:
            subscription = distribution.add_subscription(
                actor,
                subscriber,
                periodical,
                language=periodical.language,
                formats=(),
                channel=SubscriptionChannel.POST,
                started_on=started_on,
            )
        return Partnership.objects.create(subscription=subscription, frequency=frequency, created_by=actor.user)


def change_frequency(actor: Actor, subscription: Subscription, frequency: str) -> Partnership:
    """Change how often a partner expects the paper (empty: the paper's own frequency)."""
    _require_publisher(actor, subscription.periodical)
    frequency = _frequency(frequency)
    if subscription.state not in CURRENT_SUBSCRIPTION:
        raise Conflict(_("This partnership has ended."))
    partnership, _created = Partnership.objects.update_or_create(
        subscription=subscription,
        defaults={"frequency": frequency},
        create_defaults={"frequency": frequency, "created_by": actor.user},
    )
    return partnership


def end_partner(actor: Actor, subscription: Subscription, *, reason: str = "") -> Subscription:
    """End an exchange partnership: the partner's subscription ends today; its record (arrivals, claims) stays."""
    _require_publisher(actor, subscription.periodical)
    if subscription.state not in CURRENT_SUBSCRIPTION:
        raise Conflict(_("This partnership has already ended."))
    return distribution.end_subscription(actor, subscription, _text(reason, "reason"))


# Arrivals and claims -------------------------------------------------------------------------------------------------


def record_arrival(actor: Actor, section: Section, issue: Issue, *, note: str = "") -> Receipt:
    """Record, by hand, that an issue of a partner's paper arrived at ``section``. Recording it twice is refused
    with the date of the first record: nothing is doubled."""
    _require_receiver(actor, section)
    periodical = issue.periodical
    _paper(periodical)
    if issue_date(issue) is None:
        raise NotFound(
            _("No. %(n)s of %(paper)s has not been registered by its section.")
            % {"n": issue.number, "paper": periodical.name},
            field="issue",
        )
    note = _text(note, "note")
    with transaction.atomic():
        subscriber = distribution.subscriber_for_section(section)
        if not subscriber.subscriptions.filter(periodical=periodical).exclude(state=SubscriptionState.PENDING).exists():
            raise LiaisonError(
                _("%(section)s does not receive %(paper)s in exchange: its section adds its partners.")
                % {"section": section, "paper": periodical.name},
                field="issue",
            )
        earlier = Receipt.objects.filter(subscriber=subscriber, issue=issue, language=periodical.language).first()
        if earlier is not None:
            raise Conflict(_already_received(issue, earlier), field="issue")
        try:
            with transaction.atomic():
                return distribution.record_receipt(
                    actor, subscriber, issue, periodical.language, how=ReceiptHow.POST, note=note
                )
        except IntegrityError:
            # Two clicks at once: the other one recorded it.
            earlier = Receipt.objects.get(subscriber=subscriber, issue=issue, language=periodical.language)
            raise Conflict(_already_received(issue, earlier), field="issue") from None


def _already_received(issue: Issue, receipt: Receipt) -> str:
    return _("No. %(n)s of %(paper)s was already recorded as arrived, on %(date)s: nothing was changed.") % {
        "n": issue.number,
        "paper": issue.periodical.name,
        "date": schedule.local_date(receipt.recorded_at).isoformat(),
    }


def claim_missing(
    actor: Actor, section: Section, periodical: Periodical, issues: Sequence[Issue], *, note: str = ""
) -> Claim:
    """Ask a paper's section to send missing issues again. Only registered issues due to the partnership can be
    claimed (a number never registered has no issue to send: the paper's section sees it flagged on its own
    dashboard), and none that already arrived or is already claimed in an open claim."""
    _require_receiver(actor, section)
    _paper(periodical)
    if not issues:
        raise LiaisonError(_("Choose the issues to claim."), field="issues")
    note = (note or "").strip()
    if len(note) > 2000:
        raise LiaisonError(_("At most %(n)d characters.") % {"n": 2000}, field="note")
    with transaction.atomic():
        subscriber = distribution.subscriber_for_section(section)
        subscription = (
            subscriber.subscriptions.filter(periodical=periodical, state__in=CURRENT_SUBSCRIPTION)
            .order_by("-channel")
            .first()
        )
        if subscription is None:
            raise LiaisonError(
                _("%(section)s does not receive %(paper)s in exchange.") % {"section": section, "paper": periodical},
                field="issues",
            )
        for issue in issues:
            if issue.periodical_id != periodical.pk or issue_date(issue) is None:
                raise NotFound(_("No such registered issue of %(paper)s.") % {"paper": periodical}, field="issues")
        # The distribution service refuses what was never due, was received or is already claimed, naming the issue.
        return distribution.claim(actor, subscriber, [(subscription.pk, issue.pk) for issue in issues], note=note)


# Claims made for a paper are answered (or refused) by ``distribution.services.answer_claim`` and ``refuse_claim``,
# from the exchange pages as from the claims desk: one way to answer a claim, with the same effect on every page.
