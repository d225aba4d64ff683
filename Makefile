# GridAcademy: `make run` serves the app on SQLite with demo data; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export FLASK_APP := wsgi.py
# Where `make run` serves: `make run PORT=8080` or `make run HOST=0.0.0.0 PORT=8080` (the development server
# with demo accounts: keep it off public networks). PORT may also come from the environment; HOST only
# from the command line (some shells export HOST as the machine's name).
PORT   ?= 5000
HOST   := 127.0.0.1

.PHONY: run test test-sqlite test-postgres install install-dev ralph system-deps translations check bench clean

run: install translations
	scripts/install-system-deps.sh --runtime
	mkdir -p instance
	$(BIN)/flask db upgrade
	$(BIN)/flask content sync
	$(BIN)/flask demo create
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-dev translations system-deps ralph
	scripts/run-tests.sh

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev
# Ralph (a real LRS for the xAPI push tests) in its own venv: its pins are not the app's.
ralph: .venv-ralph/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

.venv-ralph/.installed: requirements-ralph.txt
	test -x .venv-ralph/bin/python || $(PYTHON) -m venv .venv-ralph
	.venv-ralph/bin/python -m pip install --quiet -r requirements-ralph.txt
	touch $@

# Debian packages the tests need: chromium, CJK fonts, PostgreSQL (installed with apt when missing).
system-deps:
	scripts/install-system-deps.sh

translations: install
	$(BIN)/pybabel compile -d app/translations >/dev/null

# Re-extract UI strings after changing templates or messages, then translate the new ones.
update-translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o app/translations/messages.pot . >/dev/null
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching

check: install
	$(BIN)/flask content check

clean:
	rm -rf $(VENV) .venv-ralph instance/gridacademy.db test-artifacts

# The wrk benchmark (bench/run.sh): the pages a person waits on beside a bare endpoint, SQLite then PostgreSQL.
bench: install system-deps
	bench/run.sh
