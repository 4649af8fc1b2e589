"""Background work. With ``REDIS_URL`` set, tasks go to Celery workers (``liaison worker``); without it they run
in-process, at once, so a one-machine install needs nothing more."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")

app = Celery("liaison")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
