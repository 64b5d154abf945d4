# Tongzhou: `make demo` runs the platform, `make test` runs the suite. Both need only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYTEST_ARGS ?=

.PHONY: demo test install install-test serve worker beat lint format bench messages clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compile_translations
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

serve: install
	$(BIN)/gunicorn config.wsgi --bind 127.0.0.1:8000 --workers 2

test: install-test
	$(PY) manage.py compile_translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n 2 -m "not integration and not browser" $(PYTEST_ARGS)
	$(BIN)/pytest -m "integration or browser" $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A config worker -Q default,alerts -l info

beat: install
	$(BIN)/celery -A config beat -l info

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages:  ## refresh the .po catalogues: one per app (its own locale/), one for core + templates
	for app in core registry alerts coordination procurement donations liaison community compensation; do \
	  mkdir -p $$app/locale && (cd $$app && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages \
	    -l zh_Hans -l en --no-obsolete); done
	$(PY) manage.py makemessages -l zh_Hans -l en --no-obsolete --ignore=.venv \
	  --ignore=core --ignore=registry --ignore=alerts --ignore=coordination \
	  --ignore=procurement --ignore=donations --ignore=liaison --ignore=community --ignore=compensation --ignore=tests --ignore=bench

bench: install-test
	$(PY) -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) tongzhou.sqlite3 private_media staticfiles
