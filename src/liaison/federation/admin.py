"""The Django admin for the registry: a superuser's tool for repairs, not the secretariat's daily pages.

A person's protected identity is shown (decrypted) to superusers only; any other staff account sees the pseudonym
and the roles, never the identity, in forms and lists alike.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from liaison.federation.models import (
    EditorialDelegation,
    Federation,
    Person,
    Region,
    Role,
    Section,
    SectionEvent,
)
from liaison.federation.services import IDENTITY_FIELDS


@admin.register(Federation)
class FederationAdmin(admin.ModelAdmin):
    list_display = ("name", "founded")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "order")
    search_fields = ("name",)


class SectionEventInline(admin.TabularInline):
    model = SectionEvent
    fk_name = "section"
    extra = 0
    fields = ("kind", "date", "other_section", "old_name", "new_name", "note")
    autocomplete_fields = ("other_section",)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("name", "country", "region", "status")
    list_filter = ("status", "region")
    search_fields = ("name", "slug")
    inlines = [SectionEventInline]


@admin.register(SectionEvent)
class SectionEventAdmin(admin.ModelAdmin):
    list_display = ("section", "kind", "date", "other_section")
    list_filter = ("kind",)
    autocomplete_fields = ("section", "other_section")
    readonly_fields = ("recorded_by", "recorded_at")


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0
    autocomplete_fields = ("section",)


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    # Only the pseudonym is listed and searched: the protected fields are ciphertext in the database.
    list_display = ("pseudonym", "user")
    search_fields = ("pseudonym",)
    raw_id_fields = ("user",)
    inlines = [RoleInline]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        fields: list[Any] = ["pseudonym", "user"]
        if request.user.is_superuser:
            fields += list(IDENTITY_FIELDS)
        return fields

    def get_queryset(self, request: HttpRequest) -> Any:
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.only("id", "pseudonym", "user")
        return queryset


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("person", "kind", "section", "since", "until")
    list_filter = ("kind",)
    autocomplete_fields = ("person", "section")


@admin.register(EditorialDelegation)
class EditorialDelegationAdmin(admin.ModelAdmin):
    list_display = ("holder_name", "start", "end")
    autocomplete_fields = ("section",)
    readonly_fields = ("recorded_by",)
