"""The one way plain text becomes HTML. Titles, summaries, names and descriptions are plain
text; wherever a format carries HTML (an RSS description, a page, a fragment, the embed code a
webmaster pastes), they pass through `escape` and nothing else, so no post, name or setting
can ever become live markup in a reader or on another site."""

from __future__ import annotations

import html


def escape(text: str, *, quote: bool = True) -> str:
    """`text` as HTML that shows exactly its characters. `quote=False` leaves quotes as they
    are, for element content (an RSS description) where they need no escaping."""
    return html.escape(text, quote=quote)
