"""Google Base (http://base.google.com/ns/1.0): the `g:` attributes of items sent to Google Base
and later Google Merchant Center, in RSS 2.0, RSS 1.0 and Atom.

Each attribute Google defined has a content type (Google Base, "XML attributes" and "Custom
attributes in XML data feeds"): string, integer, float, intUnit and floatUnit (a number and a
unit), date, dateTime, dateTimeRange (g:start and g:end), boolean, url, a location, or one of a
few lists of values. Attributes Google did not define are custom attributes and allowed; when
they say their `type`, their value is checked against it. Attributes whose type the list left
loose (colour, size, condition...) are text and not checked.
"""

from __future__ import annotations

import calendar
import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import absolute_url_problem, is_element, local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://base.google.com/ns/1.0"
CUSTOM_NS = "http://base.google.com/cns/1.0"
NAMESPACES = (NS, CUSTOM_NS)
SPEC = "Google Base XML attributes"

RULES = (
    ("gbase-number", "error",
     "a number attribute (integer, float, number with a unit, year) that is not one",
     f"{SPEC} (content types integer, float, intUnit, floatUnit; year: YYYY)"),
    ("gbase-price", "error", "a price that is not a number with an optional currency code",
     f"{SPEC} (price, salary, hoa_dues: floatUnit; 'Numeric values only')"),
    ("gbase-date", "error", "a date, date-time or date range that is not ISO 8601",
     f"{SPEC} (date, dateTime: YYYY-MM-DDThh:mm:ss; dateTimeRange: g:start and g:end)"),
    ("gbase-boolean", "error", "a boolean attribute that is not true or false",
     f"{SPEC} (boolean: 'Acceptable values are: true or false')"),
    ("gbase-url", "error", "a URL attribute that is not an absolute URL",
     f"{SPEC} (url: 'Must include the http:// portion')"),
    ("gbase-location", "error",
     "a location that is not street, city, state, postal code and country (or city, state)",
     f"{SPEC} (location: 'street, city, state, postal code, country'; from_location, "
     "to_location: city and state or country)"),
    ("gbase-currency", "error", "a currency that is not an ISO 4217 code",
     f"{SPEC} (currency: ISO 4217)"),
    ("gbase-value", "error", "a value outside the attribute's list of acceptable values",
     f"{SPEC} (gender, marital_status, payment_accepted, price_type, salary_type, "
     "reviewer_type, rating, service)"),
    ("gbase-too-many", "error", "more than ten g:image_link or g:label in one item",
     f"{SPEC} (image_link: up to 10; label: up to 10)"),
    ("gbase-type", "error", "a custom attribute whose type attribute is not a content type",
     "Google Base, Custom attributes in XML data feeds (string, int, float, intUnit, "
     "floatUnit, date, dateTime, dateTimeRange, boolean, url, location)"),
)  # fmt: skip

_INTEGER = {"age", "bedrooms", "pages", "quantity", "servings", "bathrooms_full"}
_FLOAT = {"bathrooms", "tax_percent"}
_UNIT = {"area", "mileage", "square_footage", "weight", "delivery_radius", "processor_speed",
         "memory", "megapixels", "screen_size", "hard_drive_size", "optical_zoom"}  # fmt: skip
_PRICE = {"price", "salary", "hoa_dues"}
_DATE = {"expiration_date", "publish_date"}
_RANGE = {"event_date_range", "travel_date_range"}
_BOOLEAN = {"pickup", "listing_type"}
_URL = {"image_link", "url_of_item_being_reviewed", "url_of_item_reviewed"}
_LIMITED = ("image_link", "label")
_VALUES = {
    "gender": {"male", "m", "female", "f", "unisex"},
    "marital_status": {"single", "divorced", "separated", "widowed", "married",
                       "in relationship"},
    "payment_accepted": {"cash", "check", "visa", "mastercard", "americanexpress", "discover",
                         "wiretransfer", "googlecheckout", "paypal"},
    "price_type": {"negotiable", "starting"},
    "salary_type": {"negotiable", "starting"},
    "reviewer_type": {"editorial", "user"},
    "service": {"fedex", "ups", "dhl", "mail", "other"},  # an item's carrier
}  # fmt: skip
_CUSTOM_TYPES = {"string", "text", "int", "float", "intUnit", "floatUnit", "date", "dateTime",
                 "dateTimeRange", "boolean", "url", "location"}  # fmt: skip

