# qserve: `make run` installs everything and serves the demo; `make test` installs the test needs and runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 5000
export QSERVE_INSTANCE_PATH ?= $(CURDIR)/var

.PHONY: run test install install-test vendor system-packages chromium translations demo lint clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python vendor
	$(BIN)/pip install -q -e .
	$(MAKE) translations

install-test: $(BIN)/python vendor
	$(BIN)/pip install -q -e '.[test]'
	$(MAKE) translations

vendor:
	npm install --no-audit --no-fund --silent
	mkdir -p qserve/static/vendor
	cp node_modules/socket.io-client/dist/socket.io.min.js qserve/static/vendor/
	cp node_modules/axe-core/axe.min.js qserve/static/vendor/

translations:
	@if ls qserve/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
		$(BIN)/pybabel compile -d qserve/translations >/dev/null; fi

# What the browser tests and the deploy/ tests run: Debian's Chromium, and nginx with deploy/nginx/qserve.conf.
system-packages:
	@(command -v chromium && (command -v nginx || test -x /usr/sbin/nginx)) >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core nginx >/dev/null)

chromium: system-packages

demo: install
	$(BIN)/qserve db upgrade
	$(BIN)/qserve demo

# The demo runs the web server, the one scheduler (deliveries, print jobs, reminders) and a simulated
# thermal printer on port 9100 that the demo kiosks print to; Ctrl-C stops all three.
run: demo
	@echo "qserve on http://127.0.0.1:$(PORT)  staff: /login  display: /display/helsinki  join: /join/helsinki"
	@echo "kiosk: /kiosk/helsinki/entrance  manager: /manage/  printed tickets: var/printer/*.png"
	export QSERVE_PUBLIC_URL=http://127.0.0.1:$(PORT); \
	$(BIN)/qserve printer-sim --port 9100 --out var/printer & printer=$$!; \
	$(BIN)/qserve scheduler & scheduler=$$!; \
	trap 'kill $$printer $$scheduler 2>/dev/null; wait' EXIT; trap 'exit 130' INT TERM; \
	$(BIN)/qserve run --host 127.0.0.1 --port $(PORT)

# Two workers: the suite waits on browsers, servers and databases about half the time. The tests that time a
# promise (a call on the display within a second) run afterwards on their own, with no worker beside them.
test: install-test system-packages
	$(BIN)/python -m pytest -q -n 2 -m "not timed"
	$(BIN)/python -m pytest -q -m timed

lint:
	$(BIN)/ruff check qserve tests bench

bench: install-test
	$(BIN)/python bench/throughput.py
	$(BIN)/python bench/batch.py

clean:
	rm -rf $(VENV) node_modules qserve/static/vendor var
