"""Escaping capture text for Markdown and HTML: capture text is data, never markup.

Markdown punctuation that can start markup where it stands becomes numeric character references rather than backslash
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

# What starts markup anywhere in a line, in this site's Markdown: HTML and entities (< &;
# '>' only quotes at the start of a line),
# code spans, emphasis, links and images ([ ] suffice: "(" and "!" mean nothing without
# them), attribute lists ({ }), table cells (|), backslash escapes, and the extensions
# that take single characters inline: '~' and '^' (tilde/caret), '$' (arithmatex), '"'
# (admonition and tab titles are quoted). A run of '=' (mark) is broken below. ':' stays:
# the site has no emoji extension, and every MAC and IPv6 address has ':name:' shapes in
# it (adding pymdownx.emoji means escaping ':' here). One table, one pass: a second pass would re-escape the first's entities.
_INLINE = str.maketrans({c: f"&#{ord(c)};" for c in '&<"\\`*_{}[]|~^$'})
# What starts a block at the start of a line (after up to three spaces): headings (#),
# lists and rules (- + * and "1." "1)"), quotes (>), setext underlines (= -), definitions
# (:), admonitions and details (! ?), tabs (=), fences (` ~); a fourth blank (or a tab)
# starts an indented code block.
_LINE_START = re.compile(r"(^|\n)([ \t]{0,3})([ \t]|[-+*#>=:!?~`]|[0-9]+[.)](?=\s|$))")
# "==mark==" needs two: the second '=' of a pair becomes an entity.
_PAIRS = re.compile(r"(?<==)=")
_TRAILING_HASH = re.compile(r"#(?=[ \t]*(?:\n|$))")
_BACKTICKS = re.compile(r"`+")


def _entity(char: str) -> str:
    return "".join(f"&#{ord(c)};" for c in char)


def _line_start(match: re.Match[str]) -> str:
    lead, marker = match.group(1) + match.group(2), match.group(3)
    if marker[0].isdigit():
        return lead + marker[:-1] + _entity(marker[-1])
    return lead + _entity(marker)


def text(value: str) -> str:
    """Inline text: no emphasis, links, HTML, table breaks or block markup can come out of ``value``.

    Only what can start markup in its place is escaped: "aks-nodepool1-1.2 (host)" stays
    as it is; "-" and "1." are escaped at the start of a line, where they start a list.
    """
    escaped = value.translate(_INLINE)
    escaped = _PAIRS.sub("&#61;", escaped)
    # A heading drops the '#'s that end its line: "# host #" would lose its last word's '#'.
    escaped = _TRAILING_HASH.sub("&#35;", escaped)
    return _LINE_START.sub(_line_start, escaped)


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
