"""Infrastructure every stage shares, each kind written once: atomic files (`atomic`), getting
bytes from a file or an http(s) URL (`fetching`), URL checks (`urls`), reading untrusted XML
(`xmlsafe`), dates in the feed formats' syntaxes (`dates`) and work spread over the cores
(`parallel`). None of it knows about posts, feeds or the site.
"""
