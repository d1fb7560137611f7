"""The Atom 1.0 element rules (RFC 4287): what each element's text, attributes and children
must be.

`AtomValues` holds the element names of Atom, the generic pieces every element goes through
(attributes with xml:base, text-only content, Atom children grouped by name) and one handler per
element whose value has rules: text constructs, content, person constructs, link, id, category,
generator, icon and logo, dates. The structure class in `scofeed.validate.atom` extends it and
dispatches to the handlers.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from scofeed.validate.checker import Checker
from scofeed.validate.values import (
    XML_BASE,
    identifier_problem,
    is_absolute,
    is_element,
    is_language_tag,
    is_mime_type,
    non_negative_int,
    qname,
    rfc3339_problem,
    text_of,
    uri_problem,
)

ATOM_NS = "http://www.w3.org/2005/Atom"
A = f"{{{ATOM_NS}}}"
APP = "{http://www.w3.org/2007/app}"
XHTML_DIV = "{http://www.w3.org/1999/xhtml}div"

# The children each container allows, by local name, and those that may appear once only.
METADATA_ONCE = {"generator", "icon", "id", "logo", "rights", "subtitle", "title", "updated"}
METADATA_MANY = {"author", "category", "contributor", "link"}
FEED = METADATA_ONCE | METADATA_MANY
ENTRY_ONCE = {"content", "id", "published", "rights", "source", "summary", "title", "updated"}
ENTRY = ENTRY_ONCE | METADATA_MANY
PERSON = {"name", "uri", "email"}
TEXT_CONSTRUCTS = {"title", "subtitle", "summary", "rights"}
# Every name RFC 4287 defines, by its Clark name ({namespace}local), for one-lookup dispatch.
ATOM_NAMES = {
    A + local: local for local in FEED | ENTRY | PERSON | {"feed", "entry", "source", "content"}
}
# isegment-nz-nc of RFC 3987: a relation name without ":" or "/" (RFC 4287 section 4.2.7.2).
_REL_NAME = re.compile(r"[^\s:/?#\[\]<>\"{}|\\^`]+\Z")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}\Z")
_WS = re.compile(r"\s+")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\Z")  # an addr-spec: one @, no white space


def is_xml_type(mime: str) -> bool:
    """Content of an XML media type is held as XML, not in Base64 (RFC 4287 4.1.3.3)."""
    base = mime.split(";", 1)[0].strip().lower()
    return base.endswith(("+xml", "/xml"))


def is_text_type(mime: str) -> bool:
    """Content of a text/* media type is held as text, not in Base64 (RFC 4287 4.1.3.3)."""
    return mime.lower().startswith("text/")


class AtomValues(Checker):
    """The generic pieces and one handler per element with rules of its own; handlers take
    (element, its local name)."""

    ATTRIBUTES: ClassVar[dict[str, set[str]]] = {
        "link": {"href", "rel", "type", "hreflang", "title", "length"},
        "category": {"term", "scheme", "label"},
        "generator": {"uri", "version"},
        "content": {"type", "src"},
        "title": {"type"},
        "subtitle": {"type"},
        "summary": {"type"},
        "rights": {"type"},
    }
    UNEXPECTED_ATTRIBUTE = "atom-unexpected-attribute"
    SPEC = "RFC 4287"

    # -- generic pieces -----------------------------------------------------------------------

    def qualified_attribute(self, el: Any, attr: str) -> None:
        """xml:base, besides xml:lang, must be an IRI."""
        if attr == XML_BASE:
            self.iri(el, el.get(attr), "xml:base")
        else:
            super().qualified_attribute(el, attr)

    def iri(self, el: Any, value: str, what: str) -> None:
        """An IRI reference (RFC 3987): no white space, not even around it (RFC 4287 3.2.2
        and 4.2.7.1 take the whole value as the IRI)."""
        bare = value.strip()
        if bare != value:
            self.r.add(
                "atom-iri", el, f'{what} "{bare}" has white space around it; remove the white space'
            )
        problem = uri_problem(bare)
        if problem:
            self.r.add("atom-iri", el, f'{what} "{bare}" {problem}')

    def groups(self, el: Any, name: str, allowed: set[str]) -> dict[str, list[Any]]:
        """Atom children by local name; unknown Atom names reported; foreign markup skipped."""
        out: dict[str, list[Any]] = {}
        for child in el:
            tag = child.tag
            local = ATOM_NAMES.get(tag)
            if local is None:
                if isinstance(tag, str) and tag.startswith(A):
                    self.unexpected(child, name)
                continue
            if local not in allowed:
                self.unexpected(child, name)
                continue
            same = out.get(local)
            if same is None:
                out[local] = [child]
            else:
                same.append(child)
        return out

    def unexpected(self, el: Any, parent: str) -> None:
        local = el.tag[len(A) :]
        self.r.add(
            "atom-unexpected-element",
            el,
            f"<{parent}> contains <{local}>, which RFC 4287 does not allow there",
            scope=el.getparent(),
        )

    def leaf(self, el: Any, name: str) -> str:
        self.attributes(el, name)
        if not len(el):
            return el.text or ""
        for child in el:
            if is_element(child):
                self.r.add(
                    "atom-unexpected-element",
                    child,
                    f"<{name}> holds text only, but contains a {qname(child)} element",
                )
                break
        return text_of(el)

    def no_atom_children(self, el: Any, name: str) -> None:
        for child in el:
            if isinstance(child.tag, str) and child.tag.startswith(A):
                self.unexpected(child, name)

    # -- element handlers: (element, its local name) ------------------------------------------

    def date(self, el: Any, name: str) -> None:
        problem = rfc3339_problem(self.leaf(el, name))
        if problem:
            self.r.add("atom-date-rfc3339", el, f"<{name}> {problem}")

    def category(self, el: Any, name: str) -> None:
        self.attributes(el, name)
        self.no_atom_children(el, name)
        if el.get("term") is None:
            self.r.add("atom-missing-attribute", el, "<category> has no term attribute")
        scheme = el.get("scheme")
        if scheme is not None:
            self.iri(el, scheme, "<category scheme>")
            if not is_absolute(scheme.strip()) and uri_problem(scheme.strip()) is None:
                self.r.add(
                    "atom-category-scheme",
                    el,
                    f'<category scheme="{scheme}"> is relative; a scheme is an absolute IRI that '
                    'names the categorization, such as "https://example.org/tags/"',
                )

    def generator(self, el: Any, name: str) -> None:
        self.leaf(el, name)
        uri = el.get("uri")
        if uri is not None:
            self.iri(el, uri, "<generator uri>")

    def icon(self, el: Any, name: str) -> None:
        self.iri(el, self.leaf(el, name), f"<{name}>")

    def person(self, el: Any, name: str) -> None:
        self.attributes(el, name)
        groups = self.groups(el, name, PERSON)
        for child_name, children in groups.items():
            if len(children) > 1:
                self.r.add(
                    "atom-duplicate-element",
                    children[1],
                    f"<{name}> has more than one <{child_name}>; RFC 4287 allows one",
                    scope=el,
                )
            value = self.leaf(children[0], child_name)
            if child_name == "uri":
                self.iri(children[0], value, f"<{name}><uri>")
            elif child_name == "email" and not _EMAIL.match(value):
                self.r.add(
                    "atom-email",
                    children[0],
                    f'<{name}><email> "{value}" is not an e-mail address',
                )
        if "name" not in groups:
            self.r.add(
                "atom-missing-element",
                el,
                f"<{name}> has no <name>; RFC 4287 requires one in every person",
            )

    def text_construct(self, el: Any, name: str) -> None:
        self.attributes(el, name)
        kind = el.get("type", "text")
        if kind not in ("text", "html", "xhtml"):
            self.r.add(
                "atom-type-invalid",
                el,
                f'<{name} type="{kind}">: the type of a text construct must be "text", '
                '"html" or "xhtml"',
            )
            return
        self.body(el, name, kind)

    def body(self, el: Any, name: str, kind: str) -> None:
        if kind == "xhtml":
            self.xhtml(el, name)
            return
        for child in el:
            if is_element(child):
                what = "HTML" if kind == "html" else "text"
                self.r.add(
                    "atom-html-not-escaped",
                    child,
                    f'<{name} type="{kind}"> contains a {qname(child)} element; {what} content '
                    'must be escaped (&lt;p&gt; or CDATA), or use type="xhtml" with one '
                    "xhtml:div",
                )
                return

    def xhtml(self, el: Any, name: str) -> None:
        # Atom's and AtomPub's own elements mean nothing inside XHTML: a misplaced element.
        for inner in el.iter(A + "*", APP + "*"):
            if inner is not el:
                self.r.add(
                    "atom-xhtml-misplaced",
                    inner,
                    f'<{name} type="xhtml"> contains {qname(inner)}, an element of Atom or '
                    "AtomPub that has no meaning inside XHTML; move it out of the div or remove it",
                    scope=el,
                )
                break
        children = [c for c in el if is_element(c)]
        loose_text = (el.text or "").strip() or any((c.tail or "").strip() for c in el)
        if len(children) != 1 or children[0].tag != XHTML_DIV or loose_text:
            if not children:
                found = "no element"
            elif children[0].tag != XHTML_DIV:
                found = f"a {qname(children[0])} element"
                if children[0].tag.rpartition("}")[2] == "div":
                    found += " outside the XHTML namespace"
            elif len(children) > 1:
                found = f"{len(children)} elements"
            else:
                found = "text outside the div"
            self.r.add(
                "atom-xhtml-div",
                el,
                f'<{name} type="xhtml"> must hold exactly one '
                '<div xmlns="http://www.w3.org/1999/xhtml">, but has ' + found,
            )

    def content(self, el: Any, name: str = "content") -> None:
        self.attributes(el, "content")
        kind, src = el.get("type"), el.get("src")
        if src is not None:
            self.iri(el, src, "<content src>")
            if any(is_element(c) for c in el) or text_of(el).strip():
                self.r.add(
                    "atom-content-src-not-empty",
                    el,
                    "<content> with a src attribute must be empty; move the text to <summary>",
                )
            if kind is None:
                self.r.add(
                    "atom-content-src-type",
                    el,
                    '<content src> should say what it points to: add type="text/html" (or '
                    "the right media type)",
                )
            elif kind in ("text", "html", "xhtml") or not is_mime_type(kind):
                self.r.add(
                    "atom-type-invalid",
                    el,
                    f'<content src type="{kind}">: with src, type must be a media type such '
                    'as "text/html"',
                )
            return
        kind = kind or "text"
        if kind in ("text", "html", "xhtml"):
            self.body(el, "content", kind)
        elif not is_mime_type(kind):
            self.r.add(
                "atom-type-invalid",
                el,
                f'<content type="{kind}">: type must be "text", "html", "xhtml" or a media '
                "type such as text/plain",
            )
        elif is_text_type(kind) and not is_xml_type(kind):
            self.body(el, "content", kind)
        elif is_xml_type(kind):
            self.xml_content(el, kind)
        elif not is_xml_type(kind):
            data = _WS.sub("", text_of(el))
            if any(is_element(c) for c in el) or len(data) % 4 or not _BASE64.match(data):
                self.r.add(
                    "atom-content-base64",
                    el,
                    f'<content type="{kind}"> must hold its data Base64-encoded',
                )

    def xml_content(self, el: Any, kind: str) -> None:
        """Content of an XML media type is a document of that type: its one root element, with
        no text beside it (RFC 4287 4.1.3.3, 4)."""
        roots = [c for c in el if is_element(c)]
        if not roots:
            return  # escaped XML as text: RFC 4287 allows child elements, does not require them
        loose = (el.text or "").strip() or any((c.tail or "").strip() for c in el)
        if loose or len(roots) > 1:
            found = "text beside its element" if loose else f"{len(roots)} root elements"
            self.r.add(
                "atom-content-xml",
                el,
                f'<content type="{kind}"> holds {found}; XML content is one document of that '
                "type: a single root element and no text outside it",
            )

    def atom_id(self, el: Any, name: str = "id") -> None:
        value = self.leaf(el, "id")
        if value != value.strip():
            self.r.add("atom-id", el, f'<id> "{value.strip()}" has white space around it')
            value = value.strip()
        problem = uri_problem(value)
        if not value:
            self.r.add("atom-id", el, "<id> is empty; it must be an absolute IRI")
        elif problem:
            self.r.add("atom-id", el, f'<id> "{value}" {problem}')
        elif not is_absolute(value):
            self.r.add(
                "atom-id",
                el,
                f'<id> "{value}" is relative; an id must be an absolute IRI such as '
                '"tag:example.org,2024:post-1" or "urn:uuid:..."',
            )
        elif found := identifier_problem(value):
            self.r.add(f"atom-id-{found[0]}", el, f'<id> "{value}" {found[1]}')

    def link(self, el: Any, name: str = "link") -> None:
        self.attributes(el, "link")
        self.no_atom_children(el, "link")
        href = el.get("href")
        if href is None:
            self.r.add("atom-missing-attribute", el, "<link> has no href attribute")
        else:
            self.iri(el, href, "<link href>")
        rel = el.get("rel")
        if rel is not None and not (
            _REL_NAME.match(rel) or (is_absolute(rel) and uri_problem(rel) is None)
        ):
            self.r.add(
                "atom-link-rel",
                el,
                f'<link rel="{rel}"> must be a relation name such as "alternate" or an '
                "absolute IRI",
            )
        mime = el.get("type")
        if mime is not None and not is_mime_type(mime):
            self.r.add(
                "atom-type-invalid",
                el,
                f'<link type="{mime}"> is not a media type such as "text/html"',
            )
        hreflang = el.get("hreflang")
        if hreflang is not None and not is_language_tag(hreflang):
            self.r.add("atom-hreflang", el, f'<link hreflang="{hreflang}"> is not a language tag')
        length = el.get("length")
        if length is not None and non_negative_int(length) is None:
            self.r.add(
                "atom-link-length",
                el,
                f'<link length="{length}"> must be a size in octets (a whole number)',
            )
