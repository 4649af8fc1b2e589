"""Background work for translations, as plain functions; the Celery layer wraps them.

``request_machine_draft`` is idempotent: run twice, or after a person started writing, it changes nothing it should
not. ``machine_draft_task`` is its Celery task, retried on ``RETRY_ON`` only; without a worker (no ``REDIS_URL``) a
page calls the plain function once instead, so that a provider down answers at once rather than after five retries.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.contrib.auth import get_user_model

from liaison.errors import LiaisonError
from liaison.translations import services
from liaison.translations.models import Translation
from liaison.translations.providers import MachineTranslationError, TemporaryProviderError

# The provider was down, slow or answered garbage: worth trying again later. Anything else would fail the same way.
RETRY_ON = (TemporaryProviderError,)


def request_machine_draft(translation_id: int, requested_by_id: int | None = None) -> str:
    """Make a machine draft of a translation. Returns what happened: "drafted"; "kept" when a person's text (or a
    later state) was there, which a machine draft never replaces; "refused" when the original is no longer being
    translated; "gone" when the translation no longer exists.

    A provider failure is recorded in the translation's history (so the desk shows why no draft came) and raised
    again: a ``TemporaryProviderError`` for the task to retry, any other ``MachineTranslationError`` to fail the job.
    """
    translation = Translation.objects.select_related("contribution").filter(pk=translation_id).first()
    if translation is None:
        return "gone"
    requested_by = get_user_model().objects.filter(pk=requested_by_id).first() if requested_by_id else None
    try:
        services.machine_draft(translation, requested_by=requested_by)
    except services.MachineDraftRefused:
        return "kept"
    except MachineTranslationError as error:
        services.record_machine_failure(translation, error, requested_by=requested_by)
        raise
    except LiaisonError:
        return "refused"  # the original was withdrawn or declined meanwhile: nothing to translate
    return "drafted"


@shared_task(bind=True, autoretry_for=RETRY_ON, retry_backoff=30, retry_backoff_max=900, max_retries=5)
def machine_draft_task(self: Any, translation_id: int, requested_by_id: int | None = None) -> str:
    """``request_machine_draft`` on a worker: a provider down, slow or answering garbage is tried again later."""
    return request_machine_draft(translation_id, requested_by_id)
