"""The extension namespaces: one module per namespace, registered in `MODULES`.

A module holds everything about its namespace:
- `NAMESPACES`: the namespace URIs it checks (a vocabulary may have had several);
- `RULES`: its rows `(name, severity, summary, reference)`, the names prefixed by the module's
  short name (`slash-comments`), the reference the clause of the namespace's specification;
- `check(root, report, fmt)`: adds its findings for a parsed document; `fmt` is "rss" (RSS 2.0),
  "rss1" (RSS 1.0) or "atom". It finds its own elements (`root.iter("{NS}*")` runs in C, so a
  document without the namespace costs next to nothing).

Adding a namespace is adding a file here and its name to `NAMES`. The modules import the
core only for types (`scofeed.validate.rules` imports this package to register the rules).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any

# The registry: each name is a module of this package (kept sorted).
NAMES = (
    "access",
    "admin",
    "app",
    "blogchannel",
    "cc",
    "content",
    "conversationsnetwork",
    "dc",
    "ev",
    "feedburner",
    "feedsync",
    "gbase",
    "georss",
    "history",
    "itunes",
    "media",
    "meta",
    "opensearch",
    "slash",
    "sy",
    "thr",
    "trackback",
)

MODULES: tuple[ModuleType, ...] = tuple(importlib.import_module(f"{__name__}.{n}") for n in NAMES)

EXTENSION_RULES: tuple[tuple[str, str, str, str], ...] = tuple(
    row for module in MODULES for row in module.RULES
)

_CHECKS: tuple[Callable[[Any, Any, str], None], ...] = tuple(m.check for m in MODULES)


def check_extensions(root: Any, report: Any, fmt: str) -> None:
    """Every registered namespace's findings for one parsed document."""
    for check in _CHECKS:
        check(root, report, fmt)
