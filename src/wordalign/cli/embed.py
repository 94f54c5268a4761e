"""``wordalign embed``: work on an encoder's vectors.

* ``wordalign embed map --model M --bitext B --alignments A [--out FILE] [--layer 8]``: learn an
  orthogonal map of the source vectors onto the target ones (:mod:`wordalign.embed.mapping`)
  from the word pairs that a statistical aligner links confidently, for
  ``wordalign align --method simalign-* | awesome | hybrid --map FILE``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wordalign.cli.align import add_bitext_options, read_pairs
from wordalign.errors import InputFormatError, LengthMismatchError, WordalignError
from wordalign.io.files import check_writable, display_name
from wordalign.io.pharaoh import read_pharaoh
from wordalign.types import Alignment, SentencePair

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

DEFAULT_MIN_PROB = 0.9
"""Scored alignments: the score a link needs to be trusted (eflomal's ``--scores`` posteriors)."""

DEFAULT_MAX_PAIRS = 10_000
"""Sentence pairs (with at least one trusted link) embedded to learn a map."""


def add_parser(subparsers: Any) -> None:
    """Register ``embed`` and its actions."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "embed",
        help="learn an orthogonal map between the languages of an encoder",
        description="Work on the contextual vectors of an encoder (pip install 'wordalign[neural]').",
    )
    sub = parser.add_subparsers(dest="embed_command", metavar="ACTION", required=True)
    mapping = sub.add_parser(
        "map",
        help="learn an orthogonal map of source vectors onto target vectors (Procrustes)",
        description=(
            "Learn the rotation that takes the encoder's source-language word vectors closest to "
            "the vectors of their translations (orthogonal Procrustes), from the word pairs "
            "that --alignments links confidently (for example 'wordalign align --method eflomal "
            "--scores' of the same bitext). The sentences to be aligned later should not be "
            "among them. Use the map with 'wordalign align --method simalign-* --map FILE' "
            "(or awesome, hybrid) at the same --layer."
        ),
    )
    add_bitext_options(mapping)
    mapping.add_argument(
        "--alignments",
        required=True,
        metavar="FILE",
        help="Pharaoh alignments of the bitext, one line per pair; 'i-j-p' scores are used",
    )
    mapping.add_argument(
        "--model",
        required=True,
        metavar="M",
        help="the encoder: hub name, local folder, mbert or xlmr",
    )
    mapping.add_argument(
        "--out",
        metavar="FILE",
        help=(
            "map file to write (.npz); default: beside the model, MODEL.layerL.map.npz next to "
            "a model folder, or in the current folder for a hub name"
        ),
    )
    mapping.add_argument(
        "--layer", type=int, default=8, metavar="N", help="hidden layer (default: %(default)s)"
    )
    mapping.add_argument(
        "--max-pairs",
        type=int,
        default=DEFAULT_MAX_PAIRS,
        metavar="N",
        help="use the first N sentence pairs with trusted links (default: %(default)s)",
    )
    mapping.add_argument(
        "--min-prob",
        type=float,
        metavar="P",
        help=(
            f"keep links scoring at least P (default: {DEFAULT_MIN_PROB} when the file has "
            "scores, every link otherwise; 0 keeps every link)"
        ),
    )
    mapping.add_argument(
        "--one-to-one",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep only links whose two words have no other kept link (default: on)",
    )
    mapping.add_argument(
        "--normalize",
        action="store_true",
        help=(
            "centre each language's vectors and scale them to unit length before solving "
            "(Kulshreshtha et al. 2020); the map then centres the vectors it is applied to"
        ),
    )
    mapping.add_argument("--device", default="auto", metavar="DEV", help="auto, cpu, cuda, mps")
    mapping.add_argument(
        "--batch-size", type=int, default=32, metavar="N", help="sentences per forward pass"
    )
    mapping.add_argument(
        "--precision", choices=("auto", "fp32", "bf16", "fp16"), default="auto", help="arithmetic"
    )
    mapping.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    mapping.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    mapping.set_defaults(run=run_map)


def read_training_links(
    path: str,
    pairs: list[SentencePair],
    min_prob: float | None,
    one_to_one: bool,
    max_pairs: int,
) -> tuple[list[int], list[list[tuple[int, int]]]]:
    """The pairs to learn from (indices into ``pairs``) and their trusted links.

    ``min_prob=None`` means :data:`DEFAULT_MIN_PROB` when any link of the file has a score, and
    every link otherwise.

    Raises:
        LengthMismatchError: when the file has another number of lines than ``pairs``.
        InputFormatError: for a malformed line or a link outside its pair's sentences.
        WordalignError: for ``--min-prob`` with a file without scores, or no trusted link.
    """
    from wordalign.embed.mapping import confident_links

    name = display_name(path)
    alignments: list[Alignment] = list(read_pharaoh(path))
    if len(alignments) != len(pairs):
        raise LengthMismatchError(name, len(alignments), "the bitext", len(pairs))
    for line_no, (alignment, pair) in enumerate(zip(alignments, pairs, strict=True), 1):
        if alignment.possible and (
            alignment.max_src() >= len(pair.src) or alignment.max_tgt() >= len(pair.tgt)
        ):
            raise InputFormatError(
                name,
                line_no,
                f"a link reaches word {alignment.max_src()}-{alignment.max_tgt()}, but the pair "
                f"has {len(pair.src)} source and {len(pair.tgt)} target words",
            )
    scored = any(a.scores for a in alignments)
    if min_prob is None:
        min_prob = DEFAULT_MIN_PROB if scored else None
    elif min_prob <= 0:
        min_prob = None
    elif not scored:
        raise WordalignError(
            f"{name}: --min-prob needs scored links ('i-j-p', as 'wordalign align --scores' "
            "writes them); this file has none (use --min-prob 0)"
        )
    chosen: list[int] = []
    links: list[list[tuple[int, int]]] = []
    for k, alignment in enumerate(alignments):
        if len(chosen) >= max_pairs:
            break
        kept = confident_links(alignment, min_prob, one_to_one)
        if kept:
            chosen.append(k)
            links.append(kept)
    if not chosen:
        raise WordalignError(
            f"{name}: no link is trusted enough to learn a map from"
            + (f" (none scores {min_prob} or more; lower --min-prob)" if min_prob else "")
        )
    return chosen, links


def _word_pairs(
    encoder: Any,
    pairs: list[SentencePair],
    links: list[list[tuple[int, int]]],
    show_progress: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The stacked source and target word vectors of every trusted link."""
    import numpy as np

    from wordalign._progress import progress
    from wordalign.aligners.embedding._base import CHUNK_PAIRS
    from wordalign.embed.mapping import gather_pairs

    xs, ys = [], []
    starts = range(0, len(pairs), CHUNK_PAIRS)
    for start in progress(starts, total=len(starts), desc="embedding", enabled=show_progress):
        chunk = pairs[start : start + CHUNK_PAIRS]
        embedded = encoder.embed([p.src for p in chunk] + [p.tgt for p in chunk])
        x, y = gather_pairs(
            [e.word_vectors() for e in embedded[: len(chunk)]],
            [e.word_vectors() for e in embedded[len(chunk) :]],
            links[start : start + CHUNK_PAIRS],
        )
        xs.append(x)
        ys.append(y)
    return np.concatenate(xs), np.concatenate(ys)


def run_map(args: argparse.Namespace) -> int:
    from wordalign.embed.encoder import load_encoder, resolve_model_name
    from wordalign.embed.mapping import default_map_path, fit_map

    if args.max_pairs < 1:
        raise WordalignError(f"--max-pairs must be positive, not {args.max_pairs}")
    if args.min_prob is not None and args.min_prob > 1:
        raise WordalignError(f"--min-prob is a probability (at most 1), not {args.min_prob}")
    model = resolve_model_name(args.model)
    out: Path | None = Path(args.out) if args.out else None
    if out is None and args.layer >= 0:
        out = default_map_path(model, args.layer)
    if out is not None:
        check_writable(out, args.overwrite)  # before any reading
    pairs = read_pairs(args)
    chosen, links = read_training_links(
        args.alignments, pairs, args.min_prob, args.one_to_one, args.max_pairs
    )
    encoder = load_encoder(
        model,
        args.device,
        layer=args.layer,
        batch_size=args.batch_size,
        precision=args.precision,
    )
    if out is None:  # a layer counted from the top: its number is known now
        out = default_map_path(model, encoder.layer)
        check_writable(out, args.overwrite)
    src, tgt = _word_pairs(encoder, [pairs[k] for k in chosen], links, not args.no_progress)
    emap = fit_map(src, tgt, layer=encoder.layer, normalize=args.normalize, model=model)
    emap.save(out)
    print(
        f"{out}: map of layer {emap.layer} ({emap.dim} wide"
        f"{', normalised' if emap.normalize else ''}) from {emap.n_pairs} word pairs "
        f"in {len(chosen)} sentence pairs"
    )
    return 0
