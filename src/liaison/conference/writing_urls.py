"""URLs of the conference's writing pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
