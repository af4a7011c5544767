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

# This repository's own archive: its site built into site/ (the build cache makes a second run
# quick) and served. `termline demo` still makes the fictional archive of the tests.
demo: $(BIN)/termline
	$(BIN)/termline build --repo . --archive archive --out site
	$(BIN)/termline serve --dir site --port $(PORT)

lint: $(BIN)/termline
	$(BIN)/ruff check src tests build.py
	$(BIN)/ruff format --check src tests build.py
	$(BIN)/mypy
	$(BIN)/actionlint
	$(BIN)/zizmor --offline --quiet .github/workflows .github/dependabot.yml

test: lint
	$(BIN)/python -m pytest

GENAI_BUNDLE := ../shared/data/ota-genai-eu-versions.bundle
# A clone of Open Terms Archive's contrib-versions (docs/performance.md says how to get one).
BENCH_CONTRIB ?= .bench/contrib-versions
# BENCH_ARGS=--no-synthetic leaves out the synthetic row.
BENCH_ARGS ?=

# The synthetic 900x40,000 archive, the genai-eu bundle's history when ../shared/data has it, and
# contrib-versions when a clone of it is at $(BENCH_CONTRIB).
bench: $(BIN)/termline
	if [ -f $(GENAI_BUNDLE) ] && [ ! -d .bench/genai-eu ]; then \
		git clone -q -b main $(GENAI_BUNDLE) .bench/genai-eu; fi
	# Each build imports termline from compiled bytecode, as an installed termline does (with
	# PYTHONDONTWRITEBYTECODE set, every build would compile its modules again: ~0.1 s).
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m termline.bench $(BENCH_ARGS) \
		$$([ -d .bench/genai-eu ] && echo --archive-repo .bench/genai-eu) \
		$$([ -d $(BENCH_CONTRIB)/.git ] && echo --archive-repo $(BENCH_CONTRIB))

golden: $(BIN)/termline
	TERMLINE_UPDATE_GOLDEN=1 $(BIN)/python -m pytest tests/test_golden.py tests/test_pages_golden.py

clean:
	rm -rf $(VENV) site $(DEMO) .termline-cache .pytest_cache .mypy_cache .ruff_cache
