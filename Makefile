# Two commands: `make run` sets up, builds, validates and serves; `make test` sets up and runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test setup build lint clean bench

run: setup build
	$(BIN)/policygraph serve

# The whole suite on the embedded store, then the HTTP suite again on a remote store (`oxigraph serve`).
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest
	POLICYGRAPH_TEST_STORE=remote $(BIN)/pytest tests/web

setup: $(STAMP) node_modules/.installed

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	touch node_modules/.installed

build: setup
	$(BIN)/policygraph build

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/run.py

clean:
	rm -rf var .pytest_cache
