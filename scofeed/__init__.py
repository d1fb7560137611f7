"""scofeed: publish a news category as RSS 2.0 and Atom 1.0 feeds, whole and per country."""

from __future__ import annotations

__version__ = "0.1.0"  # the one place; pyproject.toml reads it
HOMEPAGE = "https://github.com/scofeed/scofeed"
