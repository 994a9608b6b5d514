# Dari — two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dari-installed
PYTEST_ARGS ?=
# The embedded LLM engine (llama-cpp-python) is compiled once into a wheel kept outside the
# checkout, for CPUs in general rather than this one: a build tuned to the build machine
# (-march=native) uses AMX tile instructions that virtual machines often refuse (SIGILL at
# the first answer). Override LLAMA_CMAKE_ARGS for a GPU build (e.g. -DGGML_CUDA=on).
LLAMA_VERSION := $(shell sed -n 's/.*"llama-cpp-python\[server\]==\([0-9.]*\)".*/\1/p' pyproject.toml)
LLAMA_WHEELS ?= $(HOME)/.cache/dari/wheels
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: install run test lint typecheck unit clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	@echo "Installing Dari (the embedded LLM engine compiles once, ~13 min on 2 cores; cached after)"
	@# torch first, pinned: it is the CPU build on disk; the `train` extra's range then installs nothing more
	$(BIN)/python -m pip install -q "torch==2.13.0"
	@ls $(LLAMA_WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl >/dev/null 2>&1 || \
	  CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip wheel -q --no-cache-dir --no-deps \
	    "llama-cpp-python==$(LLAMA_VERSION)" -w $(LLAMA_WHEELS)
	$(BIN)/python -m pip install -q --find-links $(LLAMA_WHEELS) -e ".[dev,llm,train]"
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
