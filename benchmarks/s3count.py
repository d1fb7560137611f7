"""A counting reverse proxy on 127.0.0.1 in front of an S3 server, for bench_deploy.py: every
tool measured talks to the store through it, so requests are counted the same way for each
(by method, at the HTTP level, retries included) and every request pays the same small hop.

Headers pass unchanged (Host included: the requests are signed with it), bodies whole.
"""

from __future__ import annotations

import http.client
import http.server
import threading
from collections import Counter
from urllib.parse import urlsplit

_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "upgrade"}


class CountingProxy:
    def __init__(self, upstream: str) -> None:
        target = urlsplit(upstream)
        self.counts: Counter[str] = Counter()
        lock = threading.Lock()
        local = threading.local()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as clients expect of a store

            def _forward(self) -> None:
                with lock:
                    proxy.counts[self.command] += 1
                body = self._body()
                conn = getattr(local, "conn", None)
                if conn is None:
                    conn = local.conn = http.client.HTTPConnection(
                        target.hostname or "127.0.0.1", target.port, timeout=120
                    )
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                if body or self.command in ("PUT", "POST"):
                    headers["Content-Length"] = str(len(body))
                try:
                    conn.request(self.command, self.path, body=body, headers=headers)
                    answer = conn.getresponse()
                except (OSError, http.client.HTTPException):
                    conn.close()  # a connection the store closed: one fresh try
                    conn = local.conn = http.client.HTTPConnection(
                        target.hostname or "127.0.0.1", target.port, timeout=120
                    )
                    conn.request(self.command, self.path, body=body, headers=headers)
                    answer = conn.getresponse()
                data = answer.read()
                self.send_response_only(answer.status, answer.reason)
                for key, value in answer.getheaders():
                    if key.lower() not in _HOP and key.lower() != "content-length":
                        self.send_header(key, value)
                if self.command != "HEAD" or answer.getheader("Content-Length") is None:
                    self.send_header("Content-Length", str(len(data)))
                else:
                    self.send_header("Content-Length", answer.getheader("Content-Length", "0"))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    parts: list[bytes] = []
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                                pass
                            return b"".join(parts)
                        parts.append(self.rfile.read(size))
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self.thread.daemon = True
        self.thread.start()

    def take(self) -> dict[str, int]:
        """The counts since the last take, by method."""
        counts = dict(self.counts)
        self.counts.clear()
        return counts

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
