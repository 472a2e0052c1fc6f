# helsegraf — the two commands a fresh machine needs are `make serve` and `make test`.
# Every target sets up its own virtual environment first; nothing is assumed installed
# beyond Python 3.11 and make.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
HOST   ?= 127.0.0.1
PORT   ?= 8000
LISTING ?= ../shared/seeds/helsedata-datakilder.txt

.PHONY: help install serve load test lint typecheck unit snapshot clean

help:
	@echo "make serve     set up, load the default graph, and show how to query it"
	@echo "make test      lint, type-check and run the whole test suite"
	@echo "make snapshot  regenerate data/snapshot/ from the helsedata.no listing ($(LISTING))"

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

load: $(STAMP)
	$(BIN)/helsegraf load

serve: load
	$(BIN)/helsegraf serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck unit

snapshot: $(STAMP)
	$(BIN)/helsegraf snapshot $(LISTING)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
