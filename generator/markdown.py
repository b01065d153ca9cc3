"""Escaping capture text for Markdown and HTML: capture text is data, never markup.

Markdown punctuation becomes numeric character references rather than backslash
escapes: Python-Markdown honours backslashes only for a fixed set of characters
(which extensions change), while an entity is plain text to every extension and to
the browser. ``<`` and ``&`` are entities too, so no raw HTML can start.

The generated pages and tables come from the Jinja templates in ``generator/templates``,
rendered with :func:`render`: every ``{{ }}`` there is escaped this way unless a helper
returns :class:`markupsafe.Markup` on purpose, so capture text is always data.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

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


# Elements that run code, load a document or send a form: never allowed from data or articles.
_ACTIVE_TAGS = frozenset(
    {"script", "iframe", "frame", "object", "embed", "applet", "base", "form", "meta", "link", "style", "svg", "math"}
)
_URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "srcset", "data", "poster", "background"}
)
_SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")


class _Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _ACTIVE_TAGS:
            self.found.append(f"a <{tag}> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"an {name}= attribute on <{tag}>")
            elif name in _URL_ATTRIBUTES and value is not None:
                # Browsers drop blanks and control characters inside a scheme ("java\tscript:").
                squeezed = "".join(ch for ch in value if ch.isprintable() and not ch.isspace())
                scheme = _SCHEME.match(squeezed)
                if scheme and scheme.group(1).lower() not in _SAFE_SCHEMES:
                    self.found.append(f"a {scheme.group(1).lower()}: link in {name}= on <{tag}>")

    handle_startendtag = handle_starttag


def unsafe_html(document: str) -> list[str]:
    """What in ``document`` could run code or leave the site: active elements, event handlers, script links.

    Text is never flagged: a capture output that *prints* ``javascript:`` is data.
    """
    inspector = _Inspector()
    inspector.feed(document)
    inspector.close()
    return inspector.found


# --- templates ----------------------------------------------------------------------------------

TEMPLATES = Path(__file__).parent / "templates"


def _finalize(value: Any) -> Any:
    """Every {{ expression }} is Markdown-escaped text unless it is Markup."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return text(str(value))


# The options every environment here uses (the site's templates and the article sandbox).
ENVIRONMENT_OPTIONS: dict[str, Any] = {
    "undefined": jinja2.StrictUndefined,
    "finalize": _finalize,
    "autoescape": False,
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
}
# The escaping filters: what articles may use too.
ESCAPING_FILTERS: dict[str, Callable[[Any], Markup]] = {
    "cell": lambda v: Markup(cell(str(v))),
    "code": lambda v: Markup(code(str(v))),
    "text": lambda v: Markup(text(str(v))),
}
_SAFE_URL = re.compile(r"^[A-Za-z0-9._/#-]+$")


def url(value: str) -> Markup:
    """A relative link built from capture ids, which are restricted to [a-z0-9._-]; anything else is a bug."""
    if not _SAFE_URL.match(value) or "//" in value:
        raise ValueError(f"refusing to emit the link {value!r}")
    return Markup(value)


@functools.cache
def templates() -> jinja2.Environment:
    """The environment of ``generator/templates`` (templates are reloaded when they change)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), **ENVIRONMENT_OPTIONS)
    env.filters.update(ESCAPING_FILTERS)
    env.filters["attr"] = lambda v: Markup(attribute(str(v)))
    env.filters["url"] = url
    # Text written in this repository's code (rule explanations), never capture data.
    env.filters["trusted"] = lambda v: Markup(str(v))
    return env


def render(template: str, **context: Any) -> str:
    """Render one of ``generator/templates`` (a page, or a table partial such as ``_changes.md.j2``)."""
    return str(templates().get_template(template).render(**context))
