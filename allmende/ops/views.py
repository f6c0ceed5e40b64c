"""/healthz: is this app server able to serve? For load balancers and monitoring.

Reports the database (a trivial query), the cache (set, get and delete a key) and the task queue
(ready tasks and how long the oldest has waited; a growing age means no worker is running). 200 when
every part answers, 503 otherwise, with the part that failed. Never cached; no personal data: only
counts, timings and the class name of an error (its message may name hosts or users and goes to the
log instead).
"""

import logging
import time
import uuid

from django.core.cache import cache, caches
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("allmende.ops.healthz")


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone()[0] != 1:
            raise RuntimeError("SELECT 1 did not return 1")
    return {}


def check_cache() -> dict:
    key = f"allmende:healthz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)
    return {"backend": caches["default"].__class__.__name__}


def check_tasks() -> dict:
    from django.db.models import Min
    from django_tasks_db.models import DBTaskResult

    ready = DBTaskResult.objects.ready()
    summary = ready.aggregate(oldest=Min("enqueued_at"))
    oldest = summary["oldest"]
    return {
        "ready": ready.count(),
        "running": DBTaskResult.objects.running().count(),
        "oldest_ready_age_s": round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0,
    }


CHECKS = {"database": check_database, "cache": check_cache, "tasks": check_tasks}


def run_check(name: str, check) -> dict:
    started = time.perf_counter()
    try:
        details = check()
    except Exception as error:
        logger.exception("healthz: %s check failed", name)
        return {"status": "fail", "error": error.__class__.__name__}
    return {"status": "ok", "ms": round((time.perf_counter() - started) * 1000, 1), **details}


@never_cache
@require_safe
def healthz(request):
    results = {name: run_check(name, check) for name, check in CHECKS.items()}
    healthy = all(result["status"] == "ok" for result in results.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": results},
        status=200 if healthy else 503,
    )


def hello(request):
    """A bare view for the benchmarks' baseline (benchmarks/forum): the whole middleware stack, no
    database, no template. Routed only when BENCHMARK_HELLO=true (allmende/urls.py)."""
    return HttpResponse(b"hello", content_type="text/plain")
