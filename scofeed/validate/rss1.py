"""RSS 1.0 (RDF Site Summary, https://web.resource.org/rss/1.0/spec) and its ancestor RSS 0.90
(http://my.netscape.com/rdf/simple/0.9/): RDF/XML documents whose channel, image, items and text
input stand side by side under `rdf:RDF`.

RSS 1.0 ties them together by URI: each node carries `rdf:about`, the channel names the others
with `rdf:resource` (`image`, `textinput`) and lists its items in `items > rdf:Seq > rdf:li`.
RSS 0.90 has the same four elements without the RDF references. Elements of other namespaces
are the modules' (`scofeed.validate.ext`, called with fmt "rss1"); this module checks what is
in the RSS namespace and the RDF/XML shape the modules' elements must keep (no mixed content).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scofeed.errors import NotAFeedError
from scofeed.validate.values import absolute_url_problem, is_absolute, local_name, uri_problem

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS1_NS = "http://purl.org/rss/1.0/"
RSS090_NS = "http://my.netscape.com/rdf/simple/0.9/"
XHTML_NS = "http://www.w3.org/1999/xhtml"
ABOUT, RESOURCE = f"{{{RDF_NS}}}about", f"{{{RDF_NS}}}resource"
PARSE_TYPE = f"{{{RDF_NS}}}parseType"
SPEC = "RSS 1.0 specification"

RULES = (
    ("rss1-channel", "error", "an rdf:RDF without exactly one channel",
     f"{SPEC} 5.3 (channel, required) / RSS 0.90"),
    ("rss1-missing-element", "error", "a required element of channel, image, item or textinput "
     "is missing", f"{SPEC} 5.3-5.6 (required elements)"),
    ("rss1-missing-about", "error", "a channel, image, item or textinput without rdf:about",
     f"{SPEC} 5.3, 5.4, 5.5, 5.6 (rdf:about, required)"),
    ("rss1-missing-resource", "error", "a reference (channel image/textinput, rdf:li) without "
     "rdf:resource", f"{SPEC} 5.3.4, 5.3.5, 5.3.6"),
    ("rss1-duplicate-element", "error", "an element that may appear once, repeated",
     f"{SPEC} 5.2-5.6"),
    ("rss1-unexpected-element", "error", "an element of the RSS namespace where the "
     "specification does not place it (an RSS 2.0 element, a misplaced item)",
     f"{SPEC} 5 (core syntax) and 6 (new elements come from modules)"),
    ("rss1-uri", "error", "an rdf:about or rdf:resource that is not a URI",
     f"{SPEC} 5.3 ({{resource_uri}}); RFC 3986"),
    ("rss1-url", "error", "a link or url that is not an absolute URL",
     f"{SPEC} 5.3.2, 5.4.2, 5.4.3, 5.5.2, 5.6.4 ({{link}}, {{image_url}})"),
    ("rss1-not-text", "error", "markup inside a title, link, description, name or url (HTML "
     "must be escaped)", f"{SPEC} 5.3.1-5.6.4 (text values)"),
    ("rss1-rdf", "error", "content RDF/XML does not allow: text beside elements, text in a "
     "node element", "RDF/XML Syntax Specification 7.2 (grammar); RSS 1.0 is RDF/XML"),
    ("rss1-reference", "warning", "the channel's image, textinput or items references do not "
     "match the rdf:about of the elements they name", f"{SPEC} 5.3.4-5.3.6"),
)  # fmt: skip

# Children each node allows in the RSS namespace (RSS 1.0, RSS 0.90); all required but where
# noted. In the channel of RSS 1.0, image and textinput are references required only when the
# document holds an image or a text input.
_TEXT = ("title", "link", "description", "name", "url")
_CHILDREN = {
    RSS1_NS: {
        "channel": ("title", "link", "description", "image", "items", "textinput"),
        "image": ("title", "url", "link"),
        "item": ("title", "link", "description"),
        "textinput": ("title", "description", "name", "link"),
    },
    RSS090_NS: {
        "channel": ("title", "link", "description"),
        "image": ("title", "url", "link"),
        "item": ("title", "link"),
        "textinput": ("title", "description", "name", "link"),
    },
}
_OPTIONAL = {"channel": {"image", "textinput"}, "item": {"description"}}
_WHERE = {
    "item": "under rdf:RDF", "items": "in the channel", "url": "in the image",
    "name": "in the textinput", "language": "as dc:language (Dublin Core module)",
}  # fmt: skip
_SPACE = re.compile(r"\s*\Z")


def is_rss1(data: bytes, encoding: str) -> bool:
    """Whether an rdf:RDF document (its first 64 KB read with `encoding`) declares RSS 1.0's or
    RSS 0.90's namespace: an RDF document without either (FOAF, DOAP) is no feed."""
    head = data[:65536].decode(encoding, "replace")
    return RSS1_NS in head or RSS090_NS in head


