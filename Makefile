# The two commands of the README: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PVRP_DIR ?= benchmarks/data/pvrp

.PHONY: run test bench-pvrp bench-pvrp-10 bench-reference bench-service clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/routeplan demo

test: $(STAMP)
	bash .ci/system-packages.sh
	$(BIN)/pytest -q

bench-pvrp: $(STAMP)
	$(BIN)/routeplan bench pvrp $(PVRP_DIR) --time-limit 60 --out benchmarks/out/pvrp-60

bench-pvrp-10: $(STAMP)
	$(BIN)/routeplan bench pvrp $(PVRP_DIR) --time-limit 10 --out benchmarks/out/pvrp-10

bench-reference: $(STAMP)
	$(BIN)/python -m benchmarks.reference_solvers --budgets 10 30 --out benchmarks/out/reference.csv

bench-service: $(STAMP)
	$(BIN)/python -m benchmarks.plan_office
	$(BIN)/python -m benchmarks.day_list

clean:
	rm -rf $(VENV) var benchmarks/out
