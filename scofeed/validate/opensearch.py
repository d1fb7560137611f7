"""OpenSearch 1.1 description documents (https://github.com/dewitt/opensearch, "OpenSearch 1.1
Draft 6"): the `<OpenSearchDescription>` a site links with rel="search" so that browsers and
aggregators can query it.

`check` validates a whole description document; `check_query` is the `<Query>` element, shared
with the response elements inside feeds (`scofeed.validate.ext.opensearch`, which registers
these rules: they belong to the one OpenSearch namespace).
"""

from __future__ import annotations

import codecs
import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import (
    absolute_url_problem,
    has_child_elements,
    is_element,
    is_mime_type,
    is_rss_language,
    local_name,
    text_of,
)

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://a9.com/-/spec/opensearch/1.1/"
SPEC = "OpenSearch 1.1"

RULES = (
    ("opensearch-namespace", "error",
     "an OpenSearchDescription outside the OpenSearch 1.1 namespace",
     f"{SPEC}, Namespace"),
    ("opensearch-missing-element", "error",
     "a description without its required ShortName, Description or Url",
     f"{SPEC}, OpenSearch description elements (ShortName, Description, Url: 'Requirements')"),
    ("opensearch-duplicate-element", "error",
     "an element the description may hold once, repeated",
     f"{SPEC}, OpenSearch description elements ('May appear zero or one time')"),
    ("opensearch-unknown-element", "error",
     "an element of the OpenSearch namespace the description does not define there",
     f"{SPEC}, OpenSearch description document"),
    ("opensearch-missing-attribute", "error",
     "a Url without template or type, or a Query without role",
     f"{SPEC}, The \"Url\" element and The \"Query\" element (attributes)"),
    ("opensearch-too-long", "error", "a text longer than the specification allows",
     f"{SPEC}, ShortName (16), LongName (48), Developer (64), Tags and Attribution (256), "
     "Description (1024), Query title (256)"),
    ("opensearch-markup", "warning", "HTML or other markup in a plain-text element",
     f"{SPEC}, 'The value must not contain HTML or other markup'"),
    ("opensearch-template", "error", "a Url template that is no absolute URL or whose "
     "parameters are not written {name} or {name?}",
     f"{SPEC}, OpenSearch URL template syntax"),
    ("opensearch-template-parameter", "error",
     "a template parameter neither predefined nor qualified by a declared namespace prefix",
     f"{SPEC}, OpenSearch 1.1 parameters; Fully qualified parameter names"),
    ("opensearch-mime-type", "error", "a type attribute that is not a media type",
     f"{SPEC}, The \"Url\" element (type), The \"Image\" element (type)"),
    ("opensearch-rel", "error", "a Url rel that is neither a defined value nor a URI",
     f"{SPEC}, The \"Url\" element (rel values)"),
    ("opensearch-integer", "error", "an attribute or element that must be a (non-negative) "
     "integer and is not", f"{SPEC}, Url (indexOffset, pageOffset), Image (height, width), "
     "Query (totalResults, count, startIndex, startPage), response elements"),
    ("opensearch-contact", "error", "a Contact that is not an e-mail address",
     f"{SPEC}, The \"Contact\" element (RFC 2822 addr-spec)"),
    ("opensearch-image", "error", "an Image whose content is not an absolute URL",
     f"{SPEC}, The \"Image\" element"),
    ("opensearch-query-role", "error",
     "a Query role neither a local role nor a qualified name with a declared prefix",
     f"{SPEC}, The \"Query\" element (role values)"),
    ("opensearch-search-terms", "error", "a Query searchTerms that is not URL-encoded",
     f"{SPEC}, The \"searchTerms\" parameter ('The value must be URL-encoded')"),
    ("opensearch-language", "error", 'a language that is neither "*" nor a language tag',
     f"{SPEC}, The \"Language\" element and The \"language\" parameter (RFC 3066)"),
    ("opensearch-encoding", "error", "an input or output encoding that is no character set",
     f"{SPEC}, The \"InputEncoding\"/\"OutputEncoding\" elements (IANA character sets)"),
    ("opensearch-syndication-right", "error",
     "a SyndicationRight other than open, limited, private or closed",
     f"{SPEC}, The \"SyndicationRight\" element"),
    ("opensearch-adult-content", "warning",
     "an AdultContent that is neither a usual true nor false value",
     f"{SPEC}, The \"AdultContent\" element"),
)  # fmt: skip

