"""``wordalign align`` and ``wordalign train``: the contract scripts rely on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from wordalign.cli.main import main
from wordalign.io.bitext import read_parallel
from wordalign.io.pharaoh import read_pharaoh
from wordalign.registry import aligner_names, get_aligner_class

# Synthetic pairs: every source letter has one target counterpart.
PAIRS = [
    ("a b", "x y"),
    ("a c", "x z"),
    ("b c", "y z"),
    ("c a b", "z x y"),
    ("", ""),
    ("d a", "w x"),
    ("d c", "w z"),
]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wordalign", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture
def bitext(tmp_path: Path) -> Path:
    path = tmp_path / "pairs.txt"
    path.write_text("".join(f"{s} ||| {t}\n" for s, t in PAIRS), encoding="utf-8")
    return path


def test_align_bitext_to_stdout_one_line_per_pair(bitext: Path) -> None:
    proc = run_cli("align", "--method", "ibm1", "--bitext", str(bitext), "--n-iter", "10")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.split("\n")
    assert lines[-1] == ""  # ends with a newline
    assert lines[:-1] == ["0-0 1-1", "0-0 1-1", "0-0 1-1", "0-0 1-1 2-2", "", "0-0 1-1", "0-0 1-1"]


def test_tsv_and_two_files_give_the_same_output(tmp_path: Path, bitext: Path) -> None:
    tsv = tmp_path / "pairs.tsv"
    tsv.write_text("".join(f"{s}\t{t}\n" for s, t in PAIRS), encoding="utf-8")
    src, tgt = tmp_path / "x.src", tmp_path / "x.tgt"
    src.write_text("".join(f"{s}\n" for s, _ in PAIRS), encoding="utf-8")
    tgt.write_text("".join(f"{t}\n" for _, t in PAIRS), encoding="utf-8")
    outs = []
    for name, inputs in [
        ("a", ["--bitext", str(bitext)]),
        ("b", ["--bitext", str(tsv)]),
        ("c", ["--src", str(src), "--tgt", str(tgt)]),
    ]:
        out = tmp_path / f"{name}.pharaoh"
        assert main(["align", "--method", "ibm1", *inputs, "--out", str(out), "--seed", "0"]) == 0
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1] == outs[2]
    assert outs[0].count("\n") == len(PAIRS)


def test_symmetrize_option_reaches_the_aligner(bitext: Path, tmp_path: Path) -> None:
    out = tmp_path / "fwd.pharaoh"
    args = ["align", "--method", "ibm1", "--bitext", str(bitext), "--out", str(out)]
    assert main([*args, "--symmetrize", "forward"]) == 0
    for alignment in read_pharaoh(out):
        targets = [j for _, j in alignment.sure]
        assert len(targets) == len(set(targets))


def test_malformed_bitext_line_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("a b ||| x y\nno separator here\n", encoding="utf-8")
    proc = run_cli("align", "--method", "ibm1", "--bitext", str(bad))
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"wordalign: error: {bad}:2: ")


def test_unknown_method_lists_the_valid_names(bitext: Path) -> None:
    proc = run_cli("align", "--method", "nope", "--bitext", str(bitext))
    assert proc.returncode == 2
    assert "nope" in proc.stderr
    for name in aligner_names():
        assert name in proc.stderr


def test_neither_method_nor_model_is_an_error(
    bitext: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["align", "--bitext", str(bitext)]) == 2
    assert "--method" in capsys.readouterr().err


def test_refuses_to_overwrite_before_training(bitext: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.pharaoh"
    out.write_text("keep\n", encoding="utf-8")
    args = ["align", "--method", "ibm1", "--bitext", str(bitext), "--out", str(out)]
    assert main(args) == 2
    assert out.read_text(encoding="utf-8") == "keep\n"
    assert main([*args, "--overwrite"]) == 0
    assert out.read_text(encoding="utf-8").count("\n") == len(PAIRS)


def test_train_then_align_with_the_model(bitext: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    direct = tmp_path / "direct.pharaoh"
    loaded = tmp_path / "loaded.pharaoh"
    common = ["--method", "ibm1", "--bitext", str(bitext), "--n-iter", "7"]
    assert main(["train", *common, "--model-out", str(model)]) == 0
    assert (model / "config.json").is_file()
    assert main(["align", *common, "--out", str(direct)]) == 0
    assert (
        main(["align", "--model", str(model), "--bitext", str(bitext), "--out", str(loaded)]) == 0
    )
    assert loaded.read_text(encoding="utf-8") == direct.read_text(encoding="utf-8")
    # An existing model is kept unless --overwrite.
    assert main(["train", *common, "--model-out", str(model)]) == 2
    assert main(["train", *common, "--model-out", str(model), "--overwrite"]) == 0


def test_symmetrize_applies_to_a_loaded_model(bitext: Path, tmp_path: Path) -> None:
    model = tmp_path / "model"
    assert (
        main(["train", "--method", "ibm1", "--bitext", str(bitext), "--model-out", str(model)]) == 0
    )
    outs = []
    for name, source in [("loaded", ["--model", str(model)]), ("direct", ["--method", "ibm1"])]:
        out = tmp_path / f"{name}.pharaoh"
        args = ["align", *source, "--bitext", str(bitext), "--symmetrize", "union"]
        assert main([*args, "--out", str(out)]) == 0
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] == outs[1]


def test_model_of_another_method_is_an_error(
    bitext: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model"
    assert (
        main(["train", "--method", "ibm1", "--bitext", str(bitext), "--model-out", str(model)]) == 0
    )
    # Another trainable method: for embedding methods --model names the encoder instead.
    other = next(n for n in aligner_names() if n != "ibm1" and get_aligner_class(n).trainable)
    args = ["align", "--model", str(model), "--method", other, "--bitext", str(bitext)]
    assert main(args) == 2
    assert "holds a 'ibm1' model" in capsys.readouterr().err


def test_ibm1_on_the_dermit_gold(gold_files: dict[str, Path], tmp_path: Path) -> None:
    from wordalign.evaluation.metrics import evaluate

    out = tmp_path / "gold.ibm1.pharaoh"
    args = ["align", "--method", "ibm1", "--src", str(gold_files["src"])]
    assert main([*args, "--tgt", str(gold_files["tgt"]), "--out", str(out)]) == 0
    gold = list(read_pharaoh(gold_files["alignments"]))
    pred = list(read_pharaoh(out))
    pairs = list(read_parallel(gold_files["src"], gold_files["tgt"]))
    assert len(pred) == len(gold) == len(pairs) == 300
    for alignment, pair in zip(pred, pairs, strict=True):
        assert alignment.max_src() < len(pair.src) and alignment.max_tgt() < len(pair.tgt)
    result = evaluate(gold, pred)
    # Measured: P 0.551, R 0.548, F1 0.549, AER 0.451 (5 iterations, grow-diag-final-and).
    assert result.aer < 0.6
    assert result.precision > 0.45 and result.recall > 0.45


# -- aligner parameters, scores, the list of aligners -------------------------------------------


def _parse(*argv: str):  # type: ignore[no-untyped-def]
    from wordalign.cli.main import build_parser

    return build_parser().parse_args(list(argv))


def test_param_sets_constructor_parameters(bitext: Path, tmp_path: Path) -> None:
    import json

    model = tmp_path / "model"
    args = ["train", "--method", "fastalign", "--bitext", str(bitext), "--model-out", str(model)]
    extra = ["--param", "n_iter=3", "--param", "favor_diagonal=no", "--param", "alpha=0.5"]
    assert main([*args, *extra, "--param", "posterior_grow_threshold=none"]) == 0
    params = json.loads((model / "config.json").read_text(encoding="utf-8"))["params"]
    assert params["n_iter"] == 3 and params["alpha"] == 0.5
    assert params["favor_diagonal"] is False and params["posterior_grow_threshold"] is None


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("nope=1", ["'nope'", "'ibm1'", "n_iter", "symmetrize", "posterior_threshold"]),
        ("n_iter=many", ["'n_iter'", "'ibm1'", "int"]),
        ("lowercase=maybe", ["'lowercase'", "bool"]),
        ("n_iter", ["NAME=VALUE", "n_iter"]),
    ],
)
def test_bad_param_is_one_line_and_exit_2(bitext: Path, item: str, expected: list[str]) -> None:
    proc = run_cli("align", "--method", "ibm1", "--bitext", str(bitext), "--param", item)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith("wordalign: error: --param")
    for text in expected:
        assert text in line


def test_param_with_literal_choices_is_checked() -> None:
    from wordalign.cli.align import build_aligner
    from wordalign.errors import WordalignError

    args = _parse("align", "--method", "simalign-argmax", "--param", "level=word")
    assert build_aligner(args).get_params()["level"] == "word"
    args = _parse("align", "--method", "simalign-argmax", "--param", "level=words")
    with pytest.raises(WordalignError, match="subword, word"):
        build_aligner(args)


@pytest.mark.parametrize("method", ["ibm1", "fastalign"])
@pytest.mark.parametrize("symmetrize", ["grow-diag-final-and", "posterior-mean"])
def test_scores_of_statistical_aligners(
    bitext: Path, tmp_path: Path, method: str, symmetrize: str
) -> None:
    out = tmp_path / "scored.pharaoh"
    args = ["align", "--method", method, "--bitext", str(bitext), "--out", str(out)]
    assert (
        main([*args, "--scores", "--symmetrize", symmetrize, "--posterior-threshold", "0.3"]) == 0
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(PAIRS)
    n_links = 0
    for line in lines:
        for link in line.split():
            i, j, p = link.split("-")
            assert i.isdigit() and j.isdigit()
            assert 0.0 <= float(p) <= 1.0
            n_links += 1
    assert n_links >= 10
    plain = tmp_path / "plain.pharaoh"
    assert (
        main([*args[:-1], str(plain), "--symmetrize", symmetrize, "--posterior-threshold", "0.3"])
        == 0
    )
    stripped = [" ".join(link.rsplit("-", 1)[0] for link in line.split()) for line in lines]
    assert plain.read_text(encoding="utf-8").splitlines() == stripped


def test_list_names_every_aligner() -> None:
    proc = run_cli("align", "--list")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == aligner_names()
    for line in lines:
        assert len(line.split(maxsplit=1)) == 2  # a description follows every name


def test_eflomal_flags_reach_eflomal_params() -> None:
    from wordalign.cli.align import aligner_params, build_aligner

    flags = ["--depth", "2", "--n-samplers", "4", "--rel-iterations", "0.5", "--null-prior", "0.1"]
    flags += ["--lex-alpha", "0.01", "--src-prefix", "4", "--tgt-suffix", "3", "--no-lowercase"]
    aligner = build_aligner(_parse("align", "--method", "eflomal", *flags))
    params = aligner.get_params()
    assert params["model"] == 2 and params["n_samplers"] == 4 and params["rel_iterations"] == 0.5
    assert params["null_prior"] == 0.1 and params["lex_alpha"] == 0.01
    assert params["src_prefix_len"] == 4 and params["tgt_suffix_len"] == 3
    assert params["lowercase"] is False
    # wordalign train shares the flags.
    args = _parse("train", "--method", "eflomal", "--model-out", "m", *flags)
    given = ["model", "n_samplers", "rel_iterations", "null_prior", "lex_alpha"]
    given += ["src_prefix_len", "tgt_suffix_len", "lowercase"]
    assert aligner_params(args, get_aligner_class("eflomal")) == {k: params[k] for k in given}


def test_eflomal_flags_do_not_reach_other_params(caplog: pytest.LogCaptureFixture) -> None:
    from wordalign.cli.align import build_aligner

    # SimAlign's 'model' is its encoder: --depth must not land there.
    aligner = build_aligner(_parse("align", "--method", "simalign-argmax", "--depth", "2"))
    assert aligner.get_params()["model"] == "mbert"
    assert "takes no --depth; ignored" in caplog.text
    ibm1 = build_aligner(_parse("align", "--method", "ibm1", "--lowercase", "--n-samplers", "2"))
    assert ibm1.get_params()["lowercase"] is True
    assert "takes no --n-samplers; ignored" in caplog.text


def test_help_shows_eflomal_defaults_and_parsing_loads_no_numba() -> None:
    code = (
        "import sys\n"
        "from wordalign.cli.main import build_parser\n"
        "build_parser().parse_args(['align', '--method', 'eflomal', '--depth', '2'])\n"
        "assert 'numba' not in sys.modules, 'numba imported at parse time'\n"
    )
    check = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    import inspect

    proc = run_cli("align", "--help")
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())
    default = inspect.signature(get_aligner_class("eflomal")).parameters["n_samplers"].default
    assert f"--n-samplers N independent Gibbs samplers (default: {default})" in text
    assert "posterior-mean" in text and "--posterior-threshold" in text
