from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("username/", views.change_username, name="username"),
    path("data/", views.export_data, name="export"),
    path("delete/", views.delete_account, name="delete"),
]
