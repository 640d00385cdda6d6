# Every target does its own set-up: a fresh machine needs only Python 3.11.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck install clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch first: unpinned, pip would pull a multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/aftercare db upgrade
	$(BIN)/aftercare demo seed
	$(BIN)/aftercare index
	AFTERCARE_STAFF_TERMINAL=true $(BIN)/aftercare chat

lint: $(STAMP)
	$(BIN)/ruff check bot adapters indexer tests benchmarks migrations

typecheck: $(STAMP)
	$(BIN)/mypy --strict bot adapters indexer

test: $(STAMP) lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var
