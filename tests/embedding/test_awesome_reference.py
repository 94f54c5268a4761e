"""wordalign's AwesomeAlign gives the PyPI awesome-align package's links on the same model.

The reference runs as its own command line (``awesome-align``), as its users run it, on a
temporary ``src ||| tgt`` file; it reads the fixture's ``config.json``, ``pytorch_model.bin``
and ``vocab.txt`` with its vendored copy of an old transformers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wordalign.aligners.embedding import AwesomeAlign
from wordalign.io.bitext import read_parallel
from wordalign.types import Alignment, SentencePair

LAYER = 2  # the tiny models' last layer (see conftest.py)

pytest.importorskip(
    "awesome_align", reason="the reference package is not installed: pip install wordalign[peers]"
)

N_PAIRS = 300


def _awesome_command() -> list[str]:
    script = Path(sys.executable).with_name("awesome-align")
    if script.exists():
        return [str(script)]
    found = shutil.which("awesome-align")
    if found is None:
        pytest.skip("the awesome-align command is not on PATH")
    return [found]


def _run_reference(
    model_dir: Path, pairs: list[SentencePair], tmp_path: Path, extraction: str
) -> tuple[list[Alignment], list[dict[tuple[int, int], float]]]:
    data = tmp_path / "pairs.txt"
    data.write_text(
        "".join(f"{' '.join(p.src)} ||| {' '.join(p.tgt)}\n" for p in pairs), encoding="utf-8"
    )
    out, prob = tmp_path / f"out.{extraction}", tmp_path / f"prob.{extraction}"
    command = [
        *_awesome_command(),
        "--model_name_or_path", str(model_dir),
        "--data_file", str(data),
        "--output_file", str(out),
        "--output_prob_file", str(prob),
        "--extraction", extraction,
        "--align_layer", str(LAYER),
        "--batch_size", "32",
        "--num_workers", "0",
        "--no_cuda",
    ]  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run(command, check=True, capture_output=True, timeout=300, env=env)
    link_lines = out.read_text(encoding="utf-8").splitlines()
    prob_lines = prob.read_text(encoding="utf-8").splitlines()
    links = [Alignment.from_pharaoh(line) for line in link_lines]
    # The probability file lists one value per link, in the order of the link file's line.
    probs = [
        {
            (int(i), int(j)): float(p)
            for (i, _, j), p in zip(
                (t.partition("-") for t in line.split()), probs_line.split(), strict=True
            )
        }
        for line, probs_line in zip(link_lines, prob_lines, strict=True)
    ]
    return links, probs


@pytest.fixture(scope="module")
def gold_pairs(gold_files: dict[str, Path]) -> list[SentencePair]:
    pairs = list(read_parallel(gold_files["src"], gold_files["tgt"]))
    return pairs[:N_PAIRS]


@pytest.mark.data
@pytest.mark.parametrize("extraction", ["softmax", "entmax15"])
def test_links_equal_awesome_align(
    tiny_model_dir: Path, gold_pairs: list[SentencePair], tmp_path: Path, extraction: str
) -> None:
    reference, reference_probs = _run_reference(tiny_model_dir, gold_pairs, tmp_path, extraction)
    aligner = AwesomeAlign(
        model=str(tiny_model_dir), layer=LAYER, extraction=extraction, device="cpu", scores=True
    )
    ours = aligner.align(gold_pairs)
    assert len(reference) == len(ours) == len(gold_pairs)
    mismatches = [k for k, (a, r) in enumerate(zip(ours, reference, strict=True)) if a != r]
    assert not mismatches, f"{len(mismatches)} pairs differ, first {mismatches[:5]}"
    assert sum(len(a) for a in ours) > len(gold_pairs)
    for a, probs in zip(ours, reference_probs, strict=True):
        assert a.scores is not None
        assert a.scores.keys() == probs.keys()
        for link, p in probs.items():
            assert a.scores[link] == pytest.approx(p, rel=1e-4, abs=1e-6)
