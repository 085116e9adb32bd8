# Two entry points: `make run` starts the app, `make test` runs every test (browser included).
# Both create .venv on first use and reuse it afterwards.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501

.PHONY: run test test-fast system-deps clean

$(VENV)/.installed: requirements.txt requirements-cluster.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(BIN)/streamlit run serve.py --server.port $(PORT)

system-deps:
	bash scripts/install-system-deps

test: $(VENV)/.installed system-deps
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed
	$(BIN)/python -m pytest -m "not browser"

clean:
	rm -rf $(VENV) artifacts .pytest_cache

# Rebuild the pretrained library (models, classifiers, latent maps, index.json) with fixed
# seeds; `make pretrained ONLY=fashion_mnist_conv_ae_32` rebuilds one bundle.
.PHONY: pretrained
pretrained: $(VENV)/.installed
	$(BIN)/python scripts/build_pretrained.py $(if $(ONLY),--only $(ONLY))

# Run every benchmark and write BENCHMARKS.md (about 20 minutes on 2 cores);
# `make bench QUICK=1` for a smoke run with small sizes, `LOAD_TEST=1` adds the classroom load test.
.PHONY: bench
bench: $(VENV)/.installed
	$(BIN)/python benchmarks/run_all.py $(if $(QUICK),--quick) $(if $(LOAD_TEST),--load-test)

# Classroom load test on loopback: 30 concurrent Chromium sessions for 3 minutes against one
# hosted-mode server (about 5 minutes in all); writes benchmarks/results/load.md.
# `make load-test SESSIONS=10 MINUTES=1` for a smaller run.
.PHONY: load-test
load-test: $(VENV)/.installed system-deps
	$(BIN)/python benchmarks/load_test.py --sessions $(or $(SESSIONS),30) --minutes $(or $(MINUTES),3)
