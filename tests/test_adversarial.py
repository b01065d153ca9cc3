"""Hostile input through the whole pipeline: check, the generator, real ``dot``, real ``mkdocs build --strict``.

One hostile project (``tests/adversarial/``: a capture whose names, metadata, notes and
raw output are markup, snippet lines and script links; a comparison with such a title;
an article that passes all of it through every helper) is built once, and every HTML
and SVG file is inspected without a browser: no element, attribute or link comes from
data, and the hostile text is there as text. Builds that must fail are checked for the
exact located message and for leaving the last good output alone. ``tests/e2e`` keeps
what only a browser shows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import ROOT, WAIVED_FINDINGS, repository_captures, run_cli
from tests.test_publish import _env, make_project, publish, snapshot

INPUTS = ROOT / "tests" / "adversarial"
HOSTILE_ID = "kubenet-calico/hostile"
# Attributes that may carry data as (escaped) text; anything else holding a payload is a defect.
TEXT_ATTRIBUTES = frozenset({"title", "alt", "content", "aria-label", "value"})
# Ids and fragments derived from data (heading anchors, diagram node ids) are slugs: inert.
SLUG = re.compile(r"^#?[a-z0-9_-]+$")
PAYLOADS = (
    "<script>window.__pwned='title'</script>",
    "<script>window.__pwned='output'</script>",
    "<script>window.__pwned='note'</script>",
    '--8<-- "index.md"',
    '<img src=x onerror="window.__pwned=1">',
)


class _Page(HTMLParser):
    """Collects what could run or navigate (tags, attributes, script bodies) apart from text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.defects: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_script = tag == "script"
        if "pwned" in tag:
            self.defects.append(f"element <{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.defects.append(f"<{tag} {name}=...>")
            if "pwned" in name:
                self.defects.append(f"<{tag}> attribute named {name!r}")
            squeezed = "".join((value or "").split()).lower()
            if squeezed.startswith(("javascript:", "vbscript:", "data:text")):
                self.defects.append(f"<{tag} {name}={value!r}>")
            if value and "pwned" in value and name not in TEXT_ATTRIBUTES and not SLUG.match(value):
                self.defects.append(f"<{tag} {name}={value!r}> carries data")
        if tag == "a" and any(name in ("href", "xlink:href") for name, _ in attrs) and self._svg:
            self.defects.append("a link inside an SVG")

    handle_startendtag = handle_starttag
    _svg = False

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and "pwned" in data:
            self.defects.append(f"script body {data.strip()[:60]!r}")
        elif not self._in_script:
            self.text.append(data)


def inspect(path: Path) -> _Page:
    page = _Page()
    page._svg = path.suffix == ".svg"
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _hostile_project(where: Path) -> Path:
    project = make_project(where)
    shutil.copy(INPUTS / "hostile.yaml", project / "captures" / "kubenet-calico" / "hostile.yaml")
    comparisons = project / "captures" / "comparisons.yaml"
    extra = "".join(line for line in (INPUTS / "comparisons.yaml").open() if not line.startswith("#"))
    comparisons.write_text(comparisons.read_text(encoding="utf-8") + extra, encoding="utf-8")
    shutil.copy(INPUTS / "part-9-hostile.md", project / "docs" / "articles" / "part-9-hostile.md")
    return project


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    project = _hostile_project(tmp_path_factory.mktemp("adversarial") / "project")
    return project, publish(project)


def test_check_accepts_the_hostile_capture(
    hostile: tuple[Path, subprocess.CompletedProcess[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    project, _ = hostile
    monkeypatch.chdir(project)
    code, out, err = run_cli("check", "captures")
    assert (code, out) == (0, ""), out
    # The repository's captures and the hostile one, which needs no waiver.
    assert (
        err
        == f"{repository_captures() + 1} captures checked: all clean, {WAIVED_FINDINGS} waived (--verbose shows them)\n"
    )
    assert "hostile" not in out


def test_whatever_check_accepts_builds(hostile: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    _, result = hostile
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "WARNING" not in result.stderr


def test_no_page_or_diagram_holds_code_links_or_handlers_from_data(
    hostile: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    project, _ = hostile
    files = sorted(p for p in (project / "site").rglob("*") if p.suffix in (".html", ".svg"))
    assert len(files) > 20
    defects = {p.relative_to(project).as_posix(): inspect(p).defects for p in files}
    assert {k: v for k, v in defects.items() if v} == {}


def test_hostile_text_is_shown_as_text(hostile: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Markdown escaping, checked on the built HTML: every payload is there, as text."""
    project, _ = hostile
    page = "".join(inspect(project / "site" / "guide" / "captures" / "kubenet-calico" / "hostile" / "index.html").text)
    for payload in PAYLOADS:
        assert payload in page, payload
    assert "{{ 7*7 }} {% include 'mkdocs.yml' %}" in page
    post = "".join(inspect(project / "site" / "blog" / "part-9-hostile" / "index.html").text)
    assert "<script>window.__pwned='output'</script>" in post
    assert '--8<-- "index.md"' in post


def test_no_snippet_is_expanded_anywhere(hostile: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    project, _ = hostile
    home_sentence = "What does an AKS node look like on the network?"
    marker = "fieldguide: matrix"
    for path in sorted((project / "site").rglob("*.html")):
        html = path.read_text(encoding="utf-8")
        if path == project / "site" / "index.html":
            assert html.count(home_sentence) == 1 and marker not in html
        else:
            assert home_sentence not in html, path
    # The marker inside capture output stays text; only the home page's own marker line is replaced.
    capture_page = project / "site" / "guide" / "captures" / "kubenet-calico" / "hostile" / "index.html"
    assert "<!-- fieldguide: matrix -->" in "".join(inspect(capture_page).text)


def test_svg_labels_are_text(hostile: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    project, _ = hostile
    svg = project / "site" / "guide" / "diagrams" / "kubenet-calico" / "hostile.svg"
    page = inspect(svg)
    assert page.defects == []
    assert 'cali"><img/src=x/onerror=window.__pwned=1>' in "".join(page.text)
    assert "<a " not in svg.read_text(encoding="utf-8")


def test_a_name_no_diagram_can_show_fails_check_at_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (INPUTS / "hostile.yaml").read_text(encoding="utf-8")
    long_name = "cali" + "x" * 300
    folder = tmp_path / "captures" / "kubenet-calico"
    folder.mkdir(parents=True)
    (folder / "long.yaml").write_text(text.replace('cali"><img/src=x/onerror=window.__pwned=1>', long_name))
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", "--root", "captures", "captures")
    assert code == 1 and err == "1 capture checked: 1 with problems\n"
    line = next(i for i, t in enumerate((folder / "long.yaml").read_text().splitlines(), 1) if long_name in t)
    assert (
        f"  captures/kubenet-calico/long.yaml:{line}: error: interface name cali{'x' * 53}... is 304 characters "
        "long; a diagram shows at most 253\n"
    ) in out


def test_hostile_article_code_fails_located_and_changes_nothing(
    hostile: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    source, _ = hostile
    project = tmp_path / "project"
    shutil.copytree(source, project, symlinks=True)
    before = snapshot(project)
    article = project / "docs" / "articles" / "part-9-hostile.md"
    payload = "{{ cycler.__init__.__globals__.os.system('touch pwned-by-article') }}"
    article.write_text(article.read_text(encoding="utf-8") + payload + "\n")
    line = len(article.read_text(encoding="utf-8").splitlines())
    result = subprocess.run(
        [sys.executable, "-m", "generator.publish"], cwd=project, env=_env(), capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr == (
        f"docs/articles/part-9-hostile.md:{line}: not allowed in an article: access to attribute '__init__' of "
        f"'StrictUndefined' object is unsafe.\n    | {payload}\nmake site: nothing was changed\n"
    )
    assert not (project / "pwned-by-article").exists()
    assert snapshot(project) == before
