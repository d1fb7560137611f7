"""Work spread over the machine's cores, for the two long parts of a big build: parsing posts and
rendering feeds. Anything smaller runs in the calling process, where starting workers would cost
more than it saves.

Workers are forked, so they start with the caller's memory as it is at the call: what cannot be
pickled (closures, the rendered-entry memo) reaches them as `shared()`, and only the items and
the results travel through pipes.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_shared: Any = None


def cores() -> int:
    """The cores this process may use (its affinity, not the machine's count), at most 8."""
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return max(1, min(usable, 8))


def shared() -> Any:
    """In a worker (or a serial run), the `shared` value its `fork_map` call was given."""
    return _shared


def _exit_with_parent(parent: int) -> None:
    """A worker's first act: a thread that ends the worker once the build that forked it is gone
    (killed, say); a worker would otherwise wait for its next task forever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.1)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def fork_map(
    fn: Callable[[T], R], items: Sequence[T], *, shared: Any = None, parallel: bool = True
) -> Iterator[R]:
    """`fn` over `items`, results in order (consume them all); in forked workers on every core
    when `parallel` and the machine has more than one core and can fork."""
    global _shared
    import multiprocessing as mp  # only a build with much to do pays for these imports

    workers = min(cores(), len(items))
    _shared = shared
    try:
        if not parallel or workers < 2 or "fork" not in mp.get_all_start_methods():
            yield from map(fn, items)
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(
            workers,
            mp_context=mp.get_context("fork"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            yield from pool.map(fn, items)
    finally:
        _shared = None
