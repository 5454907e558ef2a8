# Common Ground: `make run` to try it, `make test` for the whole suite, `make bench` for figures.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
PORT ?= 5000

.PHONY: install run test lint typecheck bench clean lock

# Installs the pinned versions of requirements-lock.txt (refresh them with `make lock`).
$(VENV)/.installed: pyproject.toml requirements-lock.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -c requirements-lock.txt -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	COMMONGROUND_ENV=development $(FLASK) db upgrade
	COMMONGROUND_ENV=development $(FLASK) demo
	COMMONGROUND_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	bash .ci/test-suite

# ruff, then mypy over the whole tree (both configured in pyproject.toml); CI runs this before the suite.
lint: install typecheck
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy

bench: install
	$(PY) -m tests.bench

# Re-resolve every dependency (pyproject.toml) to the newest allowed versions and pin them.
lock: install
	$(PY) -m pip install -q pip-tools
	$(VENV)/bin/pip-compile -q --extra dev --strip-extras --no-header --unsafe-package common-ground --no-emit-index-url \
	  --no-emit-find-links -o requirements-lock.txt pyproject.toml

# Removes what the build made; instance/ (the database) stays.
clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
