# The two commands of the README: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PVRP_DIR ?= benchmarks/data/pvrp
# OSRM's executables come from the PyPI package osrm-bindings, built for Python 3.12 only: a venv of their own.
OSRM_VENV := .venv-osrm
OSRM_STAMP := $(OSRM_VENV)/.installed
PYTHON312 ?= $(shell PYENV_VERSION=3.12.1 pyenv which python3.12 2>/dev/null || command -v python3.12)

.PHONY: run test lint bench-pvrp bench-pvrp-10 bench-reference bench-service bench-osrm clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	$(BIN)/python -c 'import solver.routing.single_route'  # compiles the tour search into numba's cache, once
	touch $(STAMP)

$(OSRM_STAMP):
	test -x $(OSRM_VENV)/bin/python || $(PYTHON312) -m venv $(OSRM_VENV)
	$(OSRM_VENV)/bin/pip install --quiet 'osrm-bindings==26.10.0'
	touch $(OSRM_STAMP)

run: $(STAMP)
	$(BIN)/routeplan demo

test: lint $(OSRM_STAMP)
	bash .ci/system-packages.sh
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench-pvrp: $(STAMP)
	$(BIN)/python -m benchmarks.pvrp $(PVRP_DIR) --time-limit 60 --out benchmarks/out/pvrp-60

bench-pvrp-10: $(STAMP)
	$(BIN)/python -m benchmarks.pvrp $(PVRP_DIR) --time-limit 10 --out benchmarks/out/pvrp-10

bench-reference: $(STAMP)
	$(BIN)/python -m benchmarks.reference_solvers --budgets 10 30 --out benchmarks/out/reference.csv

bench-service: $(STAMP)
	bash .ci/system-packages.sh wrk
	$(BIN)/python -m benchmarks.plan_office
	$(BIN)/python -m benchmarks.day_list --connections 200 --duration 60
	$(BIN)/python -m benchmarks.day_list --connections 200 --duration 60 --database postgresql
	$(BIN)/python -m benchmarks.auth_cost
	$(BIN)/python -m benchmarks.mixed_traffic --connections 200 --duration 60
	$(BIN)/python -m benchmarks.mixed_traffic --connections 200 --duration 60 --database postgresql
	$(BIN)/python -m benchmarks.probe
	$(BIN)/python -m benchmarks.probe --database postgresql

bench-osrm: $(STAMP) $(OSRM_STAMP)
	$(BIN)/python -m benchmarks.osrm_matrix

clean:
	rm -rf $(VENV) $(OSRM_VENV) var benchmarks/out
