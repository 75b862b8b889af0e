# The README's two commands are `make run` and `make test`; both set up what is missing first.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run up down test test-faults unit integration lint format proto bench-cluster bench-ingest bench-compose bench-api clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## run: the whole system on the sample corpus (broker, Redis, four services) until Ctrl-C
run: setup
	$(BIN)/newsbrief up

up: setup
	$(BIN)/newsbrief up --detach

down:
	$(BIN)/newsbrief down

## test: lint, then every test (unit and integration on a real broker and Redis) but the
## fault-injection tests, which run with `make test-faults`
test: setup lint
	$(BIN)/pytest -q -m "not faults"

test-faults: setup
	$(BIN)/pytest -q -m faults -rxX

unit: setup
	$(BIN)/pytest -q tests/unit

integration: setup
	$(BIN)/pytest -q tests/integration

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## proto: regenerate the committed Python from proto/ (a test fails when they drift)
proto: setup
	$(BIN)/python -m grpc_tools.protoc -I proto --python_out=. --pyi_out=. proto/newsbrief/v1/*.proto

bench-cluster: setup
	$(BIN)/newsbrief bench cluster ../shared/bench/ecbplus/dev.jsonl --out /tmp/newsbrief-pred.tsv --gold cluster

bench-ingest: setup
	$(BIN)/newsbrief bench ingest

bench-compose: setup
	$(BIN)/newsbrief bench compose

bench-api: setup
	$(BIN)/newsbrief bench api

clean: down
	rm -rf .run
