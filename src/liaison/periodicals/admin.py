"""The Django admin for periodicals."""

from __future__ import annotations

from django.contrib import admin

from liaison.periodicals.models import Periodical


@admin.register(Periodical)
class PeriodicalAdmin(admin.ModelAdmin):
    list_display = ("name", "section", "language", "frequency")
    list_filter = ("frequency",)
    search_fields = ("name", "slug")
    autocomplete_fields = ("section",)
