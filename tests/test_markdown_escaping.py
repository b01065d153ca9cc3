"""Escaping by context: what can start markup where the text stands is escaped, nothing else.

Each value goes through the site's real Markdown (the extensions of mkdocs.yml) in every
context the templates put data in; the HTML must hold the value as text, and only the
context's own elements.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

import markdown as python_markdown
import pytest
import yaml

from generator import markdown
from tests.conftest import ROOT

HOSTILE = [
    "- item",
    "+ item",
    "* item",
    "1. item",
    "2) item",
    "# heading",
    "host #",
    "> quote",
    "---",
    "===",
    ": definition",
    "!!! note",
    "??? note",
    '=== "tab"',
    "```fence",
    "~~~fence",
    "    indented code",
    "**bold** and __bold__ and _em_ and *em*",
    "`code` and ``code``",
    "[link](javascript:alert(1)) ![img](x.png) <http://a.b> [ref]: http://x",
    "<script>alert(1)</script> <b onmouseover=x>b</b> &amp; &#45; &lt;",
    "{ .class #id onclick=x } {: .x }",
    "a | b | c",
    "\\*not* \\[x]",
    "==mark== ~~del~~ ^^ins^^ ~sub~ ^sup^ $x$ $$y$$",
    '--8<-- "index.md"',
    "line one\n- line two\n1. line three\n# four",
]
READABLE = {
    "aks-nodepool1-27511634-vmss000000": "aks-nodepool1-27511634-vmss000000",
    "10.244.0.2/24 via 10.240.0.1 (on-link)": "10.244.0.2/24 via 10.240.0.1 (on-link)",
    "fe80::1/64 ee:ee:ee:ee:ee:ee": "fe80::1/64 ee:ee:ee:ee:ee:ee",
    "the pod's eth0 - a veth.": "the pod's eth0 - a veth.",
    "- bridge": "&#45; bridge",
    "1. first": "1&#46; first",
    "a_b*c": "a&#95;b&#42;c",
}


def _site_markdown(source: str) -> str:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    extensions: list[str] = []
    configs: dict[str, dict[str, object]] = {}
    for entry in config["markdown_extensions"]:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        extensions.append(name)
        configs[name] = options or {}
    return str(python_markdown.markdown(source, extensions=extensions, extension_configs=configs))


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(document: str) -> _Html:
    parser = _Html()
    parser.feed(document)
    parser.close()
    return parser


def _squeeze(value: str) -> str:
    return " ".join(value.split())


# Each context: how a template places the escaped value, the elements it makes itself,
# and whether the value keeps its line breaks there.
CONTEXTS: dict[str, tuple[Callable[[str], str], set[str], bool]] = {
    "paragraph": (lambda v: f"{markdown.text(v)}\n", {"p"}, True),
    "line start after text": (lambda v: f"Intro:\n{markdown.text(v)}\n", {"p"}, True),
    "list item": (lambda v: f"- **Line 5:** {markdown.text(v)}\n", {"ul", "li", "strong", "p"}, True),
    # toc adds a permalink (an <a>) to every heading.
    "heading": (lambda v: f"# {markdown.cell(v)}\n", {"h1", "a"}, False),
    "table cell": (
        lambda v: f"| a | b |\n| --- | --- |\n| {markdown.cell(v)} | x |\n",
        {"table", "thead", "tbody", "tr", "th", "td"},
        False,
    ),
    "link text": (lambda v: f"[{markdown.cell(v)}](page.md)\n", {"p", "a"}, False),
    "admonition title": (lambda v: f'!!! note "{markdown.cell(v)}"\n\n    body\n', {"div", "p"}, False),
    "code span": (lambda v: f"{markdown.code(v)}\n", {"p", "code"}, False),
}


@pytest.mark.parametrize("context", sorted(CONTEXTS))
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_stays_text_in_every_context(context: str, value: str) -> None:
    place, allowed, keeps_lines = CONTEXTS[context]
    page = _parse(_site_markdown(place(value)))
    assert set(page.tags) <= allowed, page.tags
    shown = _squeeze("".join(page.text))
    expected = _squeeze(value)
    assert expected in shown or (keeps_lines and all(_squeeze(line) in shown for line in value.splitlines()))


@pytest.mark.parametrize(("value", "escaped"), sorted(READABLE.items()))
def test_readable_text_is_left_alone(value: str, escaped: str) -> None:
    assert markdown.text(value) == escaped
    assert html.unescape(escaped) == value


def test_a_cell_is_one_line_and_keeps_its_pipes_in_the_cell() -> None:
    assert markdown.cell("a |\n b") == "a &#124; b"
    assert re.fullmatch(r"[^\n]*", markdown.cell("x\n- y\n# z")) is not None
