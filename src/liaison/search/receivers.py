"""The index follows what readers may read: an issue published, a translation approved or sent back to work, an
original's text changed (its approved translations go stale), a bulletin's audience changed.

Django's own ``post_save`` carries most of it, so that neither the editorial nor the translation services need to
know about search; each receiver runs inside the transaction that made the change, so the index commits or rolls
back with it. A translation made stale by ``translations.services.mark_stale`` is not saved one by one (it is an
``update``), hence the receiver of ``contribution_saved``.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from liaison.editorial import signals
from liaison.editorial.models import Contribution
from liaison.periodicals.models import Issue, IssueStatus, Periodical
from liaison.search import services
from liaison.translations import services as translations
from liaison.translations.models import Translation


@receiver(post_save, sender=Issue)
def issue_published(sender: Any, instance: Issue, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return  # loaded from a fixture or a backup, its items after it: run ``liaison reindex`` once restored
    # An issue is never unpublished: one that is not published has nothing in the index, and costs nothing here.
    if instance.status == IssueStatus.PUBLISHED:
        services.reindex_issue(instance)


@receiver(post_save, sender=Translation)
def translation_changed(sender: Any, instance: Translation, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    # A translation that was never approved was never indexed: nothing to add or to remove.
    if instance.approved_revision is not None or instance.counts_for_edition:
        services.reindex_translation(instance)


@receiver(signals.contribution_saved)
@receiver(signals.citations_followed)
def original_changed(sender: Any, contribution: Contribution, **kwargs: Any) -> None:
    if contribution.state not in services.READABLE_STATES:
        return  # not in an issue, so not in the index
    # The translations' own receiver marks them stale too; asking here as well (it is idempotent) keeps the index
    # right whichever receiver runs first.
    translations.mark_stale(contribution)
    services.reindex_contribution(contribution)


@receiver(post_save, sender=Periodical)
def audience_changed(sender: Any, instance: Periodical, created: bool, raw: bool = False, **kwargs: Any) -> None:
    if not created and not raw:
        services.follow_audience(instance)
