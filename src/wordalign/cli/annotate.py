"""``wordalign annotate``: annotation projects from the command line (the web app's storage).

Subcommands: ``create`` (a project from a bitext, optionally with an aligner's suggestions),
``list``, ``export`` (one annotator's links as Pharaoh), ``merge`` (a consensus gold: Sure where
all annotators say Sure, Possible where any links), ``agreement``, and ``import-alignman`` /
``export-alignman`` (AlignMan's SQLite layout).
"""

from __future__ import annotations

import argparse
from typing import Any

from wordalign.errors import WordalignError


def add_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "annotate",
        help="annotation projects: create, export, merge, agreement, AlignMan import/export",
        description="Work with the annotation database of 'wordalign serve' from the shell.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", required=True, help="the annotation database (SQLite)")

    def project_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--project", help="the project name (needed when the db has several)")

    def out_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", required=True, help="output file")
        p.add_argument("--overwrite", action="store_true", help="replace --out if it exists")

    create = actions.add_parser("create", help="create a project from a bitext")
    db_option(create)
    create.add_argument("--bitext", help="'src ||| tgt' or 'src<TAB>tgt' lines")
    create.add_argument("--src", help="source sentences (with --tgt)")
    create.add_argument("--tgt", help="target sentences (with --src)")
    create.add_argument("--name", help="project name (default: the file name)")
    create.add_argument(
        "--suggest-method", help="pre-fill suggestions with this aligner's links (e.g. ibm1)"
    )
    create.set_defaults(run=run_create)

    listing = actions.add_parser("list", help="list the projects and their annotators")
    db_option(listing)
    listing.set_defaults(run=run_list)

    export = actions.add_parser("export", help="one annotator's links as Pharaoh (p = Possible)")
    db_option(export)
    project_option(export)
    export.add_argument("--annotator", required=True)
    out_options(export)
    export.set_defaults(run=run_export)

    merge = actions.add_parser(
        "merge", help="merged gold as Pharaoh: Sure where all say Sure, Possible where any links"
    )
    db_option(merge)
    project_option(merge)
    merge.add_argument(
        "--annotators", help="comma-separated annotators to merge (default: all of them)"
    )
    out_options(merge)
    merge.set_defaults(run=run_merge)

    agreement = actions.add_parser(
        "agreement", help="AER and Cohen's kappa between every two annotators"
    )
    db_option(agreement)
    project_option(agreement)
    agreement.set_defaults(run=run_agreement)

    imp = actions.add_parser("import-alignman", help="import an AlignMan database as a project")
    imp.add_argument("file", help="the AlignMan SQLite file (table ALIGNMENTS)")
    db_option(imp)
    imp.add_argument("--name", help="project name (default: the file name)")
    imp.add_argument(
        "--annotators", default="u1,u2", help="names for AlignMan's users 1 and 2 (default: u1,u2)"
    )
    imp.set_defaults(run=run_import_alignman)

    exp = actions.add_parser("export-alignman", help="write a project as an AlignMan database")
    db_option(exp)
    project_option(exp)
    exp.add_argument(
        "--annotators",
        help="the two annotators for AlignMan's users 1 and 2 (default: as imported)",
    )
    out_options(exp)
    exp.set_defaults(run=run_export_alignman)


def _names(text: str | None, expected: int | None = None) -> list[str] | None:
    if text is None:
        return None
    names = [name.strip() for name in text.split(",") if name.strip()]
    if expected is not None and len(names) != expected:
        raise WordalignError(f"give {expected} comma-separated annotator names, not {text!r}")
    return names


def _open(args: argparse.Namespace) -> Any:
    from wordalign.viewer.storage import AnnotationStore

    return AnnotationStore(args.db)


def _project(store: Any, name: str | None) -> int:
    if name is not None:
        return int(store.project_id(name))
    projects = store.projects()
    if len(projects) != 1:
        names = ", ".join(p.name for p in projects) or "none"
        raise WordalignError(f"the database has {len(projects)} projects ({names}): give --project")
    return int(projects[0].id)


