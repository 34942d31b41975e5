# smeqa: two commands for people (`make run`, `make test`), a few more for developers.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DEMO_PASSWORD ?= smeqa-demo-2026

.PHONY: help venv run test test-fast lint format clean bench audit

help:
	@echo "make run    serve the app with demo data on http://127.0.0.1:$(PORT) (SQLite, tasks in-process)"
	@echo "make test   run the whole test suite"
	@echo "make lint   ruff check, ruff format --check, makemigrations --check"
	@echo "make test-fast  the suite without browser and worker tests, stopping at the first failure"
	@echo "make format     ruff's fixes and formatting"
	@echo "make clean      remove .venv, the SQLite database and collected static files"
	@echo "make audit      bandit over our code and pip-audit over the installed packages (.ci/audit.py)"
	@echo "make bench      the benchmarks on PostgreSQL (BENCH_DATABASE_URL, default the local server); see docs/performance.md"

# Python 3.12+: .python-version through pyenv, else python3.13, python3.12, python3.
$(VENV)/.installed: pyproject.toml
	@python=""; \
	if command -v pyenv >/dev/null 2>&1 && [ -f .python-version ]; then \
		candidate="$$(pyenv which python 2>/dev/null || true)"; [ -n "$$candidate" ] && python="$$candidate"; \
	fi; \
	for name in "$$python" python3.13 python3.12 python3; do \
		[ -n "$$name" ] || continue; command -v "$$name" >/dev/null 2>&1 || continue; \
		if "$$name" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then python="$$name"; break; fi; \
		python=""; \
	done; \
	if [ -z "$$python" ]; then \
		echo "smeqa needs Python 3.12 or newer (Django 6.1 requires it). Install it (for example 'pyenv install 3.12') and run make again." >&2; \
		exit 1; \
	fi; \
	echo "Using $$("$$python" --version) at $$(command -v "$$python")"; \
	"$$python" -m venv $(VENV) && \
	$(PY) -m pip install --quiet --upgrade pip && \
	$(PY) -m pip install --quiet '.[dev]' && \
	touch $@

venv: $(VENV)/.installed

run: venv
	@export DEBUG=true; \
	$(PY) manage.py migrate --noinput && \
	$(PY) manage.py seed_demo && \
	echo "" && echo "smeqa is running on http://127.0.0.1:$(PORT)/  (sign in at /accounts/login/; Ctrl-C stops it)" && \
	exec $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	@$(PY) -m pytest -n 2 --dist loadgroup -p no:cacheprovider $(PYTEST_ARGS)

test-fast: venv
	@$(PY) -m pytest -x -q -m "not browser and not worker" $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# bandit (medium severity and up, [tool.bandit] in pyproject.toml, accepted findings in
# .ci/bandit-accepted.toml) and pip-audit; fails on a new finding or a known vulnerability, and says so
# when the vulnerability service cannot be reached (docs/security.md).
audit: venv
	@$(PY) .ci/audit.py

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache

# Every benchmark in one run on PostgreSQL (bench/run.py starts PostgreSQL and Redis if they are down,
# builds throwaway databases with seed_scale, serves them with gunicorn) and writes the table into
# docs/performance.md; each benchmark's own output lands in bench/results/. BENCH_ARGS passes options,
# e.g. BENCH_ARGS="--only pages,load".
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smeqa
bench: venv
	@mkdir -p bench/results
	@DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/run.py $(BENCH_ARGS)
