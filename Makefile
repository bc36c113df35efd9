# Misto: `make run` and `make test` are all a newcomer needs (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := run

# Debian's Python: its sqlite3 module can load the SpatiaLite extension.
PYTHON ?= /usr/bin/python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgis://postgres@127.0.0.1:5432/misto
TEST_SPATIALITE_URL ?= spatialite:///$(CURDIR)/var/test/misto.sqlite3
PYTEST_ARGS ?=
# Misto's own Mosquitto (loopback only, no anonymous clients, each device its own topic).
MQTT_PORT ?= 1884
BROKER_DIR := var/mosquitto
MOSQUITTO ?= /usr/sbin/mosquitto

APT_PACKAGES := gdal-bin libsqlite3-mod-spatialite python3-venv gettext \
	postgresql-15-postgis-3 postgresql-15-pgrouting chromium fonts-dejavu-core mosquitto
STAMP := $(VENV)/.installed-stamp
VENDOR := misto/core/static/vendor/.built-stamp

.PHONY: run test lint bench system-deps deps frontend messages migrate demo demo-idp broker \
	postgres test-spatialite test-postgis lock clean

run: deps migrate demo demo-idp broker
	MQTT_URL="$$(cat $(BROKER_DIR)/mqtt_url)" $(BIN)/misto serve --host $(HOST) --port $(PORT)

## System packages: installed with apt only when missing (needs root on Debian 12).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml requirements.lock
	@$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The lock is complete (every package at one version, `make lock`), so pip installs it as
	# written: mapbox-vector-tile still declares protobuf<7, which gtfs-realtime-bindings 3
	# needs and which its tile encoding works with (tested).
	$(BIN)/pip install -q --no-deps -r requirements.lock
	$(BIN)/pip install -q --no-deps -e .
	touch $@

$(VENDOR): frontend/package.json frontend/package-lock.json frontend/build.mjs
	@$(MAKE) --no-print-directory system-deps
	cd frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent
	touch $@

messages: $(STAMP)
	cd misto && ../$(BIN)/misto compilemessages --ignore=.venv -v 0

deps: $(STAMP) $(VENDOR) messages

migrate: deps
	$(BIN)/misto migrate --no-input -v 0

demo: migrate
	$(BIN)/misto demo

## Misto's Mosquitto on 127.0.0.1:$(MQTT_PORT): files rewritten from the registry (the demo's
## devices and the platform's consumer), then started, or reloaded (SIGHUP) when running.
broker: demo
	$(BIN)/misto iot broker-config --dir $(BROKER_DIR) --port $(MQTT_PORT)
	@pid=$$(cat $(BROKER_DIR)/mosquitto.pid 2>/dev/null); \
	if [ -n "$$pid" ] && kill -0 "$$pid" 2>/dev/null; then kill -HUP "$$pid"; exit 0; fi; \
	rm -f $(BROKER_DIR)/mosquitto.pid; \
	$(MOSQUITTO) -d -c $(BROKER_DIR)/mosquitto.conf 2>/dev/null; \
	for i in $$(seq 20); do [ -s $(BROKER_DIR)/mosquitto.pid ] && exit 0; sleep 0.1; done; \
	echo "mosquitto did not start (port $(MQTT_PORT) taken? MQTT_PORT=... picks another):"; \
	tail -n 3 $(BROKER_DIR)/mosquitto.log; exit 1

## The DEMO OpenID provider on 127.0.0.1:8001 (never in production): started in the
## background, or reused when already up; `$(BIN)/misto demo_idp stop` ends it.
demo-idp: deps
	$(BIN)/misto demo_idp start

## PostgreSQL with PostGIS on 127.0.0.1:5432 (trust auth on the CI machine).
postgres: system-deps
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect 15 main start
	@for i in $$(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done

LINT_PATHS := misto $(wildcard bench/*.py)
lint: deps
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/mypy $(LINT_PATHS)
	$(BIN)/lint-imports --no-cache

# Each database's run keeps its own files (media, keys, logs) under var/test/<engine>, so
# that `make test` can run both at once, one per core.
test-spatialite: deps
	mkdir -p var/test/spatialite
	MISTO_VAR_DIR=$(CURDIR)/var/test/spatialite DATABASE_URL=$(TEST_SPATIALITE_URL) \
		$(BIN)/pytest $(PYTEST_ARGS)

test-postgis: deps postgres
	mkdir -p var/test/postgis
	MISTO_VAR_DIR=$(CURDIR)/var/test/postgis DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PYTEST_ARGS)

# Both databases at once (each run's output printed whole when it ends).
# Each browser flow's two language x screen runs, and the cases of tests marked engine_split,
# are shared between them (misto/conftest.py).
test: lint
	@MISTO_ENGINE_SPLIT=1 $(MAKE) --no-print-directory -j2 --output-sync=target \
		test-spatialite test-postgis

bench: deps postgres
	@for b in bench/*.py; do \
		echo "== $$b (SpatiaLite)"; DATABASE_URL=spatialite:///$(CURDIR)/var/bench/misto.sqlite3 $(BIN)/python $$b || exit 1; \
		echo "== $$b (PostGIS)"; DATABASE_URL=$(PG_URL)_bench $(BIN)/python $$b || exit 1; \
	done

## Refresh requirements.lock from pyproject.toml (developers only).
lock:
	rm -rf var/lockenv && $(PYTHON) -m venv var/lockenv
	var/lockenv/bin/pip install -q --upgrade pip && var/lockenv/bin/pip install -q '.[dev]'
	var/lockenv/bin/pip freeze --exclude misto | grep -v '^-e' > requirements.lock
	rm -rf var/lockenv

clean:
	rm -rf $(VENV) frontend/node_modules misto/core/static/vendor var/test
