"""Distribution's pages, under ``/distribution/``."""

from django.urls import path

from liaison.distribution import views

app_name = "distribution"

# Signed tokens hold ":" and URL-safe base64, never "/": the ``str`` converter takes them whole.
urlpatterns = [
    path("subscribe/<str:slug>/", views.subscribe, name="subscribe"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe/<str:token>/one-click/", views.one_click, name="one_click"),
    path("receipt/<str:token>/", views.receipt, name="receipt"),
    path("mine/", views.mine, name="mine"),
    path("subscriptions/<int:pk>/end/", views.end, name="end"),
    path("subscriptions/<int:pk>/resume/", views.resume, name="resume"),
    path("subscribers/", views.subscribers, name="subscribers"),
    path("subscribers/new/", views.subscriber_new, name="subscriber_new"),
    path("subscribers/<int:pk>/", views.subscriber_page, name="subscriber"),
    path("subscribers/<int:pk>/edit/", views.subscriber_edit, name="subscriber_edit"),
    path("subscribers/<int:pk>/subscriptions/", views.subscription_add, name="subscription_add"),
    path("subscribers/<int:pk>/gaps/", views.gaps_page, name="gaps"),
    path("subscribers/<int:pk>/claims/", views.claim, name="claim"),
    path("subscribers/<int:pk>/receipts/", views.receipt_by_hand, name="receipt_by_hand"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/answer/", views.answer, name="answer"),
    path("claims/<int:pk>/refuse/", views.refuse, name="refuse"),
]
