"""Escaping capture text for Markdown and HTML: capture text is data, never markup.

Markdown punctuation becomes numeric character references rather than backslash
escapes: Python-Markdown honours backslashes only for a fixed set of characters
(which extensions change), while an entity is plain text to every extension and to
the browser. ``<`` and ``&`` are entities too, so no raw HTML can start.
"""

from __future__ import annotations

import html
import re

# HTML's five plus Markdown syntax characters and those extensions add: '|' (tables),
# '~' and '^' (tilde/caret), ':' (emoji), '=' (mark), '$' (arithmatex). One table, one
# pass: escaping in two passes would re-escape the first pass's entities.
_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\"'\\`*_{}[]()#+-.!|~^:=$"})
_BACKTICKS = re.compile(r"`+")


def text(value: str) -> str:
    """Inline text: no emphasis, links, HTML or table breaks can come out of ``value``."""
    return value.translate(_ENTITIES)


def cell(value: str) -> str:
    """A table cell: like :func:`text`, on one line."""
    return text(" ".join(value.split()))


def code(value: str) -> str:
    """An inline code span that holds ``value`` verbatim, whatever backticks it contains.

    Python-Markdown's table extension does not split cells on a ``|`` inside a code span.
    """
    value = " ".join(value.split())
    longest = max((len(m) for m in _BACKTICKS.findall(value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def fence_for(value: str) -> str:
    """A code fence longer than any run of backticks in ``value``."""
    longest = max((len(m) for m in _BACKTICKS.findall(value)), default=0)
    return "`" * max(3, longest + 1)


def attribute(value: str) -> str:
    """An HTML attribute value (quoted by the caller)."""
    return html.escape(value, quote=True)
