"""The search index: one row per text a reader may find, an item's original or one of its approved translations.

The rows are derived data (``services.reindex_*`` write them, ``liaison reindex`` rebuilds them all) and hold the
text as plain words, with what the filters and the result list need beside it, so that a search reads one table.

The full-text structures differ by database (``backends``): on PostgreSQL the ``vector`` column, filled with the
text search configuration of each row's language and indexed with GIN; on SQLite two FTS5 tables over this one (the
words, and trigrams for Chinese, Japanese and Korean), kept in step by triggers. Both are created by migration 0001.
Any later migration that alters this table on SQLite rebuilds it, which drops its triggers: such a migration must
create them again (``backends.SQLITE_TRIGGERS``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.editorial.models import Kind as ContributionKind
from liaison.periodicals.models import Audience


class DocumentKind(models.TextChoices):
    ITEM = "item", _("original")
    TRANSLATION = "translation", _("translation")


class SearchDocument(models.Model):
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    item = models.ForeignKey("editorial.Item", on_delete=models.CASCADE, related_name="+")
    translation = models.ForeignKey(
        "translations.Translation", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=15)
    # The PostgreSQL text search configuration of ``language`` ("english", "russian", "simple"...).
    config = models.CharField(max_length=40)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))  # plain text, from the Markdown
    section = models.ForeignKey("federation.Section", on_delete=models.CASCADE, related_name="+")
    periodical = models.ForeignKey("periodicals.Periodical", on_delete=models.CASCADE, related_name="+")
    contribution_kind = models.CharField(_("kind"), max_length=20, choices=ContributionKind.choices)
    date = models.DateField(_("date"))
    audience = models.CharField(max_length=10, choices=Audience.choices)
    vector = SearchVectorField(null=True, editable=False)  # PostgreSQL only; NULL on SQLite
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("search document")
        verbose_name_plural = _("search documents")
        ordering = ["-date", "pk"]
        indexes = [
            models.Index(fields=["audience", "date"], name="search_doc_audience_date"),
            models.Index(fields=["language"], name="search_doc_language"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["item", "language"], name="search_document_one_per_language"),
            models.CheckConstraint(
                condition=models.Q(kind="item", translation__isnull=True)
                | models.Q(kind="translation", translation__isnull=False),
                name="search_document_kind_matches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"
