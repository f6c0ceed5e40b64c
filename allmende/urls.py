from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from allmende.ops.views import healthz

urlpatterns = [
    path("", include("allmende.pages.urls")),
    path("konto/", include("allmende.accounts.urls")),
    path("konto/", include("allauth.urls")),
    path("runden/", include("allmende.proposals.urls")),
    path("runden/", include("allmende.rounds.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
