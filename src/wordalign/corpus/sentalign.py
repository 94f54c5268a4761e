"""Sentence alignment of two documents: length-based dynamic programming plus lexical evidence.

The aligner is of the hunalign class (Varga et al. 2005, "Parallel corpora for medium density
languages"): a Gale & Church (1993) dynamic programme over beads 1-1, 1-0, 0-1, 1-2, 2-1 and 2-2
whose cost adds, to the length cost and the bead prior, a bonus for lexical evidence shared by the
two sides of a bead:

* numbers (digits only, so that ``1'000``, ``1 000`` and ``1.000`` agree, and ``8.`` matches ``8``);
* names and cognates: words of at least ``cognate_len`` letters that share their first
  ``cognate_len`` letters (German, Romansh and Italian share names and many Latin-rooted words);
* a translation dictionary, given by the user or bootstrapped from a first pass over a corpus
  (:class:`CorpusSentenceAligner`): Dice scores of words that co-occur in confident 1-1 beads.

The alignment is deterministic: ties are broken by the fixed order of bead shapes (1-1 first).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeAlias

import numpy as np

from wordalign._progress import progress

Dictionary: TypeAlias = Mapping[str, Sequence[str]]
"""Translation dictionary: lowercased source word -> lowercased target words."""

# Bead shapes in the order of align_dp's kinds (mirrors _sentalign_kernels.BEAD_SHAPES, which is
# not imported here so that this module loads without numba).
BEAD_SHAPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (1, 2), (2, 1), (2, 2))

# Target/source character-length ratios measured on DERMIT (whole documents); used only when the
# two documents are too short to estimate their own ratio.
_DEFAULT_RATIOS = {("de", "rm"): 1.10, ("de", "it"): 1.12, ("rm", "it"): 1.02}

_WORD = re.compile(r"\d+(?:[.,'’ ]\d{3})*(?:[.,]\d+)?|[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Bead:
    """One aligned unit: consecutive source and target sentences that translate each other.

    Attributes:
        src_idx: 0-based positions of the source sentences (empty for a 0-1 bead).
        tgt_idx: 0-based positions of the target sentences (empty for a 1-0 bead).
        score: confidence in [0, 1]: the mean of the length agreement P(|delta|) of Gale & Church
            and the lexical similarity of the two sides; 0 for insertions and deletions.
    """

    src_idx: tuple[int, ...]
    tgt_idx: tuple[int, ...]
    score: float

    @property
    def shape(self) -> tuple[int, int]:
        """``(len(src_idx), len(tgt_idx))``, e.g. ``(1, 2)``."""
        return (len(self.src_idx), len(self.tgt_idx))


@dataclass(frozen=True, slots=True)
class SentAlignParams:
    """Parameters of the sentence aligner.

    Attributes:
        ratio: expected target/source character-length ratio; ``None`` estimates it from the two
            documents (their total lengths).
        variance: Gale & Church's variance of the length difference per character (6.8 in their
            paper).
        priors: probabilities of the bead shapes 1-1, 1-0, 0-1, 1-2, 2-1, 2-2 (Gale & Church's
            Table 5 values by default).
        allow_2_2: whether 2-2 beads are allowed.
        lexical_weight: bonus, in nats, of a bead whose lexical similarity is 1.
        skip_cost: cost, in nats, of leaving a sentence unaligned, on top of its prior.
        cognate_len: length of the shared prefix that makes two words cognates (0 disables).
    """

    ratio: float | None = None
    variance: float = 6.8
    priors: tuple[float, float, float, float, float, float] = (
        0.89,
        0.0099,
        0.0099,
        0.089 / 2,
        0.089 / 2,
        0.011,
    )
    allow_2_2: bool = True
    lexical_weight: float = 10.0
    skip_cost: float = 1.0
    cognate_len: int = 4

    def prior_costs(self) -> np.ndarray:
        costs = np.array([-math.log(p) if p > 0 else math.inf for p in self.priors])
        if not self.allow_2_2:
            costs[5] = math.inf
        return costs


@dataclass(frozen=True, slots=True)
class SentenceFeatures:
    """What the aligner needs to know of one sentence: its length and its lexical keys.

    Attributes:
        length: characters (without surrounding whitespace).
        n_words: words and numbers (see :func:`words_of`).
        keys: lexical keys (see :func:`sentence_keys`).
    """

    length: int
    n_words: int
    keys: frozenset[str]


def words_of(sentence: str) -> tuple[str, ...]:
    """Lowercased words and numbers of a sentence (numbers reduced to their digits).

    Example:
        >>> words_of("Am 8. Januar 2021 kostete es 1'000 Franken.")
        ('am', '8', 'januar', '2021', 'kostete', 'es', '1000', 'franken')
    """
    text = unicodedata.normalize("NFC", sentence)
    out = []
    for match in _WORD.finditer(text):
        token = match.group()
        if token[0].isdigit():
            out.append("".join(ch for ch in token if ch.isdigit()))
        else:
            out.append(token.lower())
    return tuple(out)


@functools.lru_cache(maxsize=1 << 18)
def _base_keys(words: tuple[str, ...], cognate_len: int) -> frozenset[str]:
    keys: set[str] = set()
    for word in words:
        if word[0].isdigit():
            keys.add("#" + word)
        elif cognate_len and len(word) >= cognate_len:
            keys.add("~" + word[:cognate_len])
    return frozenset(keys)


def sentence_keys(
    words: Sequence[str], *, side: str, cognate_len: int, dictionary: Dictionary | None = None
) -> frozenset[str]:
    """Lexical keys of a sentence; a source and a target key that are equal are evidence.

    Keys are numbers (``#2021``), cognate prefixes (``~prog``) and, with a dictionary,
    translations (``@program``): on the source side a word's dictionary translations, on the
    target side every word itself.

    Args:
        words: output of :func:`words_of`.
        side: ``"src"`` or ``"tgt"``.
        cognate_len: prefix length for cognates (0: no cognate keys).
        dictionary: source word -> target words.
    """
    keys = _base_keys(tuple(words), cognate_len)
    if dictionary is None:
        return keys
    extra: set[str] = set()
    for word in words:
        if side == "src":
            extra.update("@" + translation for translation in dictionary.get(word, ()))
        elif not word[0].isdigit():
            extra.add("@" + word)
    return keys | extra


class FeatureCache:
    """Memo of :func:`words_of` per sentence, so that each sentence is analysed once per process."""

    def __init__(self) -> None:
        self._words: dict[str, tuple[str, ...]] = {}

    def words(self, sentence: str) -> tuple[str, ...]:
        found = self._words.get(sentence)
        if found is None:
            found = self._words[sentence] = words_of(sentence)
        return found


def sentence_features(
    sentences: Sequence[str],
    *,
    side: str,
    cognate_len: int = 4,
    dictionary: Dictionary | None = None,
    cache: FeatureCache | None = None,
) -> list[SentenceFeatures]:
    """Features of every sentence of a document (see :func:`sentence_keys`)."""
    out = []
    for sentence in sentences:
        words = cache.words(sentence) if cache is not None else words_of(sentence)
        keys = sentence_keys(words, side=side, cognate_len=cognate_len, dictionary=dictionary)
        out.append(SentenceFeatures(len(sentence.strip()), len(words), keys))
    return out


def similarity_matrices(
    src: Sequence[SentenceFeatures], tgt: Sequence[SentenceFeatures]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Lexical similarity of every 1-1, 1-2, 2-1 and 2-2 bead of two documents.

    The similarity of a bead is the number of distinct keys its two sides share, divided by the
    mean number of words of the two sides (a Dice-like ratio, clipped to 1), so that long
    sentences are not preferred merely for having more words.
    """
    from wordalign.corpus._sentalign_kernels import shared_key_counts

    vocab: dict[str, int] = {}
    ragged: list[tuple[np.ndarray, np.ndarray]] = []
    for feats in (src, tgt):
        ids: list[int] = []
        offsets = [0]
        for feat in feats:
            ids.extend(vocab.setdefault(key, len(vocab)) for key in feat.keys)
            offsets.append(len(ids))
        ragged.append((np.array(ids, dtype=np.int64), np.array(offsets, dtype=np.int64)))
    counts = shared_key_counts(ragged[0][0], ragged[0][1], ragged[1][0], ragged[1][1], len(vocab))
    src_w = np.array([f.n_words for f in src], dtype=np.float64)
    tgt_w = np.array([f.n_words for f in tgt], dtype=np.float64)
    src2_w = src_w[:-1] + src_w[1:]
    tgt2_w = tgt_w[:-1] + tgt_w[1:]
    out = []
    for shared, a_w, b_w in zip(
        counts, (src_w, src_w, src2_w, src2_w), (tgt_w, tgt2_w, tgt_w, tgt2_w), strict=True
    ):
        norm = np.maximum((a_w[:, None] + b_w[None, :]) / 2.0, 1.0)
        out.append(np.ascontiguousarray(np.minimum(shared / norm, 1.0)))
    return out[0], out[1], out[2], out[3]


def _ratio_for(
    src: Sequence[SentenceFeatures], tgt: Sequence[SentenceFeatures], src_lang: str, tgt_lang: str
) -> float:
    total_src = sum(f.length for f in src)
    total_tgt = sum(f.length for f in tgt)
    if total_src >= 200 and total_tgt >= 200:
        return min(max(total_tgt / total_src, 0.5), 2.0)
    if (src_lang, tgt_lang) in _DEFAULT_RATIOS:
        return _DEFAULT_RATIOS[(src_lang, tgt_lang)]
    if (tgt_lang, src_lang) in _DEFAULT_RATIOS:
        return 1.0 / _DEFAULT_RATIOS[(tgt_lang, src_lang)]
    return 1.0


def align_features(
    src: Sequence[SentenceFeatures],
    tgt: Sequence[SentenceFeatures],
    *,
    ratio: float,
    params: SentAlignParams,
) -> list[Bead]:
    """Align two documents given as :class:`SentenceFeatures` (the core of :func:`align_sentences`)."""
    from wordalign.corpus._sentalign_kernels import align_dp

    if not src and not tgt:
        return []
    lex11, lex12, lex21, lex22 = similarity_matrices(src, tgt)
    src_len = np.array([f.length for f in src], dtype=np.float64)
    tgt_len = np.array([f.length for f in tgt], dtype=np.float64)
    src_start, tgt_start, kind, length_prob = align_dp(
        src_len,
        tgt_len,
        lex11,
        lex12,
        lex21,
        lex22,
        params.prior_costs(),
        float(ratio),
        float(params.variance),
        float(params.lexical_weight),
        float(params.skip_cost),
    )
    sims = {0: lex11, 3: lex12, 4: lex21, 5: lex22}
    beads = []
    for i, j, k, p_len in zip(
        src_start.tolist(), tgt_start.tolist(), kind.tolist(), length_prob.tolist(), strict=True
    ):
        n_src, n_tgt = BEAD_SHAPES[k]
        score = 0.0
        if k in sims:
            score = (p_len + float(sims[k][i, j])) / 2.0
        beads.append(Bead(tuple(range(i, i + n_src)), tuple(range(j, j + n_tgt)), round(score, 6)))
    return beads


def align_sentences(
    src: Sequence[str],
    tgt: Sequence[str],
    *,
    src_lang: str,
    tgt_lang: str,
    dictionary: Dictionary | None = None,
    params: SentAlignParams = SentAlignParams(),  # frozen, so a safe default
) -> list[Bead]:
    """Align the sentences of two documents that translate each other.

    Args:
        src: source sentences, in document order.
        tgt: target sentences, in document order.
        src_lang: source language code (``de``, ``rm``, ``it``, ...).
        tgt_lang: target language code.
        dictionary: optional translation dictionary (lowercased source word -> target words).
        params: aligner parameters.

    Returns:
        Beads covering every sentence of both documents exactly once, in document order.

    Example:
        >>> beads = align_sentences(["Guten Tag.", "Wie geht es?"], ["Bun di.", "Co vai?"],
        ...                         src_lang="de", tgt_lang="rm")
        >>> [(b.src_idx, b.tgt_idx) for b in beads]
        [((0,), (0,)), ((1,), (1,))]
    """
    src_feats = sentence_features(
        src, side="src", cognate_len=params.cognate_len, dictionary=dictionary
    )
    tgt_feats = sentence_features(
        tgt, side="tgt", cognate_len=params.cognate_len, dictionary=dictionary
    )
    ratio = params.ratio if params.ratio is not None else _ratio_for(
        src_feats, tgt_feats, src_lang, tgt_lang
    )  # fmt: skip
    return align_features(src_feats, tgt_feats, ratio=ratio, params=params)


# --- corpus level: two passes with a bootstrapped dictionary ----------------------------------


@dataclass(frozen=True, slots=True)
class BootstrapParams:
    """How the dictionary of the second pass is learned from the first.

    Attributes:
        min_length_prob: a 1-1 bead is confident when its length agreement is at least this and
            its neighbours are 1-1 beads too.
        min_count: minimum number of confident beads in which a word pair co-occurs.
        min_dice: minimum Dice coefficient 2 c(s, t) / (c(s) + c(t)).
        max_translations: translations kept per source word (the best by Dice).
    """

    min_length_prob: float = 0.2
    min_count: int = 3
    min_dice: float = 0.3
    max_translations: int = 3


def confident_beads(beads: Sequence[Bead], min_length_prob: float) -> list[Bead]:
    """The 1-1 beads whose neighbours are 1-1 too and whose score passes ``min_length_prob``.

    A 1-1 bead between two 1-1 beads is rarely wrong: a misalignment shows itself as an insertion,
    deletion or merge next to it.
    """
    out = []
    for pos, bead in enumerate(beads):
        if bead.shape != (1, 1) or bead.score < min_length_prob / 2.0:
            continue
        before = beads[pos - 1].shape if pos > 0 else (1, 1)
        after = beads[pos + 1].shape if pos + 1 < len(beads) else (1, 1)
        if before == (1, 1) and after == (1, 1):
            out.append(bead)
    return out


def bootstrap_dictionary(
    pairs: Iterable[tuple[Sequence[str], Sequence[str]]], params: BootstrapParams
) -> dict[str, tuple[str, ...]]:
    """A translation dictionary from word co-occurrence in sentence pairs (Dice coefficient).

    Args:
        pairs: ``(source words, target words)`` of confident 1-1 beads (see :func:`words_of`).
        params: thresholds.

    Returns:
        Lowercased source word -> its best target words, best first (ties by spelling).
    """
    src_vocab: dict[str, int] = {}
    tgt_vocab: dict[str, int] = {}
    chunks: list[np.ndarray] = []
    src_docs: list[np.ndarray] = []
    tgt_docs: list[np.ndarray] = []
    for src_words, tgt_words in pairs:
        src_ids = {src_vocab.setdefault(w, len(src_vocab)) for w in src_words if w[0].isalpha()}
        tgt_ids = {tgt_vocab.setdefault(w, len(tgt_vocab)) for w in tgt_words if w[0].isalpha()}
        src_docs.append(np.array(sorted(src_ids), dtype=np.int64))
        tgt_docs.append(np.array(sorted(tgt_ids), dtype=np.int64))
    if not src_docs:
        return {}
    n_tgt = max(len(tgt_vocab), 1)
    for s, t in zip(src_docs, tgt_docs, strict=True):
        if s.size and t.size:
            chunks.append((s[:, None] * n_tgt + t[None, :]).ravel())
    src_count = np.bincount(np.concatenate(src_docs), minlength=len(src_vocab))
    tgt_count = np.bincount(np.concatenate(tgt_docs), minlength=len(tgt_vocab))
    if not chunks:
        return {}
    joint, joint_count = np.unique(np.concatenate(chunks), return_counts=True)
    keep = joint_count >= params.min_count
    joint, joint_count = joint[keep], joint_count[keep]
    s_ids, t_ids = joint // n_tgt, joint % n_tgt
    dice = 2.0 * joint_count / (src_count[s_ids] + tgt_count[t_ids])
    keep = dice >= params.min_dice
    s_ids, t_ids, dice = s_ids[keep], t_ids[keep], dice[keep]
    src_words_by_id = list(src_vocab)
    tgt_words_by_id = list(tgt_vocab)
    candidates: dict[str, list[tuple[float, str]]] = {}
    for s_id, t_id, d in zip(s_ids.tolist(), t_ids.tolist(), dice.tolist(), strict=True):
        candidates.setdefault(src_words_by_id[s_id], []).append((-d, tgt_words_by_id[t_id]))
    return {
        word: tuple(t for _, t in sorted(cands)[: params.max_translations])
        for word, cands in sorted(candidates.items())
    }


# Fewer confident beads than this say little about the length model of a language pair.
_MIN_LENGTH_SAMPLES = 20


def _fit_length_model(
    lengths: Iterable[tuple[int, int]], ratio: float | None = None
) -> tuple[float, float] | None:
    """``(ratio, variance)`` of :func:`estimate_length_model`, or ``None`` with too few lengths.

    A given ``ratio`` is kept and only the variance around it is estimated.
    """
    arr = np.array([(s, t) for s, t in lengths if s > 0 and t > 0], dtype=np.float64)
    if arr.shape[0] < _MIN_LENGTH_SAMPLES:
        return None
    if ratio is None:
        ratio = float(arr[:, 1].sum() / arr[:, 0].sum())
    z = (arr[:, 1] - ratio * arr[:, 0]) / np.sqrt(arr[:, 0])
    mad = float(np.median(np.abs(z - np.median(z))))
    variance = (1.4826 * mad) ** 2
    return ratio, max(variance, 0.5)


def estimate_length_model(
    lengths: Iterable[tuple[int, int]], *, default_variance: float = 6.8
) -> tuple[float, float]:
    """Target/source length ratio and Gale & Church variance from aligned sentence lengths.

    The ratio is the ratio of the sums (Gale & Church 1993, sec. 2); the variance is that of
    ``(l_tgt - ratio * l_src) / sqrt(l_src)``, estimated robustly (from the median absolute
    deviation, so that the few misaligned beads do not inflate it). With fewer than 20 usable
    lengths, ``(1.0, default_variance)``.
    """
    fitted = _fit_length_model(lengths)
    return fitted if fitted is not None else (1.0, default_variance)


# One memo per process (workers of a pool each fill their own).
_CACHE = FeatureCache()

DocumentPair: TypeAlias = tuple[Sequence[str], Sequence[str]]


def _align_chunk(
    job: tuple[list[DocumentPair], str, str, Dictionary | None, SentAlignParams],
) -> list[list[Bead]]:
    docs, src_lang, tgt_lang, dictionary, params = job
    out = []
    for src, tgt in docs:
        src_feats = sentence_features(
            src, side="src", cognate_len=params.cognate_len, dictionary=dictionary, cache=_CACHE
        )
        tgt_feats = sentence_features(
            tgt, side="tgt", cognate_len=params.cognate_len, dictionary=dictionary, cache=_CACHE
        )
        doc_ratio = params.ratio if params.ratio is not None else _ratio_for(
            src_feats, tgt_feats, src_lang, tgt_lang
        )  # fmt: skip
        out.append(align_features(src_feats, tgt_feats, ratio=doc_ratio, params=params))
    return out


@dataclass
class CorpusSentenceAligner:
    """Two-pass sentence alignment of a document-aligned corpus, as hunalign's ``-realign``.

    Pass 1 aligns every document with length, numbers and cognates; the confident 1-1 beads give
    the length model (ratio, variance) and a Dice dictionary; pass 2 realigns with both.

    Attributes:
        src_lang, tgt_lang: language codes.
        params: aligner parameters. A given ``params.ratio`` is used as given in both passes (only
            the variance around it is estimated); with ``ratio=None`` pass 1 estimates each
            document's ratio from its total lengths and pass 2 uses the ratio estimated from the
            confident beads of the whole corpus. Pass 2 uses the estimated variance instead of
            ``params.variance``. With fewer than 20 confident beads nothing is estimated and
            pass 2 keeps the length model of pass 1.
        bootstrap: dictionary-learning thresholds.
        dictionary: a dictionary to use from the first pass on (merged with the learned one).
        n_jobs: worker processes (1: none); the order of the results never depends on it.
        show_progress: show progress bars.
        dictionary_: the dictionary of pass 2 (set by :meth:`align`).
        ratio_: the ratio of pass 2; ``None`` when each document used its own (too few confident
            beads and no ``params.ratio``).
        variance_: the variance of pass 2.
    """

    src_lang: str
    tgt_lang: str
    params: SentAlignParams = field(default_factory=SentAlignParams)
    bootstrap: BootstrapParams = field(default_factory=BootstrapParams)
    dictionary: Dictionary | None = None
    n_jobs: int = 1
    show_progress: bool = True
    dictionary_: dict[str, tuple[str, ...]] = field(default_factory=dict, init=False)
    ratio_: float | None = field(default=None, init=False)
    variance_: float | None = field(default=None, init=False)

    def align(self, documents: Sequence[DocumentPair]) -> list[list[Bead]]:
        """Align every document pair; returns the beads of each, in input order."""
        first = self._run_pass(documents, self.dictionary, self.params, "pass 1")
        lengths: list[tuple[int, int]] = []
        word_pairs: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for (src, tgt), beads in zip(documents, first, strict=True):
            for bead in confident_beads(beads, self.bootstrap.min_length_prob):
                s, t = src[bead.src_idx[0]], tgt[bead.tgt_idx[0]]
                lengths.append((len(s.strip()), len(t.strip())))
                word_pairs.append((_CACHE.words(s), _CACHE.words(t)))
        second_params = self.params
        fitted = _fit_length_model(lengths, self.params.ratio)
        if fitted is not None:
            second_params = replace(self.params, ratio=fitted[0], variance=fitted[1])
        self.ratio_, self.variance_ = second_params.ratio, second_params.variance
        learned = bootstrap_dictionary(word_pairs, self.bootstrap)
        merged: dict[str, tuple[str, ...]] = dict(learned)
        for word, translations in (self.dictionary or {}).items():
            merged[word] = tuple(dict.fromkeys([*translations, *merged.get(word, ())]))
        self.dictionary_ = merged
        return self._run_pass(documents, merged, second_params, "pass 2")

    def _run_pass(
        self,
        documents: Sequence[DocumentPair],
        dictionary: Dictionary | None,
        params: SentAlignParams,
        desc: str,
    ) -> list[list[Bead]]:
        chunk = 64
        jobs = [
            (
                list(documents[k : k + chunk]),
                self.src_lang,
                self.tgt_lang,
                dictionary,
                params,
            )
            for k in range(0, len(documents), chunk)
        ]
        label = f"sentalign {self.src_lang}-{self.tgt_lang} {desc}"
        results: list[list[Bead]] = []
        mapper: Callable[..., Iterable[list[list[Bead]]]]
        if self.n_jobs > 1 and len(jobs) > 1:
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(max_workers=self.n_jobs) as pool:
                mapper = pool.map
                for part in progress(
                    mapper(_align_chunk, jobs), total=len(jobs), desc=label,
                    enabled=self.show_progress,
                ):  # fmt: skip
                    results.extend(part)
        else:
            for job in progress(jobs, total=len(jobs), desc=label, enabled=self.show_progress):
                results.extend(_align_chunk(job))
        return results
