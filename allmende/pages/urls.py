from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
    path("sprache/", views.switch_language, name="language"),
    path("seite/<slug:slug>/", views.page, name="page"),
]
