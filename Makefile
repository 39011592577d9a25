# `make serve` sets everything up and serves the sample archive; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INDEX_DIR ?= $(CURDIR)/var/index
export INDEX_DIR

.PHONY: serve setup index test clean

serve: setup index
	scripts/serve

# The compiled message catalogs (web/translations/*/LC_MESSAGES/*.mo) are built here, not kept in git.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard web/translations/*/LC_MESSAGES/*.po))

setup: $(VENV)/.installed $(CATALOGS) bytecode

# The project's modules compiled once, here: where the environment says not to write bytecode
# (PYTHONDONTWRITEBYTECODE), every run of a script would compile them again (a tenth of a
# second of each reindex). Only changed files are compiled again.
# The dependencies too (uv installs them compiled; an environment made before was not): only
# what is not compiled yet is, in a fifth of a second when everything is. Some packages ship
# files for other Python versions that do not compile, which is no error here.
.PHONY: bytecode
bytecode: $(VENV)/.installed
	$(PY) -m compileall -q index search web scripts
	$(PY) -m compileall -q "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')" >/dev/null || true

# Every package, the transitive ones too, at the version and hashes requirements.lock records,
# installed by uv (pip's hash-checking mode cannot take a package asked for both with and
# without an extra, as lxml is); then the project itself, editable, without dependencies.
# uv, unlike pip, writes no bytecode unless asked: where PYTHONDONTWRITEBYTECODE is set, every
# process would compile Whoosh, numpy, Flask and the rest again as it starts (0.85 s to import
# the site against 0.36 s compiled), a cost paid by each reindex, command and worker.
UV_VERSION := 0.13.9
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PY) --require-hashes -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $@

# After changing a dependency in pyproject.toml: pin every package again (the versions already
# in the lock are kept where they still fit), then `make setup` installs them.
.PHONY: lock
lock:
	[ -x $(VENV)/bin/uv ] || { $(PYTHON) -m venv $(VENV) && $(PY) -m pip install --quiet uv==$(UV_VERSION); }
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra bench --python-version 3.11 \
		--generate-hashes --no-strip-extras --quiet -o requirements.lock

# Compile the interface translations (pybabel compile -d web/translations, one catalog at a time).
web/translations/%.mo: web/translations/%.po $(VENV)/.installed
	$(VENV)/bin/pybabel -q compile -i $< -o $@

# Index the bundled sample releases (all three source formats).
index: setup
	scripts/reindex data/samples

test: setup system-deps lint audit
	$(PY) -m pytest

# The Debian packages the tests need (scripts/system-packages.txt): installed when missing
# (as root or through sudo), or the run stops here and names the command that installs them.
.PHONY: system-deps
system-deps:
	scripts/system-deps

# The inner loop: every test but those that drive Chromium, start another process or take over
# about two seconds (the markers are given in tests/conftest.py). Under a minute on 2 cores.
.PHONY: test-fast
test-fast: setup
	$(PY) -m pytest -m "not browser and not slow and not subprocess"

# ruff (pyflakes, import order, bugbear, pyupgrade, pycodestyle) and its formatter over the whole tree, and
# mypy over index/ and search/ (the rules are in pyproject.toml). `ruff format .` and
# `ruff check --fix .` repair most of what this reports.
.PHONY: lint
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy index search

# Fails on a known vulnerability with a fix in the installed dependencies; only warns when
# the vulnerability service cannot be reached (scripts/audit.py).
.PHONY: audit
audit: setup
	$(PY) scripts/audit.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
