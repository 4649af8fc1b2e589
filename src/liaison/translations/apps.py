from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TranslationsConfig(AppConfig):
    name = "liaison.translations"
    verbose_name = _("Translations")

    def ready(self) -> None:
        # Connects the receivers that keep translations in step with their originals.
        from liaison.translations import receivers  # noqa: F401
