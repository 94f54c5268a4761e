"""Worker threads for the statistical aligners (directions, eflomal's samplers), stoppable by Ctrl-C.

They run in parallel threads whose numba kernels release the GIL. A kernel cannot
be stopped from outside, and one EM iteration over a large corpus can run for many seconds, so
the main thread only waits: a SIGINT reaches it at once (a lock wait is interruptible on POSIX),
and :func:`worker_pool` then leaves without joining the threads still inside a kernel. Their
futures are cancelled, so they exit after that kernel returns; the command line does not wait
for them (:func:`wordalign.cli.main.entry_point`).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager


@contextmanager
def worker_pool(max_workers: int) -> Iterator[ThreadPoolExecutor]:
    """A thread pool that is joined when its block ends normally and abandoned when it raises."""
    pool = ThreadPoolExecutor(max_workers=max(1, max_workers))
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
