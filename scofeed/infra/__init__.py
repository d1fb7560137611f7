"""Infrastructure every stage shares, each kind written once: atomic files (`atomic`), getting
bytes from a file or an http(s) URL (`fetching`, which refuses private addresses through
`addresses`), URL checks (`urls`), text XML can carry and the parser for untrusted XML
(`xmlsafe`), the prolog of untrusted XML read as libxml2 will read it (`prolog`), dates in the
feed formats' syntaxes (`dates`) and work spread over the cores (`parallel`). None of it knows
about posts, feeds or the site.
"""
