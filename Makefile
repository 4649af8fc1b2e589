# Liaison's two commands: `make run` (a demo federation at http://127.0.0.1:8000) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Test workers: pytest-xdist spreads the suite over the machine's cores.
WORKERS ?= auto

.PHONY: run test lint install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed
	$(BIN)/liaison compile-locales --verbosity 0

run: install
	$(BIN)/liaison migrate --noinput
	$(BIN)/liaison demo --publish
	@echo
	@echo "Serving Liaison at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(BIN)/liaison runserver --noreload $(HOST):$(PORT)

test: install
	$(BIN)/pytest -n $(WORKERS) --dist loadgroup

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
