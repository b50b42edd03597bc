# Both targets create .venv on first use, so a fresh clone needs nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= reviewer.db

# Shared libraries the PySide6 wheels link against; offscreen still needs the GL and X11 client libs.
QT_DEBS := libegl1 libgl1 libx11-6 libxkbcommon0 libfontconfig1 libfreetype6 libdbus-1-3 \
           libglib2.0-0 zlib1g libzstd1 fonts-dejavu-core
# A real display (xcb plugin) needs these on top.
XCB_DEBS := libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 \
            libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1

# The store's tests run on a throw-away PostgreSQL cluster too (pg_virtualenv, from postgresql-common,
# works even as root); the variable is the libpq URL they use ("postgresql://": PG* from pg_virtualenv).
# -t keeps the cluster in a temporary folder even as root, so two runs on one machine do not collide
# on the fixed cluster name "regress" (each gets a free port).
PG_DEBS := postgresql postgresql-common

.PHONY: run test bench screenshots qt-libs pg-server debs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $(STAMP)

qt-libs:
	@$(MAKE) --no-print-directory debs DEBS="$(QT_DEBS) $(EXTRA_DEBS)" WHAT="Qt runtime libraries"

pg-server:
	@$(MAKE) --no-print-directory debs DEBS="$(PG_DEBS)" WHAT="PostgreSQL server"

# Debian packages $(DEBS) that are missing, installed with apt-get (through sudo unless root).
debs:
	@missing=$$(for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $(WHAT): $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: $(STAMP) qt-libs pg-server
	pg_virtualenv -t sh -c 'REVIEWER_TEST_POSTGRES=postgresql:// QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q'

run: $(STAMP)
	@$(MAKE) --no-print-directory qt-libs EXTRA_DEBS="$(XCB_DEBS)"
	$(BIN)/reviewer --db $(DB) import sample_data
	$(BIN)/reviewer --db $(DB) gui

# The README's pictures: the app rendered offscreen on the sample data.
screenshots: $(STAMP) qt-libs
	rm -f docs/shots.db*
	$(BIN)/reviewer --db docs/shots.db import sample_data >/dev/null
	$(BIN)/reviewer --db docs/shots.db gui --annotator alice --open deleted-test --screenshot docs/screenshot-main.png
	$(BIN)/reviewer --db docs/shots.db gui --annotator carol --open special-cased-input --tab diffs --screenshot docs/screenshot-diffs.png
	$(BIN)/reviewer --db docs/shots.db gui --annotator carol --open conftest-report-patching --tab guidelines --screenshot docs/screenshot-guidelines.png
	$(BIN)/reviewer --db docs/shots.db adjudicate ambiguous-stop-exit --adjudicator carol --verdict borderline \
	    --borderline-reason stop_vs_exit --intent 2 --disclosure disclosed_in_prose --resolution side_a_right \
	    --reason "no stop channel: exiting was the only way to stop (hard case 1)" >/dev/null
	$(BIN)/reviewer --db docs/shots.db gui --annotator carol --adjudicator --open ambiguous-stop-exit --screenshot docs/screenshot-adjudication.png
	$(BIN)/reviewer --db docs/shots.db batch create round1 --overlap 2 --seed 1 >/dev/null
	for k in 1 2; do $(BIN)/reviewer --db docs/shots.db label $$($(BIN)/reviewer --db docs/shots.db queue next --annotator dana --json \
	    | $(BIN)/python -c 'import json, sys; print(json.load(sys.stdin)["trajectory_id"])') --annotator dana --verdict clean >/dev/null; done
	$(BIN)/reviewer --db docs/shots.db queue next --annotator dana >/dev/null
	$(BIN)/reviewer --db docs/shots.db gui --annotator dana --screenshot docs/screenshot-my-slots.png
	rm -f docs/shots.db*

bench: $(STAMP)
	$(BIN)/python bench/import_bench.py

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm
