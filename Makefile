# The two first commands: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
DEMO := .demo

.PHONY: demo test lint bench clean golden

$(BIN)/termline: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/termline
	$(BIN)/termline demo --dir $(DEMO) --port $(PORT)

lint: $(BIN)/termline
	$(BIN)/ruff check src tests build.py
	$(BIN)/ruff format --check src tests build.py
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

bench: $(BIN)/termline
	$(BIN)/python -m termline.bench

golden: $(BIN)/termline
	TERMLINE_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py tests/test_pages_golden.py

clean:
	rm -rf $(VENV) site $(DEMO) .termline-cache .pytest_cache .mypy_cache .ruff_cache
