"""Pages for managing one's API tokens (the API itself is in ``api.py``)."""

from django.urls import path

from liaison.api import pages

app_name = "tokens"

urlpatterns = [
    path("", pages.token_list, name="list"),
    path("<int:token_id>/revoke/", pages.revoke, name="revoke"),
]
