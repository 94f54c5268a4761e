"""Sentence alignment on small synthetic documents with known beads."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from wordalign.corpus.sentalign import (
    BEAD_SHAPES,
    Bead,
    BootstrapParams,
    CorpusSentenceAligner,
    SentAlignParams,
    align_sentences,
    bootstrap_dictionary,
    confident_beads,
    estimate_length_model,
    sentence_keys,
    words_of,
)

_SYLLABLES = ["ka", "lo", "mi", "tur", "sen", "va", "dro", "pel", "ni", "gus", "ter", "bo", "fa"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))


def _sentence(rng: random.Random) -> str:
    words = [_word(rng) for _ in range(rng.randint(4, 22))]
    if rng.random() < 0.4:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 2999)))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def _translate(sentence: str, rng: random.Random) -> str:
    # A made-up target language: each word gets an ending (so that long words keep a cognate
    # prefix), numbers stay, and one short function word in three is added: the target is ~1.3
    # times as long as the source, with noise.
    out = []
    for word in sentence.rstrip(".").split():
        out.append(word if word.isdigit() else word + rng.choice(["a", "un", "as", "ezza"]))
        if rng.random() < 0.3:
            out.append(rng.choice(["da", "il", "la", "per"]))
    return " ".join(out) + "."


def _document(seed: int, n: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    src = [_sentence(rng) for _ in range(n)]
    return src, [_translate(s, rng) for s in src]


def _pairs(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src_idx, b.tgt_idx) for b in beads]


def _one_to_one(n: int) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [((k,), (k,)) for k in range(n)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_corpus_sentalign_parallel_documents_align_one_to_one(seed: int) -> None:
    src, tgt = _document(seed, 15)
    beads = align_sentences(src, tgt, src_lang="xx", tgt_lang="yy")
    assert _pairs(beads) == _one_to_one(15)
    assert all(0.0 <= b.score <= 1.0 for b in beads)


def _expected_with(
    n: int, edits: dict[int, str]
) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], dict[str, list[int]]]:
    """Expected beads when target sentence positions (of the parallel document) are edited.

    ``edits[k]``: ``"del"`` drops target k, ``"merge"`` joins target k and k+1, ``"split"``
    splits target k in two, ``"ins"`` inserts an unrelated target sentence before target k,
    ``"srcmerge"`` joins source k and k+1.
    """
    expected = []
    i = j = 0
    k = 0
    while k < n:
        op = edits.get(k)
        if op == "del":
            expected.append(((i,), ()))
            i += 1
            k += 1
        elif op == "merge":
            expected.append(((i, i + 1), (j,)))
            i += 2
            j += 1
            k += 2
        elif op == "srcmerge":
            expected.append(((i,), (j, j + 1)))
            i += 1
            j += 2
            k += 2
        elif op == "split":
            expected.append(((i,), (j, j + 1)))
            i += 1
            j += 2
            k += 1
        elif op == "ins":
            expected.append(((), (j,)))
            expected.append(((i,), (j + 1,)))
            i += 1
            j += 2
            k += 1
        else:
            expected.append(((i,), (j,)))
            i += 1
            j += 1
            k += 1
    return expected, {}


def _apply(
    src: list[str], tgt: list[str], edits: dict[int, str], seed: int
) -> tuple[list[str], list[str]]:
    rng = random.Random(seed + 1000)
    new_src: list[str] = []
    new_tgt: list[str] = []
    k = 0
    while k < len(src):
        op = edits.get(k)
        if op == "del":
            new_src.append(src[k])
            k += 1
        elif op == "merge":
            new_src += [src[k], src[k + 1]]
            new_tgt.append(tgt[k].rstrip(".") + ", " + tgt[k + 1][0].lower() + tgt[k + 1][1:])
            k += 2
        elif op == "srcmerge":
            new_src.append(src[k].rstrip(".") + ", " + src[k + 1][0].lower() + src[k + 1][1:])
            new_tgt += [tgt[k], tgt[k + 1]]
            k += 2
        elif op == "split":
            words = tgt[k].split()
            half = len(words) // 2
            new_src.append(src[k])
            new_tgt += [" ".join(words[:half]) + ".", " ".join(words[half:])]
            k += 1
        elif op == "ins":
            new_src.append(src[k])
            new_tgt += [_translate(_sentence(rng), rng), tgt[k]]
            k += 1
        else:
            new_src.append(src[k])
            new_tgt.append(tgt[k])
            k += 1
    return new_src, new_tgt


EDIT_CASES = [
    {3: "del"},
    {0: "del"},
    {14: "del"},
    {5: "ins"},
    {0: "ins"},
    {4: "merge"},
    {4: "srcmerge"},
    {7: "split"},
    {2: "del", 6: "merge", 10: "ins"},
    {1: "srcmerge", 5: "del", 9: "merge", 12: "ins"},
]


@pytest.mark.parametrize("seed", [0, 7])
@pytest.mark.parametrize(
    "edits", EDIT_CASES, ids=lambda e: "+".join(f"{v}{k}" for k, v in e.items())
)
def test_corpus_sentalign_recovers_insertions_deletions_and_merges(
    edits: dict[int, str], seed: int
) -> None:
    src, tgt = _document(seed, 15)
    src, tgt = _apply(src, tgt, edits, seed)
    expected, _ = _expected_with(15, edits)
    beads = align_sentences(src, tgt, src_lang="xx", tgt_lang="yy")
    assert _pairs(beads) == expected


def test_corpus_sentalign_beads_cover_both_documents_in_order() -> None:
    src, tgt = _document(3, 12)
    beads = align_sentences(src, tgt[:7], src_lang="xx", tgt_lang="yy")
    assert [i for b in beads for i in b.src_idx] == list(range(12))
    assert [j for b in beads for j in b.tgt_idx] == list(range(7))


@pytest.mark.parametrize(
    ("src", "tgt", "expected"),
    [
        ([], [], []),
        (["Ina frasa."], [], [((0,), ())]),
        ([], ["Ein Satz.", "Noch einer."], [((), (0,)), ((), (1,))]),
        (["Ein Satz."], ["Ina frasa."], [((0,), (0,))]),
    ],
)
def test_corpus_sentalign_empty_and_tiny_documents(
    src: list[str], tgt: list[str], expected: list[tuple[tuple[int, ...], tuple[int, ...]]]
) -> None:
    assert _pairs(align_sentences(src, tgt, src_lang="de", tgt_lang="rm")) == expected


def test_corpus_sentalign_numbers_anchor_against_length() -> None:
    # Two target sentences of equal length: only the numbers tell which one translates which.
    src = ["Im Jahr 1999 kamen 250 Gäste.", "Es war sehr schön und gut."]
    tgt_right = ["L'onn 1999 èn 250 giasts vegnids.", "I era fitg bel e bun per tuts."]
    beads = align_sentences(src[:1], tgt_right, src_lang="de", tgt_lang="rm")
    assert _pairs(beads) == [((0,), (0,)), ((), (1,))]


def test_corpus_sentalign_dictionary_decides_between_candidates() -> None:
    src = ["Der Hund schläft im Garten."]
    tgt = ["Il chaun dorma en l'iert.", "La giat maglia en chasa."]
    swapped = list(reversed(tgt))
    without = align_sentences(src, swapped, src_lang="de", tgt_lang="rm")
    dictionary = {"hund": ["chaun"], "garten": ["iert"], "schläft": ["dorma"]}
    with_dict = align_sentences(src, swapped, src_lang="de", tgt_lang="rm", dictionary=dictionary)
    assert _pairs(with_dict) == [((), (0,)), ((0,), (1,))]
    # Without the dictionary nothing tells the sentences apart: the aligner merges them.
    assert _pairs(without) == [((0,), (0, 1))]


def test_corpus_sentalign_is_deterministic() -> None:
    src, tgt = _document(11, 20)
    src, tgt = _apply(src, tgt, {2: "del", 6: "merge", 10: "ins"}, 11)
    first = align_sentences(src, tgt, src_lang="xx", tgt_lang="yy")
    assert align_sentences(src, tgt, src_lang="xx", tgt_lang="yy") == first


def test_corpus_sentalign_words_and_keys() -> None:
    assert words_of("Ils 8 da schaner 2021 costava quai 1'000 francs.") == (
        "ils", "8", "da", "schaner", "2021", "costava", "quai", "1000", "francs",
    )  # fmt: skip
    assert words_of("l'annunzia") == ("l", "annunzia")
    keys = sentence_keys(("programm", "8", "und"), side="src", cognate_len=4)
    assert keys == frozenset({"~prog", "#8"})
    keys = sentence_keys(("und",), side="src", cognate_len=4, dictionary={"und": ["e"]})
    assert keys == frozenset({"@e"})
    assert sentence_keys(("e", "8"), side="tgt", cognate_len=4, dictionary={}) == frozenset(
        {"@e", "#8"}
    )


def test_corpus_sentalign_bootstrap_dictionary_dice() -> None:
    pairs = [(("hund", "und", "katze"), ("chaun", "e", "giat"))] * 3 + [
        (("hund",), ("chaun",)),
        (("und",), ("e",)),
    ]
    params = BootstrapParams(min_count=3, min_dice=0.5, max_translations=1)
    dictionary = bootstrap_dictionary(pairs, params)
    # c(hund, chaun) = 4, c(hund) = c(chaun) = 4: Dice 1; hund-giat: 2*3/(4+3) < 1.
    assert dictionary["hund"] == ("chaun",)
    assert dictionary["und"] == ("e",)
    assert dictionary["katze"] == ("giat",)
    assert bootstrap_dictionary([], params) == {}


def test_corpus_sentalign_confident_beads_need_one_to_one_neighbours() -> None:
    beads = [
        Bead((0,), (0,), 0.9),
        Bead((1,), (1,), 0.9),
        Bead((2, 3), (2,), 0.9),
        Bead((4,), (3,), 0.9),
        Bead((5,), (4,), 0.9),
        Bead((6,), (5,), 0.01),
    ]
    assert [b.src_idx for b in confident_beads(beads, 0.2)] == [(0,), (5,)]


def test_corpus_sentalign_length_model_estimate() -> None:
    lengths = [(100 + k, int((100 + k) * 1.2)) for k in range(50)]
    ratio, variance = estimate_length_model(lengths)
    assert ratio == pytest.approx(1.2, abs=0.01)
    assert variance == pytest.approx(0.5)  # exact ratios: the floor
    assert estimate_length_model([(10, 12)]) == (1.0, 6.8)


def test_corpus_sentalign_corpus_two_passes() -> None:
    documents = []
    expected = []
    for seed in range(12):
        src, tgt = _document(100 + seed, 10)
        edits = {seed % 10: "del"} if seed % 3 == 0 else {}
        documents.append(_apply(src, tgt, edits, seed))
        expected.append(_expected_with(10, edits)[0])
    aligner = CorpusSentenceAligner("xx", "yy", show_progress=False)
    results = aligner.align(documents)
    assert [_pairs(r) for r in results] == expected
    assert aligner.ratio_ is not None and aligner.ratio_ > 1.0
    assert aligner.dictionary_  # learned from the first pass
    parallel = CorpusSentenceAligner("xx", "yy", n_jobs=2, show_progress=False)
    assert parallel.align(documents) == results


def test_corpus_sentalign_params_disable_two_to_two() -> None:
    params = SentAlignParams(allow_2_2=False)
    assert params.prior_costs()[5] == float("inf")


def _path_cost(
    path: list[tuple[int, int, int]],
    src_len: list[float],
    tgt_len: list[float],
    lex: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    prior_cost: np.ndarray,
    ratio: float,
    variance: float,
    weight: float,
    skip: float,
) -> float:
    # Gale & Church's length cost written out independently of the kernel.
    total = 0.0
    sims = {0: lex[0], 3: lex[1], 4: lex[2], 5: lex[3]}
    for i, j, k in path:
        n_src, n_tgt = BEAD_SHAPES[k]
        total += prior_cost[k]
        if k in (1, 2):
            total += skip
            continue
        ls, lt = sum(src_len[i : i + n_src]), sum(tgt_len[j : j + n_tgt])
        mean = (ls + lt / ratio) / 2.0
        delta = (lt - ratio * ls) / math.sqrt(mean * variance)
        total += -math.log(math.erfc(abs(delta) / math.sqrt(2.0)))
        total -= weight * sims[k][i, j]
    return total


def _all_paths(n: int, m: int) -> list[list[tuple[int, int, int]]]:
    if n == 0 and m == 0:
        return [[]]
    out = []
    for k, (di, dj) in enumerate(BEAD_SHAPES):
        if di <= n and dj <= m:
            for rest in _all_paths(n - di, m - dj):
                out.append([*rest, (n - di, m - dj, k)])
    return out


@pytest.mark.parametrize("seed", range(12))
def test_corpus_sentalign_dp_matches_brute_force(seed: int) -> None:
    from wordalign.corpus._sentalign_kernels import align_dp

    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(0, 5)), int(rng.integers(0, 5))
    src_len = rng.integers(5, 120, size=n).astype(np.float64)
    tgt_len = rng.integers(5, 120, size=m).astype(np.float64)
    lex = (
        rng.random((n, m)),
        rng.random((n, max(m - 1, 0))),
        rng.random((max(n - 1, 0), m)),
        rng.random((max(n - 1, 0), max(m - 1, 0))),
    )
    prior_cost = SentAlignParams().prior_costs()
    args = (1.1, 3.0, 4.0, 1.0)
    src_start, tgt_start, kind, _ = align_dp(src_len, tgt_len, *lex, prior_cost, *args)
    found = list(zip(src_start.tolist(), tgt_start.tolist(), kind.tolist(), strict=True))
    costs = [
        _path_cost(p, list(src_len), list(tgt_len), lex, prior_cost, *args)
        for p in _all_paths(n, m)
    ]
    best = _path_cost(found, list(src_len), list(tgt_len), lex, prior_cost, *args)
    assert best == pytest.approx(min(costs), abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_corpus_sentalign_shared_key_counts_match_sets(seed: int) -> None:
    from wordalign.corpus._sentalign_kernels import shared_key_counts

    rng = random.Random(seed)
    n, m = rng.randint(0, 5), rng.randint(0, 5)
    src = [set(rng.sample(range(12), rng.randint(0, 6))) for _ in range(n)]
    tgt = [set(rng.sample(range(12), rng.randint(0, 6))) for _ in range(m)]

    def ragged(sets: list[set[int]]) -> tuple[np.ndarray, np.ndarray]:
        ids = [k for s in sets for k in sorted(s)]
        offsets = np.cumsum([0] + [len(s) for s in sets])
        return np.array(ids, dtype=np.int64), offsets.astype(np.int64)

    counts = shared_key_counts(*ragged(src), *ragged(tgt), 12)
    for out, (ws, wt) in zip(counts, [(1, 1), (1, 2), (2, 1), (2, 2)], strict=True):
        assert out.shape == (max(n - ws + 1, 0), max(m - wt + 1, 0))
        for i in range(out.shape[0]):
            for j in range(out.shape[1]):
                a = set().union(*src[i : i + ws])
                b = set().union(*tgt[j : j + wt])
                assert out[i, j] == len(a & b)


def _length_only_document(
    seed: int, lengths: list[int], factor: float
) -> tuple[list[str], list[str]]:
    # One word per sentence from disjoint alphabets: no numbers, cognates or dictionary entries,
    # so that only the length model decides the beads.
    rng = random.Random(seed)
    src = ["".join(rng.choice("abcdefgh") for _ in range(n)) for n in lengths]
    tgt = ["".join(rng.choice("pqrstuvw") for _ in range(round(n * factor))) for n in lengths]
    return src, tgt


def _record_ratios(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    from wordalign.corpus import sentalign

    seen: list[float] = []
    original = sentalign.align_features

    def recording(*args: object, ratio: float, **kwargs: object) -> list[Bead]:
        seen.append(ratio)
        return original(*args, ratio=ratio, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sentalign, "align_features", recording)
    return seen


def test_corpus_sentalign_given_ratio_reaches_scoring(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _record_ratios(monkeypatch)
    documents = [_document(200 + seed, 10) for seed in range(4)]
    aligner = CorpusSentenceAligner(
        "xx", "yy", params=SentAlignParams(ratio=1.7), show_progress=False
    )
    aligner.align(documents)
    assert seen == [1.7] * (2 * len(documents))  # both passes, every document
    assert aligner.ratio_ == 1.7


def test_corpus_sentalign_given_ratio_changes_the_beads() -> None:
    # Target 3 times as long: a document's own estimate is clipped to 2.0, which misaligns half of
    # the beads; the true ratio, given by the user, aligns them all.
    rng = random.Random(7)
    lengths = [rng.choice([20, 40, 60, 120, 200]) for _ in range(12)]
    document = _length_only_document(1, lengths, 3.0)
    estimated = CorpusSentenceAligner("xx", "yy", show_progress=False).align([document])[0]
    assert _pairs(estimated) != _one_to_one(12)
    given = CorpusSentenceAligner(
        "xx", "yy", params=SentAlignParams(ratio=3.0), show_progress=False
    ).align([document])[0]
    assert _pairs(given) == _one_to_one(12)


def test_corpus_sentalign_second_pass_uses_the_estimated_ratio(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A document too short to estimate its own ratio falls back to 1.0 in pass 1 and is
    # misaligned; pass 2 must realign it with the ratio learned from the long documents (1.8).
    rng = random.Random(0)
    documents = [
        _length_only_document(seed, [rng.choice([20, 40, 60, 120, 200]) for _ in range(10)], 1.8)
        for seed in range(4)
    ]
    short = _length_only_document(99, [45, 45, 90], 1.8)
    assert _pairs(align_sentences(*short, src_lang="xx", tgt_lang="yy")) != _one_to_one(3)
    seen = _record_ratios(monkeypatch)
    aligner = CorpusSentenceAligner("xx", "yy", show_progress=False)
    results = aligner.align([*documents, short])
    assert aligner.ratio_ == pytest.approx(1.8, abs=0.01)
    assert seen[5:] == [aligner.ratio_] * 5
    assert _pairs(results[-1]) == _one_to_one(3)
