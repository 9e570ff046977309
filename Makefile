# Two commands for readers and CI:
#   make book   build the HTML site into _build/html
#   make test   unit tests, every notebook under nbval, the warning-free book build, the site checks
# Both create .venv and install requirements.txt into it when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= 2

.PHONY: book test bench clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

book: $(STAMP)
	$(BIN)/jupyter-book build . --warningiserror --keep-going

test: $(STAMP)
	$(BIN)/python -m pytest tests chapters --nbval-lax --nbval-current-env -n $(JOBS) --dist loadscope -p no:cacheprovider
	$(BIN)/jupyter-book build . --all --warningiserror --keep-going
	$(BIN)/python -m pytest tests/site_checks.py -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf _build
