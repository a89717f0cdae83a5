# Two entry points for a fresh machine (see README.md): `make crawl` and `make test`.
# Both create the virtual environment at .venv when it is missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install crawl test lint bench aeb clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

## Main job: crawl the bundled offline mirror of the portal into data/demo.db.
crawl: $(STAMP)
	$(BIN)/satukanal crawl --demo

## Lint, then the whole test suite.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Benchmarks print figures; they are not tests.
bench: $(STAMP)
	$(BIN)/python bench/parse.py
	$(BIN)/python bench/aeb.py

aeb: $(STAMP)
	$(BIN)/python bench/aeb.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
