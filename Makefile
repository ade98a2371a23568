# Huashan — the two commands: `make run` and `make test` (DESIGN.md §5).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
DEV_ENV := DEBUG=1 SECURE_SSL_REDIRECT=0
# Test database: the local PostgreSQL server unless DATABASE_URL says otherwise.
TEST_DATABASE_URL ?= postgres://root@127.0.0.1:5432/huashan
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
PYTEST_WORKERS ?= 2

RUN_DEBS := fonts-wqy-microhei libharfbuzz-subset0
TEST_DEBS := chromium fonts-wqy-microhei libharfbuzz-subset0 poppler-utils redis-server

.PHONY: run serve test lint fmt bench mutate clean sysdeps-run sysdeps-test messages backup restore

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11 / Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[dev]'
	touch $@

# Debian packages: installed when missing and we are root; otherwise say what is missing.
define ensure_debs
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    (apt-get install -y -q $$missing >/dev/null 2>&1 || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing >/dev/null; }) \
	      || { echo "Could not install:$$missing"; $(2); }; \
	  else \
	    echo "Missing Debian packages:$$missing (install them as root)."; $(2); \
	  fi; \
	fi
endef

sysdeps-run:
	$(call ensure_debs,$(RUN_DEBS),echo "PDF 中文将显示为方框 / PDFs will show empty boxes for Chinese until a CJK font and libharfbuzz-subset0 are installed.")

sysdeps-test:
	$(call ensure_debs,$(TEST_DEBS),exit 1)

run: $(VENV)/.installed sysdeps-run
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo --print-logins
	$(DEV_ENV) $(PY) manage.py seed_second_compound
	@$(MAKE) --no-print-directory serve

# Web + Celery worker + beat; Ctrl-C or SIGTERM to make stops all of them (scripts/serve.sh).
# Runtime files (SQLite, uploads, broker folders) live under var/.
PORT ?= 8000
serve: $(VENV)/.installed
	@echo "Serving http://127.0.0.1:$(PORT)/ (web + Celery worker + beat); Ctrl-C stops all."
	@$(DEV_ENV) VENV=$(VENV) PORT=$(PORT) exec scripts/serve.sh

# axe-core for the accessibility checks of the browser tests (package-lock.json pins it).
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "需要 Node.js 和 npm / Node.js and npm are required (apt-get install nodejs npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

test: $(VENV)/.installed sysdeps-test node_modules/.installed
	$(VENV)/bin/ruff check .
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) tests/preflight.py
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(PY) manage.py makemigrations --check --dry-run --settings=huashan.settings_test
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
	  $(VENV)/bin/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# Benchmark (not part of the test suite): ratios against a bare baseline, see bench/README.md.
bench: $(VENV)/.installed sysdeps-run
	@command -v wrk >/dev/null || { echo "需要 wrk / wrk is required (apt-get install wrk)"; exit 1; }
	@command -v pdfinfo >/dev/null || { echo "需要 poppler-utils / pdfinfo is required"; exit 1; }
	$(PY) bench/run.py $(BENCH_ARGS)

# Mutation testing of the rule-bearing modules (not part of `make test`; tens of minutes).
mutate: $(VENV)/.installed
	scripts/mutate.sh $(MUTATE_MODULES)

# Backups: pg_dump (custom format) of DATABASE_URL plus a tar of MEDIA_ROOT; see docs/operations.md.
BACKUP_DIR ?= backups
backup:
	scripts/backup.sh -o $(BACKUP_DIR)

restore:
	@test -n "$(DUMP)" || { echo "usage: make restore DUMP=backups/huashan-….dump [MEDIA=….tar.gz] [TARGET_DATABASE_URL=postgres://…] [CLEAN=1]"; exit 2; }
	scripts/restore.sh $(if $(TARGET_DATABASE_URL),--database $(TARGET_DATABASE_URL)) $(if $(CLEAN),--clean) $(DUMP) $(MEDIA)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py makemessages -l zh_Hans -l en --ignore '.venv/*' --ignore 'staticfiles/*'
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .celery staticfiles .pytest_cache
