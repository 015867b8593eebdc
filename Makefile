# The two commands of the README: `make run` and `make test`. Each sets itself up.
VENV ?= .venv
PY := $(VENV)/bin/python
QUICKSTART := PORTAL_QUICKSTART=1
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: run test lint format messages setup system-packages bench upgrade

# Exactly the locked set: every package pinned and hashed, nothing resolved at install time;
# pip-sync then removes what an older lock had installed.
$(VENV)/.installed: requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --require-hashes --no-deps -r requirements-dev.txt
	$(VENV)/bin/pip-sync -q requirements-dev.txt
	touch $@

# Re-resolves the dependencies of pyproject.toml to their newest allowed versions, on purpose:
# the development lock first, then the runtime lock as its subset (same versions).
LOCK_FLAGS := -q --strip-extras --generate-hashes --allow-unsafe --no-emit-find-links --no-emit-index-url
upgrade: $(VENV)/.installed
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) --upgrade --extra dev -o requirements-dev.txt pyproject.toml
	cp requirements-dev.txt requirements.txt
	$(VENV)/bin/pip-compile $(LOCK_FLAGS) -o requirements.txt pyproject.toml

system-packages:
	@scripts/system-packages.sh

setup: system-packages $(VENV)/.installed
	@$(QUICKSTART) $(PY) manage.py compilemessages --ignore=.venv -v 0

# PORT reaches the settings too: the links in emails and SMS point at the port served.
run: setup
	$(QUICKSTART) PORT=$(PORT) $(PY) manage.py migrate --noinput -v 0
	$(QUICKSTART) PORT=$(PORT) $(PY) manage.py seed_demo
	$(QUICKSTART) PORT=$(PORT) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: setup
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(QUICKSTART) $(VENV)/bin/mypy

format: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Refreshes the fr, en and pl catalogues from the code and templates (then translate, commit).
messages: setup
	$(QUICKSTART) $(PY) manage.py makemessages -l fr -l en -l pl --ignore=.venv --ignore=var --no-obsolete

# Builds a large data set in its own database (var/bench/ or BENCH_DATABASE_URL), serves the portal
# with gunicorn and loads its main pages; prints figures and writes bench/results.json.
bench: setup
	$(PY) bench/run.py
