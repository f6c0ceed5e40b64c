#!/bin/sh
# Serves the demo with Django's development server and runs the background task worker beside it.
HOST=$1; PORT=$2
.venv/bin/python manage.py db_worker --no-reload >var/worker.log 2>&1 &
WORKER=$!
trap 'kill $WORKER 2>/dev/null' EXIT INT TERM
echo "allmende: http://$HOST:$PORT/  (task worker log: var/worker.log; stop with Ctrl-C)"
.venv/bin/python manage.py runserver "$HOST:$PORT"
