from django.urls import path

from . import views

app_name = "comments"

urlpatterns = [
    path("runden/<slug:slug>/vorschlaege/<int:number>/kommentare/", views.post, name="post"),
    path("kommentare/<int:pk>/bearbeiten/", views.edit, name="edit"),
    path("kommentare/<int:pk>/loeschen/", views.delete, name="delete"),
    path("kommentare/<int:pk>/hervorheben/", views.highlight, name="highlight"),
]
