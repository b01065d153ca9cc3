"""The generated section and the article bindings: located failures, no lost output, no loops."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import linkcheck, site
from generator.errors import GeneratorError
from generator.site import articles
from tests.conftest import ROOT, repository_captures


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A copy of the project's content (captures, docs, mkdocs.yml) with the real generator."""
    for name in ("captures", "docs"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("guide", "posts"))
    shutil.copy(ROOT / "mkdocs.yml", tmp_path / "mkdocs.yml")
    (tmp_path / "generator").symlink_to(ROOT / "generator")
    return tmp_path


def build(project: Path) -> site.BuildReport:
    return site.build(project / "captures", project / "docs", project / ".cache")


def mkdocs(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_second_build_writes_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    first = build(project)
    assert (
        first.written
        and first.diagrams is not None
        and first.diagrams.dot_processes == first.diagrams.graphs == repository_captures()
    )
    second = build(project)
    assert (second.written, second.removed) == ([], [])
    assert second.unchanged == len(first.written)
    assert second.diagrams is not None and second.diagrams.dot_processes == 0


def test_stale_generated_files_are_removed(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    build(project)
    stale = project / "docs" / "guide" / "captures" / "old" / "gone.md"
    stale.parent.mkdir(parents=True)
    stale.write_text("old")
    report = build(project)
    assert report.removed == ["guide/captures/old/gone.md"]
    assert not stale.parent.exists()


def test_article_claim_contradicted_by_data_fails_naming_article_and_line(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    build(project)
    before = {p: p.read_bytes() for p in (project / "docs" / "guide").rglob("*") if p.is_file()}
    capture = project / "captures" / "kubenet-calico" / "node-10.240.0.4.yaml"
    text = capture.read_text(encoding="utf-8")
    # Give the pod a /24: its data now contradicts part 3's "/32" claim.
    capture.write_text(text.replace("inet 10.244.0.10/32 scope global eth0", "inet 10.244.0.10/24 scope global eth0"))
    with pytest.raises(GeneratorError) as info:
        build(project)
    article = project / "docs" / "articles" / "part-3-network-policy.md"
    line = next(i for i, t in enumerate(article.read_text().splitlines(), 1) if 'claim(kc, "pod_mask", "/32")' in t)
    assert str(info.value) == (
        f"docs/articles/part-3-network-policy.md:{line}: the article says pod_mask of kubenet-calico/node-10.240.0.4 "
        "is '/32', but the capture shows '/24'\n"
        f'    | The pod\'s address is now a **{{{{ claim(kc, "pod_mask", "/32") }}}}**: the pod no longer'
    )
    after = {p: p.read_bytes() for p in (project / "docs" / "guide").rglob("*") if p.is_file()}
    assert after == before, "a failed build leaves the last good output in place"


def test_pasted_output_in_an_article_is_refused(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    article = project / "docs" / "articles" / "part-1-kubenet.md"
    text = article.read_text()
    article.write_text(text + "\n```\nKernel IP routing table\n```\n")
    with pytest.raises(site.ArticleError) as info:
        build(project)
    line = len(text.splitlines()) + 2  # after a blank line
    assert str(info.value) == (
        f"docs/articles/part-1-kubenet.md:{line}: a code block typed into the article; "
        "outputs come from captures: use output(...)\n    | ```"
    )


def test_unknown_capture_in_an_article(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    article = project / "docs" / "articles" / "part-1-kubenet.md"
    article.write_text(article.read_text() + '\n{{ diagram("kubenet-none/nope") }}\n')
    with pytest.raises(site.ArticleError) as info:
        build(project)
    assert str(info.value).startswith("docs/articles/part-1-kubenet.md:")
    assert (
        "no capture 'kubenet-none/nope' (known: azure-azure/aks-nodepool1-29364957-vmss000000, azure-calico/node-10.220.2.4,"
        in str(info.value)
    )


def test_no_pasted_output_anywhere_in_docs() -> None:
    """Hand-written pages hold no code blocks at all: every output on the site comes from a capture."""
    for page in sorted((ROOT / "docs").rglob("*.md")):
        relative = page.relative_to(ROOT / "docs").as_posix()
        if relative.startswith(("guide/", "blog/posts/")):
            continue
        text = page.read_text(encoding="utf-8")
        typed = articles._HELPER_CALLS.sub("", text)
        assert "```" not in typed and "~~~" not in typed, f"{relative} has a typed code block"
        assert not any(line.startswith("    ") and "link/ether" in line for line in typed.splitlines()), relative


def test_mkdocs_build_is_strict_clean_and_reproducible(project: Path) -> None:
    first = mkdocs(project, "--site-dir", "site-a")
    assert first.returncode == 0, first.stderr
    assert "WARNING" not in first.stderr
    second = mkdocs(project, "--site-dir", "site-b")
    assert second.returncode == 0, second.stderr
    a = {p.relative_to(project / "site-a"): p.read_bytes() for p in (project / "site-a").rglob("*") if p.is_file()}
    b = {p.relative_to(project / "site-b"): p.read_bytes() for p in (project / "site-b").rglob("*") if p.is_file()}
    assert a.keys() == b.keys() and all(a[k] == b[k] for k in a), [str(k) for k in a if a[k] != b.get(k)]
    broken, _ = linkcheck.check(project / "site-a")
    assert broken == []


def test_bad_capture_stops_mkdocs_with_the_located_message_and_keeps_the_site(project: Path) -> None:
    assert mkdocs(project).returncode == 0
    index = (project / "site" / "index.html").read_bytes()
    capture = project / "captures" / "azure-none" / "aks-nodepool1-44430483-vmss000000.yaml"
    capture.write_text(
        capture.read_text().replace(
            "10.220.2.0      0.0.0.0         255.255.255.0", "10.220.2.0      0.0.0.0         255.0.255.0  "
        )
    )
    result = mkdocs(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "captures/azure-none/aks-nodepool1-44430483-vmss000000.yaml:" in result.stderr
    assert "genmask '255.0.255.0' is not contiguous" in result.stderr
    assert (project / "site" / "index.html").read_bytes() == index


def test_linkcheck_finds_broken_links_and_anchors(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "index.html").write_text(
        '<a href="a/">ok</a>\n<a href="a/#there">ok</a>\n<a href="a/#nowhere">x</a>\n<img src="missing.svg">\n'
    )
    (tmp_path / "a" / "index.html").write_text(
        '<h2 id="there">t</h2><a href="../#top">x</a><a href="https://example.org/">ext</a>'
    )
    broken, external = linkcheck.check(tmp_path)
    assert [str(b) for b in broken] == [
        "a/index.html:1: ../#top: no element with id 'top' in index.html",
        "index.html:3: a/#nowhere: no element with id 'nowhere' in a/index.html",
        "index.html:4: missing.svg: no such file missing.svg",
    ]
    assert external == ["https://example.org/"]


def test_the_hook_and_the_generator_agree_on_the_matrix_file() -> None:
    from generator import mkdocs_hook

    assert mkdocs_hook.MATRIX_PARTIAL == site.MATRIX_PARTIAL


def test_linkcheck_knows_the_site_is_served_under_a_project_path(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "x.css").write_text("", encoding="utf-8")
    (tmp_path / "index.html").write_text(
        '<a href="/r/assets/x.css">ok</a>\n<a href="/assets/x.css">root</a>\n', encoding="utf-8"
    )
    broken, _ = linkcheck.check(tmp_path, base="/r/")
    assert [str(b) for b in broken] == ["index.html:2: /assets/x.css: outside the site, which is served under /r/"]
    assert linkcheck.check(tmp_path, base="/")[0][0].reason == "no such file r/assets/x.css"


def test_matrix_labels_are_short_unique_and_link_first() -> None:
    from generator.site.matrix import short_labels

    assert short_labels(
        [
            "kubenet-none/aks-nodepool1-27511634-vmss000000",
            "kubenet-calico/node-10.240.0.4",
            "a-b/x-1",
            "a-b/y-1",
            "a-b/solo",
        ]
    ) == {
        "kubenet-none/aks-nodepool1-27511634-vmss000000": "vmss000000",
        "kubenet-calico/node-10.240.0.4": "10.240.0.4",
        # Two nodes of one folder ending alike keep their whole names.
        "a-b/x-1": "x-1",
        "a-b/y-1": "y-1",
        "a-b/solo": "solo",
    }
    files, _ = site.render_pages(site.load_site(ROOT / "captures"), site.Layout(ROOT / "docs"))
    table = files["guide/index.md"].decode()
    assert "| [10.240.0.4](captures/kubenet-calico/node-10.240.0.4.md)" in table
    # kubenet-none holds the series' node and the lab's, both vmss000000: each keeps its whole name.
    node = "aks-nodepool1-27511634-vmss000000"
    assert f"| [{node}](captures/kubenet-none/{node}.md)" in table


def _nav_links(page: Path) -> list[str]:
    """The targets of a built page's navigation links (Material's md-nav__link anchors)."""
    return re.findall(r'<a href="([^"]*)" class="md-nav__link', page.read_text(encoding="utf-8"))


def test_navigation_lists_plugin_policy_pages_not_nodes(project: Path) -> None:
    """More captures make the per-folder page longer; the navigation every page carries stays the same."""
    assert mkdocs(project, "--site-dir", "site-a").returncode == 0
    source = project / "captures" / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml"
    for i in range(3):
        shutil.copy(source, source.with_name(f"extra-node-{i}.yaml"))
    built = mkdocs(project, "--site-dir", "site-b")
    assert built.returncode == 0, built.stderr
    before, after = _nav_links(project / "site-a" / "index.html"), _nav_links(project / "site-b" / "index.html")
    assert before == after and "guide/nodes/kubenet-none/" in after
    assert not [link for link in after if "guide/captures/" in link]
    folder_page = (project / "site-b" / "guide" / "nodes" / "kubenet-none" / "index.html").read_text(encoding="utf-8")
    for node in ("aks-nodepool1-27511634-vmss000000", "extra-node-0", "extra-node-1", "extra-node-2"):
        assert f'href="../../captures/kubenet-none/{node}/"' in folder_page
    assert "azure-calico" not in folder_page.split('class="md-content"')[1]


def test_capture_pages_keep_their_outputs_and_the_search_index_leaves_them_out(project: Path) -> None:
    """The hook holds a capture page's HTML compressed until it is written: the page still shows every output."""
    built = mkdocs(project)
    assert built.returncode == 0, built.stderr
    page = project / "site" / "guide" / "captures" / "kubenet-none" / "aks-nodepool1-27511634-vmss000000" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("valid_lft") >= 4 and 'id="outputs"' in html and 'id="routes"' in html
    index = json.loads((project / "site" / "search" / "search_index.json").read_text(encoding="utf-8"))
    node = "guide/captures/kubenet-none/aks-nodepool1-27511634-vmss000000/"
    sections = {d["location"] for d in index["docs"] if d["location"].startswith(node)}
    assert f"{node}#routes" in sections and f"{node}#outputs" not in sections
    assert not [d["location"] for d in index["docs"] if d["location"].startswith(node) and "valid_lft" in d["text"]]
