from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_settings, name="settings"),
    path("folgen/<slug:slug>/<int:number>/", views.follow_toggle, name="follow"),
    # The token is masked in the request log (allmende.ops.middleware.SECRET_URL_KWARGS).
    path("abbestellen/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
