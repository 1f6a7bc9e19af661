# One-command workflows. The first call creates .venv and installs the exact versions of tools/constraints.txt;
# later calls reuse it (re-installed only when pyproject.toml or the lock changes).
PYTHON ?= python3
# VENV and LOCK may be given (make test VENV=.venv-min LOCK=tools/constraints-min.txt) or set in the environment
# (the CI jobs); an empty LOCK installs the newest versions pyproject.toml allows.
VENV   ?= .venv
BIN    := $(VENV)/bin
LOCK   ?= tools/constraints.txt
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=
SEED ?= 42
QUICK ?=
RUN_ARGS ?=

.PHONY: install test test-min test-colab-setup test-all bench run browser lab regen format badges lock clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml $(LOCK)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check $(if $(LOCK),-c $(LOCK)) -e ".[test,lab]"
	touch $(STAMP)

install: $(STAMP)

## test: unit tests, notebook hygiene and every notebook re-run by nbval (DLWP_MNIST unset -> the bundled real sample)
test: install browser
	$(BIN)/python -m pytest --nbval --nbval-current-env -q $(PYTEST_ARGS) tests notebooks

## test-min: the test command on the oldest supported stack (tools/constraints-min.txt) in its own .venv-min
test-min:
	$(MAKE) test VENV=.venv-min LOCK=tools/constraints-min.txt

## test-colab-setup: the setup cell in a Colab-like runtime (.venv-colab-runtime: Colab's TF/Keras/NumPy/matplotlib
##                   from tools/constraints-colab.txt, google.colab faked, helpers installed from a local git URL)
test-colab-setup: install
	test -x .venv-colab-runtime/bin/python || $(PYTHON) -m venv .venv-colab-runtime
	.venv-colab-runtime/bin/python -m pip install --quiet --disable-pip-version-check -r tools/constraints-colab.txt
	DLWP_COLAB_PYTHON=.venv-colab-runtime/bin/python $(BIN)/python -m pytest -q $(PYTEST_ARGS) tests/test_colab_setup.py

## test-all: the test command plus the slow reliability tests (determinism, every data source)
test-all: install browser
	DLWP_SLOW=1 $(BIN)/python -m pytest --nbval --nbval-current-env -q $(PYTEST_ARGS) tests notebooks

## bench: measured speed (matmul peak, ch.2 MLP trainers, ch.2 ops, notebook wall times) -> build/bench.json
bench: install
	$(BIN)/python tools/bench.py

## run: execute the course headless into build/ (executed copies, HTML pages, logs) and write build/report.html
##      (make run SEED=7, make run QUICK=1 for a short smoke run, RUN_ARGS=--with-validate adds 99_validate;
##      exit 0 all ok, 1 a notebook failed, 2 bad SEED/QUICK, 3 incomplete (no MNIST), 130 interrupted)
run: install
	@$(BIN)/python tools/run_all.py --seed='$(SEED)' --quick='$(QUICK)' $(RUN_ARGS)

## browser: headless Chromium for the report's browser test (apt-get installs it when root and missing; never fails)
browser:
	@$(PYTHON) tools/browser.py || true

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
