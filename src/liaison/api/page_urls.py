"""Pages for managing one's API tokens (the API itself is in ``api.py``)."""

from django.urls import path

urlpatterns: list = []
