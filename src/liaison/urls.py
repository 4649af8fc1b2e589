"""Liaison's URLs: one include per app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("liaison.federation.urls")),
    path("", include("liaison.editorial.urls")),
    path("", include("liaison.translations.urls")),
    path("", include("liaison.publishing.urls")),
    path("conferences/", include("liaison.conference.urls")),
    path("feeds/", include("liaison.publishing.feed_urls")),
    path("search/", include("liaison.search.urls")),
    path("distribution/post/", include("liaison.distribution.sending_urls")),
    path("distribution/", include("liaison.distribution.urls")),
    path("exchange/", include("liaison.exchange.urls")),
    path("accounts/", include("liaison.accounts.urls")),
    path("api/v1/", include("liaison.api.urls")),
    path("tokens/", include("liaison.api.page_urls")),
    path("i18n/", include("liaison.accounts.i18n_urls")),
    path("admin/", admin.site.urls),
]
