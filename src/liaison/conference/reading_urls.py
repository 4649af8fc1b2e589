"""URLs of the conference's reading pages."""

from django.urls import URLPattern, path

from liaison.conference import reading_views as views

urlpatterns: list[URLPattern] = [
    path("", views.conference_list, name="conference_list"),
    path("<int:pk>/", views.conference_detail, name="conference_detail"),
    path("<int:pk>/positions/", views.conference_matrix, name="conference_matrix"),
    path("<int:pk>/positions.csv", views.conference_matrix_csv, name="conference_matrix_csv"),
    path("<int:pk>/overdue/", views.conference_overdue, name="conference_overdue"),
    path("<int:pk>/calendar.ics", views.conference_calendar, name="conference_calendar"),
]
