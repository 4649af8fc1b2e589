from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeriodicalsConfig(AppConfig):
    name = "liaison.periodicals"
    verbose_name = _("Periodicals")
