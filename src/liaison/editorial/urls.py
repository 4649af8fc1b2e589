from django.urls import path

from liaison.editorial import views

app_name = "editorial"

urlpatterns = [
    path("sections/<str:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("bulletins/<str:periodical>/<int:number>/<int:position>/", views.item, name="item"),
]
