# Development tasks. `make install` sets up .venv; the other targets install first when needed.
#
#   make install    create .venv and install suanli (editable) with its test dependencies
#   make demo       simulate the bundled example circuits
#   make test       lint, then the test suite without slow tests
#   make test-all   lint, then every test
#   make lint       ruff
#   make gates-docs regenerate docs/gates.md and the Circuit builder methods from the gate table
#   make clean      remove .venv and caches

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# The torch release to install when .venv has none. Keep this an exact version: an open range makes pip
# fetch a CUDA build of several GB.
TORCH  := torch==2.13.0

.DEFAULT_GOAL := help
.PHONY: help install demo test test-all lint gates-docs clean

help:
	@sed -n 's/^#   //p' Makefile

install: $(STAMP)

# Re-runs only when pyproject.toml is newer than the stamp (or the venv is missing).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c "import torch" 2>/dev/null || $(PY) -m pip install "$(TORCH)"
	$(PY) -m pip install -e '.[test]'
	@touch $(STAMP)

demo: install
	$(VENV)/bin/suanli demo

lint: install
	$(PY) -m ruff check .

# pytest exits 5 when it collects no tests; make treats any non-zero exit as a failure.
test: lint
	$(PY) -m pytest -n auto -m "not slow"

test-all: lint
	$(PY) -m pytest -n auto

gates-docs: install
	$(PY) -m suanli.gates.codegen

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name '*.egg-info' -type d -prune -exec rm -rf {} +
