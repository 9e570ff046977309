# Commands for readers, instructors and CI (see README.md):
#   make book      build the HTML site (instructor edition: solutions in drop-downs) into _build/html
#   make student   the student edition (no solutions anywhere) into student/_build/html, and the
#                  student notebooks to hand out into student/notebooks
#   make test      unit tests, every notebook under nbval, both editions built warning-free, the site
#                  checks, and the real-browser test (skipped when Chromium is missing)
#   make lint      ruff's formatter (--check) and linter on the code and the notebooks
#   make format    ruff formats the code and the notebooks and fixes what it can
#   make nbgrader  the nbgrader course (one assignment per chapter) into nbgrader/, for instructors
#   make colab-cell  after changing the repository URL in _config.yml: update every chapter's Colab cell
# Each creates .venv and installs requirements.txt into it when it is missing or out of date.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LAB    := $(VENV)/.lab-installed
GRADER := $(VENV)/.nbgrader-installed
JOBS   ?= 2
JB     := $(BIN)/jupyter-book build . --warningiserror --keep-going
CACHE  := _build/.jupyter_cache

.PHONY: book student nbgrader test lint format colab-cell bench clean

$(STAMP): requirements.txt requirements-assets.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements-assets.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

# JupyterLab, for the test that runs the live notebooks in it (tests/lab_checks.py); the book's
# build does not need it.
$(LAB): $(STAMP) requirements-lab.txt
	$(BIN)/python -m pip install --quiet -r requirements-lab.txt
	touch $@

# nbgrader, for instructors and the grading test (tests/grader_checks.py); it includes $(LAB)'s
# JupyterLab. Readers never need it.
$(GRADER): $(LAB) requirements-nbgrader.txt
	$(BIN)/python -m pip install --quiet -r requirements-nbgrader.txt
	touch $@

# The chapters are executed through the cache in _build/.jupyter_cache (see _config.yml): a notebook
# runs again when its code changed, and everything runs again when actlib changed.
book: $(STAMP)
	$(JB)

# Reuses the executions of `make book` (same cache); executes what is missing or out of date.
student: $(STAMP)
	ACTLIB_EDITION=student $(JB) --all --path-output student
	$(BIN)/python -m bookkit.live --student --executed student/_build/jupyter_execute --out student/notebooks

# The course for nbgrader, from the built book (its numbers); nbgrader's commands run there
# (chapters/instructors.md).
nbgrader: $(GRADER) book
	$(BIN)/python -m bookkit.grader --out nbgrader

# Everything from scratch: the cache is emptied, so each chapter is executed once by the
# instructor build (and once by nbval) and the student build reuses those executions.
# nbval runs the chapters in a reader's plain Jupyter: its kernels can import only actlib and
# what it declares, no myst-nb, no jupyter-book (tests/plain_jupyter/sitecustomize.py).
# nbval runs beside the instructor build, each kernel on one thread: both cores busy, no
# kernel waiting for another's threads (two kernels of two threads on two cores spin against
# each other: measured 25x the CPU time of one thread). Its report follows the build's.
# The checks of the built book then run on both cores (`--dist loadgroup`: each module that
# starts a browser, a JupyterLab or an nbgrader course keeps it on one worker).
NBVAL := OMP_NUM_THREADS=1 PYTHONPATH=tests/plain_jupyter $(BIN)/python -m pytest -p no:cacheprovider
test: $(STAMP) $(GRADER) lint
	$(BIN)/python -m pytest tests -n $(JOBS) -p no:cacheprovider
	rm -rf $(CACHE) _build/nbval.log && mkdir -p _build
	{ $(NBVAL) chapters --nbval-lax --nbval-current-env > _build/nbval.log 2>&1; echo $$? > _build/nbval.rc; } & \
	OMP_NUM_THREADS=1 $(JB) --all; build=$$?; wait; cat _build/nbval.log; \
	test $$build = 0 && test "$$(cat _build/nbval.rc)" = 0
	ACTLIB_EDITION=student $(JB) --all --path-output student
	$(BIN)/python -m bookkit.live --student --executed student/_build/jupyter_execute --out student/notebooks
	OMP_NUM_THREADS=1 PATH="$(CURDIR)/$(BIN):$$PATH" PYTHONPATH=tests/plain_jupyter $(BIN)/python -m pytest tests/live_checks.py tests/site_checks.py tests/browser_checks.py tests/lab_checks.py tests/grader_checks.py -n $(JOBS) --dist loadgroup -rs -p no:cacheprovider
	SITE_DIR=student/_build/html $(BIN)/python -m pytest tests/browser_checks.py -rs -p no:cacheprovider

# One formatter and one linter for code and notebooks (ruff, 88 columns: see pyproject.toml).
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

colab-cell: $(STAMP)
	$(BIN)/python -m bookkit.colab

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf _build student