def _resource(el: Any) -> str | None:
    """rdf:resource, or a bare resource= as many feeds write it on rdf:li (RDF/XML once allowed
    unqualified rdf attributes)."""
    value: str | None = el.get(RESOURCE)
    return el.get("resource") if value is None else value


def _uri(report: Report, el: Any, attr: str, value: str) -> None:
    bare = value.strip()
    problem = absolute_url_problem(bare) if is_absolute(bare) else uri_problem(bare)
    if problem:
        report.add("rss1-uri", el, f'{attr}="{value}" on <{local_name(el.tag)}> {problem}')


def check(root: Any, report: Report) -> None:
    """The findings for an rdf:RDF document that declares the RSS 1.0 or 0.90 namespace.

    Raises NotAFeedError when no channel, image, item or textinput stands under rdf:RDF."""
    ns = RSS090_NS if root.find(f"{{{RSS090_NS}}}channel") is not None else RSS1_NS
    rdf1 = ns == RSS1_NS
    nodes: dict[str, list[Any]] = {"channel": [], "image": [], "item": [], "textinput": []}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        if child.tag.startswith(f"{{{ns}}}") and local_name(child.tag) in nodes:
            nodes[local_name(child.tag)].append(child)
        elif child.tag[0] != "{" or child.tag.startswith((f"{{{RSS1_NS}}}", f"{{{RSS090_NS}}}")):
            _unexpected(report, child, "rdf:RDF")
    channels = nodes["channel"]
    if not any(nodes.values()):
        # RDF that only borrows an RSS property (a FOAF profile, say) is no feed at all.
        raise NotAFeedError(
            f"not a feed: an RDF document with no RSS channel or item (rdf:RDF > channel in {ns})"
        )
    if not channels:
        what = "RSS 1.0" if rdf1 else "RSS 0.90"
        report.add("rss1-channel", root, f"rdf:RDF holds no <channel> in the {what} namespace "
                   f"({ns}); add one with title, link and description")  # fmt: skip
    for extra in channels[1:]:
        report.add("rss1-channel", extra, "rdf:RDF holds more than one <channel>; keep one")
    for name in ("image", "textinput"):
        for extra in nodes[name][1:]:
            report.add("rss1-duplicate-element", extra,
                       f"rdf:RDF holds more than one <{name}>; keep one")  # fmt: skip
    kids = {name: [_node(report, ns, el, name) for el in els] for name, els in nodes.items()}
    if rdf1 and channels:
        _references(report, channels[0], kids["channel"][0], nodes)
    _rdf_shape(report, root)


def _node(report: Report, ns: str, el: Any, name: str) -> dict[str, list[Any]]:
    """Check one channel, image, item or textinput; its RSS children by name."""
    rdf1 = ns == RSS1_NS
    about = el.get(ABOUT)
    if about is not None:
        _uri(report, el, "rdf:about", about)
    elif rdf1:
        report.add("rss1-missing-about", el,
                   f'<{name}> has no rdf:about; write <{name} rdf:about="URI of this {name}">'
                   " (the channel's: the URL of this feed)")  # fmt: skip
    allowed = _CHILDREN[ns][name]
    kids: dict[str, list[Any]] = {}
    for child in el:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        local = local_name(tag)
        if tag.startswith(f"{{{ns}}}") and local in allowed:
            kids.setdefault(local, []).append(child)
        elif tag[0] != "{" or tag.startswith((f"{{{RSS1_NS}}}", f"{{{RSS090_NS}}}")):
            _unexpected(report, child, name)
    for local, found in kids.items():
        for extra in found[1:]:
            report.add("rss1-duplicate-element", extra,
                       f"<{name}> holds more than one <{local}>; keep one")  # fmt: skip
        first = found[0]
        if local in _TEXT:
            _text(report, first, local, name)
        elif local in ("image", "textinput"):  # the channel's references
            resource = _resource(first)
            if resource is None:
                report.add("rss1-missing-resource", first,
                           f'the channel\'s <{local}> needs rdf:resource="URI": the rdf:about '
                           f"of the <{local}> element beside the channel")  # fmt: skip
            else:
                _uri(report, first, "rdf:resource", resource)
        elif local == "items":
            _items(report, first)
    optional = _OPTIONAL.get(name, set()) if rdf1 else set()
    missing = [n for n in allowed if n not in kids and n not in optional]
    if missing:
        report.add("rss1-missing-element", el,
                   f"<{name}> has no {', '.join(f'<{n}>' for n in missing)}; "
                   f"{'they are' if len(missing) > 1 else 'it is'} required")  # fmt: skip
    return kids


