"""``--pivot-src``/``--pivot-tgt``: trilingual priors from the command line, and their mistakes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wordalign.cli.main import main

FAST = ["--rel-iterations", "0.2", "--no-progress"]


def _write(path: Path, pairs: list[tuple[str, str]]) -> Path:
    path.write_text("".join(f"{s}\t{t}\n" for s, t in pairs), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    # Random word orders on the target side: no jump is preferred, so only words decide.
    rng = np.random.default_rng(0)
    words = [f"w{k}" for k in range(8)]
    main_pairs, src_piv, tgt_piv = [], [], []
    for _ in range(40):
        ws = list(rng.choice(words, 3, replace=False))
        ts = list(rng.permutation(ws))
        main_pairs.append((" ".join(f"s{w}" for w in ws), " ".join(f"t{w}" for w in ts)))
        src_piv.append((" ".join(f"s{w}" for w in ws), " ".join(f"p{w}" for w in ws)))
        tgt_piv.append((" ".join(f"t{w}" for w in ws), " ".join(f"p{w}" for w in ws)))
    src_piv += [("srare sw0", "prare pw0")] * 20
    tgt_piv += [("trare tw0", "prare pw0")] * 20
    main_pairs.append(("srare sfoo", "tfoo trare"))
    return {
        "bitext": _write(tmp_path / "de-rm.tsv", main_pairs),
        "src": _write(tmp_path / "de-it.tsv", src_piv),
        "tgt": _write(tmp_path / "rm-it.tsv", tgt_piv),
        "dir": tmp_path,
    }


def test_align_and_train_with_pivot_priors(files: dict[str, Path]) -> None:
    out = files["dir"] / "out.pharaoh"
    pivot = ["--pivot-src", str(files["src"]), "--pivot-tgt", str(files["tgt"])]
    code = main(["align", "--method", "eflomal", "--bitext", str(files["bitext"]), "--out",
                 str(out), "--symmetrize", "intersection", "--pivot-weight", "5", *pivot, *FAST])  # fmt: skip
    assert code == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 41 and lines[-1] == "0-1 1-0"
    model = files["dir"] / "model"
    assert main(["train", "--method", "eflomal", "--bitext", str(files["bitext"]),
                 "--model-out", str(model), "--pivot-weight", "5", *pivot, *FAST]) == 0  # fmt: skip
    new = _write(files["dir"] / "new.tsv", [("sbar srare", "trare tbar")])
    out2 = files["dir"] / "new.pharaoh"
    assert main(["align", "--model", str(model), "--bitext", str(new), "--out", str(out2),
                 "--symmetrize", "intersection"]) == 0  # fmt: skip
    assert out2.read_text(encoding="utf-8") == "0-1 1-0\n"


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


def test_pivot_mistakes_are_one_line(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    base = ["align", "--method", "eflomal", "--bitext", str(files["bitext"]), *FAST]
    err = _error(capsys, [*base, "--pivot-src", str(files["src"])])
    assert "both --pivot-src and --pivot-tgt" in err
    bad = files["dir"] / "bad.tsv"
    bad.write_text("sw0 sw1\tpw0 pw1\nno tab on this line\n", encoding="utf-8")
    err = _error(capsys, [*base, "--pivot-src", str(bad), "--pivot-tgt", str(files["tgt"])])
    assert f"{bad}:2" in err
    # Swapped columns: the pivot language is not in the second column of both files.
    swapped = _write(files["dir"] / "swapped.tsv",
                     [(t, s) for s, t in (line.split("\t") for line in
                      files["tgt"].read_text(encoding="utf-8").splitlines())])  # fmt: skip
    err = _error(capsys, [*base, "--pivot-src", str(files["src"]), "--pivot-tgt", str(swapped)])
    assert "share no pivot word" in err
    # Pivot files of other languages than the bitext.
    err = _error(
        capsys, [*base, "--pivot-src", str(files["tgt"]), "--pivot-tgt", str(files["src"])]
    )
    assert "none of its src words" in err
    err = _error(capsys, ["align", "--method", "fastalign", "--bitext", str(files["bitext"]),
                          "--pivot-src", str(files["src"]), "--pivot-tgt", str(files["tgt"])])  # fmt: skip
    assert "work with eflomal" in err
