# The two commands: `make install`, then `make run` (or `make test`).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: install run test lint

install: $(VENV)/.installed

# Reinstalls whenever a requirements file changes; every version in them is pinned.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -r requirements-dev.txt
	touch $@

# gunicorn on port 8000 over SQLite (var/service.db) and the committed default model.
run: install
	$(BIN)/alembic upgrade head
	PORT=$(PORT) $(BIN)/gunicorn -c gunicorn.conf.py

# The whole suite; warnings are errors. pytest's "no tests ran" (exit 5) fails too.
test: install
	$(BIN)/python -m pytest -W error --import-mode=importlib tests/

lint: install
	$(BIN)/hadolint Dockerfile
