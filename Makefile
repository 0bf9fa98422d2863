# `make run` and `make test` take a fresh machine to a served demo site or a passing suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
DEV := DJANGO_DEBUG=1
ADDRESS ?= 127.0.0.1:8000

.PHONY: install run demo test lint format lock clean

$(INSTALLED): requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@

install: $(INSTALLED)

# Loading again updates the demo rows in place (fixed keys), so nothing is duplicated.
demo: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py loaddata demo demo_editor
	mkdir -p uploads && cp -R fixtures/media/. uploads/

run: demo
	$(DEV) $(BIN)/python manage.py runserver $(ADDRESS)

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin after changing pyproject.toml: a throwaway environment resolves its ranges.
DEPS = $(PYTHON) -c 'import sys, tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	print("\n".join(p["dependencies"] + (p["optional-dependencies"]["test"] if sys.argv[1:] else [])))'
lock:
	rm -rf /tmp/quire-lock && $(PYTHON) -m venv /tmp/quire-lock
	$(DEPS) > /tmp/quire-lock/runtime.txt && $(DEPS) test > /tmp/quire-lock/all.txt
	/tmp/quire-lock/bin/pip install --quiet -r /tmp/quire-lock/runtime.txt
	( echo "# Runtime dependencies, pinned; regenerate with 'make lock' after changing pyproject.toml."; \
	  /tmp/quire-lock/bin/pip freeze ) > requirements.lock
	/tmp/quire-lock/bin/pip install --quiet -r /tmp/quire-lock/all.txt
	( echo "# Test and lint tools on top of the runtime pins."; echo "-r requirements.lock"; \
	  /tmp/quire-lock/bin/pip freeze | grep -vxFf requirements.lock ) > requirements-dev.lock

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
