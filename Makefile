# Dari — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dari-installed
PYTEST_ARGS ?=

.PHONY: install run test lint typecheck unit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@echo "Installing Dari (the embedded LLM engine compiles once, ~13 min on 2 cores; cached after)"
	@# torch first, pinned: it is the CPU build on disk; the `train` extra's range then installs nothing more
	$(BIN)/python -m pip install -q "torch==2.13.0"
	$(BIN)/python -m pip install -q -e ".[dev,llm,train]"
	@touch $(STAMP)

install: $(STAMP)

## Start Dari with embedded defaults on http://127.0.0.1:8000 (DARI_HOST / DARI_PORT change it).
run: install
	$(BIN)/dari demo setup --no-wait
	$(BIN)/dari serve

## Lint, type-check and run the whole test suite.
test: install lint typecheck unit

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -n 2 --dist loadgroup -ra $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
