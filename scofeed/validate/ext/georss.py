"""GeoRSS (https://www.georss.org/): GeoRSS-Simple (georss:point, line, polygon, box, and their
featuretypetag, relationshiptag, elev, floor, radius), GeoRSS-GML (georss:where holding a GML
Point, LineString, Polygon or Envelope), and the W3C Basic Geo vocabulary (geo:lat, geo:long,
geo:alt, geo:Point) and the GeoURL and ICBM modules (latitude, longitude) that preceded them.
Coordinates are WGS84 "latitude longitude" pairs.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from scofeed.validate.values import local_name, text_of

if TYPE_CHECKING:
    from scofeed.validate.rules import Report

NS = "http://www.georss.org/georss"
GML_NS = "http://www.opengis.net/gml"
GEO_NS = "http://www.w3.org/2003/01/geo/wgs84_pos#"
GEOURL_NS = "http://geourl.org/rss/module/"
ICBM_NS = "http://postneo.com/icbm"
NAMESPACES = (NS, GML_NS, GEO_NS, GEOURL_NS, ICBM_NS)
SPEC = "GeoRSS"

RULES = (
    ("georss-coordinates", "error",
     "a point, line, polygon, box or GML position that is not latitude-longitude pairs",
     f"{SPEC}-Simple (point: one pair; line: two or more; polygon: four or more, closed; "
     "box: two corners) and GeoRSS-GML (gml:pos, gml:posList, gml:lowerCorner/upperCorner)"),
    ("georss-latitude", "error", "a latitude outside -90..90 or not a number",
     f"{SPEC}, WGS84 coordinates; W3C Basic Geo (geo:lat); GeoURL and ICBM (latitude)"),
    ("georss-longitude", "error", "a longitude outside -180..180 or not a number",
     f"{SPEC}, WGS84 coordinates; W3C Basic Geo (geo:long); GeoURL and ICBM (longitude)"),
    ("georss-number", "error", "an elev, floor, radius or geo:alt that is not a number",
     f"{SPEC}-Simple (elev, floor: integer, radius) and W3C Basic Geo (geo:alt)"),
    ("georss-unknown", "error", "an element of the GeoRSS or Basic Geo namespace that is not "
     "defined", f"{SPEC}-Simple elements; W3C Basic Geo (lat, long, alt, Point, "
     "SpatialThing, location)"),
)  # fmt: skip

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")
_SHAPES = {"point": (1, 1), "line": (2, None), "polygon": (4, None), "box": (2, 2)}
_TAGS = {"featuretypetag", "relationshiptag", "featurename"}
_NUMBERS = {"elev": False, "floor": True, "radius": False}
_GML_LISTS = {"pos": (1, 1), "posList": (2, None), "lowerCorner": (1, 1), "upperCorner": (1, 1)}
_GEO = {"lat", "long", "alt", "Point", "SpatialThing", "location", "lat_long"}


def _is_number(value: str) -> bool:
    return bool(_NUMBER.match(value))


class _Checker:
    def __init__(self, report: Report) -> None:
        self.r = report

    def latitude(self, el: Any, label: str, value: str) -> bool:
        if not _is_number(value) or not -90 <= float(value) <= 90:
            self.r.add(
                "georss-latitude", el,
                f'{label}: latitude "{value}" is not a number from -90 to 90 (write latitude '
                "first, then longitude)",
            )  # fmt: skip
            return False
        return True

    def longitude(self, el: Any, label: str, value: str) -> bool:
        if not _is_number(value) or not -180 <= float(value) <= 180:
            self.r.add(
                "georss-longitude", el,
                f'{label}: longitude "{value}" is not a number from -180 to 180',
            )  # fmt: skip
            return False
        return True

    def pairs(self, el: Any, label: str, least: int, most: int | None, closed: bool) -> None:
        values = text_of(el).replace(",", " ").split()
        count = len(values) // 2
        shape = f"{least} pair" if least == most == 1 else f"at least {least} pairs"
        if most is not None and most != least:
            shape = f"{least} to {most} pairs"
        elif most == least and least > 1:
            shape = f"{least} pairs"
        if len(values) % 2 or count < least or (most is not None and count > most):
            self.r.add(
                "georss-coordinates", el,
                f"{label} holds {len(values)} numbers; write {shape} of latitude and longitude "
                'separated by spaces, as in "45.256 -71.92"',
            )  # fmt: skip
            return
        for lat, lon in zip(values[::2], values[1::2], strict=True):
            if not (self.latitude(el, label, lat) and self.longitude(el, label, lon)):
                return
        if closed and values[:2] != values[-2:]:
            self.r.add(
                "georss-coordinates", el,
                f"{label} is not closed; repeat its first point ({' '.join(values[:2])}) at "
                "the end",
            )  # fmt: skip

    def simple(self, el: Any, name: str) -> None:
        label = f"<georss:{name}>"
        if name in _SHAPES:
            least, most = _SHAPES[name]
            self.pairs(el, label, least, most, closed=name == "polygon")
        elif name in _NUMBERS:
            value = text_of(el).strip()
            integer = _NUMBERS[name]
            if not _is_number(value) or (integer and not re.fullmatch(r"[+-]?[0-9]+", value)):
                kind = "a whole number" if integer else "a number"
                self.r.add("georss-number", el, f'{label} is "{value}"; write {kind}')
        elif name not in _TAGS and name != "where":
            self.r.add(
                "georss-unknown", el,
                f"{label} is not a GeoRSS element; use point, line, polygon, box or where, and "
                "featuretypetag, relationshiptag, featurename, elev, floor or radius",
            )  # fmt: skip

    def gml(self, el: Any, name: str) -> None:
        if name in _GML_LISTS:
            least, most = _GML_LISTS[name]
            ring = name == "posList" and local_name(el.getparent().tag) == "LinearRing"
            self.pairs(el, f"<gml:{name}>", 4 if ring else least, most, closed=ring)

    def geo(self, el: Any, name: str) -> None:
        value = text_of(el).strip()
        if name == "lat":
            self.latitude(el, "<geo:lat>", value)
        elif name == "long":
            self.longitude(el, "<geo:long>", value)
        elif name == "alt":
            if not _is_number(value):
                self.r.add("georss-number", el, f'<geo:alt> is "{value}"; write metres as a number')
        elif name not in _GEO:
            self.r.add(
                "georss-unknown", el,
                f"<geo:{name}> is not in the W3C Basic Geo vocabulary; use lat, long, alt or "
                "Point",
            )  # fmt: skip


def check(root: Any, report: Report, fmt: str) -> None:
    checker = _Checker(report)
    for el in root.iter(f"{{{NS}}}*"):
        checker.simple(el, local_name(el.tag))
    for el in root.iter(f"{{{GML_NS}}}*"):
        checker.gml(el, local_name(el.tag))
    for el in root.iter(f"{{{GEO_NS}}}*"):
        checker.geo(el, local_name(el.tag))
    for ns, prefix in ((GEOURL_NS, "geourl"), (ICBM_NS, "icbm")):
        for el in root.iter(f"{{{ns}}}latitude", f"{{{ns}}}longitude"):
            name = local_name(el.tag)
            check_one = checker.latitude if name == "latitude" else checker.longitude
            check_one(el, f"<{prefix}:{name}>", text_of(el).strip())
