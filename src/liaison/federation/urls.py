from django.urls import path

from liaison.federation import views

app_name = "federation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("people/", views.people, name="people"),
    path("editorial-role/", views.delegations, name="delegations"),
]
