# Cakupan: two commands do everything on a fresh machine with Python 3.11+ and make.
#   make reports   create .venv, install, build every report from the bundled data
#   make test      run the test suite (installs Debian's chromium for browser tests when possible)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
JOBS   ?=

.PHONY: reports test lab chromium bench clean sample data mutate

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name cakupan --display-name "Python (Cakupan)" >/dev/null
	@# `jupyter nbconvert --template cakupan`: a wheel installs the template (pyproject data-files); an
	@# editable install does not, so link the source folder onto the environment's Jupyter data path.
	@mkdir -p $(VENV)/share/jupyter/nbconvert/templates
	@ln -sfn $(CURDIR)/src/analysis/pages/templates/cakupan $(VENV)/share/jupyter/nbconvert/templates/cakupan
	@touch $@

# The backtest writes into reports/ only; `cakupan backtest --record` alone rewrites the tracked skill record.
reports: $(STAMP)
	$(BIN)/cakupan backtest
	$(BIN)/cakupan build $(if $(JOBS),--jobs $(JOBS))

test: $(STAMP) chromium
	$(BIN)/python -m pytest -n auto -q

# Browser tests drive Debian's chromium; install it when we are root and it is missing.
# Tests skip with a clear reason when it still is not there.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian chromium for browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not installed and not root; browser tests will be skipped"; fi; }

# JupyterLab on the project's kernel, opened in notebooks/ (root needs --allow-root, e.g. in a container).
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks $$([ "$$(id -u)" = 0 ] && echo --allow-root) $(LAB_ARGS)

# Regenerate the bundled dataset (real rows from data/raw plus the sample panel).
data: $(STAMP)
	$(BIN)/cakupan sample

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_build.py

# Mutation testing of the writing layer, the validator, the downloads and the number formats (slow; not in CI).
# mutmut keeps each mutant's result in mutants/ and reruns only what changed, but it neither copies
# changed non-Python files (the message catalogue) nor maps old tests to functions that were split
# since: refresh both, so a rerun is never judged against stale files or a stale test map.
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[mutation]'
	@test ! -d mutants/src || (cd src && find . -type f ! -name '*.py' ! -path '*/__pycache__/*' ! -path '*.egg-info/*' \
		-exec cp --parents {} ../mutants/src/ \;)
	rm -f mutants/mutmut-stats.json
	$(BIN)/mutmut run $(MUTATE_ARGS)
	@# per module: killed, survived, timeout, no tests
	$(BIN)/mutmut results --all true | awk '{split($$1, m, ".x"); s[m[1] ": " $$NF]++} END {for (k in s) print k, s[k]}' | sort

clean:
	rm -rf reports/*/ reports/*.html reports/*.json reports/*.csv
