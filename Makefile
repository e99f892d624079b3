# Two commands on a fresh machine: `make run` (install, migrate, seed, serve) and `make test`.
PYTHON_BIN ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app pedt_participation
INSTALLED := $(VENV)/.installed
PORT ?= 5000
# Python keeps the bytecode it compiles (__pycache__, ignored by git), whatever the environment says: with
# PYTHONDONTWRITEBYTECODE set, as some containers and CI machines set it, every process compiled every module it
# imported from source again (a Celery worker's start: 12 s of CPU instead of 4), and the tests start dozens.
unexport PYTHONDONTWRITEBYTECODE

# WeasyPrint draws the committee's PDF with Pango and needs a font (Debian package names).
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
# The browser tests drive Debian's Chromium (Playwright never downloads a browser); `make run` needs none.
TEST_SYSTEM_PACKAGES := chromium
# `make bench` loads the vote path with wrk, a C load generator, so that the clients leave the cores to the app.
BENCH_SYSTEM_PACKAGES := wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Interface languages: French is in the code; English and Arabic catalogues are translated from it.
PYBABEL := $(VENV)/bin/pybabel
TRANSLATIONS := pedt_participation/translations
COMPILED_CATALOGUES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
MESSAGES_TEMPLATE := build/messages.pot

.PHONY: run test test-privacy test-faults lighthouse lighthouse-node-packages install system-packages test-system-packages test-node-packages bench-system-packages migrate seed db-check translations bench lock audit

$(PYTHON):
	$(PYTHON_BIN) -m venv $(VENV)

# The exact versions of every dependency, with their hashes, are in requirements.lock (made by `make lock` from
# pyproject.toml): every machine installs the same files, and `make audit` audits what is installed. uv installs
# them (the same tool `make lock` resolves with): it downloads in parallel and keeps a cache, where pip took a
# minute of each CI run. `uv pip check` fails when pyproject.toml names a dependency the lock lacks (then run
# `make lock`).
UV := uv==0.13.8
$(INSTALLED): pyproject.toml requirements.lock | $(PYTHON)
	$(PYTHON) -m pip install --quiet "$(UV)"
	$(VENV)/bin/uv pip install --quiet --python $(PYTHON) --require-hashes -r requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PYTHON) --no-deps -e .
	$(VENV)/bin/uv pip check --quiet --python $(PYTHON)
	touch $@

install: system-packages $(INSTALLED) $(COMPILED_CATALOGUES)

# Compiled catalogues (.mo) are build outputs, not committed: remade whenever their .po changes.
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(INSTALLED)
	$(PYBABEL) --quiet compile -i $< -o $@

# After adding or changing French text: extract every message, merge the new ones (empty) into the English
# and Arabic catalogues, then translate them; tests/test_languages.py names any message left untranslated.
translations: $(INSTALLED)
	mkdir -p build
	$(PYBABEL) --quiet extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		-o $(MESSAGES_TEMPLATE) pedt_participation tasks templates
	$(PYBABEL) --quiet update -i $(MESSAGES_TEMPLATE) -d $(TRANSLATIONS) --no-fuzzy-matching --ignore-obsolete

# Installs those of the Debian packages $(1) that are missing; $(2) says what they are for.
define install_missing_packages
@missing=$$(for package in $(1); do dpkg -s $$package >/dev/null 2>&1 || echo $$package; done); \
if [ -n "$$missing" ]; then \
	echo "Installing $$missing ($(2))"; \
	$(SUDO) apt-get install -y -q $$missing || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q $$missing; }; \
fi
endef

system-packages:
	$(call install_missing_packages,$(SYSTEM_PACKAGES),PDF summaries)

test-system-packages:
	$(call install_missing_packages,$(TEST_SYSTEM_PACKAGES),browser tests)

bench-system-packages:
	$(call install_missing_packages,$(BENCH_SYSTEM_PACKAGES),benchmark load generator)

# A random key kept on this machine only, so the demo needs no environment variable.
instance/secret_key: | $(PYTHON)
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

migrate: install instance/secret_key
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

# `make run` shows the consultations with a few hundred simulated participants (the same ones each time, loaded
# once), so that pages and the first summary have shapes to show; `make run SIMULATED_PARTICIPANTS=0` starts empty.
SIMULATED_PARTICIPANTS ?= 300

run: seed
	@if [ "$(SIMULATED_PARTICIPANTS)" != 0 ]; then $(FLASK) simulate --participants $(SIMULATED_PARTICIPANTS) --seed 1 --unless-done; fi
	@echo
	@echo "  Consultation ouverte sur http://127.0.0.1:$(PORT)/  (Ctrl-C arrête le site, le worker et beat)"
	@echo "  Compte de démonstration : parent@demo.pedt.local / demo-pedt-2026"
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) LOG_FORMAT="$${LOG_FORMAT:-text}" $(VENV)/bin/honcho start --port $(PORT) -f Procfile

# The suite runs in parallel (pytest-xdist), two processes per core, each with its own database and broker queues:
# its tests spend much of their time waiting on a worker, a server or Chromium, and a second process per core works
# meanwhile (CI's whole run: 962 s with one per core, 735 s with two, every test passing). TEST_PROCESSES=0 runs it
# in one process. worksteal hands out tests one by one (loadfile and loadgroup key them
# by id, and would run schemathesis's operations, which share one id, only once).
TEST_PROCESSES ?= $(shell echo $$(( $$(nproc) * 2 )))
TEST_DISTRIBUTION := -n $(TEST_PROCESSES) --dist worksteal
test: install test-system-packages test-node-packages
	$(PYTHON) -m pytest $(TEST_DISTRIBUTION) $(PYTEST_ARGS)

