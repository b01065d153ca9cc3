"""The blog's Atom feed, written from the posts' own front matter: no clock, no network.

A post's date is the ``date`` of its front matter; the feed's ``updated`` is the newest
post's. The same posts give the same bytes.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import yaml

# "part-2-azure-cni.md" is part 2 of the series; an article without the prefix stands alone.
_PART = re.compile(r"^part-([0-9]{1,3})-")
_H1 = re.compile(r"^# +(.+?)(?:\s+#+)?\s*$")
# Markdown inline syntax dropped from a title shown as plain text (the feed, the <title>).
_INLINE = re.compile(r"[`*_]|\{[^}]*\}")


@dataclass(frozen=True)
class Post:
    """What the series and the feed need to know about one post."""

    name: str  # the file name, under blog/posts/ (a link between posts uses it)
    slug: str  # the post's URL: blog/<slug>/
    title: str  # the H1's Markdown source, or the front matter's title
    date: datetime.date
    part: int | None
    description: str = ""

    @property
    def plain_title(self) -> str:
        return " ".join(_INLINE.sub("", self.title).split())


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter (``{}`` without one) and the body after it."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            meta = yaml.safe_load(text[4:end])
            return (meta if isinstance(meta, dict) else {}), text[end + 5 :]
    return {}, text


def read_post(name: str, text: str) -> Post:
    """A checked post's title, slug and date: the H1 is its title unless front matter names one."""
    meta, body = front_matter(text)
    heading = next((m.group(1) for line in body.splitlines() if (m := _H1.match(line))), None)
    date = meta.get("date")
    if isinstance(date, dict):
        date = date.get("created")
    if not isinstance(date, datetime.date):
        raise ValueError(f"blog/posts/{name}: front matter has no date")
    part = _PART.match(name)
    return Post(
        name=name,
        slug=str(meta.get("slug") or name.removesuffix(".md")),
        title=str(meta.get("title") or heading or name.removesuffix(".md")),
        date=date,
        part=int(part.group(1)) if part else None,
        description=str(meta.get("description") or ""),
    )


def _stamp(date: datetime.date) -> str:
    if isinstance(date, datetime.datetime):
        moment = date if date.tzinfo else date.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{date.isoformat()}T00:00:00Z"


def atom(posts: list[Post], *, site_url: str, site_name: str, blog: str = "blog/") -> bytes:
    """An Atom 1.0 document listing ``posts``, newest first (ties by file name)."""
    ordered = sorted(posts, key=lambda p: (_stamp(p.date), p.name), reverse=True)
    home = f"{site_url}{blog}"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        f"  <title>{escape(site_name)}</title>",
        f"  <id>{escape(home)}</id>",
        f'  <link rel="alternate" type="text/html" href={quoteattr(home)}/>',
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(home + "feed.xml")}/>',
        f"  <updated>{_stamp(ordered[0].date) if ordered else '1970-01-01T00:00:00Z'}</updated>",
        f"  <author><name>{escape(site_name)}</name></author>",
    ]
    for post in ordered:
        url = f"{home}{post.slug}/"
        lines += [
            "  <entry>",
            f"    <title>{escape(post.plain_title)}</title>",
            f"    <id>{escape(url)}</id>",
            f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
            f"    <updated>{_stamp(post.date)}</updated>",
            f"    <published>{_stamp(post.date)}</published>",
        ]
        if post.description:
            lines.append(f"    <summary>{escape(post.description)}</summary>")
        lines.append("  </entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")
