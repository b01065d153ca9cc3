"""The semantic diff explains the bridge -> transparent change of both plugin pairs, with evidence."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from generator import compare, pipeline, site
from generator.cli import main
from generator.errors import CaptureError, GeneratorError
from tests.conftest import ROOT

KN = "kubenet-none/aks-nodepool1-27511634-vmss000000"
KC = "kubenet-calico/node-10.240.0.4"

CAPTURES = ROOT / "captures"


def _analyse(capture_id: str) -> pipeline.Analysis:
    return pipeline.analyse(CAPTURES / f"{capture_id}.yaml", CAPTURES)


@pytest.fixture(scope="module")
def declared() -> dict[str, compare.Comparison]:
    return {d.id: compare.compare(_analyse(d.before), _analyse(d.after)) for d in compare.load_declared(CAPTURES)}


def _change(c: compare.Comparison, group: str, subject: str) -> compare.Change:
    change = c.find(group, subject)
    assert change is not None, f"no {group}/{subject} change"
    return change


@pytest.mark.parametrize(
    ("comparison", "bridge"),
    [("kubenet-network-policy", "cbr0"), ("azure-cni-network-policy", "azure0")],
)
def test_policy_moves_the_node_from_bridge_to_transparent(
    declared: dict[str, compare.Comparison], comparison: str, bridge: str
) -> None:
    c = declared[comparison]
    mode = _change(c, "mode", "mode")
    assert (mode.kind, mode.before.examples, mode.after.examples) == ("changed", ("bridge",), ("transparent",))
    cni = _change(c, "interfaces", "CNI bridge")
    assert (cni.kind, cni.before.examples, cni.after.count) == ("removed", (bridge,), 0)
    subnet = _change(c, "routes", "bridge-subnet")
    assert (subnet.kind, subnet.before.count, subnet.after.count) == ("removed", 1, 0)
    per_pod = _change(c, "routes", "per-pod")
    assert per_pod.kind == "added" and per_pod.before.count == 0
    # Evidence: every per-pod route change points at a route -n line of the after capture.
    after_text = (ROOT / c.after_path).read_text(encoding="utf-8").splitlines()
    assert all("255.255.255.255 UH" in after_text[line - 1] for line in per_pod.after.lines)


def test_kubenet_veth_prefix_and_pod_mask_change(declared: dict[str, compare.Comparison]) -> None:
    c = declared["kubenet-network-policy"]
    prefix = _change(c, "interfaces", "veth prefix")
    assert (prefix.before.examples, prefix.after.examples) == (("veth*",), ("cali*",))
    assert _change(c, "routes", "per-pod").after.count == 9
    mask = _change(c, "pod", "eth0 mask")
    assert (mask.kind, mask.summary) == ("changed", "pod eth0 mask /24 -> /32")


def test_azure_keeps_its_veth_prefix_and_mask(declared: dict[str, compare.Comparison]) -> None:
    c = declared["azure-cni-network-policy"]
    assert c.find("interfaces", "veth prefix") is None
    assert _change(c, "interfaces", "host veths").summary == "6 azv* -> 5 azv*"
    assert _change(c, "pod", "eth0 mask").kind == "same"
    assert _change(c, "routes", "per-pod").after.count == 5


def test_abbreviated_listings_make_a_change_unclear_not_removed(declared: dict[str, compare.Comparison]) -> None:
    vf = _change(declared["azure-cni-network-policy"], "interfaces", "vf")
    assert (vf.kind, vf.summary) == ("unclear", "vf enP43967s1: shown only before (the other ip addr is abbreviated)")


def test_volatile_identities_do_not_show_as_changes() -> None:
    """A capture compared with itself, and two same-mode nodes, have no structural changes."""
    a = _analyse("kubenet-calico/node-10.240.0.4")
    assert compare.compare(a, a).changed() == ()
    kn = _analyse("kubenet-none/aks-nodepool1-27511634-vmss000000")
    az = _analyse("azure-none/aks-nodepool1-44430483-vmss000000")
    kinds = {(ch.group, ch.subject): ch.kind for ch in compare.compare(kn, az).changes}
    assert kinds[("mode", "mode")] == "same"


def test_raw_diff_pairs_matching_sections(declared: dict[str, compare.Comparison]) -> None:
    raw = {(r.namespace, r.command): r.diff for r in declared["azure-cni-network-policy"].raw}
    assert set(raw) == {("pod", "ip addr"), ("host", "ip addr"), ("host", "brctl show"), ("host", "route -n")}
    assert "-azure0      8000.000d3a8a50da   no          azv152f0ee345a\n" in raw[("host", "brctl show")]


def test_diff_cli_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out = io.StringIO()
    code = main(
        ["diff", "kubenet-none/aks-nodepool1-27511634-vmss000000", "kubenet-calico/node-10.240.0.4", "--json"],
        out=out,
        err=io.StringIO(),
    )
    assert code == 0
    data = json.loads(out.getvalue())
    assert data["before"] == "kubenet-none/aks-nodepool1-27511634-vmss000000"
    assert {c["subject"] for c in data["changes"] if c["kind"] != "same"} >= {"mode", "CNI bridge", "per-pod"}


def test_declared_comparisons_are_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "comparisons.yaml").write_text(
        "comparisons:\n  - id: x\n    title: t\n    before: kubenet-none/nope\n    after: a/b\n    colour: red\n"
    )
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CaptureError) as info:
        compare.load_declared(tmp_path)
    assert str(info.value) == (
        "comparisons.yaml:6: unknown key 'comparisons[0].colour' (expected one of: id, title, before, after)\n"
        "    |     colour: red"
    )


def test_check_validates_comparisons_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "comparisons.yaml").write_text(
        "comparisons:\n  - id: X\n    title: t\n    before: a/b\n    after: a/c\n"
    )
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--root", ".", "."], out=out, err=err) == 1
    assert out.getvalue() + err.getvalue() == (
        "comparisons.yaml\n"
        "  comparisons.yaml:2: error: comparisons[0].id is 'X'; expected a lower-case slug of at most 80 characters, such as kubenet-policy\n"
        "        2 |   - id: X\n"
        "0 captures checked: 1 with problems\n"
    )


def test_a_side_without_routes_is_not_captured_never_removed(tmp_path: Path) -> None:
    """Routes missing on one side are not "removed": the diff says which side never captured them."""
    source = CAPTURES / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml"
    text = source.read_text(encoding="utf-8")
    # Drop the route -n section: everything from its namespace line up to the next section.
    start = text.index("  - namespace: host\n    command: route -n")
    end = text.index("  - namespace:", start + 1)
    folder = tmp_path / "kubenet-none"
    folder.mkdir()
    (folder / "no-routes.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    before = pipeline.analyse(source, CAPTURES)
    after = pipeline.analyse(folder / "no-routes.yaml", tmp_path)
    c = compare.compare(before, after)
    routes = [ch for ch in c.changes if ch.group == "routes"]
    assert routes and {ch.kind for ch in routes} == {"not-captured"}
    assert _change(c, "routes", "default").summary == "default route via the gateway: not captured after"
    assert _change(c, "mode", "datapath").kind == "same"


def _project_with(tmp_path: Path, comparisons: str) -> Path:
    shutil.copytree(ROOT / "captures", tmp_path / "captures")
    (tmp_path / "captures" / "comparisons.yaml").write_text(comparisons)
    return tmp_path / "captures"


def test_over_long_comparison_id_is_refused_by_check_not_by_the_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cid = "a" * 300
    root = _project_with(
        tmp_path,
        f"comparisons:\n  - id: {cid}\n    title: t\n    before: {KN}\n    after: {KC}\n",
    )
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--root", "captures", "captures"], out=out, err=err) == 1
    assert (
        f"  captures/comparisons.yaml:2: error: comparisons[0].id is '{cid[:57]}...'; expected a lower-case slug of at most "
        "80 characters, such as kubenet-policy\n"
    ) in out.getvalue()
    with pytest.raises(GeneratorError, match=r"^captures/comparisons.yaml:2: comparisons\[0\].id is 'a{57}\.\.\.'"):
        site.load_site(root)


def test_comparison_naming_a_symlinked_alias_is_located(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _project_with(
        tmp_path,
        f"comparisons:\n  - id: alias\n    title: t\n    before: kubenet-none/alias\n    after: {KC}\n",
    )
    (root / "kubenet-none" / "alias.yaml").symlink_to(root / f"{KN}.yaml")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GeneratorError) as info:
        site.load_site(root)
    assert (
        "captures/comparisons.yaml:4: comparisons[0].before names 'kubenet-none/alias', which is a symlink; "
        "name the capture it points to\n    |     before: kubenet-none/alias"
    ) in str(info.value)
    assert "Traceback" not in str(info.value)


def test_markdown_is_the_site_table_under_a_heading(tmp_path: Path) -> None:
    comparison = compare.compare(_analyse(KN), _analyse(KC))
    text = compare.to_markdown(comparison)
    assert text.splitlines()[:6] == [
        "# kubenet-none/aks-nodepool1-27511634-vmss000000 -> kubenet-calico/node-10.240.0.4",
        "",
        "| kind | change | before | after |",
        "| --- | --- | --- | --- |",
        "| changed | mode: bridge -> transparent | bridge | transparent |",
        "| changed | datapath: bridge -> routed | bridge | routed |",
    ]
    lines = text.splitlines()
    assert "| removed | CNI bridge cbr0: removed | cbr0 | none |" in lines
    # Counts in words: "and 2 more" examples, "9 more" routes where there were none.
    assert (
        "| changed | 5 veth&#42; -> 9 cali&#42; | veth9423965c, vetha1065ff2, vetha33f314e and 2 more "
        "| cali0b8d4f989c0, cali16fcf5898b5, cali4cd5cd7d78e and 6 more |"
    ) in lines
    assert "| removed | connected pod subnet through the CNI bridge: 1 fewer | 10.100.1.0/24 dev cbr0 | none |" in lines
    assert any(
        line.startswith("| added | per-pod host route to a veth: 9 more | none | 10.244.0.2/32 dev") for line in lines
    )
    # The comparison page of the site shows the same table, row for row.
    files, _ = site.render_pages(site.load_site(CAPTURES), site.Layout(tmp_path))
    page = files["guide/compare/kubenet-network-policy.md"].decode()
    table = text.split("\n\n", 1)[1]
    assert table in page
