from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("moderation/", views.queue, name="queue"),
    path("moderation/protokoll/", views.audit_log, name="audit_log"),
    path("moderation/vorschlag/<int:pk>/titel/", views.edit_title, name="edit_title"),
    path("moderation/vorschlag/<int:pk>/zusammenfuehren/", views.merge, name="merge"),
    path("moderation/<str:kind>/<int:pk>/<str:action>/", views.act, name="act"),
    path("moderation/zusammenfuehrung/<int:pk>/rueckgaengig/", views.undo_merge, name="undo_merge"),
    path("moderation/person/<int:pk>/sperren/", views.block, name="block"),
    path("melden/<str:kind>/<int:pk>/", views.report, name="report"),
]
