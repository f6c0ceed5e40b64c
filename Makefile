# allmende: the two commands a newcomer needs are `make run` and `make test` (see README.md).
SHELL := /bin/sh
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
export DJANGO_SETTINGS_MODULE := allmende.settings

.PHONY: run test lint test-unit test-postgres browser messages makemessages migrate demo clean serve worker audit

$(VENV)/bin/python:
	@PY312=$$(sh scripts/find-python.sh) && echo "Using $$PY312" && "$$PY312" -m venv $(VENV)
	@$(VENV)/bin/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

# Compiled German catalogue, built with polib so no gettext install is needed to run the demo.
locale/de/LC_MESSAGES/django.mo: locale/de/LC_MESSAGES/django.po $(wildcard locale_overrides/de/LC_MESSAGES/django.po) $(VENV)/.installed
	$(PY) scripts/compilemessages.py

messages: locale/de/LC_MESSAGES/django.mo

# Re-extract source strings into the German catalogue (needs GNU gettext's xgettext).
makemessages: $(VENV)/.installed
	$(MANAGE) makemessages --locale de --no-obsolete --add-location file --ignore '.venv/*' --ignore 'var/*' --ignore 'tests/*' --ignore 'benchmarks/*' --ignore 'allmende/outcomes/*'

var:
	@mkdir -p var/mail var/media

migrate: $(VENV)/.installed messages | var
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) demo

# The demo on SQLite: http://$(HOST):$(PORT)/ with the background task worker beside it.
run: demo
	@sh scripts/run-dev.sh "$(HOST)" "$(PORT)"

browser:
	@sh scripts/ensure-system-packages.sh

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The whole suite: lint, tests on SQLite, the same on PostgreSQL where DATABASE_URL points at it,
# browser tests in Debian's chromium with axe-core.
test: $(VENV)/.installed-dev messages browser lint audit | var
	sh scripts/test.sh

# Known vulnerabilities in the pinned dependencies (pip-audit; needs network access to PyPI).
audit: $(VENV)/.installed-dev | var
	sh scripts/prod-audit.sh

# Production: granian (WSGI) after collectstatic and migrate; configure through the environment
# (docs/deployment.md): DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL, WEB_WORKERS, HOST, PORT ...
serve: $(VENV)/.installed messages
	HOST="$(HOST)" PORT="$(PORT)" sh scripts/serve-prod.sh

# The background task worker (django-tasks-db), as its own process beside `make serve`.
worker: $(VENV)/.installed messages
	sh scripts/prod-worker.sh

clean:
	rm -rf $(VENV) var locale/de/LC_MESSAGES/django.mo
