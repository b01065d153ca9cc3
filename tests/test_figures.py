"""Figures of hand-written pages: DOT files under docs/ drawn by the build through real dot, and the
architecture page that uses one."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from generator import site
from generator.errors import GeneratorError
from tests.conftest import ROOT

FIGURE = Path("docs/about/architecture.dot")


def _build(project: Path) -> site.BuildReport:
    return site.build(project / "captures", project / "docs", project / ".cache")


def test_the_architecture_figure_is_drawn_by_dot_and_cached(project: Path) -> None:
    first = _build(project)
    svg = project / "docs" / "guide" / "figures" / "about" / "architecture.svg"
    drawn = subprocess.run(["dot", "-Tsvg"], input=(ROOT / FIGURE).read_bytes(), capture_output=True, check=True)
    assert svg.read_bytes() == drawn.stdout
    assert first.figures is not None and (first.figures.graphs, first.figures.dot_processes) == (1, 1)
    second = _build(project)
    assert second.figures is not None and (second.figures.graphs, second.figures.dot_processes) == (1, 0)
    assert second.written == []


def test_a_figure_dot_rejects_names_its_file_and_line(project: Path) -> None:
    (project / FIGURE).write_text("digraph g {\n  a -> b\n  c -> ;\n}\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as info:
        _build(project)
    assert str(info.value) == (
        "docs/about/architecture.dot:3: dot failed: exit 1: Error: <stdin>: syntax error in line 3 near ';'\n"
        "    |   c -> ;"
    )
    assert not (project / "docs" / "guide").exists()


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ('  a [image="/etc/passwd"];', "image="),
        ('  a [label="x", "URL"="javascript:alert(1)"];', "URL="),
        ("  a [label=<<IMG SRC='/etc/hostname'/>>];", "<IMG>"),
    ],
)
def test_a_figure_cannot_read_files_or_link_out(project: Path, line: str, what: str) -> None:
    (project / FIGURE).write_text(f"digraph g {{\n{line}\n}}\n", encoding="utf-8")
    with pytest.raises(GeneratorError) as info:
        _build(project)
    assert str(info.value) == (
        f"docs/about/architecture.dot:2: a figure cannot use {what} (it makes dot read a file or link out of "
        f"the drawing); expected shapes, labels and styles only\n    | {line}"
    )


def test_the_architecture_page_names_every_module_and_only_real_ones() -> None:
    page = (ROOT / "docs" / "about" / "architecture.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`([^`]+)`", page))
    for path in named:
        if path.startswith("generator/") and "<" not in path and "*" not in path:
            assert (ROOT / path).exists(), f"the page names {path}, which does not exist"
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "generator").rglob("*.py"))
    unnamed = [
        m
        for m in modules
        if m not in named
        and not m.endswith(("/__main__.py", "generator/__init__.py", "schema/__init__.py"))
        and not (m.startswith("generator/parsers/") and Path(m).stem in named)
    ]
    assert unnamed == []
