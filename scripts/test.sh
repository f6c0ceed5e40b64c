#!/bin/sh
# Runs the suite on SQLite and, where DATABASE_URL points at PostgreSQL, again on PostgreSQL.
# The browser tests run once: on PostgreSQL when it is there, else on SQLite.
set -e
PYTEST=".venv/bin/python -m pytest"
export DJANGO_ALLOW_ASYNC_UNSAFE=true
case "${DATABASE_URL:-}" in
    postgres*)
        echo "== tests on SQLite (browser tests run on PostgreSQL below)"
        env -u DATABASE_URL $PYTEST -m "not e2e" "$@"
        echo "== tests on PostgreSQL ($DATABASE_URL), browser tests included (outcome rules need no database: once is enough)"
        $PYTEST --ignore=tests/outcomes "$@"
        ;;
    *)
        if [ "${CI:-}" = "true" ]; then
            echo "CI must run the suite on PostgreSQL too: set DATABASE_URL=postgres://..." >&2
            exit 1
        fi
        echo "== tests on SQLite, browser tests included (set DATABASE_URL=postgres://... to add PostgreSQL)"
        env -u DATABASE_URL $PYTEST "$@"
        ;;
esac
