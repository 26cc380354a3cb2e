# One command to run the app, one to run every test. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
ASSETS := build/root/assets

.PHONY: run test setup lint bench fuzz clean chromium poppler pgclient redis

run: setup  ## set up, load the reference data and serve at http://127.0.0.1:8000, with a job worker and beat
	DEBUG=1 $(BIN)/apa init
	DEBUG=1 $(BIN)/apa demo
	DEBUG=1 $(BIN)/apa worker --concurrency 2 & worker=$$!; DEBUG=1 $(BIN)/apa beat & beat=$$!; \
	    trap 'kill $$worker $$beat 2>/dev/null' EXIT INT TERM; DEBUG=1 $(BIN)/apa serve 127.0.0.1:8000

test: setup lint  ## set up and run every test: lint, unit, integration (on two worker processes), browser
	$(BIN)/pytest -n 2 --dist loadfile -m "not browser"
	$(BIN)/pytest -n 2 --dist loadfile -m browser

setup: $(VENV)/.installed $(ASSETS)/.installed chromium poppler pgclient redis

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

$(ASSETS)/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(ASSETS) && mkdir -p $(ASSETS) build/static
	cp -r node_modules/govuk-frontend/dist/govuk/assets/. $(ASSETS)/
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.css node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js $(ASSETS)/
	touch $@

# Browser tests drive Debian's chromium; never a downloaded browser.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

# Letter PDFs are read back in tests with poppler's pdftotext.
poppler:
	@command -v pdftotext >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null)

# `apa backup` and `apa restore` on PostgreSQL use pg_dump and pg_restore.
pgclient:
	@command -v pg_dump >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null)

# Background jobs (Celery) need Redis: Debian's redis-server, installed and started when none answers on 6379.
redis:
	@$(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null || { \
	    command -v redis-server >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null); \
	    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >/dev/null; \
	    for i in $$(seq 1 50); do $(PYTHON) -c "import socket; socket.create_connection(('127.0.0.1', 6379), 1)" 2>/dev/null && break; sleep 0.2; done; }

lint: setup
	$(BIN)/ruff check apa tests bench scripts
	$(BIN)/lint-imports --no-cache

fuzz: setup  ## the cycle's invariants over 1,000 random sequences; schemathesis against a live server
	APA_FUZZ=1 $(BIN)/pytest tests/assessments/test_invariants.py -p no:cacheprovider
	$(BIN)/python scripts/api_fuzz_live.py

bench: setup  ## timings with a baseline in the same run (see bench/README.md)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build node_modules
