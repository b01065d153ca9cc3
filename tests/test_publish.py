"""make site: staged, swapped in only on success, interruptible at any moment, reproducible.

These run the real thing (the publisher, ``mkdocs build --strict``, ``dot``, and GNU make
for the signal tests) on copies of the project in temporary folders.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import site
from tests.conftest import ROOT

OUTPUTS = ("site", "docs/guide", "docs/blog/posts")


def make_project(where: Path) -> Path:
    """Captures, hand-written docs, mkdocs.yml and the Makefile, with the real generator and venv."""
    where.mkdir(parents=True, exist_ok=True)
    for name in ("captures", "docs"):
        shutil.copytree(ROOT / name, where / name, ignore=shutil.ignore_patterns("guide", "posts"))
    for name in ("mkdocs.yml", "Makefile", "requirements.txt"):
        shutil.copy(ROOT / name, where / name)
    (where / "generator").symlink_to(ROOT / "generator")
    (where / ".venv").symlink_to(ROOT / ".venv")
    return where


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SOURCE_DATE_EPOCH": "1700000000", "NO_MKDOCS_2_WARNING": "1"}


def publish(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "generator.publish"],
        cwd=project,
        env=_env(),
        capture_output=True,
        text=True,
        check=False,
    )


def snapshot(project: Path) -> dict[str, str]:
    """Every output file (and every leftover) by path, with its hash."""
    files = {}
    for name in (*OUTPUTS, "site.new", "build/stage"):
        base = project / name
        if base.exists():
            for path in sorted(base.rglob("*")):
                if path.is_file():
                    files[path.relative_to(project).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One good build; tests copy it rather than build again."""
    project = make_project(tmp_path_factory.mktemp("built") / "project")
    result = publish(project)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def project(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def test_a_good_build_swaps_everything_in_and_leaves_no_staging(built: Path) -> None:
    files = snapshot(built)
    assert "site/index.html" in files and "docs/guide/index.md" in files
    assert "docs/blog/posts/part-1-kubenet.md" in files
    assert not any(f.startswith(("site.new/", "build/stage/")) for f in files)
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert "fieldguide: matrix" not in home and "guide/captures/kubenet-none/" in home


def test_mkdocs_failure_changes_nothing_and_names_the_source_article(project: Path) -> None:
    before = snapshot(project)
    article = project / "docs" / "articles" / "part-1-kubenet.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nSee [the missing page](nowhere.md).\n")
    result = publish(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "blog/posts/part-1-kubenet.md (from docs/articles/part-1-kubenet.md)" in result.stderr
    assert "nowhere.md" in result.stderr
    assert result.stderr.endswith("make site: mkdocs failed (exit 1); the last good site and guide are unchanged\n")
    assert snapshot(project) == before


def test_generator_failure_changes_nothing_and_clears_a_stale_site_new(project: Path) -> None:
    before = snapshot(project)
    (project / "site.new").mkdir()
    (project / "site.new" / "junk.html").write_text("half of an interrupted build")
    (project / "docs" / "articles" / "part-9.md").write_text("# No front matter\n")
    result = publish(project)
    assert result.returncode == 1
    assert result.stderr == (
        "docs/articles/part-9.md:1: an article starts with front matter: a '---' line, 'date: 2026-11-26', "
        "then '---'\n    | # No front matter\nmake site: nothing was changed\n"
    )
    assert snapshot(project) == before


def _mkdocs_processes(project: Path) -> list[str]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if "mkdocs" in cmdline and str(project) in cmdline:
            found.append(cmdline)
    return found


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
@pytest.mark.parametrize("moment", ["generating", "mkdocs writing site.new"])
def test_sigint_to_make_alone_keeps_the_last_good_output(project: Path, moment: str) -> None:
    """Like `kill -INT <make's pid>`: make forwards nothing, yet the build stops and cleans up."""
    before = snapshot(project)
    # Touch a capture so the generator has real work to do (and the site would change).
    capture = project / "captures" / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml"
    capture.write_text(capture.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1))
    make = subprocess.Popen(
        ["make", "--no-print-directory", "-o", ".venv/.requirements.stamp", "-o", "graphviz", "site"],
        cwd=project,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    marker = project / ("build/stage" if moment == "generating" else "site.new")
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert make.poll() is None, make.communicate()[0]
        assert time.monotonic() < deadline
        time.sleep(0.01)
    make.send_signal(signal.SIGINT)
    output, _ = make.communicate(timeout=60)
    assert make.returncode != 0
    assert "make site: interrupted; the last good site and guide are unchanged" in output, output
    assert "Traceback" not in output
    assert snapshot(project) == before
    assert _mkdocs_processes(project) == []


def test_five_cold_builds_are_byte_identical(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cold: an empty diagram cache each time. Five generator builds (pages and SVGs, the part
    that varied with batched dot), then a whole second make-site build against the first."""
    monkeypatch.chdir(tmp_path)
    generated = []
    for i in range(5):
        docs = tmp_path / f"docs{i}"
        shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("guide", "posts"))
        report = site.build(ROOT / "captures", docs, tmp_path / f"cache{i}")
        assert report.diagrams is not None and report.diagrams.rendered == report.diagrams.graphs
        generated.append(
            {p.relative_to(docs).as_posix(): p.read_bytes() for p in sorted(docs.rglob("*")) if p.is_file()}
        )
    assert len(generated[0]) > 15
    for other in generated[1:]:
        assert other.keys() == generated[0].keys()
        assert [k for k in other if other[k] != generated[0][k]] == []
    second = make_project(tmp_path / "second")
    result = publish(second)
    assert result.returncode == 0, result.stderr
    first_files, second_files = snapshot(built), snapshot(second)
    assert first_files.keys() == second_files.keys()
    assert [k for k in first_files if first_files[k] != second_files[k]] == []


def test_a_symlink_in_docs_is_refused(project: Path) -> None:
    """MkDocs would publish what it points to; in a pull request it looks like a page."""
    before = snapshot(project)
    (project / "docs" / "config.md").symlink_to(project / "mkdocs.yml")
    result = publish(project)
    assert result.returncode == 1
    assert result.stderr == "docs/config.md:1: a symlink; docs/ holds files only\nmake site: nothing was changed\n"
    assert snapshot(project) == before