# The description's elements: the most each may appear (0 = any number) and the longest text.
_ONCE = {"ShortName", "Description", "Contact", "Tags", "LongName", "Developer", "Attribution",
         "SyndicationRight", "AdultContent"}  # fmt: skip
_REPEATED = {"Url", "Image", "Query", "Language", "InputEncoding", "OutputEncoding"}
_MAX_LENGTH = {"ShortName": 16, "LongName": 48, "Developer": 64, "Tags": 256, "Attribution": 256,
               "Description": 1024}  # fmt: skip
_REQUIRED = ("ShortName", "Description", "Url")
# Children of Url some browsers' search plugins write (Firefox's form parameters).
_URL_CHILDREN = {"Param", "MozParam"}

LOCAL_PARAMETERS = {"searchTerms", "count", "startIndex", "startPage", "language",
                    "inputEncoding", "outputEncoding"}  # fmt: skip
LOCAL_ROLES = {"request", "example", "related", "correction", "subset", "superset"}
_RELS = {"results", "suggestions", "self", "collection"}
_SYNDICATION = {"open", "limited", "private", "closed"}
_ADULT = {"false", "FALSE", "0", "no", "NO", "true", "TRUE", "1", "yes", "YES"}

_PARAMETER = re.compile(r"\{([^{}]*)\}")
_PARAMETER_NAME = re.compile(r"(?:([A-Za-z_][\w.\-]*):)?([\w.~\-%!$&'()*+,;=:@]+)(\??)\Z")
_INTEGER = re.compile(r"[+-]?[0-9]+\Z")
_ADDR_SPEC = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+\Z")
_MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^>]*>|&[A-Za-z]+;")
# searchTerms: unreserved characters, percent-encodings, and the + or space of a form query.
_URL_ENCODED = re.compile(r"(?:[A-Za-z0-9\-._~+ ]|%[0-9A-Fa-f]{2})*\Z")


def _name(el: Any) -> str:
    return local_name(el.tag)


def integer_problem(value: str, *, non_negative: bool) -> str | None:
    """Why `value` is no integer (or no non-negative one), or None."""
    if not _INTEGER.match(value.strip()):
        return "is not a whole number"
    if non_negative and int(value) < 0:
        return "is negative"
    return None


def plain_text(report: Report, el: Any, value: str, label: str, limit: int | None) -> None:
    """Length limit and no markup, for ShortName and the like and Query's title."""
    if limit is not None and len(value.strip()) > limit:
        report.add(
            "opensearch-too-long", el,
            f"{label} is {len(value.strip())} characters long; {SPEC} allows at most {limit}: "
            "shorten it",
        )  # fmt: skip
    if _MARKUP.search(value):
        report.add(
            "opensearch-markup", el,
            f"{label} seems to hold HTML or other markup; write plain text, as readers show "
            "it as is",
        )  # fmt: skip


def check_encoding(report: Report, el: Any, label: str, value: str) -> None:
    try:
        codecs.lookup(value.strip())
    except (LookupError, ValueError):
        report.add(
            "opensearch-encoding", el,
            f'{label} is "{value}", which is no character set; write a registered name such '
            "as UTF-8",
        )  # fmt: skip


def check_language(report: Report, el: Any, label: str, value: str) -> None:
    if value.strip() != "*" and not is_rss_language(value.strip()):
        report.add(
            "opensearch-language", el,
            f'{label} is "{value}"; write a language tag such as en-US, or * for any language',
        )  # fmt: skip


def _integer(report: Report, el: Any, label: str, value: str, *, non_negative: bool) -> None:
    problem = integer_problem(value, non_negative=non_negative)
    if problem:
        kind = "a non-negative whole number" if non_negative else "a whole number"
        report.add("opensearch-integer", el, f'{label} is "{value}", which {problem}; write {kind}')


