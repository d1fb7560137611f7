"""Live reload for `scofeed serve --watch`: a Server-Sent Events stream at `EVENTS_PATH`, and a
few lines of script the server adds to each HTML page as it sends it (never to the files in
output/), which reload the page when the stream says a rebuild wrote files.

The stream is one long response per open page: the loop keeps such connections apart from the
others (no deadline, no worker) and writes an event to each after a rebuild (`_loop`)."""

from __future__ import annotations

EVENTS_PATH = "/__scofeed/events"
RELOAD_EVENT = b"data: reload\n\n"
# The stream's first bytes: how long the browser waits before it connects again (the server
# restarted, the laptop slept).
HELLO = b"retry: 1000\n\n"

# `id` marks the script, so that it can be found (and never found in output/).
SCRIPT_ID = "scofeed-live-reload"
SCRIPT = (
    f'<script id="{SCRIPT_ID}">new EventSource("{EVENTS_PATH}")'
    ".onmessage = function () { location.reload(); };</script>"
).encode()


def inject(html: bytes) -> bytes:
    """`html` with the reload script before its last `</body>` (at its end when it has none)."""
    at = html.lower().rfind(b"</body>")
    return html + SCRIPT if at < 0 else html[:at] + SCRIPT + html[at:]
