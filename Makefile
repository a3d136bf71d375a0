# One command for everything a change must pass before it lands: `make check`.
# Set-up once: python3 -m venv .venv && .venv/bin/pip install -e ".[test,dev]"

VENV ?= .venv
BIN := $(VENV)/bin
PATHS := smarter_tui tests benchmarks

.PHONY: check lint format-check typecheck imports test format

check: lint format-check typecheck imports test

lint:
	$(BIN)/ruff check $(PATHS)

format-check:
	$(BIN)/ruff format --check $(PATHS)

typecheck:  # configuration: [tool.mypy] in pyproject.toml
	$(BIN)/mypy

imports:  # the layer contracts: [tool.importlinter] in pyproject.toml
	$(BIN)/lint-imports

test:
	$(BIN)/python -m pytest -q -n auto

format:  # rewrite files in place (not part of check)
	$(BIN)/ruff format $(PATHS)
	$(BIN)/ruff check --fix $(PATHS)
