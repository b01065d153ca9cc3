"""The analysis store: an unchanged capture is not analysed again, and the output is the same either way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import site, workers
from generator.errors import GeneratorError
from generator.site import store
from tests.conftest import repository_captures

EDITED = "kubenet-none/aks-nodepool1-27511634-vmss000000"


def build(project: Path, docs: str = "docs") -> site.BuildReport:
    return site.build(project / "captures", project / docs, project / ".cache" / "diagrams")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_warm_build_analyses_nothing_and_draws_nothing(project: Path) -> None:
    first = build(project)
    assert first.analysed == repository_captures()
    before = tree(project / "docs")
    second = build(project)
    assert second.analysed == 0
    assert second.diagrams is not None and second.diagrams.rendered == 0
    assert (second.written, second.removed) == ([], [])
    assert tree(project / "docs") == before


def test_one_edited_capture_is_analysed_alone_and_its_page_rewritten(project: Path) -> None:
    build(project)
    capture = project / "captures" / f"{EDITED}.yaml"
    text = capture.read_text(encoding="utf-8")
    capture.write_text(text.replace("\ntitle: ", "\ntitle: Edited - ", 1), encoding="utf-8")
    again = build(project)
    assert again.analysed == 1
    assert again.diagrams is not None and again.diagrams.rendered == 0
    assert f"guide/captures/{EDITED}.md" in again.written
    assert 'title: "Edited - ' in (project / "docs" / "guide" / "captures" / f"{EDITED}.md").read_text(encoding="utf-8")


def test_a_change_of_the_generator_code_analyses_everything_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(project)
    monkeypatch.setattr(store, "code_fingerprint", lambda: "another version of the generator")
    assert build(project).analysed == repository_captures()


def test_a_damaged_store_entry_is_analysed_again(project: Path) -> None:
    build(project)
    entries = sorted((project / ".cache" / "analyses").glob("*.json"))
    assert len(entries) == repository_captures()
    entries[0].write_text("{", encoding="utf-8")
    pages = sorted((project / ".cache" / "analyses").glob("*.md"))
    pages[1].unlink()
    before = tree(project / "docs")
    assert build(project).analysed == 2
    assert tree(project / "docs") == before


def test_a_capture_with_problems_is_never_stored(project: Path) -> None:
    capture = project / "captures" / f"{EDITED}.yaml"
    capture.write_text(capture.read_text(encoding="utf-8").replace("schema: 2", "schema: 7", 1), encoding="utf-8")
    with pytest.raises(GeneratorError) as caught:
        build(project)
    assert f"captures/{EDITED}.yaml:2" in str(caught.value)
    assert len(list((project / ".cache" / "analyses").glob("*.json"))) == repository_captures() - 1


def test_workers_make_the_same_site_as_one_process(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(project / "docs", project / "docs-parallel")
    serial = build(project)
    shutil.rmtree(project / ".cache")
    monkeypatch.setattr(workers, "PER_WORKER", 1)
    parallel = build(project, "docs-parallel")
    assert serial.analysed == parallel.analysed == repository_captures()
    assert tree(project / "docs") == tree(project / "docs-parallel")
