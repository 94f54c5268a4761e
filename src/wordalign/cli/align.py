"""``wordalign align``: align a bitext with any registered aligner; one Pharaoh line per pair.

The options shared with ``wordalign train`` (the bitext, the aligner and its hyper-parameters) are
defined here once. Flags map onto constructor parameters by name (``--n-iter`` → ``n_iter``,
``--seed`` → ``random_state``), and only onto parameters that the chosen aligner has.

``--model`` names what the method needs: for an embedding aligner (``simalign-*``, ``awesome``) the
encoder, as a Hugging Face hub name, a local folder or an alias (``mbert``, ``xlmr``); for a
trainable aligner, or with no ``--method``, a model folder saved by ``wordalign train``.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from wordalign.aligners.base import Aligner
from wordalign.errors import WordalignError
from wordalign.io.bitext import load_bitext
from wordalign.io.pharaoh import write_pharaoh
from wordalign.registry import aligner_names, get_aligner_class
from wordalign.symmetrize import METHODS
from wordalign.types import SentencePair

log = logging.getLogger(__name__)

SYMMETRIZE_CHOICES = (*METHODS, "forward", "reverse")

# CLI flag (argparse dest) -> aligner constructor parameter.
PARAM_FLAGS = {
    "symmetrize": "symmetrize",
    "seed": "random_state",
    "n_iter": "n_iter",
    "layer": "layer",
    "level": "level",
    "device": "device",
    "batch_size": "batch_size",
    "precision": "precision",
    "distortion": "distortion",
    "null_align": "null_align",
    "threshold": "threshold",
    "extraction": "extraction",
    "scores": "scores",
    "progress": "progress",
}


def add_bitext_options(parser: argparse.ArgumentParser) -> None:
    """``--bitext FILE`` or ``--src FILE --tgt FILE``."""
    group = parser.add_argument_group("parallel text (one of)")
    group.add_argument(
        "--bitext",
        metavar="FILE",
        help="'src ||| tgt' or 'src<TAB>tgt' lines (detected; .gz and '-' work)",
    )
    group.add_argument("--src", metavar="FILE", help="source sentences, one per line")
    group.add_argument("--tgt", metavar="FILE", help="target sentences, line-aligned with --src")


def add_aligner_options(parser: argparse.ArgumentParser, method_required: bool) -> None:
    """``--method`` and the hyper-parameter flags."""
    parser.add_argument(
        "--method",
        choices=aligner_names(),
        required=method_required,
        help="the aligner (choices: %(choices)s)",
    )
    parser.add_argument(
        "--symmetrize",
        choices=SYMMETRIZE_CHOICES,
        metavar="METHOD",
        help=(
            "how a two-direction aligner combines its directions: "
            f"{', '.join(SYMMETRIZE_CHOICES)} (default: the aligner's own)"
        ),
    )
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (random_state)")
    parser.add_argument("--n-iter", type=int, metavar="N", help="training iterations (n_iter)")
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_const",
        const=False,
        help="hide progress bars (they show only on a terminal anyway)",
    )
    neural = parser.add_argument_group("embedding aligners (simalign-*, awesome)")
    neural.add_argument("--layer", type=int, metavar="N", help="hidden layer to take (default 8)")
    neural.add_argument(
        "--level", choices=("subword", "word"), help="SimAlign: link subwords or words"
    )
    neural.add_argument("--device", metavar="DEV", help="auto (default), cpu, cuda, cuda:N or mps")
    neural.add_argument("--batch-size", type=int, metavar="N", help="sentences per forward pass")
    neural.add_argument(
        "--precision", choices=("auto", "fp32", "bf16", "fp16"), help="encoder arithmetic"
    )
    neural.add_argument("--distortion", type=float, metavar="K", help="SimAlign distortion kappa")
    neural.add_argument(
        "--null-align", type=float, metavar="P", help="SimAlign null-alignment entropy filter"
    )
    neural.add_argument("--threshold", type=float, metavar="T", help="awesome: softmax threshold")
    neural.add_argument(
        "--extraction", choices=("softmax", "entmax15"), help="awesome: extraction method"
    )
    neural.add_argument(
        "--scores",
        action="store_const",
        const=True,
        help="write each link's probability or similarity as 'i-j-score'",
    )


def aligner_params(args: argparse.Namespace, cls: type[Aligner]) -> dict[str, Any]:
    """The hyper-parameters given on the command line that ``cls`` takes.

    A flag the aligner does not take is left out with a warning (``--seed`` for a deterministic
    aligner, for example), so that scripts can pass one set of flags to every method.
    """
    valid = set(cls._param_names())
    params: dict[str, Any] = {}
    for flag, param in PARAM_FLAGS.items():
        value = getattr(args, flag, None)
        if value is None:
            continue
        if param in valid:
            params[param] = value
        else:
            log.warning("%s takes no --%s; ignored", cls.__name__, flag.replace("_", "-"))
    return params


def read_pairs(args: argparse.Namespace) -> list[SentencePair]:
    """The bitext named by ``--bitext`` or ``--src``/``--tgt``."""
    return load_bitext(bitext=args.bitext, src=args.src, tgt=args.tgt)


def check_output(path: str, overwrite: bool) -> None:
    """Fail before any work when the output exists and ``--overwrite`` was not given."""
    if path != "-" and not overwrite and Path(path).exists():
        raise WordalignError(f"{path}: exists already (use --overwrite to replace it)")


def build_aligner(args: argparse.Namespace) -> Aligner:
    """The aligner that ``--method`` and ``--model`` describe (see the module docstring)."""
    if args.method is None:
        if args.model is None:
            raise WordalignError(
                "give the aligner as --method NAME, or a saved model as --model DIR"
            )
        return load_model(args)
    cls = get_aligner_class(args.method)
    if cls.trainable and args.model is not None:
        return load_model(args)
    params = aligner_params(args, cls)
    if args.model is not None:
        params["model"] = args.model
    return cls(**params)


def load_model(args: argparse.Namespace) -> Aligner:
    """The saved aligner in ``--model``; training flags do not apply to it, ``--symmetrize`` does."""
    aligner = Aligner.load(args.model)
    if args.method is not None and args.method != aligner.name:
        raise WordalignError(
            f"{args.model} holds a {aligner.name!r} model, but --method is {args.method!r}"
        )
    params = aligner_params(args, type(aligner))
    for name in ("random_state", "n_iter"):
        if params.pop(name, None) is not None:
            log.warning("the model in %s is trained already; its %s is kept", args.model, name)
    aligner.set_params(**params)
    return aligner


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "align",
        help="align a parallel text with any aligner",
        description=(
            "Align every sentence pair of a parallel text. Trainable aligners are trained on the "
            "same text first, unless --model gives a model saved by 'wordalign train'. Output: "
            "one Pharaoh line ('0-0 1-2') per input pair, in input order; an empty line where "
            "nothing aligns."
        ),
    )
    add_bitext_options(parser)
    add_aligner_options(parser, method_required=False)
    parser.add_argument(
        "--model",
        metavar="M",
        help=(
            "for embedding aligners: the encoder (hub name, local folder, mbert or xlmr); "
            "otherwise a model folder saved by 'wordalign train' (no training then)"
        ),
    )
    parser.add_argument("--out", default="-", metavar="FILE", help="output (default: stdout)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    check_output(args.out, args.overwrite)
    aligner = build_aligner(args)
    pairs = read_pairs(args)
    if aligner.trainable and not aligner.is_fitted():
        alignments = aligner.fit_align(pairs)
    else:
        alignments = aligner.align(pairs)
    write_pharaoh(args.out, alignments, with_scores=bool(args.scores), overwrite=True)
    return 0
