"""A WordPress export (WXR, "WordPress eXtended RSS", Tools > Export) -> posts.

Only items of `wp:post_type` post become posts; pages, attachments, menu items, revisions and
the rest are counted by kind. A post's status decides whether it is published: drafts, pending,
private, scheduled and password-protected posts are kept as drafts (`draft: true`). Its
categories, tags, author (the display name of its `wp:author` record), approved comments,
excerpt, slug (`wp:post_name`), guid (as `id:`, so readers of the old feed see no entry twice)
and old permalink (kept as its address when it lies under the site's base_url) come along.
`content` turns the stored content into the HTML WordPress showed (shortcodes, `wpautop`).

A record that cannot be imported (a date that does not parse, no content) is a problem with its
line; the others are imported all the same. The file is untrusted: it is read as
`scofeed.infra.xmlsafe` reads XML (no DTD, no entity, no network) and never fetched from.
`media` downloads attachments into `static/` when asked to.
"""

from __future__ import annotations

from scofeed.importers.wordpress.reader import (
    MAX_EXPORT_BYTES,
    Attachment,
    WxrImport,
    parse_wordpress,
    read_wordpress,
    wxr_namespace,
)

__all__ = [
    "MAX_EXPORT_BYTES",
    "Attachment",
    "WxrImport",
    "parse_wordpress",
    "read_wordpress",
    "wxr_namespace",
]
