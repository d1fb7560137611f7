"""The workers: a fixed number of threads answering complete requests from a bounded queue.

Each reply goes back to the loop, which `waker` wakes (it becomes readable) to collect it with
`replies()`. A full queue is for the loop to answer (`submit` says so): nothing here waits
for a client.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
import traceback
from collections import deque
from typing import Generic, TypeVar

from scofeed.serve._handler import Reply, Site, answer

K = TypeVar("K")  # what the loop knows a request's connection by


class Pool(Generic[K]):
    def __init__(self, site: Site, workers: int, depth: int) -> None:
        self._site = site
        self._size = workers
        self._jobs: queue.Queue[tuple[K, tuple[str, int], bytes] | None] = queue.Queue(depth)
        self._replies: deque[tuple[K, Reply | None]] = deque()
        self.waker, self._wake_w = socket.socketpair()
        self.waker.setblocking(False)
        self._wake_w.setblocking(False)
        self._threads: list[threading.Thread] = []
        self._closed = False

    def start(self) -> None:
        while len(self._threads) < self._size:
            thread = threading.Thread(target=self._work, name="scofeed-serve", daemon=True)
            self._threads.append(thread)
            thread.start()

    def submit(self, key: K, client: tuple[str, int], received: bytes) -> bool:
        """Queue the request in `received` (a complete head and what followed); False when
        the queue is full."""
        try:
            self._jobs.put_nowait((key, client, received))
        except queue.Full:
            return False
        return True

    def wake(self) -> None:
        with contextlib.suppress(OSError):  # full (a wake-up is pending anyway) or closed
            self._wake_w.send(b"\0")

    def replies(self) -> list[tuple[K, Reply | None]]:
        """The replies made since the last call (None: the request hit a bug)."""
        with contextlib.suppress(BlockingIOError, InterruptedError):
            while self.waker.recv(4096):
                pass
        done = []
        while self._replies:
            done.append(self._replies.popleft())
        return done

    def close(self) -> None:
        """Drop the queued requests and end the workers (they finish the one they answer)."""
        self._closed = True
        with contextlib.suppress(queue.Empty):
            while True:
                self._jobs.get_nowait()
        with contextlib.suppress(queue.Full):
            for _ in self._threads:
                self._jobs.put_nowait(None)
        for _, reply in self.replies():
            if reply is not None and reply.stream is not None:
                reply.stream.close()
        self.waker.close()
        self._wake_w.close()
        ends = time.monotonic() + 1.0
        for thread in self._threads:
            if thread.ident is not None:  # started (a Ctrl-C may have come in between)
                thread.join(max(0.0, ends - time.monotonic()))

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            self._answer(*job)
            del job  # nothing held while this worker waits for the next

    def _answer(self, key: K, client: tuple[str, int], received: bytes) -> None:
        reply: Reply | None = None
        try:
            reply = answer(received, client, self._site)
        except Exception:
            traceback.print_exc()  # a bug: its traceback on stderr; the connection closes
        if not self._closed:
            self._replies.append((key, reply))
            self.wake()
        elif reply is not None and reply.stream is not None:
            reply.stream.close()
