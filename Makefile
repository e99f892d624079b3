# Two commands on a fresh machine: `make run` (install, migrate, seed, serve) and `make test`.
PYTHON_BIN ?= python3
VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app pedt_participation
INSTALLED := $(VENV)/.installed
PORT ?= 5000

.PHONY: run test install migrate seed db-check

$(PYTHON):
	$(PYTHON_BIN) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(PYTHON)
	$(PYTHON) -m pip install --quiet --upgrade pip
	$(PYTHON) -m pip install --quiet -e ".[test]"
	touch $@

install: $(INSTALLED)

# A random key kept on this machine only, so the demo needs no environment variable.
instance/secret_key: | $(PYTHON)
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	chmod 600 $@

migrate: install instance/secret_key
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

run: seed
	@echo
	@echo "  Consultation ouverte sur http://127.0.0.1:$(PORT)/  (Ctrl-C arrête le site, le worker et beat)"
	@echo "  Compte de démonstration : parent@demo.pedt.local / demo-pedt-2026"
	@echo
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PORT=$(PORT) $(VENV)/bin/honcho start --port $(PORT) -f Procfile

test: install
	$(PYTHON) -m pytest $(PYTEST_ARGS)

# Schema and models agree (every model change has its migration).
db-check: install
	$(FLASK) db upgrade
	$(FLASK) db check