def check_query(report: Report, el: Any) -> None:
    """A `<Query>` (description documents and feeds alike)."""
    role = el.get("role")
    if role is None:
        report.add(
            "opensearch-missing-attribute", el,
            '<Query> has no role; add role="request" (or example, related, correction, '
            "subset, superset)",
        )  # fmt: skip
    elif ":" in role:
        prefix = role.partition(":")[0]
        if prefix not in el.nsmap:
            report.add(
                "opensearch-query-role", el,
                f'<Query role="{role}">: the prefix "{prefix}" is not declared; declare its '
                "namespace or use a local role",
            )  # fmt: skip
    elif role not in LOCAL_ROLES:
        report.add(
            "opensearch-query-role", el,
            f'<Query role="{role}"> is not a local role; use request, example, related, '
            "correction, subset or superset, or a name qualified by a declared prefix",
        )  # fmt: skip
    title = el.get("title")
    if title is not None:
        plain_text(report, el, title, "<Query>'s title", 256)
    for attr, non_negative in (("totalResults", True), ("count", True), ("startIndex", False),
                               ("startPage", False)):  # fmt: skip
        value = el.get(attr)
        if value is not None:
            _integer(report, el, f"<Query>'s {attr}", value, non_negative=non_negative)
    terms = el.get("searchTerms")
    if terms is not None and not _URL_ENCODED.match(terms):
        report.add(
            "opensearch-search-terms", el,
            f'<Query searchTerms="{terms}"> is not URL-encoded; percent-encode every character '
            'other than letters, digits, "-", ".", "_" and "~" (a quote is %22)',
        )  # fmt: skip
    language = el.get("language")
    if language is not None:
        check_language(report, el, "<Query>'s language", language)
    for attr in ("inputEncoding", "outputEncoding"):
        value = el.get(attr)
        if value is not None:
            check_encoding(report, el, f"<Query>'s {attr}", value)


def _url(report: Report, el: Any) -> None:
    template, mime = el.get("template"), el.get("type")
    for attr, value in (("template", template), ("type", mime)):
        if value is None:
            report.add(
                "opensearch-missing-attribute", el,
                f'<Url> has no {attr}; add {attr}="..." (template: the search URL with '
                '{searchTerms}; type: the media type of the results, e.g. application/rss+xml)',
            )  # fmt: skip
    if mime is not None and not is_mime_type(mime.strip()):
        report.add("opensearch-mime-type", el, f'<Url type="{mime}"> is not a media type')
    if template is not None:
        _template(report, el, template)
    rel = el.get("rel")
    if rel is not None:
        for value in rel.split() or [""]:
            if value.lower() not in _RELS and absolute_url_problem(value):
                report.add(
                    "opensearch-rel", el,
                    f'<Url rel="{rel}">: "{value}" is neither results, suggestions, self nor '
                    "collection, nor an absolute URI",
                )  # fmt: skip
    for attr in ("indexOffset", "pageOffset"):
        value = el.get(attr)
        if value is not None:
            _integer(report, el, f"<Url>'s {attr}", value, non_negative=False)
    for child in el:
        named = is_element(child) and child.tag.startswith(f"{{{NS}}}")
        if named and _name(child) not in _URL_CHILDREN:
            _unknown(report, child, "<Url>")


def _template(report: Report, el: Any, template: str) -> None:
    if template.count("{") != template.count("}") or _PARAMETER.sub("", template).count("{"):
        report.add(
            "opensearch-template", el,
            f'<Url template="{template}">: braces do not pair; write each parameter as {{name}} '
            "or {name?}",
        )  # fmt: skip
        return
    for match in _PARAMETER.finditer(template):
        spec = _PARAMETER_NAME.match(match[1])
        if spec is None:
            report.add(
                "opensearch-template", el,
                f'<Url template>: "{match[0]}" is no parameter; write {{name}} or {{name?}}',
            )  # fmt: skip
        elif spec[1] is None and spec[2] not in LOCAL_PARAMETERS:
            report.add(
                "opensearch-template-parameter", el,
                f'<Url template>: "{spec[2]}" is not an OpenSearch parameter (searchTerms, '
                "count, startIndex, startPage, language, inputEncoding, outputEncoding); "
                "qualify other names with a declared namespace prefix",
            )  # fmt: skip
        elif spec[1] is not None and spec[1] not in el.nsmap:
            report.add(
                "opensearch-template-parameter", el,
                f'<Url template>: the prefix of "{match[1]}" is not declared; declare its '
                'namespace (xmlns:prefix="...") on the Url or the document',
            )  # fmt: skip
    problem = absolute_url_problem(_PARAMETER.sub("x", template).strip())
    if problem:
        report.add("opensearch-template", el, f'<Url template="{template}"> {problem}')