# The summaries' disclosure control on random consultations drawn afresh (CI draws the same 200 every run), and
# summaries made of them through the database (CI: the same 30).
PRIVACY_EXAMPLES ?= 1000
PRIVACY_AGGREGATED_EXAMPLES ?= 300
test-privacy: install
	PEDT_PRIVACY_RANDOM=1 PEDT_PRIVACY_EXAMPLES=$(PRIVACY_EXAMPLES) \
		PEDT_PRIVACY_AGGREGATED_EXAMPLES=$(PRIVACY_AGGREGATED_EXAMPLES) $(PYTHON) -m pytest \
		tests/test_disclosure.py::test_random_consultations_hide_every_withheld_figure \
		tests/test_disclosure.py::test_random_summaries_read_from_their_json_hide_every_withheld_figure $(PYTEST_ARGS)

# The tests' npm packages (tests/<folder>/package.json), from the npm registry at the versions of the folder's
# package-lock.json; Node.js 20 or later.
tests/%/node_modules/.installed: tests/%/package.json tests/%/package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20 or later) is needed by tests/$*"; exit 1; }
	npm ci --prefix tests/$* --no-audit --no-fund --loglevel=error
	touch $@

# The OpenID-Certified provider the browser tests sign in through (node-oidc-provider, tests/oidc_provider/).
test-node-packages: tests/oidc_provider/node_modules/.installed

# Issue 18: Lighthouse (mobile) on the home, consultation, action, registration and moderation-queue pages of a
# seeded demo server, each at least 95 in Performance, Accessibility and Best practices (tests/lighthouse/run.py),
# in Debian's Chromium.
lighthouse-node-packages: tests/lighthouse/node_modules/.installed

lighthouse: install test-system-packages lighthouse-node-packages
	CHROME_PATH=/usr/bin/chromium $(PYTHON) tests/lighthouse/run.py

# After changing the dependencies in pyproject.toml: resolve them again for any platform, keeping the versions
# already locked where they still fit; `make lock LOCK_ARGS=--upgrade` moves every one to its newest release.
lock: | $(PYTHON)
	$(PYTHON) -m pip install --quiet "$(UV)"
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --universal --python-version 3.11 --generate-hashes \
		--quiet $(LOCK_ARGS) -o requirements.lock

# Known vulnerabilities in the locked versions, with pip-audit and PyPI's advisory data. A canary first: jinja2 2.10
# has published advisories, so an audit that reports none for it has no database (PyPI's per-release data is not
# reachable from here): then it says so and fails with status 3, instead of "No known vulnerabilities found".
# pip-audit has a virtualenv of its own: it reads the lock file, not the project's environment.
PIP_AUDIT := pip-audit==2.10.1
AUDIT_VENV := build/audit-venv
AUDIT := $(AUDIT_VENV)/bin/pip-audit --progress-spinner off --disable-pip
AUDIT_NOT_RUN := 3
$(AUDIT_VENV)/bin/pip-audit:
	$(PYTHON_BIN) -m venv $(AUDIT_VENV)
	$(AUDIT_VENV)/bin/python -m pip install --quiet "$(PIP_AUDIT)"

audit: $(AUDIT_VENV)/bin/pip-audit
	echo "jinja2==2.10" > build/audit-canary.txt
	@if ! $(AUDIT) --no-deps --format json -r build/audit-canary.txt 2>/dev/null | grep -q '"vulns": \[{'; then \
		echo "make audit: NOT RUN. The vulnerability database cannot be reached from this machine: jinja2 2.10, a"; \
		echo "release with published advisories, came back clean. Run 'make audit' where PyPI's JSON API answers"; \
		echo "for each release; requirements.lock holds the versions to audit."; \
		exit $(AUDIT_NOT_RUN); \
	fi
	$(AUDIT) --strict --require-hashes -r requirements.lock

# Ruff (likely bugs, import order, the syntax of our Python) on all the code, then mypy on the models and services
# (the files are listed in pyproject.toml). `$(VENV)/bin/ruff check --fix` sorts imports and upgrades syntax.
.PHONY: lint
lint: $(INSTALLED)
	$(VENV)/bin/ruff check pedt_participation tasks tests migrations benchmarks
	$(VENV)/bin/mypy

# Issue 8's figures beside their limits (benchmarks/RESULTS.md): its own Postgres database `pedt_bench` on
# 127.0.0.1:5432 and Redis database 10, gunicorn and a Celery worker on loopback; under 15 minutes.
bench: install bench-system-packages
	$(PYTHON) benchmarks/run.py

# Concurrency and faults against real processes (gunicorn, workers, a Redis and a Postgres of their own);
# needs TEST_DATABASE_URL (Postgres) and CELERY_BROKER_URL (Redis), else every test is skipped with the reason.
test-faults: install
	$(PYTHON) -m pytest $(TEST_DISTRIBUTION) -m faults tests/faults $(PYTEST_ARGS)

# Schema and models agree (every model change has its migration).
db-check: install
	$(FLASK) db upgrade
	$(FLASK) db check
