"""SimAlign and AwesomeAlign end to end on the tiny model: scores, options, encoder reuse."""

from __future__ import annotations

from pathlib import Path

from wordalign.aligners.embedding import AwesomeAlign, SimAlign, cosine_similarity
from wordalign.aligners.embedding._base import cached_encoder
from wordalign.embed.encoder import load_encoder

LAYER = 2  # the tiny models' last layer (see conftest.py)

PAIRS = [
    ("Die Regierung hat das Gesetz beschlossen .", "La regenza ha decidì la lescha ."),
    ("Der Kanton Graubünden informiert", "Il chantun Grischun infurmescha"),
    ("Allen Kindern wird keine Impfung empfohlen", "Nagina vaccinaziun na vegn recumandada"),
]


def test_word_level_scores_are_the_similarities(tiny_model_dir: Path) -> None:
    aligner = SimAlign(
        model=str(tiny_model_dir), method="itermax", level="word", layer=LAYER, scores=True
    )
    alignments = aligner.align(PAIRS)
    encoder = load_encoder(tiny_model_dir, "cpu", layer=LAYER)
    for (src, tgt), alignment in zip(PAIRS, alignments, strict=True):
        src_emb, tgt_emb = encoder.embed([src.split(), tgt.split()])
        sim = cosine_similarity(src_emb.word_vectors(), tgt_emb.word_vectors())
        assert alignment.scores is not None and alignment.scores.keys() == alignment.links
        for (i, j), value in alignment.scores.items():
            assert value == float(sim[i, j])


def test_options_change_links_in_the_expected_direction(tiny_model_dir: Path) -> None:
    base = dict(model=str(tiny_model_dir), layer=LAYER, device="cpu")
    plain = SimAlign(method="argmax", **base).align(PAIRS)
    nulled = SimAlign(method="argmax", null_align=0.0, **base).align(PAIRS)
    # percentile 0 unlinks every word whose entropy is above the sentence's minimum
    assert all(n.links <= p.links for n, p in zip(nulled, plain, strict=True))
    assert sum(map(len, nulled)) < sum(map(len, plain))
    match = SimAlign(method="match", **base).align(PAIRS)
    itermax = SimAlign(method="itermax", **base).align(PAIRS)
    assert all(p.links <= i.links for p, i in zip(plain, itermax, strict=True))
    for (src, tgt), m in zip(PAIRS, match, strict=True):
        # subword matching links every word of the side with fewer subwords at least once
        assert len({i for i, _ in m.links}) == len(src.split()) or len(
            {j for _, j in m.links}
        ) == len(tgt.split())


def test_batch_size_does_not_change_links(tiny_model_dir: Path) -> None:
    one = AwesomeAlign(model=str(tiny_model_dir), layer=LAYER, batch_size=1).align(PAIRS)
    many = AwesomeAlign(model=str(tiny_model_dir), layer=LAYER, batch_size=64).align(PAIRS)
    assert one == many


def test_encoder_is_shared_between_aligners_on_the_same_model(tiny_model_dir: Path) -> None:
    first = cached_encoder(str(tiny_model_dir), "cpu", LAYER, 8, "auto")
    second = cached_encoder(str(tiny_model_dir), "cpu", LAYER, 16, "auto")
    assert first is second and second.batch_size == 16
    other_layer = cached_encoder(str(tiny_model_dir), "cpu", 1, 16, "auto")
    assert other_layer is not first
