"""``wordalign corpus``: build sentence pairs from DERMIT, align sentences, download the corpus.

* ``wordalign corpus build [--data DIR] --pairs de-rm,de-it,rm-it --out DIR``
* ``wordalign corpus sentalign --src A --tgt B [--src-lang de --tgt-lang rm] [--segment] [--out F]``
* ``wordalign corpus download [--cache DIR]``

The DERMIT press releases are © Canton of Graubünden: research use only, commercial use is
prohibited; files built from them carry the same terms.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from wordalign.errors import InputFormatError, WordalignError
from wordalign.io.files import atomic_writer, check_writable, display_name, read_lines

logger = logging.getLogger(__name__)


def add_parser(subparsers: Any) -> None:
    """Register ``corpus`` and its sub-subcommands."""
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "corpus",
        help="prepare parallel text: DERMIT sentence pairs, sentence alignment, download",
        description=(
            "Turn document-aligned text into sentence pairs. DERMIT (press releases of the "
            "Canton of Graubünden) is for research use only; commercial use is prohibited."
        ),
    )
    parser.set_defaults(run=run)
    sub = parser.add_subparsers(dest="corpus_command", metavar="ACTION", required=True)

    build = sub.add_parser(
        "build",
        help="build DE-RM / DE-IT / RM-IT sentence-pair files from DERMIT",
        description=(
            "Segment, sentence-align (two passes, bootstrapped dictionary), tokenize and filter "
            "every document of DERMIT; write per pair OUT/<pair>.tsv (tokenized source<TAB>"
            "tokenized target), OUT/<pair>.meta.tsv (document id, source positions, target "
            "positions, score; same lines) and OUT/stats.md, OUT/stats.json."
        ),
    )
    build.add_argument(
        "--data",
        metavar="DIR",
        help="DERMIT folder (default: $WORDALIGN_DATA, else the cache, downloaded if missing)",
    )
    build.add_argument(
        "--pairs",
        default="de-rm,de-it,rm-it",
        help="language pairs, source first (default: de-rm,de-it,rm-it)",
    )
    build.add_argument("--out", required=True, metavar="DIR", help="output folder")
    build.add_argument(
        "--years", metavar="Y1,Y2", help="only these years, e.g. 2021,2022 (default: all)"
    )
    build.add_argument(
        "--merges",
        action="store_true",
        help="also keep 1-2, 2-1 and 2-2 beads, their sentences joined (default: 1-1 only)",
    )
    build.add_argument(
        "--jobs", type=int, default=2, metavar="N", help="worker processes (default: 2)"
    )
    build.add_argument(
        "--overwrite", action="store_true", help="replace pair files already in --out"
    )
    build.add_argument("--no-progress", action="store_true", help="hide progress bars")
    build.set_defaults(run=run_build)

    align = sub.add_parser(
        "sentalign",
        help="align the sentences of two documents",
        description=(
            "Align two documents that translate each other, sentence by sentence (length-based "
            "dynamic programming with 1-1, 1-0, 0-1, 1-2, 2-1, 2-2 beads plus numbers, names, "
            "cognates and an optional dictionary as lexical evidence). Writes one bead per "
            "line: source<TAB>target<TAB>score, the sentences of a merged bead joined by a "
            "space, an empty side for an unaligned sentence."
        ),
    )
    align.add_argument("--src", required=True, metavar="FILE", help="source document")
    align.add_argument("--tgt", required=True, metavar="FILE", help="target document")
    align.add_argument("--src-lang", default="und", metavar="LANG", help="e.g. de")
    align.add_argument("--tgt-lang", default="und", metavar="LANG", help="e.g. rm")
    align.add_argument(
        "--segment",
        action="store_true",
        help="the files are raw text, segmented into sentences first (default: one sentence "
        "per line)",
    )
    align.add_argument(
        "--dictionary",
        metavar="FILE",
        help="translation dictionary: 'source word<TAB>target word' lines",
    )
    align.add_argument("--out", default="-", metavar="FILE", help="output (default: stdout)")
    align.add_argument("--overwrite", action="store_true", help="replace --out if it exists")
    align.set_defaults(run=run_sentalign)

    download = sub.add_parser(
        "download",
        help="download DERMIT (JSON per year and the gold standard) into a cache folder",
        description=(
            "Download the DERMIT corpus from github.com/eyldlv/DERMIT-Corpus (resumable, "
            "checked). Research use only; commercial use is prohibited."
        ),
    )
    download.add_argument(
        "--cache", metavar="DIR", help="target folder (default: $WORDALIGN_CACHE/dermit)"
    )
    download.add_argument("--no-progress", action="store_true", help="hide progress bars")
    download.set_defaults(run=run_download)


def _years(text: str | None) -> list[int] | None:
    if not text:
        return None
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise WordalignError(f"--years {text!r}: expected years such as 2021,2022") from None


def run_build(args: argparse.Namespace) -> int:
    from wordalign.corpus.build import BuildParams, build_corpus, parse_pairs
    from wordalign.corpus.dermit import resolve_data_dir

    pairs = parse_pairs(args.pairs)
    years = _years(args.years)
    if args.jobs < 1:
        raise WordalignError(f"--jobs {args.jobs}: must be at least 1")
    out = Path(args.out)
    if not args.overwrite:
        existing = [f"{s}-{t}.tsv" for s, t in pairs if (out / f"{s}-{t}.tsv").exists()]
        if existing:
            raise WordalignError(
                f"{out}: has {', '.join(existing)} already (use --overwrite to replace)"
            )
    data = resolve_data_dir(args.data, progress=not args.no_progress)
    result = build_corpus(
        data,
        out,
        pairs=[f"{s}-{t}" for s, t in pairs],
        years=years,
        params=BuildParams(merges=args.merges),
        n_jobs=args.jobs,
        show_progress=not args.no_progress,
    )
    print(result.format_markdown(), end="")
    print(f"\nwritten to {out} in {result.seconds:.0f} s")
    return 0


def _read_sentences(path: str, lang: str, segment_text: bool) -> list[str]:
    name = display_name(path)
    if segment_text:
        from wordalign.corpus.segment import segment

        text = "\n".join(line for _, line in read_lines(path))
        sentences = segment(text, lang)
        for sentence in sentences:
            if "\t" in sentence:  # segment() normalises spaces, so this is a safety net
                raise InputFormatError(name, None, "a sentence contains a tab")
        return sentences
    sentences = []
    for line_no, line in read_lines(path):
        if not line.strip():
            raise InputFormatError(
                name, line_no, "empty line (one sentence per line expected; --segment for raw text)"
            )
        if "\t" in line:
            raise InputFormatError(name, line_no, "tab in a sentence (the output is tab-separated)")
        sentences.append(line.strip())
    return sentences


def _read_dictionary(path: str) -> dict[str, tuple[str, ...]]:
    name = display_name(path)
    entries: dict[str, list[str]] = {}
    for line_no, line in read_lines(path):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            raise InputFormatError(name, line_no, "expected 'source word<TAB>target word'")
        src, tgt = parts[0].strip().lower(), parts[1].strip().lower()
        entries.setdefault(src, []).append(tgt)
    return {word: tuple(dict.fromkeys(tgts)) for word, tgts in entries.items()}


def run_sentalign(args: argparse.Namespace) -> int:
    from wordalign.corpus.sentalign import align_sentences

    check_writable(args.out, args.overwrite)  # before any work
    src = _read_sentences(args.src, args.src_lang, args.segment)
    tgt = _read_sentences(args.tgt, args.tgt_lang, args.segment)
    dictionary = _read_dictionary(args.dictionary) if args.dictionary else None
    beads = align_sentences(
        src, tgt, src_lang=args.src_lang, tgt_lang=args.tgt_lang, dictionary=dictionary
    )
    with atomic_writer(args.out, overwrite=args.overwrite) as out:
        for bead in beads:
            src_text = " ".join(src[i] for i in bead.src_idx)
            tgt_text = " ".join(tgt[j] for j in bead.tgt_idx)
            out.write(f"{src_text}\t{tgt_text}\t{bead.score:.4f}\n")
    logger.info("%d beads from %d and %d sentences", len(beads), len(src), len(tgt))
    return 0


def run_download(args: argparse.Namespace) -> int:
    from wordalign.corpus.dermit import download_dermit

    folder = download_dermit(args.cache, progress=not args.no_progress)
    print(folder)
    return 0


def run(args: argparse.Namespace) -> int:
    """Dispatch to the action (argparse sets ``run`` per action; this is the fallback)."""
    handler = getattr(args, "run", None)
    if handler is None or handler is run:
        raise WordalignError("wordalign corpus: choose an action (build, sentalign, download)")
    code: int = handler(args)
    return code
