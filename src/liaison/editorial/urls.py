from django.urls import path

from liaison.editorial import views

app_name = "editorial"

# Slugs may be in any script (Cyrillic, CJK, Arabic), which Django's ``slug`` converter refuses: hence ``str``.
urlpatterns = [
    path("dashboard/", views.my_dashboard, name="my_dashboard"),
    path("sections/<str:slug>/dashboard/", views.dashboard, name="dashboard"),
    path("contributions/new/", views.contribution_new, name="contribution_new"),
    path("contributions/<int:pk>/", views.contribution_page, name="contribution"),
    path("contributions/<int:pk>/edit/", views.contribution_edit, name="contribution_edit"),
    path("contributions/<int:pk>/move/", views.contribution_move, name="contribution_move"),
    path("contributions/<int:pk>/diff/", views.contribution_diff, name="contribution_diff"),
    path("editorial/", views.desk, name="desk"),
    path("editorial/open-pages/", views.open_pages, name="open_pages"),
    path("bulletins/", views.bulletins, name="bulletins"),
    path("bulletins/<str:periodical>/", views.issues, name="issues"),
    path("bulletins/<str:periodical>/new/", views.issue_new, name="issue_new"),
    path("bulletins/<str:periodical>/<int:number>/", views.issue_page, name="issue"),
    path("bulletins/<str:periodical>/<int:number>/status/", views.issue_status, name="issue_status"),
    path("bulletins/<str:periodical>/<int:number>/call/", views.call_new, name="call_new"),
    path("bulletins/<str:periodical>/<int:number>/assembly/", views.assembly, name="assembly"),
    path("bulletins/<str:periodical>/<int:number>/assembly/assemble/", views.assemble, name="assemble"),
    path("bulletins/<str:periodical>/<int:number>/assembly/place/", views.place, name="place"),
    path("bulletins/<str:periodical>/<int:number>/assembly/items/<int:item>/move/", views.item_move, name="item_move"),
    path(
        "bulletins/<str:periodical>/<int:number>/assembly/items/<int:item>/remove/",
        views.item_remove,
        name="item_remove",
    ),
    path("bulletins/<str:periodical>/<int:number>/<int:position>/", views.item, name="item"),
]
