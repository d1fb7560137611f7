"""The server: one thread (the one that calls `serve_forever`) owns every connection and does
all the waiting; a fixed pool of workers answers complete requests.

The loop accepts connections, reads each request head as its bytes come and hands only
complete heads to the workers, through a bounded queue; it sends each reply as fast as the
client takes it. So a client that sends nothing, sends slowly or reads slowly holds a
descriptor for a while, never a worker:

- a connection has `request_timeout` to send a whole request head, after connecting or after
  its previous reply, and a reply that makes no progress for `send_timeout` is dropped;
- at most `max_connections` are open (by default half the descriptors the process may have,
  the rest left for the files being sent); one more makes the oldest waiting connection close;
- when the queue is full, the request is answered 503 with `Retry-After: 1` and the connection
  closed; out of descriptors in accept(), one kept spare answers 503 in the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import selectors
import socket
import threading
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus

from scofeed.serve._files import Opened
from scofeed.serve._handler import Reply, Site, escaped
from scofeed.serve._pool import Pool
from scofeed.serve._reload import RELOAD_EVENT

try:
    import resource
except ImportError:  # not on Windows
    resource = None  # type: ignore[assignment]

HEAD_MAX = 64 * 1024  # a request head longer than this is refused (414 or 431)
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_LINGER = 2.0  # seconds to read what a client still sends after its connection's last reply
_TICK = 0.25  # seconds between sweeps for connections past their deadline
_TURN = 1024 * 1024  # bytes sent to one connection before the others have their turn
_WAITING, _BUSY, _SENDING, _CLOSING = "waiting", "busy", "sending", "closing"
_CLOSED = "closed"
_EVENTS = "events"  # a reload stream between events (`serve --watch`)


@dataclass(frozen=True)
class Limits:
    workers: int = 8
    queue: int = 64  # complete requests waiting for a worker
    max_connections: int | None = None  # None: from the process's descriptor limit
    request_timeout: float = 10.0
    send_timeout: float = 10.0


class _Conn:
    __slots__ = (
        *("addr", "close", "deadline", "events", "inbox", "left", "offset", "outbox"),
        *("sock", "state", "stream"),
    )

    def __init__(self, sock: socket.socket, addr: tuple[str, int]) -> None:
        self.sock: socket.socket | None = sock
        self.addr = addr
        self.state = _WAITING
        self.events = 0  # what the selector watches it for (0: not registered)
        self.deadline = 0.0
        self.inbox = bytearray()
        self.outbox: deque[memoryview] = deque()
        self.stream: Opened | None = None
        self.offset = self.left = 0
        self.close = False


class PreviewServer:
    """What `make_server` gives: `serve_forever`, `shutdown`, `server_close` and
    `server_address` as the standard library's servers have them, and `files` (the cache)."""

    def __init__(self, address: tuple[str, int], site: Site, limits: Limits) -> None:
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        try:
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.socket.bind(address)
            self.socket.listen(1024)  # bursts of connections wait here for the loop
            self.socket.setblocking(False)
        except BaseException:
            self.socket.close()
            raise
        self.server_address = self.socket.getsockname()
        self.site = site
        self.files = site.files
        self.limits = limits
        self.max_connections = limits.max_connections or _connection_limit()
        self._pool: Pool[_Conn] = Pool(site, limits.workers, limits.queue)
        self._conns: set[_Conn] = set()
        self._idle: OrderedDict[_Conn, None] = OrderedDict()  # waiting or closing, oldest first
        self._selector = selectors.DefaultSelector()
        self._selector.register(self.socket, selectors.EVENT_READ)
        self._selector.register(self._pool.waker, selectors.EVENT_READ)
        self._spare: int | None = os.open(os.devnull, os.O_RDONLY)
        self._events: set[_Conn] = set()  # the open reload streams
        self._reloads = self._reloads_sent = 0  # rebuilds announced, and sent to the streams
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        self._now = time.monotonic()

    # --- the loop ----------------------------------------------------------------------------

    def serve_forever(self) -> None:
        """Serve until `shutdown()` (from another thread) or an exception (Ctrl-C)."""
        self._stopped.clear()
        try:
            self._pool.start()
            sweep = 0.0
            while not self._stop.is_set():
                for key, events in self._selector.select(_TICK):
                    self._now = time.monotonic()
                    if key.fileobj is self.socket:
                        self._accept()
                    elif key.fileobj is self._pool.waker:
                        self._take_replies()
                    else:
                        self._ready(key.data, events)
                self._now = time.monotonic()
                if self._now >= sweep:
                    self._sweep()
                    sweep = self._now + _TICK
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Make `serve_forever` return, and wait until it has."""
        self._stop.set()
        self._pool.wake()
        self._stopped.wait()

    def reload(self) -> None:
        """From any thread: tell every open page to reload (a rebuild wrote files)."""
        self._reloads += 1  # one thread (the watcher) counts; the loop only reads
        self._pool.wake()

    def _announce(self) -> None:
        if self._reloads == self._reloads_sent:
            return
        self._reloads_sent = self._reloads
        for conn in list(self._events):
            if conn.state == _EVENTS:
                conn.outbox.append(memoryview(RELOAD_EVENT))
                conn.state = _SENDING
                self._send(conn)

    def server_close(self) -> None:
        """Close every connection and the listening socket; the workers end."""
        for conn in list(self._conns):
            self._close(conn)
        self._selector.close()
        self.socket.close()
        if self._spare is not None:
            os.close(self._spare)
            self._spare = None
        self._pool.close()

    def _accept(self) -> None:
        for _ in range(64):  # then the connections have their turn
            try:
                sock, addr = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    self._shed()
                return  # otherwise the client left before it was accepted
            sock.setblocking(False)
            if len(self._conns) >= self.max_connections and not self._evict():
                sock.close()  # every connection is being answered: this one cannot be
                continue
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Conn(sock, addr)
            self._conns.add(conn)
            self._wait(conn)

    def _shed(self) -> None:
        """No descriptor left to accept with: the spare one takes the connection to say 503."""
        if self._spare is None:
            time.sleep(0.01)  # nothing to answer with: do not spin until one is free
            return
        os.close(self._spare)
        self._spare = None
        try:
            sock, addr = self.socket.accept()
            with sock:
                sock.setblocking(False)
                sock.send(self._canned(HTTPStatus.SERVICE_UNAVAILABLE))
                self.site.log(f'{addr[0]} "-" 503')
        except OSError:
            pass
        with contextlib.suppress(OSError):
            self._spare = os.open(os.devnull, os.O_RDONLY)

    def _evict(self) -> bool:
        """Close the connection that has waited longest for its client; False if none does."""
        if not self._idle:
            return False
        conn, _ = self._idle.popitem(last=False)
        self._close(conn)
        return True

    def _ready(self, conn: _Conn, events: int) -> None:
        if conn.state == _SENDING:  # (a connection closed earlier in the same round: none)
            self._send(conn)
        elif conn.state == _WAITING:
            self._receive(conn)
        elif conn.state in (_CLOSING, _EVENTS):
            self._recv(conn)  # drained: what a lingering peer sends is dropped

    def _sweep(self) -> None:
        late = [c for c in self._conns if c.state != _BUSY and c.deadline <= self._now]
        for conn in late:
            self._close(conn)

    # --- one connection ----------------------------------------------------------------------

    def _watch(self, conn: _Conn, events: int) -> None:
        if events == conn.events or conn.sock is None:
            return
        if conn.events == 0:
            self._selector.register(conn.sock, events, conn)
        elif events == 0:
            self._selector.unregister(conn.sock)
        else:
            self._selector.modify(conn.sock, events, conn)
        conn.events = events

    def _wait(self, conn: _Conn) -> None:
        """Wait for the connection's next request (which may have come with the last)."""
        conn.state = _WAITING
        conn.deadline = self._now + self.limits.request_timeout
        self._idle[conn] = None
        self._idle.move_to_end(conn)
        self._watch(conn, selectors.EVENT_READ)
        if conn.inbox:
            self._look(conn, 0)

    def _recv(self, conn: _Conn) -> bytes:
        """What the socket holds (b"" if nothing yet); a peer gone closes the connection."""
        assert conn.sock is not None
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return b""
        except OSError:
            data = b""
        if not data:
            self._close(conn)
        return data

    def _receive(self, conn: _Conn) -> None:
        data = self._recv(conn)
        if not data:
            return
        before = len(conn.inbox)
        conn.inbox += data
        self._look(conn, before)

    def _look(self, conn: _Conn, before: int) -> None:
        """Hand the request over when its head is complete (`before`: bytes already seen)."""
        inbox = conn.inbox
        if inbox.startswith((b"\r", b"\n")):  # empty lines before a request are allowed
            stripped = inbox.lstrip(b"\r\n")
            before = max(0, before - (len(inbox) - len(stripped)))
            conn.inbox = inbox = stripped
        if _HEAD_END.search(inbox, max(0, before - 3)) is None:
            if len(inbox) > HEAD_MAX:
                line_ends = b"\n" in inbox
                status = HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                self._refuse(conn, status if line_ends else HTTPStatus.REQUEST_URI_TOO_LONG)
            return
        received, conn.inbox = bytes(inbox), bytearray()
        self._idle.pop(conn, None)
        conn.state = _BUSY
        self._watch(conn, 0)
        if not self._pool.submit(conn, conn.addr, received):
            conn.inbox = bytearray(received)
            self._refuse(conn, HTTPStatus.SERVICE_UNAVAILABLE)

    def _refuse(self, conn: _Conn, status: HTTPStatus) -> None:
        """Answer `status` from the loop itself, and close."""
        line = bytes(conn.inbox[:200]).split(b"\n", 1)[0].rstrip(b"\r").decode("iso-8859-1")
        self.site.log(f'{conn.addr[0]} "{escaped(line)}" {status.value}')
        self._idle.pop(conn, None)
        conn.inbox = bytearray()
        self._reply(conn, Reply((self._canned(status),), None, close=True, rest=b""))

    def _canned(self, status: HTTPStatus) -> bytes:
        retry = "Retry-After: 1\r\n" if status == HTTPStatus.SERVICE_UNAVAILABLE else ""
        return (
            f"HTTP/1.1 {status.value} {status.phrase}\r\nServer: scofeed\r\n"
            f"Date: {formatdate(self.site.clock(), usegmt=True)}\r\n{retry}"
            "Content-Length: 0\r\nConnection: close\r\n\r\n"
        ).encode()

    def _reply(self, conn: _Conn, reply: Reply) -> None:
        conn.outbox = deque(memoryview(piece) for piece in reply.data if piece)
        conn.stream = reply.stream
        conn.offset, conn.left = 0, reply.stream.size if reply.stream is not None else 0
        conn.close = reply.close
        if reply.subscribe:
            self._events.add(conn)
        conn.inbox = bytearray(reply.rest)
        conn.state = _SENDING
        conn.deadline = self._now + self.limits.send_timeout
        self._send(conn)

    def _send(self, conn: _Conn) -> None:
        assert conn.sock is not None
        turn = _TURN
        try:
            while turn > 0:
                if conn.outbox:
                    piece = conn.outbox[0]
                    sent = conn.sock.send(piece[:turn])
                    if sent == len(piece):
                        conn.outbox.popleft()
                    else:
                        conn.outbox[0] = piece[sent:]
                elif conn.stream is not None and conn.left > 0:
                    sent = _send_file(conn.sock, conn.stream, conn.offset, min(turn, conn.left))
                    if sent == 0:  # the file shrank: the length promised cannot be kept
                        self._close(conn)
                        return
                    conn.offset += sent
                    conn.left -= sent
                else:
                    self._sent(conn)
                    return
                turn -= sent
                conn.deadline = self._now + self.limits.send_timeout
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:  # the client left
            self._close(conn)
            return
        self._watch(conn, selectors.EVENT_WRITE)

    def _sent(self, conn: _Conn) -> None:
        if conn.stream is not None:
            conn.stream.close()
            conn.stream = None
        if conn in self._events:  # a reload stream: open, with no deadline, until its event
            conn.state = _EVENTS
            conn.deadline = float("inf")
            self._watch(conn, selectors.EVENT_READ)
            return
        if not conn.close:
            self._wait(conn)
            return
        assert conn.sock is not None
        try:  # the reply is out: say so, and read what the client still sends, so that
            conn.sock.shutdown(socket.SHUT_WR)  # closing cannot reset the reply away
        except OSError:
            self._close(conn)
            return
        conn.state = _CLOSING
        conn.deadline = self._now + _LINGER
        self._idle[conn] = None
        self._watch(conn, selectors.EVENT_READ)

    def _close(self, conn: _Conn) -> None:
        if conn.sock is None:
            return
        self._watch(conn, 0)
        self._conns.discard(conn)
        self._events.discard(conn)
        self._idle.pop(conn, None)
        if conn.stream is not None:
            conn.stream.close()
            conn.stream = None
        conn.sock.close()
        conn.sock = None
        conn.state = _CLOSED

    def _take_replies(self) -> None:
        self._announce()
        for conn, reply in self._pool.replies():
            if conn.sock is None:
                if reply is not None and reply.stream is not None:
                    reply.stream.close()
            elif reply is None:  # a bug, its traceback printed
                self._close(conn)
            else:
                self._reply(conn, reply)


def _send_file(sock: socket.socket, file: Opened, offset: int, count: int) -> int:
    if hasattr(os, "sendfile"):
        return os.sendfile(sock.fileno(), file.file.fileno(), offset, count)
    file.file.seek(offset)
    chunk = file.file.read(min(count, 256 * 1024))
    return sock.send(chunk) if chunk else 0


def _connection_limit() -> int:
    """Half the descriptors the process may have, less some for its own use."""
    soft = 1024
    if resource is not None:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            soft = 65536
    return max(8, min(4096, (soft - 64) // 2))
