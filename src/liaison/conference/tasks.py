"""Background work of conference preparation: the hourly reminders (``CELERY_BEAT_SCHEDULE`` in the settings)."""

from __future__ import annotations

from celery import shared_task

from liaison.conference import reminders


@shared_task(acks_late=True)
def send_reminders_task() -> dict[str, int]:
    """``reminders.send_reminders`` on a worker. Running it twice, or on two workers at once, reminds nobody twice;
    a reminder that could not be mailed is tried again by the next hourly run, so the task itself does not retry."""
    summary = reminders.send_reminders()
    return {"reminders": summary.reminders, "messages": summary.messages, "failed": summary.failed}
