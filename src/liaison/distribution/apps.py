from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DistributionConfig(AppConfig):
    name = "liaison.distribution"
    verbose_name = _("Distribution")

    def ready(self) -> None:
        # Connects the receivers: a published edition becomes dispatches (``receivers``), and new dispatches are
        # sent (``tasks``). Celery imports ``tasks`` only in a worker: a web or command process needs it here too.
        from liaison.distribution import receivers, tasks  # noqa: F401
