from django.urls import path

from . import views

app_name = "accountability"

urlpatterns = [
    path("rueckblick/", views.retrospective_list, name="retrospective"),
    path("runden/<slug:slug>/vorschlaege/<int:number>/drucksachen/", views.link_paper, name="link_paper"),
    path("rueckblick/<slug:slug>/<int:number>/", views.retrospective_detail, name="retrospective_detail"),
    path("runden/<slug:slug>/auswahl/", views.selection, name="selection"),
    path("runden/<slug:slug>/uebergabe.csv", views.handover_csv, name="handover_csv"),
    path("runden/<slug:slug>/uebergabe.pdf", views.handover_pdf, name="handover_pdf"),
    path("verwaltung/<slug:slug>/stellungnahmen/", views.answers, name="answers"),
    path(
        "verwaltung/<slug:slug>/stellungnahmen/veroeffentlichen/",
        views.answers_publish,
        name="answers_publish",
    ),
    path("verwaltung/<slug:slug>/stellungnahmen/import/", views.answers_import, name="answers_import"),
    path("verwaltung/<slug:slug>/stellungnahmen/<int:number>/", views.answer_edit, name="answer_edit"),
    path("verwaltung/<slug:slug>/", views.staff_overview, name="staff"),
    path("verwaltung/<slug:slug>/einschaetzungen/", views.answer_states, name="answer_states"),
    path(
        "verwaltung/<slug:slug>/einschaetzungen/<int:pk>/", views.answer_state_edit, name="answer_state_edit"
    ),
    path(
        "verwaltung/<slug:slug>/einschaetzungen/<int:pk>/entfernen/",
        views.answer_state_delete,
        name="answer_state_delete",
    ),
    path("verwaltung/<slug:slug>/antraege/", views.motions, name="motions"),
    path("verwaltung/<slug:slug>/antraege/neu/", views.motion_edit, name="motion_add"),
    path("verwaltung/<slug:slug>/antraege/<int:pk>/", views.motion_edit, name="motion_edit"),
    path("verwaltung/<slug:slug>/antraege/<int:pk>/beschluss/", views.decision_edit, name="decision_edit"),
    path("verwaltung/<slug:slug>/umsetzung/", views.implementation, name="implementation"),
    path(
        "verwaltung/<slug:slug>/umsetzung/<int:number>/",
        views.proposal_implementation,
        name="proposal_implementation",
    ),
    path(
        "verwaltung/<slug:slug>/umsetzung/<int:number>/meilensteine/<int:pk>/",
        views.milestone_edit,
        name="milestone_edit",
    ),
    path(
        "verwaltung/<slug:slug>/umsetzung/<int:number>/meilensteine/<int:pk>/entfernen/",
        views.milestone_delete,
        name="milestone_delete",
    ),
    path(
        "verwaltung/<slug:slug>/umsetzung/<int:number>/rueckblick/",
        views.retrospective_edit,
        name="retrospective_edit",
    ),
    path("verwaltung/<slug:slug>/fraktionen/", views.factions, name="factions"),
    path("verwaltung/<slug:slug>/fraktionen/<int:pk>/", views.faction_edit, name="faction_edit"),
    path(
        "verwaltung/<slug:slug>/fraktionen/<int:pk>/entfernen/", views.faction_delete, name="faction_delete"
    ),
    path("verwaltung/<slug:slug>/drucksachen/", views.papers, name="papers"),
    path("verwaltung/<slug:slug>/drucksachen/neu/", views.paper_edit, name="paper_add"),
    path("verwaltung/<slug:slug>/drucksachen/<int:pk>/", views.paper_edit, name="paper_edit"),
    path("verwaltung/<slug:slug>/drucksachen/<int:pk>/entfernen/", views.paper_delete, name="paper_delete"),
    path("verwaltung/<slug:slug>/auswahl/", views.selection_staff, name="selection_staff"),
    path("verwaltung/<slug:slug>/auswahl/berechnen/", views.selection_freeze, name="selection_freeze"),
]
