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

CONSOLE_PORT ?= 8080
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM := /usr/bin/chromium

# The staff console runs beside the chat (`aftercare serve`) and stops with it.
demo: $(STAMP)
	$(BIN)/aftercare db upgrade
	$(BIN)/aftercare demo seed
	$(BIN)/aftercare index
	@mkdir -p var
	@AFTERCARE_STAFF_CONSOLE=true $(BIN)/aftercare serve --port $(CONSOLE_PORT) > var/console.log 2>&1 & echo $$! > var/console.pid
	@echo "Staff console: http://127.0.0.1:$(CONSOLE_PORT)/console  (sign in as dana@aftercare.demo / aftercare-demo; log in var/console.log)"
	@AFTERCARE_STAFF_TERMINAL=true $(BIN)/aftercare chat; status=$$?; kill `cat var/console.pid` 2>/dev/null; rm -f var/console.pid; exit $$status

# Debian's Chromium, which the console's browser tests drive through Playwright (and a CJK
# font, so the Chinese pages' screenshots show their words).
$(CHROMIUM):
	$(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei || { $(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends chromium fonts-wqy-zenhei; }

lint: $(STAMP)
	$(BIN)/ruff check bot adapters indexer tests benchmarks migrations

typecheck: $(STAMP)
	$(BIN)/mypy --strict bot adapters indexer

test: $(STAMP) $(CHROMIUM) lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) var test-output
