# `make serve` sets everything up and serves the sample archive; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INDEX_DIR ?= $(CURDIR)/var/index
export INDEX_DIR

.PHONY: serve setup index test clean

serve: setup index
	scripts/serve

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

# Index the bundled sample releases (all three source formats).
index: setup
	scripts/reindex data/samples

test: setup
	$(PY) -m pytest

clean:
	rm -rf $(VENV) var .pytest_cache
