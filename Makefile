# CIMoLT: `make run` to try it, `make test` to check it. Both install what they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The settings `check --deploy` is run with: production values, nothing secret.
DEPLOY_ENV := DEBUG=false SECRET_KEY=check-deploy-$$(date +%s)-not-a-real-secret-but-long-enough-for-django ALLOWED_HOSTS=cimolt.example.nl DATABASE_URL=sqlite:///:memory:

.PHONY: install run test lint format messages lock clean loadtest drills

$(BIN)/activate: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $(BIN)/activate

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch node_modules/.package-lock.json

install: $(BIN)/activate node_modules/.package-lock.json

# Migrate, load the demo, then serve on 127.0.0.1:8000 with a Celery worker (and beat) beside
# the web server, on a broker folder (var/broker/) unless REDIS_URL is set; Ctrl-C stops both.
run: install
	$(PY) scripts/run/embedded.py 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates monitor/templates servicedesk/templates benchmark masterclasses --lint
	$(BIN)/bandit -q -r cimolt common monitor servicedesk benchmark masterclasses scripts -x '*/migrations/*' -ll
	$(BIN)/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING
	env $(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

test: lint
	$(BIN)/pytest

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates monitor/templates servicedesk/templates --reformat --quiet || true

# The load test (scripts/loadtest/README.md): gunicorn, PostgreSQL and Redis as in production,
# 50 simulated users for two minutes; the report is written to reports/loadtest.md.
loadtest: install
	scripts/loadtest/run.sh

# The fault drills (scripts/drills/README.md): Redis away, a worker killed, PostgreSQL
# restarted, a backup restored; each on servers of its own, each says what it found.
drills: install
	scripts/drills/run.sh

# Regenerate the translation files after changing user-visible text; English msgids,
# Dutch translations in locale/nl (see docs/translations.md).
messages: install
	$(PY) manage.py makemessages -l nl -l en --no-obsolete --ignore=.venv --ignore=node_modules --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

lock: install
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-wal db.sqlite3-shm var
