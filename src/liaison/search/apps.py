from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "liaison.search"
    verbose_name = _("Search")

    def ready(self) -> None:
        # Connects the receivers that keep the search index in step with what readers may read.
        from liaison.search import receivers  # noqa: F401
