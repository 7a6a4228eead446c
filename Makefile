# Two entry points, as the README says: `make serve` and `make test`.
# Both create the virtual environment in .venv and install the project into it first.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000

.PHONY: serve test lint bench browser extension

$(BIN)/parallax: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Set up and run the service on its embedded default (SQLite, starter data loaded).
serve: $(BIN)/parallax
	$(BIN)/parallax serve --port $(PORT)

# Build the browser extension: dist/chrome/, dist/firefox/ and a zip of each (README:
# "Install the extension"). Needs Node.js only; no dependencies are installed.
extension:
	node extension/build.mjs

# Debian's Chromium for the end-to-end tests (Playwright drives it; its own browser
# downloads are not used). Installed when missing and we are root; otherwise they skip.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is not installed: the end-to-end tests will be skipped"; fi; }

# The extension's test dependency (linkedom, a DOM for the extraction tests), exactly as
# package-lock.json pins it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# Set up and run every test: the extension's modules with node's test runner, lint and
# types, then the server and end-to-end suites with pytest (on PostgreSQL too when
# PARALLAX_TEST_DATABASE_URL names one).
test: $(BIN)/parallax browser node_modules/.package-lock.json
	node --test extension/test/
	$(BIN)/ruff check server tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint: $(BIN)/parallax
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench
	$(BIN)/mypy

bench: $(BIN)/parallax
	$(BIN)/python bench/lookup.py
	$(BIN)/python bench/matching.py --sizes 100000
	$(BIN)/python bench/matching_quality.py
