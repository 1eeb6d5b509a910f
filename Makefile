# The whole setup is `make run` and `make test`; everything else is here for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck unit bench load clean

$(STAMP): pyproject.toml
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/advisor-console

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that fails here like any other failure.
# TEST_WORKERS processes (pytest-xdist) take a test file at a time; each starts its own PostgreSQL
# server if a test it runs needs one. TEST_WORKERS=0 runs everything in one process. A worker that
# crashes ends the run at once (a replaced worker can leave --dist loadfile waiting for ever).
TEST_WORKERS ?= 2
test: lint typecheck
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadfile --max-worker-restart 0

bench: $(STAMP)
	$(BIN)/python -m tests.bench.run

# The load harness (never part of `make test`): LOAD_WORKSTATIONS simulated workstations for LOAD_MINUTES
# against a throwaway PostgreSQL behind PgBouncer (Debian's package, installed here when missing);
# LOAD_ARGS passes more options (`python -m tests.load --help`). Figures: a table, and JSON in .bench/.
LOAD_WORKSTATIONS ?= 1000
LOAD_MINUTES ?= 10
LOAD_ARGS ?=
load: $(STAMP)
	test -x /usr/sbin/pgbouncer || apt-get install -y pgbouncer
	$(BIN)/python -m tests.load --workstations $(LOAD_WORKSTATIONS) --minutes $(LOAD_MINUTES) \
		--json .bench/load-$(LOAD_WORKSTATIONS).json $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache
