"""The translations follow their originals: created when a contribution is accepted, marked stale when its text
changes, and their citations renumbered with the original's when the cited items move."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Max
from django.dispatch import receiver

from liaison.editorial import signals
from liaison.editorial.models import Contribution
from liaison.translations import services
from liaison.translations.models import Translation, TranslationRevision


@receiver(signals.contribution_accepted)
def translations_become_due(sender: Any, contribution: Contribution, **kwargs: Any) -> None:
    services.ensure_translations(contribution)


@receiver(signals.contribution_saved)
def translations_go_stale(sender: Any, contribution: Contribution, **kwargs: Any) -> None:
    services.mark_stale(contribution)


@receiver(signals.citations_followed)
def translations_follow_citations(
    sender: Any,
    contribution: Contribution,
    previous_revision: int | None,
    revision: int,
    rewrite: Callable[[str], str],
    **kwargs: Any,
) -> None:
    # The original changed only in the numbers of what it cites; the translations cite the same items, so they get
    # the same change, and one approved against the previous text stays approved against the new one: a renumbering
    # is not a reason to translate again.
    for translation in Translation.objects.select_for_update().filter(contribution_id=contribution.pk):
        fields: list[str] = []
        body = rewrite(translation.body)
        if body != translation.body:
            number = (translation.revisions.aggregate(n=Max("number"))["n"] or 0) + 1
            translation.body = body
            translation.version += 1
            TranslationRevision.objects.create(
                translation=translation,
                number=number,
                version=translation.version,
                title=translation.title,
                body=body,
                source_revision=revision,
                machine=translation.machine,
            )
            fields += ["body", "version"]
        if previous_revision is not None and translation.approved_revision == previous_revision:
            translation.approved_revision = revision
            fields.append("approved_revision")
        if previous_revision is not None and translation.source_revision == previous_revision:
            translation.source_revision = revision
            fields.append("source_revision")
        if fields:
            translation.save(update_fields=[*fields, "updated"])
