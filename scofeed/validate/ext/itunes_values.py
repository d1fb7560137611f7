"""Apple Podcasts' category list, as Apple's podcast RSS requirements give it (the 2019 list),
and the list before it, which feeds still carry and Apple maps onto the new one."""

from __future__ import annotations

import re


def _tree(text: str) -> dict[str, frozenset[str]]:
    """ "Top: Sub, Sub; Top" -> {top: {subs}}."""
    tree = {}
    for part in text.split(";"):
        top, _, subs = part.partition(":")
        tree[top.strip()] = frozenset(s.strip() for s in subs.split(",") if s.strip())
    return tree


CATEGORIES = _tree(
    """Arts: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts;
    Business: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit;
    Comedy: Comedy Interviews, Improv, Stand-Up;
    Education: Courses, How To, Language Learning, Self-Improvement;
    Fiction: Comedy Fiction, Drama, Science Fiction;
    Government; History;
    Health & Fitness: Alternative Health, Fitness, Medicine, Mental Health, Nutrition, Sexuality;
    Kids & Family: Education for Kids, Parenting, Pets & Animals, Stories for Kids;
    Leisure: Animation & Manga, Automotive, Aviation, Crafts, Games, Hobbies, Home & Garden,
      Video Games;
    Music: Music Commentary, Music History, Music Interviews;
    News: Business News, Daily News, Entertainment News, News Commentary, Politics, Sports News,
      Tech News;
    Religion & Spirituality: Buddhism, Christianity, Hinduism, Islam, Judaism, Religion,
      Spirituality;
    Science: Astronomy, Chemistry, Earth Sciences, Life Sciences, Mathematics, Natural Sciences,
      Nature, Physics, Social Sciences;
    Society & Culture: Documentary, Personal Journals, Philosophy, Places & Travel, Relationships;
    Sports: Baseball, Basketball, Cricket, Fantasy Sports, Football, Golf, Hockey, Rugby, Running,
      Soccer, Swimming, Tennis, Volleyball, Wilderness, Wrestling;
    Technology; True Crime;
    TV & Film: After Shows, Film History, Film Interviews, Film Reviews, TV Reviews"""
)

OLD_CATEGORIES = _tree(
    """Arts: Design, Fashion & Beauty, Food, Literature, Performing Arts, Visual Arts;
    Business: Business News, Careers, Investing, Management & Marketing, Shopping;
    Comedy;
    Education: Education Technology, Higher Education, K-12, Language Courses, Training;
    Games & Hobbies: Automotive, Aviation, Hobbies, Other Games, Video Games;
    Government & Organizations: Local, National, Non-Profit, Regional;
    Health: Alternative Health, Fitness & Nutrition, Self-Help, Sexuality;
    Kids & Family; Music; News & Politics;
    Religion & Spirituality: Buddhism, Christianity, Hinduism, Islam, Judaism, Other,
      Spirituality;
    Science & Medicine: Medicine, Natural Sciences, Social Sciences;
    Society & Culture: History, Personal Journals, Philosophy, Places & Travel;
    Sports & Recreation: Amateur, College & High School, Outdoor, Professional;
    Technology: Gadgets, Podcasting, Software How-To, Tech News;
    TV & Film"""
)

# itunes:duration: seconds, or MM:SS / H:MM:SS with minutes and seconds below 60.
DURATION = re.compile(r"(?:[0-9]+(?:\.[0-9]+)?|(?:[0-9]+:)?[0-9]{1,2}:[0-5][0-9](?:\.[0-9]+)?)\Z")
_MINUTES = re.compile(r"(?:[0-9]+:)?([0-9]{1,2}):")


def is_duration(value: str) -> bool:
    if not DURATION.match(value):
        return False
    minutes = _MINUTES.match(value) if value.count(":") == 2 else None
    return minutes is None or int(minutes.group(1)) < 60


# The enclosure formats Apple Podcasts plays (its podcast RSS requirements: audio M4A, MP3;
# video MOV, MP4, M4V; documents PDF, EPUB).
FORMATS = {"m4a", "mp3", "mov", "mp4", "m4v", "pdf", "epub", "aac", "m4b"}
MEDIA_TYPES = {
    "audio/mpeg", "audio/mp3", "audio/x-m4a", "audio/mp4", "audio/aac", "audio/m4a",
    "audio/x-mp3", "audio/x-mpeg", "x-audio/mp3", "video/quicktime", "video/mp4",
    "video/x-m4v", "application/pdf", "document/x-epub", "application/epub+zip", "audio/x-m4b",
}  # fmt: skip
