from django.urls import path

from liaison.translations import views

app_name = "translations"

urlpatterns = [
    path("translations/", views.desk, name="desk"),
    path("translations/glossary/", views.glossary_page, name="glossary"),
    path("translations/glossary/terms/<int:pk>/", views.term_edit, name="term_edit"),
    path("translations/glossary/terms/<int:pk>/remove/", views.term_remove, name="term_remove"),
    path("translations/<int:pk>/", views.translation_page, name="translation"),
    path("translations/<int:pk>/move/", views.move, name="move"),
    path("translations/<int:pk>/check/", views.check, name="check"),
    path("translations/<int:pk>/machine/", views.machine, name="machine"),
    path("translations/<int:pk>/claim/", views.claim, name="claim"),
    path("translations/<int:pk>/release/", views.release, name="release"),
    path("translations/<int:pk>/assign/", views.assign, name="assign"),
]
