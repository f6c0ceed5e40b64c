#!/bin/sh
# Production web server: collect static files, apply migrations, then run granian (WSGI) in the
# foreground so systemd (deploy/allmende-web.service) or `make serve` supervises it.
# Configuration comes from the environment (docs/configuration.md); the task worker runs separately
# (`make worker`, deploy/allmende-worker.service).
#   HOST, PORT            address to listen on (127.0.0.1:8000; the reverse proxy forwards to it)
#   WEB_WORKERS           granian worker processes (2)
#   WEB_THREADS           threads per worker running Django (2: more contend for the GIL, see docs/scaling.md); each may hold one database connection
#   MIGRATE_ON_START      true: run `migrate` before starting; set false on all but one of several app servers
#   BALANCE_CONNECTIONS   true: deal new connections to the workers in turn (allmende/ops/balance.py; needs
#                         CAP_BPF, else the kernel's hash assigns them as without it)
#   GRANIAN_*             any other granian option, e.g. GRANIAN_BACKLOG
set -eu
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-allmende.settings}"

"$PY" manage.py check --deploy   # errors stop the start; warnings are printed
"$PY" manage.py collectstatic --noinput --verbosity 0
case "${MIGRATE_ON_START:-true}" in
    true|1|yes|on) "$PY" manage.py migrate --noinput ;;
esac

case "${BALANCE_CONNECTIONS:-true}" in
    # in the background of a subshell, so that it is not left to granian as a child: it waits for
    # the workers to listen, attaches and exits
    true|1|yes|on) ("$PY" -m allmende.ops.balance --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" \
        --workers "${WEB_WORKERS:-2}" &) ;;
esac

exec "$PY" -m granian --interface wsgi \
    --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" \
    --workers "${WEB_WORKERS:-2}" --blocking-threads "${WEB_THREADS:-2}" \
    --no-ws --no-access-log --respawn-failed-workers \
    --workers-kill-timeout 30 \
    allmende.wsgi:application
