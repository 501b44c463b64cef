# make run  : set up everything (virtualenv, install, migrations, demo network) and serve
# make test : set up the same and run the whole suite
# make lint : ruff

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test workers (pytest-xdist): one per core; `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto

.PHONY: run test lint setup migrate demo messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency list changes: the second run is instant.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput

demo: migrate
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo

run: demo
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: setup
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Recompile the Japanese catalog after editing locale/*/LC_MESSAGES/django.po
# (needs GNU gettext; the compiled .mo files are committed so nobody else does).
messages: setup
	cd $(CURDIR) && $(BIN)/python manage.py makemessages -l ja -l en --no-obsolete \
	  --ignore=.venv --ignore=tests --settings=config.settings.test
	$(BIN)/python manage.py compilemessages --ignore=.venv --settings=config.settings.test

clean:
	rm -rf $(VENV) var .pytest_cache
