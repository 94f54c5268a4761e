"""An interrupt (Ctrl-C) stops a long eflomal run within 2 s, with exit code 130 and one line."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _corpus(path: Path, n_pairs: int) -> Path:
    rng = random.Random(0)
    with open(path, "w", encoding="utf-8") as f:
        for _ in range(n_pairs):
            words = [rng.randrange(3000) for _ in range(rng.randint(10, 30))]
            f.write(
                " ".join(f"s{w}" for w in words) + "\t" + " ".join(f"t{w}" for w in words) + "\n"
            )
    return path


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_sigint_stops_eflomal_within_two_seconds(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "wordalign", "align", "--method", "eflomal", "--no-progress"]
    # Compile (or load) the kernels first: an interrupt during numba's compilation waits for it.
    warm = _corpus(tmp_path / "warm.tsv", 20)
    subprocess.run([*cmd, "--bitext", str(warm), "--out", str(tmp_path / "w")], check=True)
    big = _corpus(tmp_path / "big.tsv", 30_000)
    out = tmp_path / "big.pharaoh"
    proc = subprocess.Popen(
        [*cmd, "--bitext", str(big), "--out", str(out), "--rel-iterations", "20"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    time.sleep(6)  # reading, encoding and the first sweeps
    assert proc.poll() is None, "the run ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    sent = time.perf_counter()
    _, err = proc.communicate(timeout=60)
    waited = time.perf_counter() - sent
    assert proc.returncode == 130
    assert err.strip() == "wordalign: interrupted"
    assert waited < 2.0, f"took {waited:.1f} s to stop"
    assert not out.exists()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]
