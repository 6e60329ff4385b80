# Lantern: two commands on a fresh Debian machine with python3 and make.
#   make run   set up, migrate SQLite, load the synthetic demo, serve on http://127.0.0.1:8000
#   make test  set up, then run every check and test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000
# Two workers: this machine (and CI) has two cores.
PYTEST_ARGS ?= -n 2 -p no:randomly

.PHONY: run test install lint format check pytest browser bench lock clean demo

$(STAMP): requirements.lock pyproject.toml scripts/mkvenv.py
	$(PYTHON) scripts/mkvenv.py $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup
	$(BIN)/python manage.py demo_signins
	$(BIN)/python manage.py runserver $(HOST) --noreload

demo: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py demo_setup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install
	$(BIN)/python manage.py makemigrations --check --dry-run
	LANTERN_PRODUCTION=1 LANTERN_SECRET_KEY=check-deploy-$$(date +%s)-0123456789abcdefghijklmnopqrstuvwxyzABCDEF \
		LANTERN_ALLOWED_HOSTS=lantern.example.org $(BIN)/python manage.py check --deploy --fail-level WARNING

pytest: install
	LANTERN_TESTING=1 $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint check pytest

bench: install
	$(BIN)/python benchmarks/generate.py

lock: install
	$(BIN)/python -m pip install --quiet uv==0.13.8
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var staticfiles
