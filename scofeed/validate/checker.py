"""The base of the RSS and Atom checkers: the report they fill and the attribute rule they share.

Both formats name, per element, the few attributes in no namespace they define, and let any
attribute in a namespace through; xml:lang, wherever it is, must be a language tag. Each format
states its own table, rule and specification as class attributes; Atom adds xml:base.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scofeed.validate.rules import Report
from scofeed.validate.values import XML_LANG, is_language_tag


class Checker:
    """One pass over one document; `r` collects the findings."""

    # Unqualified attributes the specification defines, per element (by local name).
    ATTRIBUTES: ClassVar[dict[str, set[str]]]
    # The rule for any other unqualified attribute, and the specification its message cites.
    UNEXPECTED_ATTRIBUTE: ClassVar[str]
    SPEC: ClassVar[str]

    def __init__(self, report: Report) -> None:
        # Subclasses keep tables of bound methods, a cycle through the checker; `check` clears
        # it when done, since a build runs with the cycle collector off and the report holds
        # the document's tree.
        self.r = report

    def attributes(self, el: Any, name: str) -> None:
        """Unqualified attributes must be the specification's; xml:lang must be a tag."""
        names = el.keys()
        if not names:
            return
        allowed = self.ATTRIBUTES.get(name, ())
        for attr in names:
            if attr[0] == "{":
                self.qualified_attribute(el, attr)
            elif attr not in allowed:
                self.r.add(
                    self.UNEXPECTED_ATTRIBUTE,
                    el,
                    f'<{name}> has an attribute "{attr}" that {self.SPEC} does not define; '
                    "remove it or put it in a namespace",
                )

    def qualified_attribute(self, el: Any, attr: str) -> None:
        """An attribute in a namespace (`attr` is its Clark name): only xml:lang has rules here."""
        if attr == XML_LANG and not is_language_tag(el.get(attr), allow_empty=True):
            self.r.add("xml-lang", el, f'xml:lang="{el.get(attr)}" is not a language tag')
