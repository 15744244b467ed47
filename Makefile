# Everyday commands. The two that matter on a fresh machine: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
MANAGE := $(BIN)/python manage.py

.PHONY: run test test-clock test-sqlite install install-test static-vendor chromium-check docs-screenshots lint \
	migrations-check check-deploy worker beat bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs again only when pyproject.toml changed since the last install.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(PIP) install -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed static-vendor
install-test: $(VENV)/.installed-test static-vendor

# Front-end packages from npm (package.json pins them, package-lock.json locks them), copied into static/vendor/,
# where the dev server and collectstatic find them: scripts/vendor_static.sh, which the Dockerfile and
# .ci/prod_smoke.sh run too. node_modules/ and static/vendor/ are build outputs, ignored by git.
static-vendor:
	sh scripts/vendor_static.sh

# Local settings for the embedded mode: DEBUG on, a random secret key, SQLite under var/, eager Celery.
.env:
	@printf 'DEBUG=1\nSECRET_KEY=%s\n' "$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" > $@
	@echo "wrote .env (embedded mode: SQLite, eager Celery)"

run: install .env
	$(MANAGE) migrate --noinput
	$(MANAGE) install_beat_schedules
	$(MANAGE) seed_demo
	@echo "Admin: http://127.0.0.1:8000/admin/   API docs: http://127.0.0.1:8000/api/docs/"
	$(MANAGE) runserver 127.0.0.1:8000

# The browser tests (tests/browser/) drive Debian's Chromium; every suite runs them, none skips them.
OGPGY_CHROMIUM ?= /usr/bin/chromium
export OGPGY_CHROMIUM
chromium-check:
	@test -x "$(OGPGY_CHROMIUM)" || { echo "$(OGPGY_CHROMIUM) is missing: the browser tests (tests/browser/) drive" \
	  "Debian's Chromium. Install it with: apt-get install -y chromium (as root), or set OGPGY_CHROMIUM to a" \
	  "Chromium binary. (playwright install is not used: it downloads a browser of its own.)" >&2; exit 1; }

# The whole suite on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL); see config/test_settings.py.
test: install-test chromium-check lint migrations-check
	$(BIN)/python -m pytest --create-db $(PYTEST_ARGS)

# The suite again with the wall clock CLOCK_SHIFT_DAYS ahead (time-machine, see conftest.py), on its own database:
# nothing may depend on today's date or on the calendar agreeing with the bank's business date.
CLOCK_SHIFT_DAYS ?= 400
CLOCK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ogpgy_clock
test-clock: install-test chromium-check
	OGPGY_TEST_CLOCK_SHIFT_DAYS=$(CLOCK_SHIFT_DAYS) DATABASE_URL=$(CLOCK_DATABASE_URL) \
	$(BIN)/python -m pytest --create-db -p no:cacheprovider $(PYTEST_ARGS)

# The suite on SQLite, the embedded mode's database (config/test_settings_sqlite.py: a file under var/), with Redis
# as in `make test`. Tests marked postgresql_only (real-thread races, PostgreSQL's own SQL) are left out, each with
# its reason; everything else, the ORM paths the PostgreSQL run never takes included, must pass here.
test-sqlite: install-test chromium-check
	$(BIN)/python -m pytest --ds=config.test_settings_sqlite -m "not postgresql_only" --create-db -p no:cacheprovider \
	$(PYTEST_ARGS)

# The staff guides' screenshots (docs/staff/img/), copied from the last PostgreSQL run of the browser tests.
docs-screenshots: install-test
	$(BIN)/python tests/browser/docs_screenshots.py

# ruff, then the apps' layers (import-linter, [tool.importlinter] in pyproject.toml: no cycle, no upward import).
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

migrations-check: install-test
	DJANGO_SETTINGS_MODULE=config.test_settings $(MANAGE) makemigrations --check --dry-run

# Production settings must pass Django's deployment checklist.
check-deploy: install
	DEBUG=0 SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/ogpgy ALLOWED_HOSTS=bank.example OGPGY_READ_DOT_ENV=0 \
	$(MANAGE) check --deploy --fail-level WARNING

worker: install
	$(BIN)/celery -A config worker -l info

beat: install
	$(BIN)/celery -A config beat -l info

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache node_modules static/vendor
