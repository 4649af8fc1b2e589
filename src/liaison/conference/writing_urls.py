"""URLs of the conference's writing pages: a section's positions and the position form (with its endorsements), and
the secretariat's preparation under ``<pk>/manage/``."""

from django.urls import URLPattern, path

from liaison.conference import writing_views as views

# Section slugs may be in any script (Cyrillic, CJK, Arabic), which Django's ``slug`` converter refuses: hence ``str``.
POSITION = "<int:pk>/sections/<str:slug>/questions/<int:number>/"

urlpatterns: list[URLPattern] = [
    path("new/", views.conference_new, name="conference_new"),
    path("<int:pk>/manage/", views.conference_manage, name="conference_manage"),
    path("<int:pk>/manage/milestones/new/", views.milestone_new, name="conference_milestone_new"),
    path("<int:pk>/manage/questions/new/", views.question_new, name="conference_question_new"),
    path("<int:pk>/manage/questions/<int:number>/", views.question_edit, name="conference_question_edit"),
    path("<int:pk>/manage/questions/<int:number>/move/", views.question_move, name="conference_question_move"),
    path("<int:pk>/manage/waves/new/", views.wave_new, name="conference_wave_new"),
    path("<int:pk>/manage/move-section/", views.section_move, name="conference_section_move"),
    path("<int:pk>/my-positions/", views.my_positions, name="conference_my_positions"),
    path("<int:pk>/sections/<str:slug>/", views.section_positions, name="conference_section"),
    path(POSITION, views.position_page, name="conference_position"),
    path(f"{POSITION}endorse/", views.endorse, name="conference_endorse"),
    path(
        f"{POSITION}endorsements/<int:endorsement>/withdraw/",
        views.withdraw_endorsement,
        name="conference_endorsement_withdraw",
    ),
]