def run_create(args: argparse.Namespace) -> int:
    from pathlib import Path

    from wordalign.io.bitext import load_bitext
    from wordalign.io.files import display_name

    pairs = load_bitext(bitext=args.bitext, src=args.src, tgt=args.tgt)
    source = display_name(args.bitext or args.src)
    suggestions = None
    if args.suggest_method:
        from wordalign.viewer.suggest import suggest

        suggestions = suggest(args.suggest_method, pairs)
    with _open(args) as store:
        pid = store.create_project(
            args.name or Path(source).name,
            pairs,
            suggestions=suggestions,
            suggestion_source=args.suggest_method,
            source=Path(source).name,
        )
        info = store.project(pid)
    print(f"created project {info.name!r}: {info.n_pairs} pairs")
    return 0


def run_list(args: argparse.Namespace) -> int:
    with _open(args) as store:
        for info in store.projects():
            annotators = ", ".join(info.annotators) or "no annotators"
            print(f"{info.name}\t{info.n_pairs} pairs\t{annotators}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from wordalign.io.pharaoh import write_pharaoh

    with _open(args) as store:
        pid = _project(store, args.project)
        if args.annotator not in store.annotators(pid):
            known = ", ".join(store.annotators(pid)) or "none"
            raise WordalignError(f"no annotator {args.annotator!r} (annotators: {known})")
        alignments = store.alignments(pid, args.annotator)
    write_pharaoh(args.out, alignments, overwrite=args.overwrite)
    return 0


def run_merge(args: argparse.Namespace) -> int:
    from wordalign.io.pharaoh import write_pharaoh
    from wordalign.viewer.agreement import merge_corpus

    with _open(args) as store:
        pid = _project(store, args.project)
        known = store.annotators(pid)
        chosen = _names(args.annotators) or known
        for name in chosen:
            if name not in known:
                raise WordalignError(f"no annotator {name!r} (annotators: {', '.join(known)})")
        if not chosen:
            raise WordalignError("nobody has annotated this project yet")
        merged = merge_corpus([store.alignments(pid, a) for a in chosen])
    write_pharaoh(args.out, merged, overwrite=args.overwrite)
    return 0


def run_agreement(args: argparse.Namespace) -> int:
    from wordalign.viewer.agreement import agreement_table

    with _open(args) as store:
        pid = _project(store, args.project)
        sizes = [(len(p.src), len(p.tgt)) for p in store.pairs(pid)]
        table = agreement_table({a: store.alignments(pid, a) for a in store.annotators(pid)}, sizes)
    if not table:
        raise WordalignError("agreement needs two annotators")
    print("a\tb\taer_a_as_gold\taer_b_as_gold\tkappa_link\tkappa_sure_possible")
    for row in table:
        print(
            f"{row.a}\t{row.b}\t{row.aer_a_as_gold:.4f}\t{row.aer_b_as_gold:.4f}\t"
            f"{row.kappa_link:.4f}\t{row.kappa_sure_possible:.4f}"
        )
    return 0


def run_import_alignman(args: argparse.Namespace) -> int:
    from wordalign.viewer.alignman import import_alignman

    names = _names(args.annotators, 2) or ["u1", "u2"]
    with _open(args) as store:
        pid = import_alignman(store, args.file, name=args.name, annotators=(names[0], names[1]))
        info = store.project(pid)
    print(f"imported {info.n_pairs} rows as project {info.name!r}")
    return 0


def run_export_alignman(args: argparse.Namespace) -> int:
    from wordalign.viewer.alignman import export_alignman

    names = _names(args.annotators, 2)
    with _open(args) as store:
        pid = _project(store, args.project)
        n = export_alignman(
            store,
            pid,
            args.out,
            annotators=None if names is None else (names[0], names[1]),
            overwrite=args.overwrite,
        )
    print(f"wrote {n} rows to {args.out}")
    return 0
