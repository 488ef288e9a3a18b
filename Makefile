# Two commands on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install bench clean model

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/siyu demo

test: $(STAMP)
	scripts/ensure-test-services
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check bot handlers tests bench

bench: $(STAMP)
	$(BIN)/python bench/webhook.py
	$(BIN)/python bench/tagging.py
	$(BIN)/python bench/scheduler.py --quick

# The shipped learned check (rules/tags.model.json, docs/tagging.md): its recipe rules/tags.model.toml names
# every data file, never a glob, so no held-out set is read by accident, and what each is labelled for.
# Needs the train extra: pip install -e '.[train]'.
model: $(STAMP)
	$(BIN)/siyu tag train --manifest rules/tags.model.toml --out rules/tags.model.json

clean:
	rm -rf $(VENV) var .pytest_cache
