"""Publishing's addresses: the editions panel and its actions under the issue, the published files under
``/editions/`` in the published site's layout (``renderers.web``)."""

from django.urls import path, re_path

from liaison.publishing import views

app_name = "publishing"

# Slugs and language codes go through ``str``: slugs may be in any script, which Django's ``slug`` converter refuses.
urlpatterns = [
    path("bulletins/<str:periodical>/<int:number>/editions/", views.panel, name="panel"),
    path("bulletins/<str:periodical>/<int:number>/editions/publish/", views.publish, name="publish"),
    path("bulletins/<str:periodical>/<int:number>/editions/jobs/<int:job>/", views.job_status, name="job"),
    path("bulletins/<str:periodical>/<int:number>/editions/jobs/<int:job>/retry/", views.retry, name="retry"),
    path("bulletins/<str:periodical>/<int:number>/editions/<str:language>/", views.versions, name="versions"),
    # An archived version sits beside the current one (``fr-v1`` beside ``fr``): its relative links keep working.
    re_path(
        r"^editions/(?P<periodical>[^/]+)/(?P<number>[0-9]+)/(?P<language>[^/]+)-v(?P<version>[0-9]+)/(?P<name>.*)$",
        views.serve_archived,
        name="archived_file",
    ),
    path(
        "editions/<str:periodical>/<int:number>/<str:language>/v<int:version>/<path:name>",
        views.archived_redirect,
        name="archived_redirect",
    ),
    path("editions/<str:periodical>/<int:number>/<str:language>/", views.serve_file, name="edition"),
    path("editions/<str:periodical>/<int:number>/<str:language>/<path:name>", views.serve_file, name="file"),
]
