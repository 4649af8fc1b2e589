"""The feeds (Atom, OPDS) and the page of private feed addresses, all under ``/feeds/``."""

from django.urls import path

from liaison.publishing import feed_views

app_name = "feeds"

# Slugs and language codes go through ``str``: slugs may be in any script, which Django's ``slug`` converter refuses.
urlpatterns = [
    path("opds.xml", feed_views.opds, name="opds"),
    path("tokens/", feed_views.tokens, name="tokens"),
    path("tokens/new/", feed_views.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", feed_views.token_revoke, name="token_revoke"),
    path("private/<str:token>/<str:slug>/<str:language>.atom", feed_views.private_feed, name="private"),
    path("<str:slug>/<str:language>.atom", feed_views.public_feed, name="public"),
]