_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"
_INT_RE = re.compile(r"[+-]?[0-9]+\Z")
_FLOAT_RE = re.compile(rf"{_NUMBER}\Z")
# A number, then optionally a unit: any words that do not start with a digit ("sq ft", "GHz").
_INT_UNIT_RE = re.compile(r"[+-]?[0-9]+(?:\s*[^\s0-9.,+-][^0-9]*)?\Z")
_FLOAT_UNIT_RE = re.compile(rf"{_NUMBER}(?:\s*[^\s0-9.,+-][^0-9]*)?\Z")
_PRICE_RE = re.compile(rf"{_NUMBER}(?:\s*[A-Za-z]{{3}})?\Z")
_DATE_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})"
    r"(?:[T ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?\Z"
)
_CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
_YEAR_RE = re.compile(r"[0-9]{4}\Z")


def _date_problem(value: str) -> str | None:
    m = _DATE_RE.match(value)
    if m is None:
        return "is not an ISO 8601 date (YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss)"
    year, month, day = int(m[1]), int(m[2]), int(m[3])
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year or 4, month)[1]:
        return "is a day that does not exist"
    if m[4] is not None and (int(m[4]) > 23 or int(m[5]) > 59 or int(m[6] or 0) > 60):
        return "has a time of day out of range"
    return None


