# Common Ground: `make run` to try it, `make test` for the whole suite, `make bench` for figures.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app webapp
PORT ?= 5000

.PHONY: install run test lint bench clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install -e '.[dev]'
	touch $@

install: $(VENV)/.installed

run: install
	COMMONGROUND_ENV=development $(FLASK) db upgrade
	COMMONGROUND_ENV=development $(FLASK) demo
	COMMONGROUND_ENV=development $(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install
	bash .ci/test-suite

lint: install
	$(VENV)/bin/ruff check .

bench: install
	$(PY) -m tests.bench

clean:
	rm -rf $(VENV) instance .pytest_cache
