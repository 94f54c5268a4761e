"""``wordalign align``: align a bitext with any registered aligner; one Pharaoh line per pair.

The options shared with ``wordalign train`` (the bitext, the aligner and its hyper-parameters) are
defined here once. Flags map onto constructor parameters by name (``--n-iter`` → ``n_iter``,
``--seed`` → ``random_state``, ``--depth`` → eflomal's ``model``), and only onto parameters that
the chosen aligner has, of a type that takes the flag's value. ``--param NAME=VALUE`` sets any
constructor parameter, the value read as the parameter's type (its annotation, or its default's).

``--model`` names what the method needs: for an embedding aligner (``simalign-*``, ``awesome``) the
encoder, as a Hugging Face hub name, a local folder or an alias (``mbert``, ``xlmr``); for a
trainable aligner, or with no ``--method``, a model folder saved by ``wordalign train``.
"""

from __future__ import annotations

import argparse
import inspect
import logging
from typing import TYPE_CHECKING, Any

from wordalign.aligners.base import Aligner
from wordalign.aligners.params import ParamType, accepts, param_type
from wordalign.aligners.statistical.directional import symmetrize_names
from wordalign.errors import WordalignError
from wordalign.io.bitext import load_bitext
from wordalign.io.files import check_writable
from wordalign.io.pharaoh import write_pharaoh
from wordalign.registry import aligner_names, get_aligner_class
from wordalign.types import SentencePair

if TYPE_CHECKING:
    from wordalign.aligners.statistical.pivot import LexicalPrior

log = logging.getLogger(__name__)

SYMMETRIZE_CHOICES = symmetrize_names()

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
    "temperature": "temperature",
    "similarity": "similarity",
    "center": "center",
    "weight": "weight",
    "map": "map",
    "scores": "scores",
    "posterior_threshold": "posterior_threshold",
    "posterior_grow_threshold": "posterior_grow_threshold",
    "progress": "progress",
    # eflomal
    "n_samplers": "n_samplers",
    "rel_iterations": "rel_iterations",
    "null_prior": "null_prior",
    "depth": "model",
    "lex_alpha": "lex_alpha",
    "null_alpha": "null_alpha",
    "jump_alpha": "jump_alpha",
    "fert_alpha": "fert_alpha",
    "src_prefix": "src_prefix_len",
    "src_suffix": "src_suffix_len",
    "tgt_prefix": "tgt_prefix_len",
    "tgt_suffix": "tgt_suffix_len",
    "lowercase": "lowercase",
}

# Parameters that fix what a saved model learned (its vocabulary, its training run): flags for
# them are dropped with a warning when aligning with a saved model.
TRAINED_PARAMS = (
    "random_state",
    "n_iter",
    "lowercase",
    "src_prefix_len",
    "src_suffix_len",
    "tgt_prefix_len",
    "tgt_suffix_len",
)

# The awesome-align flags whose --help shows AwesomeAlign's defaults, read as the eflomal ones are.
AWESOME_FLAGS = ("threshold", "extraction", "temperature", "similarity", "center")
HYBRID_FLAGS = ("weight",)

# The flags (argparse dests) of the eflomal group. Their --help shows eflomal's defaults, read
# from its signature only when the help is shown: importing eflomal loads numba, which parsing a
# command line must not do.
EFLOMAL_FLAGS = (
    "n_samplers",
    "rel_iterations",
    "null_prior",
    "depth",
    "lex_alpha",
    "null_alpha",
    "jump_alpha",
    "fert_alpha",
    "src_prefix",
    "src_suffix",
    "tgt_prefix",
    "tgt_suffix",
    "lowercase",
)

_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no")


class HelpFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to the help of the :data:`EFLOMAL_FLAGS`,
    :data:`AWESOME_FLAGS` and :data:`HYBRID_FLAGS`, X from the aligner's signature."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = super()._get_help_string(action)
        if text is None:
            return text
        if action.dest in EFLOMAL_FLAGS:
            cls = get_aligner_class("eflomal")
        elif action.dest in AWESOME_FLAGS:
            cls = get_aligner_class("awesome")
        elif action.dest in HYBRID_FLAGS:
            cls = get_aligner_class("hybrid")
        else:
            return text
        parameter = inspect.signature(cls.__init__).parameters.get(PARAM_FLAGS[action.dest])
        if parameter is None or parameter.default is inspect.Parameter.empty:
            return text
        shown = str(parameter.default).replace("%", "%%")
        return f"{text} (default: {shown})"


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
            f"{', '.join(SYMMETRIZE_CHOICES)} (default: the aligner's own: posterior-mean for "
            "eflomal, grow-diag-final-and for ibm1 and fastalign)"
        ),
    )
    parser.add_argument("--seed", type=int, metavar="N", help="random seed (random_state)")
    parser.add_argument("--n-iter", type=int, metavar="N", help="training iterations (n_iter)")
    parser.add_argument(
        "--scores",
        action="store_const",
        const=True,
        help=(
            "write each link's score as 'i-j-score': its posterior probability (ibm1, "
            "fastalign, eflomal) or the encoder's probability or similarity"
        ),
    )
    parser.add_argument(
        "--param",
        action="append",
        metavar="NAME=VALUE",
        help=(
            "set any constructor parameter of the aligner (repeatable; VALUE as the "
            "parameter's type: numbers, true/false, none); wins over the dedicated flags"
        ),
    )
    parser.add_argument(
        "--no-progress",
        dest="progress",
        action="store_const",
        const=False,
        help="hide progress bars (they show only on a terminal anyway)",
    )
    statistical = parser.add_argument_group(
        "statistical aligners (ibm1, fastalign, eflomal)",
        "Their defaults differ: eflomal lowercases, keeps the first 7 characters of each token "
        "(--src-prefix, --tgt-prefix) and symmetrizes with posterior-mean; ibm1 and fastalign "
        "keep case and whole tokens and symmetrize with grow-diag-final-and.",
    )
    statistical.add_argument(
        "--posterior-threshold",
        type=float,
        metavar="P",
        help="posterior-mean/-geometric: keep links whose mean posterior reaches P (default 0.5)",
    )
    statistical.add_argument(
        "--posterior-grow-threshold",
        type=float,
        metavar="P",
        help="posterior-mean/-geometric: then grow over neighbours reaching P (default: no growing)",
    )
    add_eflomal_options(parser)
    neural = parser.add_argument_group("embedding aligners (simalign-*, awesome; hybrid's encoder)")
    neural.add_argument("--layer", type=int, metavar="N", help="hidden layer to take (default 8)")
    neural.add_argument(
        "--level",
        choices=("subword", "word"),
        help="SimAlign: link subwords or words (default: subword)",
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
    neural.add_argument(
        "--threshold",
        type=float,
        metavar="T",
        help="awesome: probability both directions must exceed ('wordalign tune' chooses it)",
    )
    neural.add_argument(
        "--extraction", choices=("softmax", "entmax15"), help="awesome: extraction method"
    )
    neural.add_argument(
        "--temperature",
        type=float,
        metavar="T",
        help="awesome: scores are divided by T before softmax (about 0.05 with cosine)",
    )
    neural.add_argument(
        "--similarity",
        choices=("dot", "cosine"),
        help="awesome: dot products (the reference's) or cosines of L2-normalised vectors",
    )
    neural.add_argument(
        "--center",
        action=argparse.BooleanOptionalAction,
        help="awesome: subtract the sentence pair's mean subword vector first",
    )
    neural.add_argument(
        "--map",
        metavar="FILE",
        help="simalign-*, awesome, hybrid: a map from 'wordalign embed map' (same model, --layer)",
    )
    hybrid = parser.add_argument_group(
        "hybrid (eflomal + an encoder)",
        "eflomal's link posteriors mixed with the encoder's (--model, --layer, --temperature: a "
        "softmax over cosines) and symmetrized by --posterior-threshold; the eflomal flags "
        "--n-samplers, --rel-iterations, --src-prefix, --tgt-prefix, --lowercase apply.",
    )
    hybrid.add_argument(
        "--weight", type=float, metavar="W", help="hybrid: the encoder's share of the mixture"
    )


def add_eflomal_options(parser: argparse.ArgumentParser) -> None:
    """The :data:`EFLOMAL_FLAGS` (their --help shows eflomal's defaults: :class:`HelpFormatter`)."""
    group = parser.add_argument_group("eflomal")
    group.add_argument("--n-samplers", type=int, metavar="N", help="independent Gibbs samplers")
    group.add_argument(
        "--rel-iterations",
        type=float,
        metavar="X",
        help="scale of the number of sampling iterations, like eflomal's --length",
    )
    group.add_argument("--null-prior", type=float, metavar="P", help="prior of NULL links")
    group.add_argument(
        "--depth",
        type=int,
        choices=(1, 2, 3),
        help="the model (param model): 1 IBM1, 2 + HMM jumps, 3 + fertility",
    )
    for name, what in (
        ("lex", "lexical"), ("null", "NULL"), ("jump", "jump"), ("fert", "fertility"),
    ):  # fmt: skip
        group.add_argument(
            f"--{name}-alpha",
            type=float,
            metavar="A",
            help=f"Dirichlet parameter of the {what} distributions",
        )
    for side in ("src", "tgt"):
        for end, which in (("prefix", "leading"), ("suffix", "trailing")):
            group.add_argument(
                f"--{side}-{end}",
                type=int,
                metavar="N",
                help=f"keep only the {which} N characters of each {side} token, 0 for all",
            )
    group.add_argument(
        "--lowercase",
        action=argparse.BooleanOptionalAction,
        help=(
            "lowercase tokens first; ibm1 and fastalign take it too (off by default there); "
            "for eflomal"
        ),
    )
    pivot = parser.add_argument_group(
        "trilingual priors (eflomal)",
        "Lexical priors composed through a third language: two bitexts that share the pivot "
        "language in their second column, as 'wordalign corpus build --pairs de-rm,de-it,rm-it' "
        "writes them (for DE-RM: --pivot-src de-it.tsv --pivot-tgt rm-it.tsv).",
    )
    pivot.add_argument("--pivot-src", metavar="FILE", help="src<TAB>pivot pairs")
    pivot.add_argument("--pivot-tgt", metavar="FILE", help="tgt<TAB>pivot pairs")
    pivot.add_argument(
        "--pivot-weight",
        type=float,
        default=PIVOT_WEIGHT,
        metavar="W",
        help="pseudo-counts of the prior per word (default: %(default)s)",
    )


# Pseudo-counts per word of a pivot prior: on the DE-RM dev gold (7-character stems, one seed)
# AER 0.1120 without, 0.1083 at 20, 0.1085 at 50; weaker priors helped less (at 5 characters:
# 0.1233 at 1, 0.1218 at 5, 0.1201 at 20, against 0.1256 without).
PIVOT_WEIGHT = 20.0


def read_pivot_prior(args: argparse.Namespace, aligner: Aligner) -> LexicalPrior | None:
    """The lexical prior that ``--pivot-src``/``--pivot-tgt`` give, trained with the aligner's
    normalisation and seed; None without them.

    Raises:
        WordalignError: for one file without the other, an aligner that takes no prior, or a
            model that is trained already.
    """
    src_file, tgt_file = getattr(args, "pivot_src", None), getattr(args, "pivot_tgt", None)
    if src_file is None and tgt_file is None:
        return None
    if src_file is None or tgt_file is None:
        raise WordalignError("trilingual priors need both --pivot-src and --pivot-tgt")
    if aligner.name != "eflomal":
        raise WordalignError(f"--pivot-src/--pivot-tgt work with eflomal, not {aligner.name}")
    if aligner.is_fitted():
        raise WordalignError(
            "--pivot-src/--pivot-tgt apply when training: the model in --model is trained "
            "already (it keeps the priors it was trained with)"
        )
    from wordalign.aligners.statistical.pivot import pivot_prior

    params = aligner.get_params()
    return pivot_prior(
        load_bitext(bitext=src_file),
        load_bitext(bitext=tgt_file),
        weight=float(args.pivot_weight),
        like=aligner,  # type: ignore[arg-type]
        random_state=params["random_state"],
        progress=params["progress"],
    )


def aligner_params(args: argparse.Namespace, cls: type[Aligner]) -> dict[str, Any]:
    """The hyper-parameters given on the command line that ``cls`` takes.

    A flag the aligner does not take (or whose value its parameter of that name cannot hold,
    like ``--depth`` for SimAlign's encoder ``model``) is left out with a warning (``--seed`` for
    a deterministic aligner, for example), so that scripts can pass one set of flags to every
    method. ``--param`` values come last and must name a parameter of ``cls``.

    Raises:
        WordalignError: for a ``--param`` that names no parameter or has a bad value.
    """
    valid = set(cls._param_names())
    params: dict[str, Any] = {}
    for flag, param in PARAM_FLAGS.items():
        value = getattr(args, flag, None)
        if value is None:
            continue
        if param in valid and accepts(param_type(cls, param), value):
            params[param] = value
        else:
            log.warning("%s takes no --%s; ignored", cls.__name__, flag.replace("_", "-"))
    for item in getattr(args, "param", None) or ():
        name, value = parse_param(cls, item)
        params[name] = value
    return params


def parse_param(cls: type[Aligner], item: str) -> tuple[str, Any]:
    """``NAME=VALUE`` as ``(name, value)``, the value converted to the type of parameter NAME.

    Raises:
        WordalignError: naming the parameter, the aligner and its valid parameters.
    """
    names = cls._param_names()
    name, sep, text = item.partition("=")
    name = name.strip().replace("-", "_")
    where = f"aligner {cls.name!r}"
    if not sep:
        raise WordalignError(
            f"--param {item!r}: expected NAME=VALUE; the parameters of {where}: {', '.join(names)}"
        )
    if name not in names:
        raise WordalignError(
            f"--param {item!r}: {where} has no parameter {name!r}; "
            f"its parameters: {', '.join(names)}"
        )
    try:
        return name, _convert(param_type(cls, name), text.strip())
    except ValueError as exc:
        raise WordalignError(
            f"--param {item!r}: bad value for parameter {name!r} of {where}: {exc}"
        ) from None


def _convert(expected: ParamType, text: str) -> Any:
    if expected.optional and text.lower() == "none":
        return None
    if expected.choices:
        for choice in expected.choices:
            if str(choice) == text:
                return choice
        raise ValueError(f"expected one of {', '.join(map(str, expected.choices))}")
    kinds = expected.kinds or (str,)
    for kind in kinds:
        if kind is bool:
            if text.lower() in _TRUE + _FALSE:
                return text.lower() in _TRUE
            continue
        try:
            return kind(text)
        except ValueError:
            continue
    wanted = " or ".join(k.__name__ for k in kinds) + (" or none" if expected.optional else "")
    raise ValueError(f"expected {wanted}")


def describe_aligners() -> list[str]:
    """``NAME  first line of its docstring`` for every registered aligner (``--list``)."""
    names = aligner_names()
    width = max(map(len, names))
    lines = []
    for name in names:
        doc = inspect.getdoc(get_aligner_class(name)) or ""
        lines.append(f"{name:<{width}}  {doc.splitlines()[0] if doc else ''}".rstrip())
    return lines


def read_pairs(args: argparse.Namespace) -> list[SentencePair]:
    """The bitext named by ``--bitext`` or ``--src``/``--tgt``."""
    return load_bitext(bitext=args.bitext, src=args.src, tgt=args.tgt)


def check_output(path: str, overwrite: bool) -> None:
    """Fail before any work when the output cannot be written, or exists and ``--overwrite``
    was not given."""
    check_writable(path, overwrite)


def build_aligner(args: argparse.Namespace) -> Aligner:
    """The aligner that ``--method`` and ``--model`` describe (see the module docstring)."""
    if args.method is None:
        if args.model is None:
            raise WordalignError(
                "give the aligner as --method NAME, or a saved model as --model DIR"
            )
        return load_model(args)
    cls = get_aligner_class(args.method)
    if cls.trainable and args.model is not None and not takes_encoder(cls):
        return load_model(args)
    params = aligner_params(args, cls)
    if args.model is not None:
        params["model"] = args.model
    return cls(**params)


def takes_encoder(cls: type[Aligner]) -> bool:
    """Whether the aligner's ``model`` parameter is an encoder (a name or folder, like the
    embedding aligners' and ``hybrid``'s), rather than eflomal's model depth."""
    default = inspect.signature(cls.__init__).parameters.get("model")
    return default is not None and isinstance(default.default, str)


def load_model(args: argparse.Namespace) -> Aligner:
    """The saved aligner in ``--model``; training flags do not apply to it, ``--symmetrize`` does."""
    aligner = Aligner.load(args.model)
    if args.method is not None and args.method != aligner.name:
        raise WordalignError(
            f"{args.model} holds a {aligner.name!r} model, but --method is {args.method!r}"
        )
    params = aligner_params(args, type(aligner))
    for name in TRAINED_PARAMS:
        if params.pop(name, None) is not None:
            log.warning("the model in %s is trained already; its %s is kept", args.model, name)
    aligner.set_params(**params)
    return aligner


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "align",
        formatter_class=HelpFormatter,
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
            "for embedding aligners and hybrid: the encoder (hub name, local folder, mbert or "
            "xlmr); otherwise a model folder saved by 'wordalign train' (no training then; a "
            "saved hybrid model: --model DIR without --method)"
        ),
    )
    parser.add_argument("--out", default="-", metavar="FILE", help="output (default: stdout)")
    parser.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    parser.add_argument(
        "--list",
        action="store_true",
        help="print every aligner (--method NAME) with a one-line description, and exit",
    )
    parser.set_defaults(run=run)
    return parser


def run(args: argparse.Namespace) -> int:
    if args.list:
        print("\n".join(describe_aligners()))
        return 0
    check_output(args.out, args.overwrite)
    aligner = build_aligner(args)
    pairs = read_pairs(args)
    prior = read_pivot_prior(args, aligner)
    if prior is not None:
        alignments = aligner.fit_align(pairs, prior=prior)  # type: ignore[call-arg]
    elif aligner.trainable and not aligner.is_fitted():
        alignments = aligner.fit_align(pairs)
    else:
        alignments = aligner.align(pairs)
    # --param scores=true (or a saved model's scores) asks for them as much as --scores does.
    with_scores = bool(args.scores) or bool(aligner.get_params().get("scores", False))
    write_pharaoh(args.out, alignments, with_scores=with_scores, overwrite=True)
    return 0
