"""JSON Feed 1.0 and 1.1 documents -> posts (see scofeed.importers.feed)."""

from __future__ import annotations

import json
from typing import Any

from scofeed.errors import InputError, NotAFeedError, Problem
from scofeed.importers.feed.common import FeedImport, Reader, _absolute
from scofeed.importers.html import fold, text_to_html


class JsonReader(Reader):
    def parse(self, data: bytes) -> FeedImport:
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise InputError(
                f"{self.source}: not UTF-8",
                [Problem(self.source, line, "a JSON Feed must be UTF-8; save it as UTF-8")],
            ) from None
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{self.source}: not valid JSON; nothing was imported",
                [Problem(self.source, exc.lineno, f"{exc.msg} (column {exc.colno})")],
            ) from None
        except RecursionError:
            raise InputError(f"{self.source}: JSON nested too deeply to be a feed") from None
        version = document.get("version") if isinstance(document, dict) else None
        if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
            raise NotAFeedError(
                f'{self.source}: JSON without a "version" of https://jsonfeed.org/version/1.1 '
                "(or /1), so not a JSON Feed"
            )
        release = version.rsplit("/", 1)[-1]
        self.kind = "JSON Feed " + ("1.0" if release == "1" else release)
        self.home = _str(document.get("home_page_url")) or None
        items = document.get("items")
        if not isinstance(items, list):
            raise InputError(
                f"{self.source}: not a valid JSON Feed",
                [Problem(self.source, None, 'the feed has no "items" list; add "items": []')],
            )
        feed_authors = _json_authors(document)
        posts = []
        for number, item in enumerate(items, 1):
            where = f"item {number}"
            if not isinstance(item, dict):
                self.fail(None, f"{where} is not an object")
                continue
            html = _str(item.get("content_html"))
            if not html and _str(item.get("content_text")):
                html = text_to_html(_str(item.get("content_text")))
            link = _absolute(_str(item.get("url")) or None, self.home or self.base_url)
            raw_id = item.get("id")
            post = self.post(
                line=None,
                where=where,
                entry_id=str(raw_id) if isinstance(raw_id, str | int | float) else None,
                title=_str(item.get("title")) or None,
                link=link,
                published=self.iso_date(
                    _str(item.get("date_published")), None, f"{where}: date_published"
                ),
                updated=self.iso_date(
                    _str(item.get("date_modified")), None, f"{where}: date_modified"
                ),
                author=", ".join(_json_authors(item) or feed_authors),
                tags=[t for t in item.get("tags") or [] if isinstance(t, str)]
                if isinstance(item.get("tags"), list)
                else [],
                html=html or None,
                summary=_str(item.get("summary")) or None,
                comments=None,
                base=link,
            )
            if post is not None:
                posts.append(post)
        return self.finish(posts)


def _str(value: object) -> str:
    return value if isinstance(value, str) else ""


def _json_authors(obj: dict[str, Any]) -> list[str]:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return [
        fold(_str(a.get("name"))) for a in authors if isinstance(a, dict) and _str(a.get("name"))
    ]
