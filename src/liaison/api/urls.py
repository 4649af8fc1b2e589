from django.urls import path

from liaison.api.api import api

urlpatterns = [path("", api.urls)]
