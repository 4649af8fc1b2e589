"""The sender's pages, under ``/distribution/post/``: an issue's post dispatches (address list and labels, "mark
posted") and the progress of its distribution."""

from django.urls import path

from liaison.distribution import sending_views

app_name = "distribution_sending"

# Slugs go through ``str``: they may be in any script, which Django's ``slug`` converter refuses.
urlpatterns = [
    path("<str:periodical>/<int:number>/", sending_views.post_list, name="post"),
    path("<str:periodical>/<int:number>/mark/", sending_views.mark_posted, name="mark_posted"),
    path("<str:periodical>/<int:number>/progress/", sending_views.progress, name="progress"),
]