def _unexpected(report: Report, el: Any, parent: str) -> None:
    local = local_name(el.tag)
    where = _WHERE.get(local)
    hint = f"it belongs {where}" if where else "use a module's element (Dublin Core...) instead"
    if el.tag[0] != "{":
        hint = "it is in no namespace; RSS 1.0 elements are in http://purl.org/rss/1.0/"
    report.add("rss1-unexpected-element", el,
               f"<{local}> is not allowed in <{parent}> in RSS 1.0; {hint}",
               scope=el.getparent())  # fmt: skip


def _text(report: Report, el: Any, local: str, parent: str) -> None:
    if len(el) and any(isinstance(c.tag, str) for c in el):
        report.add("rss1-not-text", el,
                   f"<{parent}>'s <{local}> holds elements; write text only, with HTML escaped "
                   "(&lt;b&gt;) or in <![CDATA[ ... ]]>")  # fmt: skip
        return
    if local in ("link", "url"):
        value = (el.text or "").strip()
        problem = absolute_url_problem(value)
        if problem:
            report.add("rss1-url", el, f'<{parent}>\'s <{local}> "{value}" {problem}')


def _items(report: Report, items: Any) -> None:
    """items > rdf:Seq > rdf:li rdf:resource (an empty <items/> lists nothing, allowed)."""
    for li in items.iter(f"{{{RDF_NS}}}li"):
        resource = _resource(li)
        if resource is None:
            report.add("rss1-missing-resource", li,
                       '<rdf:li> needs rdf:resource="URI of the item" (its rdf:about)')  # fmt: skip
        else:
            _uri(report, li, "rdf:resource", resource)


def _references(report: Report, channel: Any, kids: dict[str, list[Any]],
                nodes: dict[str, list[Any]]) -> None:  # fmt: skip
    """The channel's references against the elements beside it (RSS 1.0 only)."""
    for name in ("image", "textinput"):
        if nodes[name] and name not in kids:
            report.add("rss1-missing-element", channel,
                       f'the document has an <{name}>, so the channel needs <{name} '
                       f'rdf:resource="{nodes[name][0].get(ABOUT, "URI")}"/>')  # fmt: skip
        elif nodes[name] and kids.get(name):
            named, about = _resource(kids[name][0]), nodes[name][0].get(ABOUT)
            if named is not None and about is not None and named.strip() != about.strip():
                report.add("rss1-reference", kids[name][0],
                           f'the channel\'s <{name}> names "{named}" but the <{name}> is '
                           f'"{about}"; make them the same URI')  # fmt: skip
    if "items" not in kids:
        return
    listed = {(_resource(li) or "").strip() for li in kids["items"][0].iter(f"{{{RDF_NS}}}li")}
    for item in nodes["item"]:
        about = (item.get(ABOUT) or "").strip()
        if about and about not in listed:
            report.add("rss1-reference", item,
                       f'<item rdf:about="{about}"> is not listed in the channel\'s items; add '
                       f'<rdf:li rdf:resource="{about}"/> to its rdf:Seq')  # fmt: skip


def _rdf_shape(report: Report, root: Any) -> None:
    """RDF/XML has no mixed content (RDF/XML Syntax 7.2: a node element holds property
    elements, a property element text or nodes): an element holding elements holds no text
    besides white space. rdf:parseType="Literal" content and XHTML are XML literals, not looked
    into; the RSS elements' own rules say what is wrong with them."""
    rss = (f"{{{RSS1_NS}}}", f"{{{RSS090_NS}}}")
    stack: list[tuple[Any, bool]] = [(child, True) for child in root]
    while stack:
        el, top = stack.pop()
        tag = el.tag
        if not isinstance(tag, str) or el.get(PARSE_TYPE) == "Literal":
            continue
        if tag[0] != "{" or tag.startswith(f"{{{XHTML_NS}}}"):
            continue
        if tag.startswith(rss) and not top and local_name(tag) != "items":
            continue
        elements = [c for c in el if isinstance(c.tag, str)]
        if not elements:
            continue
        texts = [el.text or ""] + [c.tail or "" for c in el]
        text = next((t.strip() for t in texts if not _SPACE.match(t)), "")
        if text:
            report.add("rss1-rdf", el,
                       f'<{local_name(tag)}> holds the text "{text[:40]}" beside elements; '
                       "RDF/XML allows text or elements, not both: escape markup (&lt;) or "
                       "wrap it in <![CDATA[ ... ]]>")  # fmt: skip
        stack.extend((child, False) for child in reversed(elements))
