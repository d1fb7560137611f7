"""Work spread over the machine's cores, for the two long parts of a big build: parsing posts and
rendering feeds. Anything smaller runs in the calling process, where starting workers would cost
more than it saves.

The calling process takes its share of the items (every n-th on n cores) and forks the other
workers (Linux only), which start with the caller's memory as it is at the call:
the function and the `shared` value (closures, the rendered-entry memo: what cannot be pickled)
are handed to each worker's initializer, never pickled, and kept in the worker only (the
calling process's own state is never touched); only the items and the results travel through
pipes. A worker asks the kernel to end it when the
process that forked it dies (`PR_SET_PDEATHSIG`), so a killed build leaves no worker behind.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Generator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# The function and `shared` value of the `fork_map` that started this worker; set only inside
# workers.
_worker: tuple[Callable[[Any, Any], Any], Any] | None = None


def cores() -> int:
    """The cores this process may use (its affinity, not the machine's count), at most 8."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return max(1, min(usable, 8))


def can_fork() -> bool:
    return sys.platform == "linux" and cores() > 1


def _start_worker(parent: int, fn: Callable[[Any, Any], Any], shared: Any) -> None:
    """A worker's first act: die with its parent, and keep its function and shared value."""
    global _worker
    import ctypes
    import signal

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)
    _worker = (fn, shared)


def _call(item: Any) -> Any:
    assert _worker is not None, "called outside a worker"
    fn, shared = _worker
    return fn(shared, item)


# Tasks each worker has queued ahead: enough to keep it busy, few enough to bound memory.
IN_FLIGHT = 4


def fork_map(
    fn: Callable[[Any, T], R],
    items: Sequence[T],
    *,
    shared: Any = None,
    parallel: bool = True,
    own: Any = None,
) -> Generator[R, None, None]:
    """`fn(shared, item)` for each of `items`, results in order (consume them all); on every
    core when `parallel` and the machine allows it: this process is one of the workers (it
    takes every n-th item itself, with `own` for `shared` when given) and forks the others."""
    workers = min(cores(), len(items))
    if not parallel or workers < 2 or not can_fork():
        yield from (fn(shared, item) for item in items)
        return
    mine = shared if own is None else own
    import multiprocessing as mp  # only a build with much to do pays for these imports
    from concurrent.futures import Future, ProcessPoolExecutor

    # n processes on n cores, not n + 1 with this one waiting: each forked worker copies the
    # pages of this process's objects it touches (their reference counts), some 230 MB a worker
    # in a clean build of 100,000 posts.
    with ProcessPoolExecutor(
        workers - 1,
        mp_context=mp.get_context("fork"),  # `fn` and `shared` are inherited, never pickled
        initializer=_start_worker,
        initargs=(os.getpid(), fn, shared),
    ) as pool:
        # A window of tasks in flight, not `pool.map`'s all at once: results wait for the
        # consumer in the parent, and a site's thousands of feed files would pile up there.
        todo = enumerate(items)
        flight: deque[tuple[Future[R] | None, T]] = deque()
        limit, pooled = (workers - 1) * IN_FLIGHT, 0

        def fill() -> None:
            nonlocal pooled
            while pooled < limit and (step := next(todo, None)) is not None:
                i, item = step
                if i % workers:
                    flight.append((pool.submit(_call, item), item))
                    pooled += 1
                else:
                    flight.append((None, item))  # this process's own

        fill()
        while flight:
            future, item = flight.popleft()
            if future is None:
                result = fn(mine, item)
            else:
                result = future.result()
                pooled -= 1
            fill()
            yield result