def _unknown(report: Report, el: Any, parent: str) -> None:
    report.add(
        "opensearch-unknown-element", el,
        f"<{_name(el)}> is not an element {SPEC} defines in {parent}; remove it or put it in "
        "your own namespace",
    )  # fmt: skip


def _child(report: Report, el: Any, name: str) -> None:
    value = text_of(el).strip()
    if name in _MAX_LENGTH:
        plain_text(report, el, value, f"<{name}>", _MAX_LENGTH[name])
        if has_child_elements(el):
            report.add("opensearch-markup", el, f"<{name}> holds elements; write plain text")
    elif name == "Url":
        _url(report, el)
    elif name == "Query":
        check_query(report, el)
    elif name == "Image":
        problem = absolute_url_problem(value)
        if problem:
            report.add("opensearch-image", el, f"<Image> {problem}")
        for attr in ("height", "width"):
            size = el.get(attr)
            if size is not None:
                _integer(report, el, f"<Image>'s {attr}", size, non_negative=True)
        mime = el.get("type")
        if mime is not None and not is_mime_type(mime.strip()):
            report.add("opensearch-mime-type", el, f'<Image type="{mime}"> is not a media type')
    elif name == "Contact":
        if not _ADDR_SPEC.match(value):
            report.add(
                "opensearch-contact", el,
                f'<Contact> is "{value}"; write only an e-mail address, as in admin@example.com',
            )  # fmt: skip
    elif name == "Language":
        check_language(report, el, "<Language>", value)
    elif name in ("InputEncoding", "OutputEncoding"):
        check_encoding(report, el, f"<{name}>", value)
    elif name == "SyndicationRight":
        if value.lower() not in _SYNDICATION:
            report.add(
                "opensearch-syndication-right", el,
                f'<SyndicationRight> is "{value}"; write open, limited, private or closed',
            )  # fmt: skip
    elif name == "AdultContent" and value not in _ADULT:
        report.add(
            "opensearch-adult-content", el,
            f'<AdultContent> is "{value}"; readers take anything but false, FALSE, 0, no and NO '
            'as true: write "false" or "true"',
        )  # fmt: skip


def check(root: Any, report: Report) -> None:
    """Findings for an OpenSearch description document (`root` is `<OpenSearchDescription>`)."""
    namespace = root.tag[1:].partition("}")[0] if root.tag[0] == "{" else ""
    if namespace != NS:
        where = f'the namespace "{namespace}"' if namespace else "no namespace"
        report.add(
            "opensearch-namespace", root,
            f'<OpenSearchDescription> is in {where}; OpenSearch 1.1 needs xmlns="{NS}"',
        )  # fmt: skip
        return
    seen: dict[str, int] = {}
    for el in root:
        if not is_element(el) or not el.tag.startswith(f"{{{NS}}}"):
            continue  # other namespaces extend the description
        name = _name(el)
        if name not in _ONCE and name not in _REPEATED:
            _unknown(report, el, "<OpenSearchDescription>")
            continue
        seen[name] = seen.get(name, 0) + 1
        if name in _ONCE and seen[name] == 2:
            report.add(
                "opensearch-duplicate-element", el,
                f"<{name}> may appear only once in a description; keep one",
            )  # fmt: skip
        _child(report, el, name)
    for name in _REQUIRED:
        if name not in seen:
            report.add(
                "opensearch-missing-element", root,
                f"the description has no <{name}>; {SPEC} requires one",
            )  # fmt: skip
