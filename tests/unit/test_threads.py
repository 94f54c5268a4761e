"""worker_pool: joined on a normal exit, abandoned (without waiting) when its block raises."""

from __future__ import annotations

import threading
import time

import pytest

from wordalign._threads import worker_pool


def test_normal_exit_joins_the_workers() -> None:
    done: list[int] = []
    with worker_pool(2) as pool:
        pool.submit(lambda: (time.sleep(0.2), done.append(1)))
    assert done == [1]


def test_an_interrupt_leaves_without_waiting_for_running_work() -> None:
    release = threading.Event()
    started = threading.Event()

    def kernel() -> None:  # stands for a numba call that cannot be stopped from outside
        started.set()
        release.wait(30)

    ran_later: list[int] = []
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt), worker_pool(1) as pool:
        pool.submit(kernel)
        queued = pool.submit(lambda: ran_later.append(1))
        assert started.wait(5)
        raise KeyboardInterrupt
    assert time.perf_counter() - t0 < 2.0
    assert queued.cancelled()  # work not started is dropped
    release.set()
    pool.shutdown(wait=True)
    assert ran_later == []
