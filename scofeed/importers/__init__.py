"""Importers: other formats -> post files in the store, through `scofeed.posts`.

`archive` (a Typepad archive page saved as text), `mt` (Movable Type / Typepad exports) and
`feed` (RSS, Atom, JSON Feed) each read their format into `NewPost` values (`model`), with the
help of `html` (HTML and text as Markdown bodies). `matching` finds which of them the store
holds already, `addresses` keeps the addresses they had under the site's base_url (as their
permalinks, or as aliases), and `writing` gives the others their files.

Every importer is idempotent (a post already in the store is skipped), never overwrites a post
that differs unless forced, and writes only file names it made itself, inside `posts/`.
"""
