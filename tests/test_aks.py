"""The AKS catalogue and the pages built from it: every combination has a statement with its source."""

from __future__ import annotations

import re

import pytest

from generator import aks
from generator.site import lab
from tests.conftest import ROOT


def test_every_combination_aks_offers_has_a_cell_with_a_source() -> None:
    combinations = {(o.key, p.key) for o in aks.OFFERINGS for p in aks.POLICIES}
    assert set(aks.CELLS) == combinations
    for cell in aks.CELLS.values():
        assert cell.offered in ("offered", "not offered", "not documented")
        assert re.match(
            r"^https://github\.com/MicrosoftDocs/azure-aks-docs/blob/[0-9a-f]{40}/articles/aks/\S+#L\d+(-L\d+)?$",
            cell.source.url,
        ), cell.source.url


def test_cilium_policy_needs_the_cilium_dataplane_and_npm_needs_azure_cni() -> None:
    offered = {k for k, c in aks.CELLS.items() if c.offered == "offered"}
    assert {o for o, p in offered if p == "cilium"} == {"azure-cilium"}
    assert ("kubenet", "azure") not in offered
    assert {p for o, p in offered if o == "kubenet"} == {"none", "calico"}


def test_retirements_are_dated_and_sourced() -> None:
    assert [(r.date, r.source.label) for r in aks.RETIREMENTS] == [
        ("2026-09-30", "azure-network-policy-manager-windows-retirement.md, line 10"),
        ("2028-03-31", "kubenet-retirement.md, line 10"),
        ("2028-09-30", "azure-network-policy-manager-linux-retirement.md, line 10"),
    ]
    assert aks.OFFERING_BY_KEY["kubenet"].retirement == aks.KUBENET_RETIRES
    assert aks.POLICY_BY_KEY["azure"].retirement == aks.NPM_LINUX_RETIRES
    assert aks.TRANSPARENT_BY_DEFAULT.url == "https://github.com/Azure/AKS/issues/1954"


def _layouts() -> list[str]:
    script = (ROOT / lab.LAB_SCRIPT).read_text(encoding="utf-8")
    listed = re.search(r"^LAYOUTS=\(([^)]*)\)", script, re.M)
    assert listed is not None
    return ["lab-" + name.replace("_", "-") for name in listed.group(1).split()]


@pytest.mark.parametrize("layout", _layouts())
def test_the_lab_page_finds_each_layouts_builder(layout: str) -> None:
    script = (ROOT / lab.LAB_SCRIPT).read_text(encoding="utf-8")
    source = lab.function_source(script, layout)
    assert source is not None
    name = "layout_" + layout.removeprefix("lab-").replace("-", "_")
    body = source.splitlines()
    assert f"{name}() {{" in body and body[-1] == "}"
    assert re.search(rf"local l={layout}\b", source)


def test_a_layout_the_script_lacks_has_no_builder() -> None:
    assert lab.function_source("layout_a() {\n  true\n}\n", "lab-b") is None
    assert lab.function_source("layout_a() {\n  true\n", "lab-a") is None
    assert lab.function_source("# why\nlayout_a() {\n  true\n}\nx\n", "lab-a") == "# why\nlayout_a() {\n  true\n}\n"


def test_a_layout_shows_the_layout_helpers_it_calls_not_the_building_blocks() -> None:
    script = (
        "node() {\n  :\n}\n# --- layouts\ncheck() { :; }\n# two pods\npods() {\n  node\n}\n"
        "unused() {\n  :\n}\nlayout_a() {\n  pods x\n  node y\n}\n"
    )
    assert (
        lab.function_source(script, "lab-a")
        == "# two pods\npods() {\n  node\n}\n\nlayout_a() {\n  pods x\n  node y\n}\n"
    )
