"""An interrupt (Ctrl-C) stops a long run of every statistical aligner within 2 s, with exit
code 130, one line and no output left behind.

The runs are sized so that one kernel call (an EM iteration over the whole corpus for IBM1 and
fastalign, a sweep for eflomal) is in flight when the signal comes: the aligner must not wait
for it to return."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _corpus(path: Path, n_pairs: int, lengths: tuple[int, int] = (10, 30)) -> Path:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n_pairs):
            words = [rng.randrange(3000) for _ in range(rng.randint(*lengths))]
            f.write(
                " ".join(f"s{w}" for w in words) + "\t" + " ".join(f"t{w}" for w in words) + "\n"
            )
    return path


# (pairs, sentence lengths, extra arguments) that make each run last well past the interrupt.
# IBM1 and fastalign run one kernel call per EM iteration over the whole corpus: long sentences
# make that call last (measured on 2 cores: ibm1 4.3 s, fastalign 2.6 s per iteration), so
# the signal comes while the threads are inside it. eflomal's calls are single sweeps.
_LONG: dict[str, tuple[int, tuple[int, int], list[str]]] = {
    "eflomal": (30_000, (10, 30), ["--rel-iterations", "20"]),
    "fastalign": (1_500, (200, 300), ["--n-iter", "100"]),
    "ibm1": (1_500, (200, 300), ["--n-iter", "100"]),
}


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("method", sorted(_LONG))
def test_sigint_stops_a_long_run_within_two_seconds(tmp_path: Path, method: str) -> None:
    cmd = [sys.executable, "-m", "wordalign", "align", "--method", method, "--no-progress"]
    # Compile (or load) the kernels first: an interrupt during numba's compilation waits for it.
    warm = _corpus(tmp_path / "warm.tsv", 20)
    subprocess.run([*cmd, "--bitext", str(warm), "--out", str(tmp_path / "w")], check=True)
    n_pairs, lengths, extra = _LONG[method]
    big = _corpus(tmp_path / "big.tsv", n_pairs, lengths)
    out = tmp_path / "big.pharaoh"
    proc = subprocess.Popen(
        [*cmd, "--bitext", str(big), "--out", str(out), *extra],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(12)  # reading, encoding and the first iterations
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    sent = time.perf_counter()
    _, err = proc.communicate(timeout=120)
    waited = time.perf_counter() - sent
    assert proc.returncode == 130, err
    assert err.strip() == "wordalign: interrupted"
    assert waited < 2.0, f"took {waited:.1f} s to stop"
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
