# Two commands set a fresh machine up and run the project:
#   make demo   - create .venv, install everything pinned, fit the bundled demo corpus, write figures/report.html
#   make test   - create .venv (if needed), install everything pinned, run the test suite
# Both are idempotent: a second run reuses .venv and the embedding cache (.cache/).
# The package's own default cache is the user cache folder (~/.cache/therapy-topics/embeddings on Linux); in a
# checkout, make points TOPICS_CACHE_DIR at .cache/embeddings (and TOPICS_MODEL_DIR, where the int8 model is built
# once per machine, at .cache/models) so that make demo and make test share one cache that make clean-cache
# empties (the test suite sets the same folders itself).
# make setup also creates .venv-taguette, a second venv holding Taguette (requirements-taguette.lock), which
# the test suite runs as a real qualitative-coding program; Taguette's pins conflict with the main .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TAGUETTE_VENV  := .venv-taguette
TAGUETTE_STAMP := $(TAGUETTE_VENV)/.installed
export TOPICS_CACHE_DIR ?= $(CURDIR)/.cache/embeddings
export TOPICS_MODEL_DIR ?= $(CURDIR)/.cache/models

.PHONY: setup browser demo test lint docs docs-executed clean-cache

setup: $(STAMP) $(TAGUETTE_STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip uninstall --quiet --yes topics 2>/dev/null || true  # the distribution's old name
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

# Taguette in a venv of its own (it pins bleach 5.0.1; the main .venv has 6.4.0). The .gitignore written
# inside keeps the venv out of git status and out of ruff.
$(TAGUETTE_STAMP): requirements-taguette.lock
	test -x $(TAGUETTE_VENV)/bin/python || $(PYTHON) -m venv $(TAGUETTE_VENV)
	echo '*' > $(TAGUETTE_VENV)/.gitignore
	$(TAGUETTE_VENV)/bin/python -m pip install --quiet --upgrade "pip>=24"
	$(TAGUETTE_VENV)/bin/python -m pip install --quiet -r requirements-taguette.lock
	touch $(TAGUETTE_STAMP)

# Static PNG/SVG export (kaleido) needs a Chrome-family browser; Debian's chromium is installed when
# missing and we are root. Without it the report is still written, without static figures. strace lets the
# tests prove that the browser reaches no host while it draws (the test is skipped without it).
browser:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing="chromium"; \
	command -v strace >/dev/null 2>&1 || missing="$$missing strace"; \
	if [ -n "$$missing" ]; then \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null ; } || \
	  echo "warning: could not install$$missing; static figures (chromium) or the network test (strace) are skipped"; \
	fi

demo: setup browser
	$(BIN)/topics demo

test: setup browser
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

# The documentation site (docs/), warnings as errors, into docs/_build/html (opens offline). The notebooks are
# shown as stored; docs-executed runs them too (minutes the first time, cached in docs/_build/.jupyter_cache).
# tests/test_docs.py runs the same build in make test.
docs: setup
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

docs-executed: setup
	TOPICS_DOCS_EXECUTE=cache $(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

clean-cache:
	rm -rf .cache
