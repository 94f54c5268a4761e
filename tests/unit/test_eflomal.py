"""Tests of the eflomal aligner and its numba kernels (synthetic data only)."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from wordalign.aligners.base import Aligner, as_pairs
from wordalign.aligners.statistical import _eflomal_kernels as K
from wordalign.aligners.statistical.corpus import Vocabulary
from wordalign.aligners.statistical.eflomal import Eflomal, iteration_schedule
from wordalign.errors import UnknownNameError, WordalignError
from wordalign.types import SentencePair

FAST = {"rel_iterations": 0.2, "progress": False}


def synthetic_corpus(
    n_pairs: int, n_words: int = 12, seed: int = 0, reorder: bool = False
) -> tuple[list[SentencePair], list[set[tuple[int, int]]]]:
    """Pairs of a toy language and its word-for-word translation, with the true links."""
    rng = random.Random(seed)
    pairs, links = [], []
    for _ in range(n_pairs):
        words = rng.sample(range(n_words), rng.randint(2, 6))
        order = list(range(len(words)))
        if reorder:
            rng.shuffle(order)
        src = tuple(f"s{w}" for w in words)
        tgt = tuple(f"t{words[k]}" for k in order)
        pairs.append(SentencePair(src, tgt))
        links.append({(k, j) for j, k in enumerate(order)})
    return pairs, links


# -- the aligner ----------------------------------------------------------------------------


@pytest.mark.parametrize("reorder", [False, True])
def test_finds_certain_alignment(reorder: bool) -> None:
    pairs, truth = synthetic_corpus(80, reorder=reorder)
    out = Eflomal(**FAST).fit_align(pairs)
    assert [set(a.sure) for a in out] == truth


def test_each_direction_alone() -> None:
    pairs, truth = synthetic_corpus(60)
    for method in ("forward", "reverse"):
        out = Eflomal(symmetrize=method, **FAST).fit_align(pairs)
        assert [set(a.sure) for a in out] == truth


@pytest.mark.parametrize("model", [1, 2])
def test_lower_models(model: int) -> None:
    pairs, truth = synthetic_corpus(60)
    out = Eflomal(model=model, **FAST).fit_align(pairs)
    assert [set(a.sure) for a in out] == truth


def test_deterministic_under_seed() -> None:
    pairs, _ = synthetic_corpus(40, n_words=30, reorder=True)
    params = {"n_iter_ibm1": 2, "n_iter_hmm": 2, "n_iter_fert": 3, "progress": False}
    first = Eflomal(random_state=7, **params).fit_align(pairs)
    second = Eflomal(random_state=7, **params).fit_align(pairs)
    assert first == second


def test_save_load_round_trip(tmp_path: Path) -> None:
    pairs, _ = synthetic_corpus(50, n_words=20, reorder=True)
    aligner = Eflomal(n_iter_ibm1=2, n_iter_hmm=2, n_iter_fert=3, progress=False)
    trained = aligner.fit_align(pairs)
    aligner.save(tmp_path / "model")
    loaded = Aligner.load(tmp_path / "model")
    assert isinstance(loaded, Eflomal)
    assert loaded.get_params() == aligner.get_params()
    # The training pairs come back with the links fit_align gave them, in any order.
    assert loaded.align(pairs) == trained
    assert loaded.align(pairs[::-1]) == trained[::-1]
    # New text (unknown words included) is sampled with the trained counts as priors:
    # the same in the trained and in the loaded model.
    new = [("s1 s2 s3", "t1 t2 t3"), ("s4 unknown s5", "t5 neu t4"), ("s7", "")]
    assert loaded.align(new) == aligner.align(new)
    assert [a.to_pharaoh() for a in loaded.align(new[:1])] == ["0-0 1-1 2-2"]


def test_repeated_training_pair_gets_its_first_links() -> None:
    # fit_align gives a pair that occurs again the links of its first occurrence, as align does
    # later; the copy is made from the stored keys (fill_repeats) and must agree with fill.
    from wordalign.aligners.statistical.eflomal import _TrainingMemory

    texts = [("a b", "x y z"), ("c", "w"), ("a b", "x y z"), ("c", "w"), ("a b", "x y z")]
    encoded = Eflomal()._encode(as_pairs(texts), Vocabulary(), Vocabulary())
    forward = np.array([0, 1, 1, 0, 0, 1, 0, 0, -1, 1, 0], dtype=np.int32)
    reverse = np.array([2, 1, 0, 0, 1, 0, 0, 2], dtype=np.int32)
    memory = _TrainingMemory.build(encoded, {"forward": forward, "reverse": reverse})
    by_keys, by_text = (forward.copy(), reverse.copy()), (forward.copy(), reverse.copy())
    memory.fill_repeats(encoded, *by_keys)
    assert memory.fill(encoded, *by_text) == []
    first_fwd, first_rev = [0, 1, 1], [2, 1]
    assert by_keys[0].tolist() == [*first_fwd, 0, *first_fwd, 0, *first_fwd]
    assert by_keys[1].tolist() == [*first_rev, 0, *first_rev, 0, *first_rev]
    for mine, theirs in zip(by_keys, by_text, strict=True):
        assert mine.tolist() == theirs.tolist()


def test_pair_digests_are_equal_exactly_for_equal_pairs() -> None:
    # Boundaries matter (the same ids split differently between the sides or between tokens),
    # as do order and every id; the shift of the ids does not.
    pairs = [
        ([1, 2], [3]),
        ([1], [2, 3]),
        ([2, 1], [3]),
        ([1, 2], [3]),
        ([1, 2], [4]),
        ([], [1, 2, 3]),
        ([1, 2, 3], []),
        ([], []),
    ]
    rng = np.random.default_rng(3)
    pairs += [
        (list(rng.integers(0, 5, rng.integers(0, 4))), [int(rng.integers(0, 5))])
        for _ in range(200)
    ]

    def digests(shift: int) -> list[bytes]:
        src = [np.asarray(s, dtype=np.int32) + shift for s, _ in pairs]
        tgt = [np.asarray(t, dtype=np.int32) + shift for _, t in pairs]
        offsets = [np.cumsum([0] + [len(x) for x in side]) for side in (src, tgt)]
        out = K.pair_digests(
            np.concatenate(src), offsets[0], np.concatenate(tgt), offsets[1], shift
        )
        return [row.tobytes() for row in out]

    keys = digests(1)
    assert keys == digests(0)
    for i, j in itertools.combinations(range(len(pairs)), 2):
        same = [list(map(int, side)) for side in pairs[i]] == [
            list(map(int, side)) for side in pairs[j]
        ]
        assert (keys[i] == keys[j]) == same


def test_model_memory_of_another_key_scheme_is_not_used() -> None:
    from wordalign.aligners.statistical.eflomal import _TrainingMemory

    encoded = Eflomal()._encode(as_pairs([("a b", "x")]), Vocabulary(), Vocabulary())
    memory = _TrainingMemory.build(encoded, {"forward": np.array([0], dtype=np.int32)})
    state = memory.to_state()
    assert _TrainingMemory.from_state(state) is not None
    assert _TrainingMemory.from_state({**state, "memory_scheme": "blake2b"}) is None
    assert (
        _TrainingMemory.from_state({k: v for k, v in state.items() if k != "memory_scheme"}) is None
    )


def test_new_text_uses_trained_counts() -> None:
    # The new pair alone is ambiguous; the priors from training decide it.
    pairs, _ = synthetic_corpus(80, reorder=True)
    aligner = Eflomal(remember_training_links=False, **FAST).fit(pairs)
    out = aligner.align([("s3 s8", "t8 t3")])
    assert out[0].to_pharaoh() == "0-1 1-0"


def test_empty_sentences_keep_lines() -> None:
    pairs, _ = synthetic_corpus(30)
    mixed = [*pairs[:5], ("", ""), ("s1 s2", ""), ("", "t1"), *pairs[5:]]
    out = Eflomal(**FAST).fit_align(mixed)
    assert len(out) == len(mixed)
    assert [a.to_pharaoh() for a in out[5:8]] == ["", "", ""]
    assert out[0].sure


def test_long_sentence_is_aligned() -> None:
    rng = random.Random(3)
    words = [rng.randrange(60) for _ in range(1100)]
    long_pair = SentencePair(tuple(f"s{w}" for w in words), tuple(f"t{w}" for w in words))
    pairs, _ = synthetic_corpus(40, n_words=60)
    out = Eflomal(n_iter_ibm1=3, n_iter_hmm=3, n_iter_fert=3, progress=False).fit_align(
        [*pairs, long_pair]
    )
    assert len(out) == 41
    links = out[-1].sure
    assert max(i for i, _ in links) > 1024 and max(j for _, j in links) > 1024
    # Three sweeps from a random start: most links already join a word and its translation.
    assert sum(words[i] == words[j] for i, j in links) > 0.6 * len(links)


def test_stemming_and_lowercasing_share_types() -> None:
    aligner = Eflomal(src_prefix_len=3, tgt_suffix_len=2, progress=False)
    assert list(map(aligner._normalizer("src"), ("Hausen", "ab"))) == ["hau", "ab"]
    assert list(map(aligner._normalizer("tgt"), ("xyTT", "q"))) == ["tt", "q"]
    assert Eflomal(lowercase=False)._normalizer("src")("Ab") == "Ab"
    # Types that differ only in case or in the cut-off part become one type.
    pairs = [("Hausen X", "aTT b"), ("hausbau y", "zztt c")]
    encoded = aligner._encode(as_pairs(pairs), Vocabulary(), Vocabulary())
    # Ids are the vocabulary's shifted by one (0 = NULL where a side generates).
    assert encoded.src.ids.tolist() == [1, 2, 1, 3]
    assert encoded.tgt.ids.tolist() == [1, 2, 1, 3]
    assert encoded.src.offsets.tolist() == [0, 2, 4]


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"model": 4}, "model must be 1, 2 or 3"),
        ({"n_samplers": 0}, "n_samplers"),
        ({"null_prior": 1.0}, "null_prior"),
        ({"rel_iterations": 0}, "rel_iterations"),
        ({"n_iter_fert": -1}, "n_iter_fert"),
        ({"src_prefix_len": -2}, "src_prefix_len"),
    ],
)
def test_bad_parameters(params: dict[str, float], match: str) -> None:
    with pytest.raises(WordalignError, match=match):
        Eflomal(progress=False, **params).fit([("a", "b")])  # type: ignore[arg-type]


def test_unknown_symmetrization() -> None:
    with pytest.raises(UnknownNameError, match="nonsense"):
        Eflomal(symmetrize="nonsense", progress=False).fit([("a", "b")])


def test_one_direction_model_refuses_the_other(tmp_path: Path) -> None:
    aligner = Eflomal(symmetrize="forward", **FAST).fit([("a b", "c d")])
    with pytest.raises(WordalignError, match="without the direction"):
        aligner.set_params(symmetrize="intersection").align([("a b", "c d")])


def test_iteration_schedule_matches_reference_rule() -> None:
    # eflomal.pyx: iters = max(2, round(rel * 5000 / sqrt(n))), iters4 = max(1, iters // 4).
    assert iteration_schedule(104_174) == (3, 3, 15)
    assert iteration_schedule(300) == (72, 72, 289)
    assert iteration_schedule(300, model=1) == (289, 0, 0)
    assert iteration_schedule(10**9) == (2, 1, 2)
    assert Eflomal(n_iter_hmm=5).schedule(300) == (72, 5, 289)
    assert Eflomal(model=2, n_iter_fert=9).schedule(300) == (72, 289, 0)


# -- kernels against slow references --------------------------------------------------------


def _displacements(pool: np.ndarray, start: np.ndarray, bits: np.ndarray) -> list[int]:
    """How far past its home slot every stored pair lies."""
    out = []
    for e in range(len(bits)):
        b = int(bits[e])
        for h in range(1 << b if b else 0):
            key = int(pool[2 * (start[e] + h)])
            if key != -1:
                out.append((h - K._slot(key, b)) % (1 << b))
    return out


@pytest.mark.parametrize("windowed", [False, True])
def test_lex_table_matches_dict(windowed: bool) -> None:
    rng = np.random.default_rng(0)
    n_types = 7
    pool, start, bits, used, meta = K.new_lex_table(n_types, 4)
    meta[3] = windowed
    truth: Counter[tuple[int, int]] = Counter()
    far = 0  # the largest displacement seen
    for step in range(12000):
        # Many keys first (large tables, long probe runs), then mostly deletions (shrinking).
        e, f = int(rng.integers(n_types)), int(rng.integers(600))
        add = rng.random() < (0.8 if step < 6000 else 0.2)
        delta = -1 if truth[(e, f)] > 0 and not add else 1
        pool = K.lex_add(pool, start, bits, used, meta, e, f, delta)
        truth[(e, f)] += delta
        if rng.random() < 0.01:
            for (e2, f2), c in truth.items():
                assert K.lex_count(pool, start, bits, e2, f2) == c
            far = max(far, *_displacements(pool, start, bits))
    for e in range(n_types):
        assert used[e] == sum(1 for (e2, _), c in truth.items() if e2 == e and c > 0)
    if windowed:
        assert far < K._WINDOW
    else:
        assert far >= K._WINDOW  # the same keys do run past a window when nothing stops them


def test_lex_add_in_place_refuses_to_grow_a_full_pool_and_lex_add_grows_it() -> None:
    # The sweep adds counts in place (no allocation, no reference counting) and calls lex_add
    # only when that is refused: a refusal must leave every table exactly as it was.
    pool, start, bits, used, meta = K.new_lex_table(2, 4)
    f = 0
    while K.lex_add_in_place(pool, start, bits, used, meta, 1, f, 1):
        f += 1
    assert f > 0  # the first pool held tables up to its size
    before = (pool.copy(), start.copy(), bits.copy(), used.copy(), meta.copy())
    assert not K.lex_add_in_place(pool, start, bits, used, meta, 1, f, 1)
    for now, then in zip((pool, start, bits, used, meta), before, strict=True):
        assert np.array_equal(now, then)
    grown = K.lex_add(pool, start, bits, used, meta, 1, f, 1)
    assert len(grown) > len(pool)
    assert [K.lex_count(grown, start, bits, 1, g) for g in range(f + 1)] == [1] * (f + 1)
    assert used[1] == f + 1


def test_windowed_lex_add_keeps_every_count_when_one_growth_is_not_enough() -> None:
    # Half the keys share their home slot up to tables of 64 slots, so that in a 4-slot window
    # they fit only once their table has grown several times. Growing once may make room for
    # the table but not for the key: lex_add must then grow again rather than drop the count
    # (it once dropped it, and a later sweep looked for the pair forever).
    clustered = [f for f in range(1, 400_000) if K._slot(f, 6) == 0]
    rng = np.random.default_rng(0)
    n_types = 42
    pool, start, bits, used, meta = K.new_lex_table(n_types, 4)
    meta[3] = 1
    truth: Counter[tuple[int, int]] = Counter()
    for _ in range(600):
        e = int(rng.integers(n_types))
        f = int(rng.choice(clustered)) if rng.random() < 0.5 else int(rng.integers(1, 5000))
        pool = K.lex_add(pool, start, bits, used, meta, e, f, 1)
        truth[(e, f)] += 1
        assert K.lex_count(pool, start, bits, e, f) == truth[(e, f)]
    assert all(K.lex_count(pool, start, bits, e, f) == c for (e, f), c in truth.items())
    assert max(_displacements(pool, start, bits)) < K._WINDOW


def _random_state(
    seed: int, model: int, with_priors: bool, windowed: bool = True
) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """A random small corpus, random links and counts built by the kernels."""
    rng = np.random.default_rng(seed)
    n_pairs, n_src_types, n_tgt_types = 6, 5, 6
    src_len = rng.integers(1, 7, n_pairs)
    tgt_len = rng.integers(1, 7, n_pairs)
    src_offsets = np.concatenate(([0], np.cumsum(src_len))).astype(np.int64)
    tgt_offsets = np.concatenate(([0], np.cumsum(tgt_len))).astype(np.int64)
    src_ids = rng.integers(1, n_src_types + 1, src_offsets[-1]).astype(np.int32)
    tgt_ids = rng.integers(0, n_tgt_types, tgt_offsets[-1]).astype(np.int32)
    links = np.empty(tgt_offsets[-1], dtype=np.int32)
    for s in range(n_pairs):
        for t in range(tgt_offsets[s], tgt_offsets[s + 1]):
            links[t] = -1 if rng.random() < 0.3 else rng.integers(src_len[s])
    n_types = n_src_types + 1
    if with_priors:
        pe = np.repeat(np.arange(n_types), n_tgt_types).astype(np.int32)
        pf = np.tile(np.arange(n_tgt_types), n_types).astype(np.int32)
        keep = rng.random(len(pe)) < 0.4
        pe, pf = pe[keep], pf[keep]
        palpha = rng.random(len(pe)) * 3
        keys, slot_of, pstart, pbits = K.build_prior_table(n_types, pe, pf)
        pvalues = np.zeros(len(keys))
        pvalues[slot_of] = palpha
        prior_sum = np.bincount(pe, weights=palpha, minlength=n_types)
        jump_prior = rng.random(K.JUMP_LEN) * 2
    else:
        pe = pf = np.zeros(0, dtype=np.int32)
        palpha = np.zeros(0)
        keys, pvalues = np.zeros(0, dtype=np.int32), np.zeros(0)
        pstart = pbits = np.zeros(0, dtype=np.int64)
        prior_sum, jump_prior = np.zeros(0), np.zeros(0)
    pool, start, bits, used, meta = K.new_lex_table(n_types, 8)
    count_sum, inv_sum = np.zeros(n_types), np.zeros(n_types)
    jump = np.zeros(K.JUMP_LEN + 1)
    pool = K.make_counts(
        model, src_ids, src_offsets, tgt_ids, tgt_offsets, links, n_tgt_types, pool, start, bits,
        used, meta, count_sum, inv_sum, jump, prior_sum, jump_prior, windowed,
    )  # fmt: skip
    arrays = {
        "src_ids": src_ids, "src_offsets": src_offsets, "tgt_ids": tgt_ids,
        "tgt_offsets": tgt_offsets, "links": links, "pool": pool, "start": start, "bits": bits,
        "used": used, "meta": meta, "count_sum": count_sum, "inv_sum": inv_sum, "jump": jump,
        "fert_ratio": rng.random(n_types * K.FERT_LEN) * 2, "keys": keys, "pvalues": pvalues,
        "pstart": pstart, "pbits": pbits,
    }  # fmt: skip
    extra = {
        "n_tgt_types": n_tgt_types,
        "prior": {(int(e), int(f)): float(a) for e, f, a in zip(pe, pf, palpha, strict=True)},
        "prior_sum": prior_sum,
        "jump_prior": jump_prior,
    }
    return arrays, extra


def _reference_distribution(
    model: int, a: dict[str, np.ndarray], x: dict[str, object], s: int, j: int, null_prior: float
) -> list[float]:
    """Östling & Tiedemann's conditional for link (s, j), from counts rebuilt in plain Python."""
    prior: dict[tuple[int, int], float] = x["prior"]  # type: ignore[assignment]
    prior_sum: np.ndarray = x["prior_sum"]  # type: ignore[assignment]
    jump_prior: np.ndarray = x["jump_prior"]  # type: ignore[assignment]
    n_tgt_types: int = x["n_tgt_types"]  # type: ignore[assignment]
    so, to, links = a["src_offsets"], a["tgt_offsets"], a["links"]

    def jidx(i_from: int, i_to: int) -> int:
        return min(max(i_to - i_from + K.JUMP_LEN // 2, 0), K.JUMP_LEN - 1)

    counts: Counter[tuple[int, int]] = Counter()
    jumps: Counter[int] = Counter()
    for k in range(len(so) - 1):
        src = [int(v) for v in a["src_ids"][so[k] : so[k + 1]]]
        if not src:
            continue
        chain = [-1]
        for t in range(to[k], to[k + 1]):
            if k == s and t == to[s] + j:
                continue  # the link being resampled is left out...
            i = int(links[t])
            counts[(0 if i < 0 else src[i], int(a["tgt_ids"][t]))] += 1
            if i >= 0:
                chain.append(i)
        chain.append(len(src))
        for i_from, i_to in itertools.pairwise(chain):
            jumps[jidx(i_from, i_to)] += 1
    src = [int(v) for v in a["src_ids"][so[s] : so[s + 1]]]
    sent_links = [int(v) for v in links[to[s] : to[s + 1]]]
    prev_i = max([i for i in sent_links[:j] if i >= 0][-1:], default=-1)
    nxt = [i for i in sent_links[j + 1 :] if i >= 0]
    next_i = nxt[0] if nxt else len(src)
    # ...and so is the jump over it: the sampler's counts hold neither j's jumps nor that one.
    jumps[jidx(prev_i, next_i)] -= 1
    jump = [
        K.JUMP_ALPHA + (jump_prior[k] if len(jump_prior) else 0.0) + jumps[k]
        for k in range(K.JUMP_LEN)
    ]
    z = K.JUMP_MAX_EST * K.JUMP_ALPHA + float(np.sum(jump_prior)) + sum(jumps.values())
    fert = [
        sum(1 for jj, i in enumerate(sent_links) if i == p and jj != j) for p in range(len(src))
    ]
    f = int(a["tgt_ids"][to[s] + j])

    def lex(e: int, alpha: float) -> float:
        total = sum(c for (e2, _), c in counts.items() if e2 == e)
        denom = K.LEX_ALPHA * n_tgt_types + (prior_sum[e] if len(prior_sum) else 0.0) + total
        return (alpha + prior.get((e, f), 0.0) + counts[(e, f)]) / denom

    out = []
    for i, e in enumerate(src):
        p = lex(e, K.LEX_ALPHA)
        if model >= 2:
            p *= jump[jidx(prev_i, i)] * jump[jidx(i, next_i)]
        if model >= 3:
            p *= a["fert_ratio"][e * K.FERT_LEN + min(fert[i] + 1, K.FERT_LEN - 1)]
        out.append(p)
    p = null_prior * lex(0, K.NULL_ALPHA)
    if model >= 2:
        p *= z * jump[jidx(prev_i, next_i)]
    out.append(p)
    return out


@pytest.mark.parametrize("model", [1, 2, 3])
@pytest.mark.parametrize("with_priors", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("windowed", [False, True])
def test_conditional_matches_python_reference(
    model: int, with_priors: bool, seed: int, windowed: bool
) -> None:
    a, x = _random_state(seed, model, with_priors, windowed)
    null_prior = 0.2
    so, to, links = a["src_offsets"], a["tgt_offsets"], a["links"]
    for s in range(len(so) - 1):
        src_sent = a["src_ids"][so[s] : so[s + 1]]
        for j in range(to[s + 1] - to[s]):
            t = to[s] + j
            sent_links = links[to[s] : to[s + 1]]
            prev = [int(i) for i in sent_links[:j] if i >= 0]
            nxt = [int(i) for i in sent_links[j + 1 :] if i >= 0]
            prev_i = prev[-1] if prev else -1
            next_i = nxt[0] if nxt else len(src_sent)
            old_i = int(links[t])
            old_e = 0 if old_i < 0 else int(src_sent[old_i])
            f = int(a["tgt_ids"][t])
            a["pool"] = K._remove_link(
                model, old_e, f, old_i, prev_i, next_i, a["pool"], a["start"], a["bits"],
                a["used"], a["meta"], a["count_sum"], a["inv_sum"], a["jump"],
            )  # fmt: skip
            fert = np.bincount(
                [int(i) for jj, i in enumerate(sent_links) if i >= 0 and jj != j],
                minlength=len(src_sent),
            ).astype(np.int64)
            out = np.zeros(len(src_sent) + 1)
            sent_base = 2 * a["start"][src_sent]
            sent_bits = a["bits"][src_sent]
            total = K.position_distribution(
                model, src_sent, f, prev_i, next_i, fert, sent_base, sent_bits, a["pool"],
                a["start"], a["bits"],
                a["inv_sum"], a["jump"], a["fert_ratio"], a["keys"], a["pvalues"], a["pstart"],
                a["pbits"], null_prior, K.LEX_ALPHA, K.NULL_ALPHA, out, windowed, False,
            )  # fmt: skip
            expected = _reference_distribution(model, a, x, s, j, null_prior)
            np.testing.assert_allclose(out, expected, rtol=1e-9, atol=0)
            assert total == pytest.approx(sum(expected), rel=1e-9)
            sums = np.zeros_like(out)
            K.position_distribution(
                model, src_sent, f, prev_i, next_i, fert, sent_base, sent_bits, a["pool"],
                a["start"], a["bits"],
                a["inv_sum"], a["jump"], a["fert_ratio"], a["keys"], a["pvalues"], a["pstart"],
                a["pbits"], null_prior, K.LEX_ALPHA, K.NULL_ALPHA, sums, windowed, True,
            )  # fmt: skip
            # Bit for bit, the total included: the sampler's draws depend on it.
            assert sums.tolist() == list(itertools.accumulate(out))
            assert sums[-1] == total
            a["pool"] = K._add_link(
                model, old_e, f, old_i, prev_i, next_i, a["pool"], a["start"], a["bits"],
                a["used"], a["meta"], a["count_sum"], a["inv_sum"], a["jump"],
            )  # fmt: skip


def test_gamma_sampler_moments() -> None:
    rng = np.array([np.uint64(12345)], dtype=np.uint64)
    for shape in (0.5, 1.0, 3.5):
        draws = np.array([K.gamma(rng, shape) for _ in range(20000)])
        assert draws.mean() == pytest.approx(shape, rel=0.05)
        assert draws.var() == pytest.approx(shape, rel=0.1)


def test_stats_of_links_hand_counted() -> None:
    from wordalign.aligners.statistical.eflomal import _Corpus, _stats_from_links

    # Two pairs, ids shifted (0 = NULL): "a b" -> "x y" with x<-a, y<-NULL,
    # "b" -> "x x" with both x<-b; an empty source pair contributes nothing.
    corpus = _Corpus(
        src_ids=np.array([1, 2, 2], dtype=np.int32),
        src_offsets=np.array([0, 2, 3, 3], dtype=np.int64),
        tgt_ids=np.array([1, 2, 1, 1, 2], dtype=np.int32),
        tgt_offsets=np.array([0, 2, 4, 5], dtype=np.int64),
        n_src_types=3,
        n_tgt_types=2,
    )
    stats = _stats_from_links(corpus, np.array([0, -1, 0, 0, -1], dtype=np.int32))
    columns = (stats.lex_e.tolist(), stats.lex_f.tolist(), stats.lex_count.tolist())
    triples = list(zip(*columns, strict=True))
    assert triples == [(0, 1, 1.0), (1, 0, 1.0), (2, 0, 2.0)]
    # Fertility: a has 1, b (first pair) 0, b (second pair) 2.
    fert = stats.fert.reshape(3, K.FERT_LEN)
    assert fert[1, 1] == 1.0 and fert[2, 0] == 1.0 and fert[2, 2] == 1.0
