"""Figures of the hand-written pages: ``docs/**/*.dot`` drawn by the same ``dot`` path as the diagrams.

A page such as ``docs/about/architecture.md`` keeps its picture as DOT beside it
(``docs/about/architecture.dot``); the build renders it with :func:`diagrams.render`
(real ``dot``, cached by content, deterministic) into the generated section, at
``guide/figures/about/architecture.svg``, so a broken figure stops the build like a
broken capture, naming the DOT file and line.

A figure is drawing, not a way into the machine: attributes that make ``dot`` read
files (images, shape files, font and image paths) or put links into the SVG are
refused.
"""

from __future__ import annotations

import re
from pathlib import Path

from generator import diagrams
from generator.capture import display_path
from generator.errors import GeneratorError, Location, Problem, ProblemCollector
from generator.site.data import Layout

FIGURES = "figures"
# dot reads a file for these, or writes a link into the SVG: a figure needs none of them.
_REFUSED = re.compile(
    r"\b(image|imagepath|shapefile|fontpath|URL|href|headURL|headhref|tailURL|tailhref"
    r"|labelURL|labelhref|edgeURL|edgehref)\"?\s*="
    # An HTML-like label's <IMG SRC=...> reads a file too.
    r"|<\s*(img)\b",
    re.IGNORECASE,
)
# dot's complaint names the line of its standard input: "syntax error in line 3 near 'x'".
_DOT_LINE = re.compile(r"\bline (\d+)\b")


def figure_file(name: str) -> str:
    """Where the figure of ``docs/<name>.dot`` goes inside the guide."""
    return f"{FIGURES}/{name}.svg"


def sources(layout: Layout) -> dict[str, Path]:
    """The hand-written DOT files (name -> path), outside the folders the generator owns or reads as articles."""
    skipped = (layout.guide_dir, layout.posts_dir, layout.articles_dir)
    found: dict[str, Path] = {}
    if not layout.docs.is_dir():
        return found
    for path in sorted(layout.docs.rglob("*.dot")):
        if any(folder == path or folder in path.parents for folder in skipped):
            continue
        found[path.relative_to(layout.docs).with_suffix("").as_posix()] = path
    return found


def render(layout: Layout, out_dir: Path, cache: Path) -> diagrams.RenderStats:
    """Render every figure into ``out_dir/<name>.svg``; a refused attribute or a dot error names the file and line."""
    files = sources(layout)
    texts: dict[str, str] = {}
    problems = ProblemCollector()
    for name, path in files.items():
        display = display_path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            line = path.read_bytes()[: exc.start].count(b"\n") + 1
            problems.add(Problem(location=Location(display, line), message="file is not valid UTF-8 text"))
            continue
        for number, line_text in enumerate(text.splitlines(), 1):
            refused = _REFUSED.search(line_text)
            if refused:
                what = f"{refused.group(1)}=" if refused.group(1) else f"<{refused.group(2)}>"
                problems.add(
                    Problem(
                        location=Location(display, number),
                        message=f"a figure cannot use {what} (it makes dot read a file or "
                        "link out of the drawing); expected shapes, labels and styles only",
                        source=line_text,
                    )
                )
        texts[name] = text
    problems.raise_if_any(GeneratorError)
    try:
        return diagrams.render(texts, out_dir, cache)
    except GeneratorError as exc:
        raise GeneratorError([_located(p, files, texts) for p in exc.problems]) from None


def _located(problem: Problem, files: dict[str, Path], texts: dict[str, str]) -> Problem:
    """A dot failure about a figure, at the figure's file and the line dot names."""
    name = problem.location.file.removeprefix("diagram ")
    if name not in files:
        return problem
    found = _DOT_LINE.search(problem.message)
    lines = texts[name].splitlines()
    line = int(found.group(1)) if found else None
    source = lines[line - 1] if line is not None and 0 < line <= len(lines) else None
    return Problem(
        location=Location(display_path(files[name]), line if source is not None else 1),
        message=problem.message,
        source=source,
    )
