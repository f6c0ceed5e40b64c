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
]
