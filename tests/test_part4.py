"""Part 4 (today's AKS) is bound to its captures: data that contradicts a sentence stops the build there."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import site
from tests.conftest import ROOT

ARTICLE = "part-4-todays-aks.md"
OVERLAY = "azure-overlay-none/aks-nodepool1-34233576-vmss000000"
LAST_POD_ROUTE = "      192.168.0.221   0.0.0.0         255.255.255.255 UH    0      0        0 azv91f99aa0756\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "captures", tmp_path / "captures")
    (tmp_path / "docs" / "articles").mkdir(parents=True)
    shutil.copy(ROOT / "docs" / "articles" / ARTICLE, tmp_path / "docs" / "articles" / ARTICLE)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _render(tree: Path) -> dict[str, bytes]:
    return site.render_articles(site.load_site(tree / "captures"), site.Layout(tree / "docs"))


def test_part_4_renders_from_todays_captures(tree: Path) -> None:
    post = _render(tree)[f"blog/posts/{ARTICLE}"].decode()
    assert "# Part 4: Today's AKS node" in post
    # A claim shows the derived value; a lab capture is named as one.
    assert "**4**" in post and "lab reproduction" in post


def test_an_overlay_node_with_one_route_less_fails_at_the_sentence_that_counts_them(tree: Path) -> None:
    capture = tree / "captures" / f"{OVERLAY}.yaml"
    text = capture.read_text(encoding="utf-8")
    assert text.count(LAST_POD_ROUTE) == 1
    capture.write_text(text.replace(LAST_POD_ROUTE, ""), encoding="utf-8")
    article = (tree / "docs" / "articles" / ARTICLE).read_text(encoding="utf-8").splitlines()
    line = next(i for i, t in enumerate(article, 1) if 'claim(overlay, "per_pod_routes", 4)' in t)
    with pytest.raises(site.ArticleError) as info:
        _render(tree)
    assert str(info.value) == (
        f"docs/articles/{ARTICLE}:{line}: the article says per_pod_routes of {OVERLAY} is 4, "
        f"but the capture shows 3\n    | {article[line - 1]}"
    )
