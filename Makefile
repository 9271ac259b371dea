# mediadesk — the two commands a newcomer needs are `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT

.PHONY: demo test test-sqlite lint bench venv lock clean

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

## Serve the demo agency on 127.0.0.1:$(PORT) with an embedded SQLite database under ./var/.
demo: venv
	MEDIADESK_ENV=demo $(BIN)/mediadesk demo --port $(PORT)

## The whole suite, on SQLite and (when a PostgreSQL server is installed) on PostgreSQL.
test: venv
	$(BIN)/python scripts/run_tests.py

## Only the SQLite pass (quick, for day-to-day work).
test-sqlite: venv
	MEDIADESK_ENV=test $(BIN)/pytest -q

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MEDIADESK_ENV=test $(BIN)/mypy

bench: venv
	MEDIADESK_ENV=test $(BIN)/python -m bench
	MEDIADESK_ENV=test $(BIN)/python -m bench --postgres delivery_import

## Re-pin every dependency after changing pyproject.toml.
lock: venv
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip freeze --exclude-editable --exclude mediadesk | sort -f > requirements.lock

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