class _Checker:
    def __init__(self, report: Report) -> None:
        self.r = report

    def add(self, rule: str, el: Any, name: str, value: str, problem: str) -> None:
        self.r.add(rule, el, f'<g:{name}> is "{value}", which {problem}')

    def typed(self, el: Any, name: str, kind: str, value: str) -> None:
        """Check `value` against a content type."""
        if kind == "int" and not _INT_RE.match(value):
            self.add("gbase-number", el, name, value, "is not a whole number; write digits only")
        elif kind == "float" and not _FLOAT_RE.match(value):
            self.add("gbase-number", el, name, value, "is not a number; write digits, with a "
                     "point for decimals (2.5), and no words")  # fmt: skip
        elif kind == "intUnit" and not _INT_UNIT_RE.match(value):
            self.add(
                "gbase-number",
                el,
                name,
                value,
                'is not a whole number with an optional unit, as in "1000 sq ft"',
            )
        elif kind == "floatUnit" and not _FLOAT_UNIT_RE.match(value):
            self.add(
                "gbase-number",
                el,
                name,
                value,
                'is not a number with an optional unit, as in "3.5 liters"',
            )
        elif kind in ("date", "dateTime"):
            problem = _date_problem(value)
            if problem:
                self.add("gbase-date", el, name, value, problem)
        elif kind == "dateTimeRange":
            self.date_range(el, name, value)
        elif kind == "boolean" and value.lower() not in ("true", "false"):
            self.add("gbase-boolean", el, name, value, 'is not "true" or "false"')
        elif kind == "url":
            problem = absolute_url_problem(value)
            if problem:
                self.add("gbase-url", el, name, value, f"{problem}; write the full URL")
        elif kind == "location":
            self.location(el, name, value, full=True)

    def date_range(self, el: Any, name: str, value: str) -> None:
        children = {local_name(c.tag): text_of(c).strip() for c in el if is_element(c)}
        if not children:  # the tab-delimited form: two date-times separated by a space
            parts = value.split()
            children = {"start": parts[0], "end": parts[1]} if len(parts) == 2 else {}
        for part in ("start", "end"):
            if part not in children:
                self.r.add(
                    "gbase-date", el,
                    f"<g:{name}> has no g:{part}; give <g:start> and <g:end>, each a date-time "
                    "such as 2005-12-20T14:00:00",
                )  # fmt: skip
                return
            problem = _date_problem(children[part])
            if problem:
                self.add("gbase-date", el, f"{name}>'s <g:{part}", children[part], problem)
                return
        if children["start"] > children["end"]:
            self.r.add("gbase-date", el, f"<g:{name}> ends before it starts; swap the dates")

    def location(self, el: Any, name: str, value: str, *, full: bool) -> None:
        parts = [part.strip() for part in value.split(",")]
        if full and (len(parts) < 5 or not all(parts)):
            self.add(
                "gbase-location", el, name, value,
                'is not "street, city, state, postal code, country"; write all five, '
                'separated by commas, as in "1600 Amphitheatre Pkwy, Mountain View, CA, 94043, '
                'USA"',
            )  # fmt: skip
        elif not full and (len(parts) < 2 or not all(parts)):
            self.add(
                "gbase-location", el, name, value,
                'is not "city, state" or "city, country"; as in "San Francisco, CA"',
            )  # fmt: skip

    def element(self, el: Any, name: str) -> None:
        value = text_of(el).strip()
        if name in _INTEGER:
            self.typed(el, name, "int", value)
        elif name in _FLOAT:
            self.typed(el, name, "float", value)
        elif name in _UNIT:
            self.typed(el, name, "floatUnit", value)
        elif name in _PRICE:
            if not _PRICE_RE.match(value):
                self.add(
                    "gbase-price",
                    el,
                    name,
                    value,
                    "is not a price; write the number alone, a point for decimals, as in "
                    '"5.95" (or "5.95 USD"); put words in g:price_type or the description',
                )
        elif name in _DATE:
            self.typed(el, name, "date", value)
        elif name in _RANGE:
            self.date_range(el, name, value)
        elif name in _BOOLEAN:
            self.typed(el, name, "boolean", value)
        elif name in _URL:
            self.typed(el, name, "url", value)
        elif name == "location":
            self.location(el, name, value, full=True)
        elif name in ("from_location", "to_location"):
            self.location(el, name, value, full=False)
        elif name == "currency":
            if not _CURRENCY_RE.match(value):
                self.add(
                    "gbase-currency",
                    el,
                    name,
                    value,
                    'is not an ISO 4217 currency code; write three capitals such as "USD"',
                )
        elif name == "year":
            if not _YEAR_RE.match(value):
                self.add("gbase-number", el, name, value, "is not a four-digit year (YYYY)")
        elif name == "rating":
            if not _FLOAT_RE.match(value) or not 1 <= float(value) <= 5:
                self.add("gbase-value", el, name, value, "is not a number from 1 to 5")
        elif name in _VALUES:
            # An item's g:service is its carrier; inside g:shipping it names the service level
            # ("Standard", "Overnight"), free text.
            if name == "service" and el.getparent().tag == f"{{{NS}}}shipping":
                return
            if value.lower().replace(" ", "") not in {v.replace(" ", "") for v in _VALUES[name]}:
                allowed = ", ".join(sorted(_VALUES[name]))
                self.add("gbase-value", el, name, value, f"is not one of: {allowed}")
        else:
            self.custom(el, name, value)

    def custom(self, el: Any, name: str, value: str) -> None:
        kind = el.get("type")
        if kind is None:
            return
        if kind not in _CUSTOM_TYPES:
            self.r.add(
                "gbase-type", el,
                f'<{el.prefix or "g"}:{name} type="{kind}">: the type is none of '
                f"{', '.join(sorted(_CUSTOM_TYPES))}",
            )  # fmt: skip
        elif kind not in ("string", "text"):
            self.typed(el, name, kind, value)

    def counts(self, root: Any) -> None:
        parents = {el.getparent() for el in root.iter(*(f"{{{NS}}}{n}" for n in _LIMITED))}
        for parent in parents:
            for name in _LIMITED:
                found = parent.findall(f"{{{NS}}}{name}")
                if len(found) > 10:
                    self.r.add(
                        "gbase-too-many", found[10],
                        f"{len(found)} <g:{name}> in one item; Google Base takes up to ten: "
                        "keep the ten that matter most",
                    )  # fmt: skip


def check(root: Any, report: Report, fmt: str) -> None:
    checker = _Checker(report)
    for el in root.iter(f"{{{NS}}}*"):
        name = local_name(el.tag)
        if name in ("start", "end") and local_name(el.getparent().tag) in _RANGE:
            continue  # checked with their range
        checker.element(el, name)
    for el in root.iter(f"{{{CUSTOM_NS}}}*"):
        checker.custom(el, local_name(el.tag), text_of(el).strip())
    checker.counts(root)
