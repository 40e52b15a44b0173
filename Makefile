# Two commands for a newcomer: `make run` (install + start the app) and `make test` (install + all tests).
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
BIN := $(VENV)/bin

.PHONY: run test lint bench bench-load cluster cluster-stop clean-cache

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements.txt
	touch $@

# Debian packages: Chromium (exports, browser tests), Noto fonts (Vietnamese in exports), poppler-utils.
$(VENV)/.system: scripts/install-system.sh | $(BIN)/python
	bash scripts/install-system.sh
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt $(VENV)/.runtime $(VENV)/.system
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

run: $(VENV)/.runtime $(VENV)/.system
	$(BIN)/streamlit run app.py --server.port $(PORT)

# Starts (installing if needed) a local PostgreSQL so the dataset store is tested on both backends.
test: $(VENV)/.dev
	$(BIN)/ruff check .
	VNCHILD_TEST_PG_URL="$$(bash scripts/start-postgres.sh)" && export VNCHILD_TEST_PG_URL && \
		$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .

bench: $(VENV)/.dev
	$(BIN)/python bench/bench_map.py

# N replicas behind nginx on one PostgreSQL store, all on 127.0.0.1 (installs nginx/PostgreSQL when missing).
REPLICAS ?= 2
cluster: $(VENV)/.runtime $(VENV)/.system
	bash scripts/cluster.sh start $(REPLICAS)

cluster-stop:
	bash scripts/cluster.sh stop

# Server load over Streamlit's websocket protocol: 1, 10, 25, 50, 100 sessions on 1 and 2 replicas.
bench-load: $(VENV)/.dev
	$(BIN)/python bench/bench_load.py

clean-cache:
	rm -rf .cache static/geo
