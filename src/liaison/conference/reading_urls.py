"""URLs of the conference's reading pages."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
