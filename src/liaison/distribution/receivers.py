"""Distribution follows publishing: an edition that becomes visible is dispatched to its subscribers. And each
dispatch's ``received`` mark follows the receipts, however a receipt or a dispatch is made or deleted."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from liaison.distribution import services
from liaison.distribution.models import Dispatch, Receipt
from liaison.publishing.models import Edition
from liaison.publishing.signals import edition_published


@receiver(edition_published)
def dispatch_edition(sender: Any, edition: Edition, **kwargs: Any) -> None:
    # Idempotent: a correction (version 2) publishes again and finds every dispatch already made.
    services.create_dispatches(edition)


# The mark is kept here, at the models, rather than in each service that records a receipt or makes a dispatch: a
# mark gone stale would make the gap report count an arrived issue as missing (or the reverse), and every way a row
# is saved or deleted through the ORM passes by these signals. ``services.create_dispatches`` writes its rows in SQL
# and sets the mark there itself.


@receiver(pre_save, sender=Dispatch)
def mark_new_dispatch(sender: Any, instance: Dispatch, raw: bool = False, **kwargs: Any) -> None:
    if instance._state.adding and not raw:
        instance.received = Receipt.objects.filter(
            subscriber__subscriptions=instance.subscription_id, issue_id=instance.issue_id, language=instance.language
        ).exists()


@receiver(post_save, sender=Receipt)
def mark_received(sender: Any, instance: Receipt, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if created and not raw:
        _mark(instance, True)


@receiver(post_delete, sender=Receipt)
def unmark_received(sender: Any, instance: Receipt, **kwargs: Any) -> None:
    _mark(instance, False)


def _mark(receipt: Receipt, received: bool) -> None:
    Dispatch.objects.filter(
        subscription__subscriber_id=receipt.subscriber_id, issue_id=receipt.issue_id, language=receipt.language
    ).exclude(received=received).update(received=received)
