from django.urls import path

from liaison.federation import views
from liaison.periodicals import views as periodicals

app_name = "federation"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("regions/add/", views.region_add, name="region_add"),
    path("sections/add/", views.section_add, name="section_add"),
    # Slugs may be in any script (Cyrillic, CJK, Arabic), which Django's ``slug`` converter refuses.
    path("sections/<str:slug>/", views.section_page, name="section"),
    path("sections/<str:slug>/edit/", views.section_edit, name="section_edit"),
    path("sections/<str:slug>/lineage/add/", views.event_add, name="event_add"),
    path("sections/<str:slug>/periodicals/add/", periodicals.add_to_section, name="section_periodical_add"),
    path("periodicals/add/", periodicals.add, name="periodical_add"),
    path("editorial-role/", views.delegations, name="delegations"),
    path("people/", views.people, name="people"),
    path("people/add/", views.person_add, name="person_add"),
    path("people/<int:pk>/", views.person_page, name="person"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/roles/add/", views.role_add, name="role_add"),
    path("people/<int:pk>/roles/<int:role_pk>/end/", views.role_end, name="role_end"),
    path("people/<int:pk>/invite/", views.invite, name="invite"),
]
