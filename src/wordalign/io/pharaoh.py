"""Pharaoh alignment lines: ``0-0 1-2 3p4`` (one sentence pair per line).

Sure links are written ``i-j``; Possible links ``ipj`` or ``i?j`` (both are read; ``p`` is written,
as in the public English-French and Romanian-English gold standards). A link may carry a score,
``i-j-0.93`` (awesome-align's ``--output_prob`` style). A line may start with ``INDEX<TAB>`` as in
the DERMIT gold files. Indices are 0-based unless ``one_based`` says otherwise.

Scores are read as written; callers that use them as probabilities (combining the posteriors of
several runs, sweeping a threshold over them) pass ``probabilities=True`` to have each checked to
lie in [0, 1], so that a file of similarities or log-probabilities fails at its first bad line
instead of giving meaningless averages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from wordalign.errors import InputFormatError
from wordalign.io.files import PathLike, display_name, read_lines, write_lines
from wordalign.types import Alignment, Link, PackedAlignments

_LINK = re.compile(r"^(\d+)([-p?])(\d+)(?:-(\d+(?:\.\d*)?(?:[eE][-+]?\d+)?))?$")
_INDEX = re.compile(r"^\s*(\d+)\t")


def check_probability(score: float) -> None:
    """Check that a link score is a probability.

    Raises:
        ValueError: when ``score`` is not in [0, 1] (NaN included).
    """
    if not 0.0 <= score <= 1.0:
        raise ValueError(f"score {score} is not a probability (outside [0, 1])")


def parse_pharaoh_links(
    line: str, one_based: bool = False, probabilities: bool = False
) -> tuple[list[Link], list[Link], dict[Link, float]]:
    """Parse the links of one line into ``(sure, possible_only, scores)``.

    ``probabilities`` checks that every score lies in [0, 1] (see :func:`check_probability`).

    Raises:
        ValueError: naming the first bad link.
    """
    sure: list[Link] = []
    possible: list[Link] = []
    scores: dict[Link, float] = {}
    shift = 1 if one_based else 0
    for token in line.split():
        match = _LINK.match(token)
        if match is None:
            raise ValueError(f"bad link {token!r} (expected 'i-j', 'ipj', 'i?j' or 'i-j-score')")
        i, j = int(match.group(1)) - shift, int(match.group(3)) - shift
        if i < 0 or j < 0:
            raise ValueError(
                f"link {token!r} has index 0 but the file is read as 1-based "
                "(drop the one-based option)"
            )
        link = (i, j)
        (sure if match.group(2) == "-" else possible).append(link)
        if match.group(4) is not None:
            score = float(match.group(4))
            if probabilities:
                try:
                    check_probability(score)
                except ValueError as exc:
                    raise ValueError(f"link {token!r}: {exc}") from None
            scores[link] = score
    return sure, possible, scores


def read_pharaoh(
    path: PathLike,
    one_based: bool = False,
    index_column: bool | None = None,
    probabilities: bool = False,
) -> Iterator[Alignment]:
    """Stream one :class:`Alignment` per line (an empty line is an empty alignment).

    Args:
        path: the file (``.gz`` and ``-`` work).
        one_based: indices in the file start at 1.
        index_column: the lines start with ``INDEX<TAB>``; ``None`` detects it per line.
        probabilities: the scores are probabilities: one outside [0, 1] is an error.

    Raises:
        InputFormatError: ``file:line: bad link ...`` for a malformed line (and
            ``file:line: link '0-0-1.5': score 1.5 is not a probability ...`` with
            ``probabilities``).
    """
    name = display_name(path)
    for line_no, text in read_lines(path):
        match = _INDEX.match(text)
        if index_column is None or index_column:
            if match is not None:
                text = text[match.end() :]
            elif index_column:
                raise InputFormatError(name, line_no, "expected a leading 'INDEX<TAB>' column")
        elif match is not None:
            raise InputFormatError(name, line_no, "unexpected 'INDEX<TAB>' column")
        try:
            sure, possible, scores = parse_pharaoh_links(text, one_based, probabilities)
        except ValueError as exc:
            raise InputFormatError(name, line_no, str(exc)) from None
        yield Alignment(sure, possible, scores or None)


def format_pharaoh(
    alignment: Alignment,
    possible_sep: str = "p",
    with_scores: bool = False,
    one_based: bool = False,
) -> str:
    """One Pharaoh line; ``with_scores`` appends ``-score`` to links that have one."""
    shift = 1 if one_based else 0
    parts = []
    for i, j in sorted(alignment.possible):
        sep = "-" if (i, j) in alignment.sure else possible_sep
        text = f"{i + shift}{sep}{j + shift}"
        if with_scores and alignment.scores is not None and (i, j) in alignment.scores:
            text += f"-{alignment.scores[(i, j)]:.4g}"
        parts.append(text)
    return " ".join(parts)


def write_pharaoh(
    path: PathLike,
    alignments: Iterable[Alignment],
    possible_sep: str = "p",
    with_scores: bool = False,
    one_based: bool = False,
    overwrite: bool = True,
) -> None:
    """Write one Pharaoh line per alignment, atomically (empty line for an empty alignment)."""
    if isinstance(alignments, PackedAlignments) and not one_based:
        # Sure links only: formatted straight from the arrays.
        write_lines(path, alignments.pharaoh_lines(with_scores), overwrite=overwrite)
        return
    write_lines(
        path,
        (format_pharaoh(a, possible_sep, with_scores, one_based) for a in alignments),
        overwrite=overwrite,
    )
