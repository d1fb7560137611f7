"""The site: which feeds and pages exist, and their bytes.

`layout` owns every output path and URL; `plan` decides which feeds exist and what each
carries; `entries` renders a post once for every feed that carries it; `feeds` writes RSS and
Atom through feedgen (the only module that knows it), `jsonfeed` JSON Feed, `pages` the index
pages, embed fragments and the OPML list; `listing` tells the editor what the site will hold.
Everything here is a pure function of posts and configuration: no clock, no environment.
"""
