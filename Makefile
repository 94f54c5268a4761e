# wordalign: the two commands a newcomer needs are `make demo` and `make test`.
# Everything is installed into .venv from PyPI; nothing else is required but Python 3.11 and make.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# The DERMIT data: WORDALIGN_DATA when set, else ../shared/dermit when that folder exists.
WORDALIGN_DATA ?= $(abspath $(wildcard ../shared/dermit))
export WORDALIGN_DATA

# Kept out of the tree: numba's compilation cache and demo outputs.
export NUMBA_CACHE_DIR := $(CURDIR)/.venv/numba-cache
OUT ?= out

.PHONY: venv test lint demo bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml Makefile
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# torch first, pinned: an unpinned resolve may pull the multi-GB CUDA build.
	$(BIN)/pip install --quiet torch==2.13.0
	# Everything the tests use: the neural and viewer extras, the browser driver, and the peer
	# packages (simalign, awesome-align) that reference tests compare against.
	$(BIN)/pip install --quiet -e '.[dev,neural,viewer,browser,peers]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) --no-print-directory lint

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

demo: $(STAMP)
	@test -n "$(WORDALIGN_DATA)" || { echo "demo: no DERMIT data: set WORDALIGN_DATA or put it in ../shared/dermit"; exit 2; }
	@mkdir -p $(OUT)
	$(BIN)/wordalign align --method ibm1 \
		--src $(WORDALIGN_DATA)/gold_standard/alignments_src_text.txt \
		--tgt $(WORDALIGN_DATA)/gold_standard/alignments_trg_text.txt \
		--out $(OUT)/gold.ibm1.pharaoh --seed 0 --overwrite
	$(BIN)/wordalign eval --gold $(WORDALIGN_DATA)/gold_standard/alignments_pharaoh.txt \
		--pred $(OUT)/gold.ibm1.pharaoh \
		--src $(WORDALIGN_DATA)/gold_standard/alignments_src_text.txt \
		--tgt $(WORDALIGN_DATA)/gold_standard/alignments_trg_text.txt

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
