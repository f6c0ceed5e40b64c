import os

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from allmende.ops.views import healthz, hello

urlpatterns = [
    path("", include("allmende.pages.urls")),
    path("konto/", include("allmende.accounts.urls")),
    path("konto/benachrichtigungen/", include("allmende.notifications.urls")),
    path("konto/", include("allauth.urls")),
    path("runden/", include("allmende.proposals.urls")),
    path("", include("allmende.comments.urls")),
    path("", include("allmende.moderation.urls")),
    path("", include("allmende.accountability.urls")),
    path("runden/", include("allmende.rounds.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# The benchmarks' baseline (benchmarks/forum): a bare view on the same server, off unless asked for.
# The setting BENCHMARK_HELLO, if defined, wins over the environment variable of the same name.
_hello_env = os.environ.get("BENCHMARK_HELLO", "").lower() in {"1", "true", "yes", "on"}
if getattr(settings, "BENCHMARK_HELLO", _hello_env):
    urlpatterns.append(path("bench/hello", hello, name="bench-hello"))
