"""The exchange pages, under ``/exchange/``."""

from django.urls import path

from liaison.exchange import views

app_name = "exchange"

urlpatterns = [
    path("", views.index, name="index"),
    path("sections/<str:slug>/", views.section, name="section"),
    path("sections/<str:slug>/paper/new/", views.paper_new, name="paper_new"),
    path("papers/<str:slug>/", views.paper, name="paper"),
    path("papers/<str:slug>/issues/new/", views.issue_new, name="issue_new"),
    path("papers/<str:slug>/issues/<int:number>/pdf/", views.issue_pdf, name="issue_pdf"),
    path("papers/<str:slug>/issues/<int:number>/pdf/upload/", views.issue_pdf_upload, name="issue_pdf_upload"),
    path("papers/<str:slug>/issues/<int:number>/arrived/", views.arrival, name="arrival"),
    path("papers/<str:slug>/claims/", views.claim, name="claim"),
    path("papers/<str:slug>/partners/", views.partners, name="partners"),
    path("papers/<str:slug>/partners/<int:pk>/frequency/", views.partner_frequency, name="partner_frequency"),
    path("papers/<str:slug>/partners/<int:pk>/end/", views.partner_end, name="partner_end"),
    path("claims/<int:pk>/answer/", views.claim_answer, name="claim_answer"),
    path("claims/<int:pk>/refuse/", views.claim_refuse, name="claim_refuse"),
]
