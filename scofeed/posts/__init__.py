"""Posts: the files of the post store read into `Post` values.

`post` (the value and how a file's bytes become one), `frontmatter` (the one reader and writer
of the front matter), `slugs`, `text` (a body as sanitised HTML and plain text), `store` (every
file of `posts/`, with the cache), `countries` (the gazetteer and detection), `new` (a new post
file for `scofeed new`).
"""
