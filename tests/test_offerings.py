"""The AKS matrix (home page and guide/offerings.md) and the lab's "Reproduce it" page."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import aks, site
from generator.site import offerings
from tests.conftest import ROOT

SERIES_KUBENET = "kubenet-none/aks-nodepool1-27511634-vmss000000"


def _pages(captures: Path) -> dict[str, str]:
    files, _ = site.render_pages(site.load_site(captures), site.Layout(ROOT / "docs"))
    return {name: data.decode() for name, data in files.items()}


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return _pages(ROOT / "captures")


def _cells(partial: str) -> dict[tuple[str, str], str]:
    """The home partial's table as {(row name, column name): cell text}."""
    lines = [line for line in partial.splitlines() if line.startswith("| ")]
    columns = [c.strip() for c in lines[0].strip("|").split("|")][1:]
    cells = {}
    for line in lines[2:]:
        row, *values = (v.strip() for v in line.strip("|").split(" | "))
        name = row.split("**")[1]
        cells.update({(name, column): value for column, value in zip(columns, values, strict=True)})
    return cells


def test_every_combination_aks_offers_has_a_cell(pages: dict[str, str]) -> None:
    cells = _cells(pages[site.MATRIX_PARTIAL])
    assert len(cells) == len(aks.OFFERINGS) * len(aks.POLICIES) == 20
    npm = "Azure NPM (retires 2028-09-30)"
    assert cells["Azure CNI powered by Cilium", "Calico"] == "*not offered*"
    assert cells["kubenet", npm] == "*not offered*"
    assert cells["Azure CNI powered by Cilium", "none"] == "*not documented*"
    assert cells["Azure CNI pod subnet", "none"] == "no capture yet ([add one](about/your-node.md))"
    kubenet = cells["kubenet", "none"]
    # The AKS node first, then the lab's reproduction, marked as one.
    assert kubenet.startswith(f"[bridge, pod CIDR, no encapsulation](guide/captures/{SERIES_KUBENET}.md)")
    assert (
        "<br>lab: [bridge, pod CIDR, no encapsulation](guide/captures/kubenet-none/lab-kubenet-bridge-vmss000000.md)"
        in kubenet
    )
    overlay = cells["Azure CNI Overlay", "none"]
    assert "(guide/captures/azure-overlay-none/aks-nodepool1-34233576-vmss000000.md)" in overlay
    # The lab built two Overlay nodes: the cell links the layout once.
    assert overlay.count("lab: [") == 1


def test_the_offerings_page_gives_each_statement_its_source_and_lists_captures_outside_the_matrix(
    pages: dict[str, str],
) -> None:
    page = pages["guide/offerings.md"]
    assert (
        "- **2028-03-31**: AKS no longer supports kubenet; clusters are to move to Azure CNI Overlay "
        "([kubenet-retirement.md, line 10](https://github.com/MicrosoftDocs/azure-aks-docs/blob/"
        f"{aks.DOCS_COMMIT}/articles/aks/includes/kubenet-retirement.md#L10))."
    ) in page
    assert page.count("](https://github.com/MicrosoftDocs/azure-aks-docs/blob/") == 3 + 5 + 20
    outside = page.split("## Captures outside the matrix", 1)[1]
    assert "(captures/unstated-unstated/aks-nodepool1-38494683-vmss000000.md): bridge, pod CIDR" in outside
    assert "lab-" not in outside, "lab reproductions are on the lab page, not here"


def _copy_kubenet(root: Path, names: list[str], folder: str = "kubenet-none", policy: str = "none") -> None:
    source = (ROOT / "captures" / f"{SERIES_KUBENET}.yaml").read_text(encoding="utf-8")
    (root / folder).mkdir(parents=True)
    for name in names:
        (root / folder / f"{name}.yaml").write_text(
            source.replace('network_policy: "none"', f'network_policy: "{policy}"').replace(
                "network_policy: none", f"network_policy: {policy}"
            ),
            encoding="utf-8",
        )


def test_a_full_cell_names_a_few_and_counts_the_rest(tmp_path: Path) -> None:
    _copy_kubenet(tmp_path, [f"node-{i}" for i in range(offerings.CELL_LIMIT + 2)])
    cell = _cells(_pages(tmp_path)[site.MATRIX_PARTIAL])["kubenet", "none"]
    assert cell.count("](guide/captures/kubenet-none/node-") == offerings.CELL_LIMIT
    assert cell.endswith("<br>[and 2 more](guide/nodes/kubenet-none.md)")


def test_a_capture_of_a_combination_aks_does_not_offer_is_shown_and_marked(tmp_path: Path) -> None:
    _copy_kubenet(tmp_path, ["node-0"], folder="kubenet-azure", policy="azure")
    cell = _cells(_pages(tmp_path)[site.MATRIX_PARTIAL])["kubenet", "Azure NPM (retires 2028-09-30)"]
    assert cell.startswith("[bridge, pod CIDR, no encapsulation](guide/captures/kubenet-azure/node-0.md)")
    assert cell.endswith("<br>(AKS docs: *not offered*)")


def test_the_lab_page_shows_each_layout_with_the_code_that_built_it(pages: dict[str, str]) -> None:
    page = pages["guide/lab.md"]
    layouts = sorted({p.stem.rsplit("-", 1)[0] for p in (ROOT / "captures").glob("*/lab-*.yaml")})
    assert len(layouts) >= 6
    for layout in layouts:
        assert f"Layout `{layout}`" in page
    assert page.count('??? example "The code that built it (`tests/lab/lab.sh`)"') == len(layouts)
    assert "    layout_cilium() {" in page
    assert (
        "[kubenet-none/lab-kubenet-bridge-vmss000000](captures/kubenet-none/lab-kubenet-bridge-vmss000000.md)" in page
    )


def test_a_lab_capture_page_says_it_is_not_an_aks_node(pages: dict[str, str]) -> None:
    lab = pages["guide/captures/none-none/lab-cilium-vmss000000.md"]
    assert '!!! warning "Lab reproduction, not an AKS node"' in lab
    assert "[Reproduce it](../../lab.md)" in lab
    assert "Lab reproduction" not in pages[f"guide/captures/{SERIES_KUBENET}.md"]


def test_every_published_lab_capture_is_on_the_lab_page_and_only_those(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "captures" / "none-none", tmp_path / "none-none")
    page = _pages(tmp_path)["guide/lab.md"]
    assert page.count("\n## ") == len({p.stem.rsplit("-", 1)[0] for p in (tmp_path / "none-none").glob("*.yaml")})
