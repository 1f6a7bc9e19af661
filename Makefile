# One-command workflows. The first call creates .venv and installs the exact versions of tools/constraints.txt;
# later calls reuse it (re-installed only when pyproject.toml or the lock changes).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LOCK   := tools/constraints.txt
STAMP  := $(VENV)/.installed
SHARED_SAMPLE := ../shared/data/mnist-sample.npz
PYTEST_ARGS ?=

.PHONY: install test run lab regen format badges lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c $(LOCK) -e ".[test,lab]"
	touch $(STAMP)

install: $(STAMP)

## test: unit tests, notebook hygiene and every notebook re-run by nbval (DLWP_MNIST unset -> synthetic digits)
test: install
	$(BIN)/python -m pytest --nbval --nbval-current-env -q $(PYTEST_ARGS) tests notebooks

## run: execute every notebook headless into build/executed (the sources are never written)
run: install
	$(BIN)/python tools/nbtool.py regen --out build/executed

## lab: JupyterLab on notebooks/
lab: install
	$(BIN)/jupyter lab notebooks/

## regen: re-execute notebooks in place with the shared sample and store clean outputs (NB=notebooks/x.ipynb for one)
regen: install
	$(BIN)/python tools/nbtool.py regen $(NB)

format: install
	$(BIN)/python tools/nbtool.py format
	$(BIN)/ruff format helpers tests tools notebooks

badges: install
	$(BIN)/python tools/nbtool.py badges

## lock: refresh tools/constraints.txt from the current .venv
lock: install
	{ sed -n '1,3p' $(LOCK); $(BIN)/python -m pip freeze --exclude-editable | grep -v '^-e'; } > $(LOCK).new && mv $(LOCK).new $(LOCK)

clean:
	rm -rf build .pytest_cache .ruff_cache
