"""Writing the generated part of the site: ``docs/guide/`` and ``docs/blog/posts/``, owned here.

- every capture is analysed first (or found unchanged in the analysis store,
  :mod:`generator.site.store`, which keeps its page); only when every capture loaded,
  every rule passed and every article claim held are files touched, so a failed build
  leaves the last good output in place; capture pages are then copied from the store
  one at a time, never all held in memory;
- a file is written only when its bytes changed (``mkdocs serve`` watches ``docs/``
  and would rebuild forever otherwise), and files no longer generated are removed.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator import diagrams
from generator.diagrams import RenderStats
from generator.site import figures
from generator.site.articles import render_articles
from generator.site.data import Layout, capture_page, diagram_file, load_site
from generator.site.pages import render_pages
from generator.site.store import Store


@dataclass
class BuildReport:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    diagrams: RenderStats | None = None
    figures: RenderStats | None = None
    analysed: int = 0  # captures analysed (the others came unchanged from the analysis store)


def sync(files: Mapping[str, bytes | Path], root: Path, owned: Iterable[str], report: BuildReport) -> None:
    """Make the owned folders under ``root`` hold exactly ``files``; touch only what changed.

    A file given as a path (a stored page, a rendered SVG) is read when its turn comes,
    so the pages of a thousand captures are never all in memory.
    """
    for name, content in sorted(files.items()):
        target = root / name
        data = content.read_bytes() if isinstance(content, Path) else content
        if target.is_file() and target.read_bytes() == data:
            report.unchanged += 1
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        # A short temporary name: the target's own name may already be near the file-name limit.
        tmp = target.with_name(f".fg-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}.tmp")
        tmp.write_bytes(data)
        tmp.replace(target)
        report.written.append(name)
    wanted = {root / name for name in files}
    for folder in owned:
        base = root / folder
        if not base.exists():
            continue
        for path in sorted(base.rglob("*"), reverse=True):
            if path.is_file() and path not in wanted:
                path.unlink()
                report.removed.append(path.relative_to(root).as_posix())
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def build(captures_root: Path, docs: Path, cache: Path, *, out: Path | None = None) -> BuildReport:
    """Analyse, render and write the generated section; nothing is written unless everything succeeds.

    Articles are read from ``docs``; the generated files go to ``out`` (default: ``docs``),
    which lets ``make site`` write into a staging copy while messages name the real files.
    """
    layout = Layout(docs=docs)
    store = Store(cache.parent / "analyses")
    site = load_site(captures_root, store)
    pages, dots = render_pages(site, layout, captures=False)
    pages.update(render_articles(site, layout))
    files: dict[str, bytes | Path] = dict(pages)
    for cid, key in store.keys.items():
        files[f"{layout.guide}/{capture_page(cid)}"] = store.page(key)
        dots[cid] = store.dot(key).read_text(encoding="utf-8")
    report = BuildReport(analysed=store.analysed)
    # Capture ids are safe file names (capture.capture_id): their diagrams are read from the cache.
    svgs, report.diagrams = diagrams.render_cached(dots, cache)
    for name, svg in svgs.items():
        files[f"{layout.guide}/{diagram_file(name)}"] = svg
    with tempfile.TemporaryDirectory() as tmp:
        drawn = Path(tmp) / "figures"
        report.figures = figures.render(layout, drawn, cache)
        for svg in sorted(drawn.rglob("*.svg")):
            files[f"{layout.guide}/{figures.figure_file(svg.relative_to(drawn).with_suffix('').as_posix())}"] = svg
        sync(files, out or docs, (layout.guide, layout.posts), report)
    return report


def main_build(
    captures_root: Path, docs: Path, cache: Path, *, out: Path | None = None, quiet: bool = False
) -> BuildReport:
    report = build(captures_root, docs, cache, out=out)
    if not quiet:
        dot = "".join(
            f"; {what}: {stats.rendered} rendered, {stats.graphs - stats.rendered} cached"
            for what, stats in (("diagrams", report.diagrams), ("figures", report.figures))
            if stats and stats.graphs
        )
        print(
            f"site: {len(report.written)} written, {report.unchanged} unchanged, {len(report.removed)} removed; "
            f"captures: {report.analysed} analysed{dot}",
            file=sys.stderr,
        )
    return report
