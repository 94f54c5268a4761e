"""Progress on stderr: a tqdm bar on a terminal, a line per 30 s elsewhere (issue 14)."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace

import pytest

from wordalign import _progress
from wordalign._progress import LineProgress, bar, progress


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def no_force(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WORDALIGN_PROGRESS", raising=False)


def test_lines_at_start_then_one_per_30_s_of_clock_and_at_the_end() -> None:
    clock, out = FakeClock(), io.StringIO()
    lines = LineProgress(range(100), desc="EM", clock=clock, file=out)
    assert out.getvalue().splitlines() == ["wordalign: EM: 0/100 it, ? it/s, 00:00 elapsed, ? left"]
    for i, _ in enumerate(lines):
        clock.now += 1.0  # one step a second: a line every 30 steps
        if i == 49:
            lines.set_postfix_str("loss=0.5")
    written = out.getvalue().splitlines()
    assert written == [
        "wordalign: EM: 0/100 it, ? it/s, 00:00 elapsed, ? left",
        "wordalign: EM: 30/100 it, 1 it/s, 00:30 elapsed, 01:10 left",
        "wordalign: EM: 60/100 it, 1 it/s, 01:00 elapsed, 00:40 left, loss=0.5",
        "wordalign: EM: 90/100 it, 1 it/s, 01:30 elapsed, 00:10 left, loss=0.5",
        "wordalign: EM: 100/100 it, 1 it/s, 01:40 elapsed, loss=0.5",
    ]


def test_lines_are_throttled_not_one_per_update() -> None:
    clock, out = FakeClock(), io.StringIO()
    with LineProgress(total=None, desc="download", unit="B", clock=clock, file=out) as lines:
        for _ in range(40):
            clock.now += 0.25
            lines.update(125)
    written = out.getvalue().splitlines()
    assert len(written) == 2  # 10 s of work: the start and the end only
    assert written[-1] == "wordalign: download: 5000 B, 500 B/s, 00:10 elapsed"


def test_lines_close_once_also_when_iteration_stops_early() -> None:
    clock, out = FakeClock(), io.StringIO()
    lines = LineProgress(range(10), desc="x", clock=clock, file=out)
    for _ in lines:
        clock.now += 40.0
        break
    lines.close()
    written = out.getvalue().splitlines()
    assert len(written) == 2 and written[-1].startswith("wordalign: x: 0/10 it")


def test_off_a_terminal_progress_writes_lines(
    monkeypatch: pytest.MonkeyPatch, no_force: None
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert list(progress(range(3), desc="EM")) == [0, 1, 2]
    written = err.getvalue().splitlines()
    assert written[0].startswith("wordalign: EM: 0/3 it")
    assert written[-1].startswith("wordalign: EM: 3/3 it")


def test_off_a_terminal_the_line_clock_is_the_real_one(
    monkeypatch: pytest.MonkeyPatch, no_force: None
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    clock = FakeClock()
    monkeypatch.setattr(_progress, "time", SimpleNamespace(monotonic=clock))
    display = bar(total=2, desc="d")
    assert isinstance(display, LineProgress)
    clock.now += 31.0
    display.update(1)
    display.close()
    assert len(err.getvalue().splitlines()) == 3


def test_on_a_terminal_progress_uses_the_tqdm_bar(
    monkeypatch: pytest.MonkeyPatch, no_force: None
) -> None:
    from tqdm.std import tqdm

    err = Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    display = bar(total=3, desc="EM")
    assert isinstance(display, tqdm) and not display.disable
    display.close()
    assert "wordalign:" not in err.getvalue()
    assert list(progress(range(3), desc="EM")) == [0, 1, 2]
    assert "EM" in err.getvalue()  # tqdm drew its bar


def test_not_enabled_shows_nothing(monkeypatch: pytest.MonkeyPatch, no_force: None) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert list(progress(range(3), desc="EM", enabled=False)) == [0, 1, 2]
    with bar(total=3, desc="EM", enabled=False) as display:
        display.update(3)
    assert err.getvalue() == ""


def test_forced_bar_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from tqdm.std import tqdm

    monkeypatch.setenv("WORDALIGN_PROGRESS", "1")
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    display = bar(total=3, desc="EM")
    assert isinstance(display, tqdm) and not display.disable
    display.close()


def test_scaled_units_and_initial_count() -> None:
    clock, out = FakeClock(), io.StringIO()
    lines = LineProgress(
        total=4_000_000,
        desc="f.json",
        initial=1_000_000,
        unit="B",
        unit_scale=True,
        clock=clock,
        file=out,
    )
    clock.now += 2.0
    lines.update(1_000_000)
    lines.close()
    assert (
        out.getvalue().splitlines()[-1]
        == "wordalign: f.json: 2.00M/4.00M B, 500k B/s, 00:02 elapsed"
    )
