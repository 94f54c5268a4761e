"""``wordalign align`` with embedding aligners: --model names the encoder, flags reach the aligner."""

from __future__ import annotations

from pathlib import Path

import pytest

from wordalign import SimAlign
from wordalign.cli.main import main

PAIRS = ["das Haus ist klein ||| la chasa è pitschna", "||| ", "ein Haus ||| ina chasa"]


@pytest.mark.parametrize("method", ["simalign-match", "simalign-argmax", "awesome"])
def test_align_cli_embedding_model_is_the_encoder(
    method: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    bitext = tmp_path / "pairs.txt"
    bitext.write_text("\n".join(PAIRS) + "\n", encoding="utf-8")
    out = tmp_path / "out.pharaoh"
    argv = ["align", "--method", method, "--model", str(tiny_model_dir), "--bitext", str(bitext)]
    argv += ["--device", "cpu", "--layer", "1", "--out", str(out), "--no-progress"]
    assert main(argv) == 0
    lines = out.read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(PAIRS) + 1 and lines[-1] == ""
    assert lines[1] == ""  # the empty pair keeps its line
    assert lines[0] and lines[2]


def test_align_cli_embedding_flags_match_the_python_api(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    bitext = tmp_path / "pairs.txt"
    bitext.write_text("\n".join(PAIRS) + "\n", encoding="utf-8")
    out = tmp_path / "out.pharaoh"
    argv = ["align", "--method", "simalign-itermax", "--model", str(tiny_model_dir)]
    argv += ["--bitext", str(bitext), "--device", "cpu", "--layer", "2", "--level", "word"]
    argv += ["--out", str(out), "--no-progress"]
    assert main(argv) == 0
    aligner = SimAlign(
        model=str(tiny_model_dir), method="itermax", level="word", layer=2, device="cpu"
    )
    expected = [a.to_pharaoh() for a in aligner.align([p.split("|||") for p in PAIRS])]
    assert out.read_text(encoding="utf-8").splitlines() == expected
