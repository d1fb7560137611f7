"""`scofeed watch`: the site kept in memory, republished as its files change (see SPEC.md,
"Watching"). `session` holds the site and rebuilds it; `loop` watches the folders."""

from __future__ import annotations

from scofeed.watch.loop import Watcher
from scofeed.watch.session import Outcome, Session

__all__ = ["Outcome", "Session", "Watcher"]
