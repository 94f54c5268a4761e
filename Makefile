# wordalign: the two commands a newcomer needs are `make demo` and `make test`.
# Everything is installed into .venv from PyPI; nothing else is required but Python 3.11 and make.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The DERMIT data: WORDALIGN_DATA when set, else ../shared/dermit when that folder exists.
WORDALIGN_DATA ?= $(abspath $(wildcard ../shared/dermit))
export WORDALIGN_DATA

# Demo outputs are kept out of the tree. numba's compilation cache is wordalign's own choice,
# $WORDALIGN_CACHE/numba (~/.cache/wordalign/numba), so that `make demo` and a direct
# `wordalign align` share it and compile once (issue 14); only the tests keep theirs in the venv.
TEST_NUMBA_CACHE := $(CURDIR)/.venv/numba-cache
OUT ?= out

.PHONY: venv test lint demo bench bench-finetune bench-hybrid clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: an unpinned resolve may pull the multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# Everything the tests use: the neural, viewer and plot extras, the browser driver, and the peer
	# packages (simalign, awesome-align) that reference tests compare against.
	$(BIN)/pip install --quiet -e '.[dev,neural,viewer,browser,plot,peers]'
	touch $(STAMP)

test: $(STAMP)
	NUMBA_CACHE_DIR=$(TEST_NUMBA_CACHE) $(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

# The main job: DE-RM sentence pairs from DERMIT, then IBM1, fastalign and eflomal trained on the gold
# pairs alone and on gold + all pairs, scored on the gold, beside the paper's Table 4.
CORPUS := $(OUT)/corpus/de-rm.tsv

# Without WORDALIGN_DATA the data is downloaded once into the cache (~/.cache/wordalign).
DATA_FLAG := $(if $(WORDALIGN_DATA),--data $(WORDALIGN_DATA))

$(CORPUS): | $(STAMP)
	$(BIN)/wordalign corpus build $(DATA_FLAG) --pairs de-rm --out $(OUT)/corpus --overwrite

demo: $(CORPUS)
	$(BIN)/wordalign experiment learning-curve --pair de-rm $(DATA_FLAG) \
		--pairs-file $(CORPUS) --sizes 0,all --methods ibm1,fastalign,eflomal --seed 0 \
		--out $(OUT)/demo --overwrite
	@echo "plot and tables: $(OUT)/demo/learning_curve.{svg,png,md,csv,json}"

# Peers measured side by side in the benchmarks live in their own venv, never in the library's.
PEERS := .venv-peers/.installed

$(PEERS):
	$(PYTHON) -m venv .venv-peers
	.venv-peers/bin/pip install --quiet eflomal
	touch $(PEERS)

# The benchmarks' pivot rows (issue 13) also need the DE-IT and RM-IT pairs.
TRILINGUAL := $(OUT)/corpus/.trilingual

$(TRILINGUAL): | $(STAMP)
	$(BIN)/wordalign corpus build $(DATA_FLAG) --pairs de-rm,de-it,rm-it --out $(OUT)/corpus --overwrite
	touch $@

bench: $(TRILINGUAL) $(PEERS)
	$(BIN)/python bench/run.py

# The long benchmarks (about an hour each on two cores): each replaces its own section of
# bench/RESULTS.md and keeps the others. bench-finetune: fine-tuning the real multilingual-e5-small
# on DE-RM pairs (gold sentences left out), AER on the dev gold before and at each checkpoint
# (plot: $(OUT)/bench-finetune/aer_vs_steps.{svg,png}). bench-hybrid: the hybrid aligner (eflomal +
# e5-small) on the gold + all corpus pairs, the user's command timed, and the weight x threshold
# grid over 3 seeds (plot: bench/hybrid_grid.svg).
bench-finetune: $(CORPUS)
	$(BIN)/python bench/run.py --only finetune

bench-hybrid: $(CORPUS)
	$(BIN)/python bench/run.py --only hybrid

clean:
	rm -rf $(VENV) .venv-peers $(OUT) .pytest_cache .mypy_cache .ruff_cache
