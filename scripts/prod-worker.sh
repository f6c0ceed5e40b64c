#!/bin/sh
# Background task worker (django-tasks-db) as its own process: `make worker`, deploy/allmende-worker.service.
# Waits until the database is migrated (the web server's start migrates it), then runs db_worker in the
# foreground; on SIGTERM db_worker finishes the task at hand and exits.
set -eu
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-allmende.settings}"
waited=0
until "$PY" manage.py migrate --check --verbosity 0 >/dev/null 2>&1; do
    if [ "$waited" -ge "${WORKER_WAIT_FOR_MIGRATIONS:-300}" ]; then
        echo "worker: the database is still not migrated after ${waited}s; run manage.py migrate" >&2
        exit 1
    fi
    [ "$waited" -eq 0 ] && echo "worker: waiting for migrations ..." >&2
    sleep 2
    waited=$((waited + 2))
done
exec "$PY" manage.py db_worker --no-reload "$@"
