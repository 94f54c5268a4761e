"""wordalign's SimAlign gives the PyPI simalign package's links on a real pretrained encoder.

tests/embedding/test_simalign_reference.py compares the two on tiny random-weight models; here the
model is multilingual-e5-small (12 layers, hidden 384, an XLM-R SentencePiece vocabulary of
250,002 pieces, built by the ``e5_small`` fixture from ../shared/models), whose similarities are
those of a trained network: near-ties and peaked rows as real alignments meet them. Every method
(Argmax, Itermax, Match) at both levels, layer 8, on the 300 development gold pairs; the test
asserts that every pair's links are identical and reports the agreement count when they are not.

It is slower than the other embedding tests (marked ``slow``): simalign embeds one pair per call
through all 12 layers and solves Match with networkx's blossom algorithm. Measured: 61 s of CPU
time (one torch thread; 118 s wall on 2 cores shared with other work), 10 s of it wordalign's
(loading, one batched forward pass shared by the six aligners, extraction), the rest simalign's.
When this test was written, all 6 x 300 pairs agreed.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from wordalign.aligners.embedding import SimAlign
from wordalign.embed.encoder import SentenceEmbedding, load_encoder
from wordalign.io.bitext import read_parallel
from wordalign.types import SentencePair

simalign = pytest.importorskip(
    "simalign", reason="the reference package is not installed: pip install wordalign[peers]"
)

LAYER = 8  # SimAlign's default and the paper's Table 5
N_PAIRS = 300  # the whole development half of the DE-RM gold
METHODS = (("argmax", "inter"), ("itermax", "itermax"), ("match", "mwmf"))


@pytest.fixture(scope="module")
def gold_pairs(gold_files: dict[str, Path]) -> list[SentencePair]:
    pairs = list(read_parallel(gold_files["src"], gold_files["tgt"]))
    assert len(pairs) >= N_PAIRS
    return pairs[:N_PAIRS]


@pytest.fixture(scope="module")
def e5_vectors(
    e5_small: Path, gold_pairs: list[SentencePair]
) -> list[tuple[SentenceEmbedding, SentenceEmbedding]]:
    """wordalign's layer-8 vectors of every gold pair, computed once for all six aligners
    (``SimAlign.align`` is this embedding followed by ``align_embedded``; that sharing gives
    each aligner's own links is checked in test_experiment_methods_tiny.py)."""
    encoder = load_encoder(e5_small, "cpu", layer=LAYER)
    n = len(gold_pairs)
    vectors = encoder.embed([p.src for p in gold_pairs] + [p.tgt for p in gold_pairs])
    return list(zip(vectors[:n], vectors[n:], strict=True))


@pytest.mark.slow
@pytest.mark.data
@pytest.mark.parametrize(("level", "token_type"), [("subword", "bpe"), ("word", "word")])
def test_e5_links_equal_simalign(
    e5_small: Path,
    gold_pairs: list[SentencePair],
    e5_vectors: list[tuple[SentenceEmbedding, SentenceEmbedding]],
    level: str,
    token_type: str,
) -> None:
    logging.getLogger("simalign").setLevel(logging.WARNING)
    reference_aligner = simalign.SentenceAligner(
        model=str(e5_small), token_type=token_type, matching_methods="aim", layer=LAYER
    )
    reference = [reference_aligner.get_word_aligns(list(p.src), list(p.tgt)) for p in gold_pairs]
    del reference_aligner
    differ: dict[str, list[int]] = {}
    for method, key in METHODS:
        aligner = SimAlign(
            model=str(e5_small),
            method=method,  # type: ignore[arg-type]
            level=level,  # type: ignore[arg-type]
            layer=LAYER,
            device="cpu",
        )
        ours = aligner.align_embedded(e5_vectors)
        differ[method] = [
            k for k, (a, r) in enumerate(zip(ours, reference, strict=True)) if sorted(a) != r[key]
        ]
        assert sum(len(a) for a in ours) > len(gold_pairs)  # not trivially empty
    report = "; ".join(
        f"{method}/{level}: {len(gold_pairs) - len(bad)} of {len(gold_pairs)} pairs agree"
        + (f" (first differing: {bad[:5]})" if bad else "")
        for method, bad in differ.items()
    )
    print(report)  # shown with -s or -rP
    assert not any(differ.values()), report
