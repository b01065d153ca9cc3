"""Diagrams: golden DOT per series capture, real dot rendering, escaping, and the render cache."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from generator import capture, diagrams, pipeline
from generator.errors import GeneratorError, printable
from tests.conftest import ROOT
from tests.test_rules import write_capture

CAPTURES = ROOT / "captures"
GOLDEN = ROOT / "tests" / "golden" / "diagrams"
CAPTURED = capture.discover([CAPTURES])
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _source(path: Path) -> str:
    return diagrams.dot_source(diagrams.node_graph(pipeline.analyse(path, CAPTURES)))


def _cid(path: Path) -> str:
    return capture.capture_id(path, CAPTURES)


@pytest.mark.parametrize("path", CAPTURED, ids=_cid)
def test_dot_matches_golden(path: Path) -> None:
    golden = GOLDEN / f"{_cid(path)}.dot"
    source = _source(path)
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(source, encoding="utf-8")
    assert source == golden.read_text(encoding="utf-8")
    assert source == _source(path), "building twice gives the same DOT"


def test_every_golden_diagram_belongs_to_a_capture() -> None:
    goldens = {g.relative_to(GOLDEN).with_suffix("").as_posix() for g in GOLDEN.rglob("*.dot")}
    assert goldens == {_cid(p) for p in CAPTURED}


def test_svgs_render_through_real_dot(tmp_path: Path) -> None:
    sources = {_cid(p).replace("/", "--"): _source(p) for p in CAPTURED}
    stats = diagrams.render(sources, tmp_path / "out", tmp_path / "cache")
    assert (stats.graphs, stats.rendered, stats.dot_processes) == (len(CAPTURED),) * 3
    for name, source in sources.items():
        svg = (tmp_path / "out" / f"{name}.svg").read_text(encoding="utf-8")
        gid = re.search(r'\bid="(fg-[^"]+)"', source)
        assert gid is not None
        assert svg.lstrip().startswith("<?xml") and "<svg " in svg
        assert f"<title>{gid.group(1).replace('-', '&#45;')}</title>" in svg
        # Graphviz appends the DOT "class" to its own: class="edge route".
        assert len(re.findall(r'class="edge[ "]', svg)) == source.count(" -> ")
        assert len(re.findall(r'class="node[ "]', svg)) == len(re.findall(r"^\t+\"[^\"]+\" \[label=", source, re.M))


def test_bridge_and_transparent_are_told_apart_at_a_glance() -> None:
    bridge = _source(CAPTURES / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml")
    transparent = _source(CAPTURES / "kubenet-calico" / "node-10.240.0.4.yaml")
    assert "label=<CNI bridge cbr0<br/>10.100.1.1/24>" in bridge and "host routing table" not in bridge
    assert (
        "host routing table<br/>9 per-pod route(s)<br/>no CNI bridge" in transparent
        and "CNI bridge" not in transparent.replace("no CNI bridge", "")
    )


def test_second_render_of_unchanged_input_runs_no_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = {_cid(p).replace("/", "--"): _source(p) for p in CAPTURED}
    diagrams.render(sources, tmp_path / "out", tmp_path / "cache")
    # With dot gone from PATH, only a render that needs no dot can succeed.
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    stats = diagrams.render(sources, tmp_path / "out2", tmp_path / "cache")
    assert (stats.rendered, stats.dot_processes) == (0, 0)
    name = "kubenet-none--aks-nodepool1-27511634-vmss000000.svg"
    assert (tmp_path / "out2" / name).read_bytes() == (tmp_path / "out" / name).read_bytes()


def test_missing_dot_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GeneratorError) as info:
        diagrams.render({"g": "digraph g {}"}, tmp_path / "out", tmp_path / "cache")
    assert str(info.value) == (
        "dot: Graphviz 'dot' is not installed or not on PATH. Install it (Debian/Ubuntu: sudo apt-get install "
        "graphviz; Fedora: sudo dnf install graphviz; macOS: brew install graphviz), or run make, which installs "
        "it when run as root"
    )


def test_names_cannot_escape_the_output_folder(tmp_path: Path) -> None:
    with pytest.raises(GeneratorError) as info:
        diagrams.render({"../evil": "digraph g {}"}, tmp_path / "out", tmp_path / "cache")
    assert "would be written outside" in str(info.value)
    assert not (tmp_path / "evil.svg").exists()


HOSTILE = 'x"];evil[label="pwn'
HOSTILE_NAMES = ['ca"li', "br<b>0", "v{e}th|1", "a\\\\Nb", HOSTILE]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_interface_names_are_shown_not_interpreted(tmp_path: Path, name: str) -> None:
    """Interface names are data: quotes, angle brackets, braces and backslashes stay literal."""
    from tests.test_rules import HOST_TRANSPARENT, ROUTES_TRANSPARENT, transparent

    # iproute2 never prints such names, so they come in through route -n, which takes any token.
    routes = ROUTES_TRANSPARENT + f"10.244.0.11     0.0.0.0         255.255.255.255 UH    0      0        0 {name}\n"
    if " " in name:
        pytest.skip("route -n tokens cannot hold blanks")
    path = write_capture(tmp_path, **transparent(routes=routes, host=HOST_TRANSPARENT))
    clean_path = write_capture(tmp_path / "clean", **transparent())
    clean = diagrams.dot_source(diagrams.node_graph(pipeline.analyse(clean_path, tmp_path / "clean")))
    source = diagrams.dot_source(diagrams.node_graph(pipeline.analyse(path, tmp_path)))
    diagrams.render({"g": source, "clean": clean}, tmp_path / "out", tmp_path / "cache")
    svg = (tmp_path / "out" / "g.svg").read_text(encoding="utf-8")
    clean_svg = (tmp_path / "out" / "clean.svg").read_text(encoding="utf-8")
    # Exactly one node more than without the hostile route (its veth), and its name shown literally.
    assert len(re.findall(r'class="node[ "]', svg)) == len(re.findall(r'class="node[ "]', clean_svg)) + 1
    shown = name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert f">{shown}</text>" in svg
    assert "<b>" not in svg and "<title>evil</title>" not in svg


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz")
def test_comparison_graph_has_both_sides(tmp_path: Path) -> None:
    a = pipeline.analyse(CAPTURES / "azure-none" / "aks-nodepool1-44430483-vmss000000.yaml", CAPTURES)
    b = pipeline.analyse(CAPTURES / "azure-calico" / "node-10.220.2.4.yaml", CAPTURES)
    source = diagrams.dot_source(diagrams.comparison_graph(a, b, name="cmp"))
    assert "cluster_before" in source and "cluster_after" in source
    diagrams.render({"cmp": source}, tmp_path / "out", tmp_path / "cache")
    svg = (tmp_path / "out" / "cmp.svg").read_text(encoding="utf-8")
    assert "before: azure&#45;none/aks&#45;nodepool1&#45;44430483&#45;vmss000000" in svg


INJECTION = '<x> URL="javascript:void(window.__pwned=1)" tooltip=<y>'
# Text ip addr names hold no blanks or colons; DOT separates attributes with commas as well.
INJECTION_TEXT = '<x>,URL="javascript&#58;void(0)",tooltip=<y>'


def _hostile_host(name: str) -> str:
    """HOST_TRANSPARENT with the pod's host veth renamed (text ip addr takes a name up to the colon)."""
    from tests.test_rules import HOST_TRANSPARENT

    return HOST_TRANSPARENT.replace("cali4cd5cd7d78e@if3:", f"{name}@if3:")


@pytest.mark.parametrize("name", [INJECTION_TEXT, "<b>x</b>", "a&amp;b", "];evil[", "a\\Nb\\G", "x" * 5000])
def test_no_label_can_add_attributes_or_markup(tmp_path: Path, name: str) -> None:
    """Whatever the name (and however long), the SVG shows it as text: no link, tooltip or markup."""
    from tests.test_rules import transparent

    path = write_capture(tmp_path, **transparent(host=_hostile_host(name)))
    source = diagrams.dot_source(diagrams.node_graph(pipeline.analyse(path, tmp_path)))
    diagrams.render({"g": source}, tmp_path / "out", tmp_path / "cache")
    svg = (tmp_path / "out" / "g.svg").read_text(encoding="utf-8")
    assert "javascript:" not in svg.replace("javascript:void(window.__pwned=1)&quot;", "")
    assert "<a " not in svg and "xlink:href" not in svg and "<b>" not in svg
    shown = printable(name, limit=diagrams.MAX_LABEL_CHARS)
    text = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    assert f">{text}</text>" in svg


def test_json_ip_addr_name_is_literal_too(tmp_path: Path) -> None:
    from tests.test_rules import transparent

    host = (
        '[{"ifindex":1,"ifname":"lo","flags":["LOOPBACK","UP","LOWER_UP"],"mtu":65536,"addr_info":[]},'
        '{"ifindex":2,"ifname":"eth0","flags":["UP"],"mtu":1500,"addr_info":'
        '[{"family":"inet","local":"10.240.0.4","prefixlen":16,"scope":"global"}]},'
        f'{{"ifindex":15,"link_index":3,"ifname":{json.dumps(INJECTION)},"flags":["UP"],"mtu":1500,"addr_info":[]}}]\n'
    )
    path = write_capture(tmp_path, **transparent(host=host))
    text = path.read_text(encoding="utf-8").replace(
        "command: ip addr\n    output: |\n      [", "command: ip -j addr\n    output: |\n      ["
    )
    path.write_text(text, encoding="utf-8")
    analysis = pipeline.analyse(path, tmp_path)
    assert any(i.name == INJECTION for i in analysis.model.host.interfaces)  # type: ignore[union-attr]
    diagrams.render({"g": diagrams.dot_source(diagrams.node_graph(analysis))}, tmp_path / "out", tmp_path / "cache")
    svg = (tmp_path / "out" / "g.svg").read_text(encoding="utf-8")
    assert "<a " not in svg and "xlink:href" not in svg
    assert "&lt;x&gt; URL=&quot;javascript:void(window.__pwned=1)&quot; tooltip=&lt;y&gt;</text>" in svg


def test_ipv6_per_pod_route_next_to_ipv4_ones_is_drawn(tmp_path: Path) -> None:
    """IPv4 and IPv6 networks do not compare: the per-pod routes are ordered by family first."""
    from tests.test_rules import transparent

    routes = (
        "default via 10.240.0.1 dev eth0\n"
        "10.244.0.10 dev cali4cd5cd7d78e scope link\n"
        "fd00::a dev cali4cd5cd7d78e metric 1024 pref medium\n"
        "10.240.0.0/16 dev eth0 proto kernel scope link src 10.240.0.4\n"
    )
    path = write_capture(tmp_path, **transparent(routes=routes))
    path.write_text(path.read_text(encoding="utf-8").replace("command: route -n", "command: ip route"))
    analysis = pipeline.analyse(path, tmp_path)
    assert {r.destination for r in analysis.facts.per_pod_routes} >= {"10.244.0.10/32", "fd00::a/128"}
    source = diagrams.dot_source(diagrams.node_graph(analysis))
    # Both routes reach one veth; the IPv4 one sorts first and labels it.
    assert "route 10.244.0.10/32" in source


def test_names_a_diagram_cannot_show_are_problems_at_their_line(tmp_path: Path) -> None:
    from tests.test_rules import transparent

    long_name = "v" * 300
    path = write_capture(tmp_path, **transparent(host=_hostile_host(long_name)))
    analysis = pipeline.analyse(path, tmp_path)
    line = next(i for i, t in enumerate(path.read_text().splitlines(), 1) if long_name in t)
    assert [p.format() for p in diagrams.problems(analysis)] == [
        f"{path.as_posix()}:{line}: interface name {'v' * 57}... is 300 characters long; a diagram shows at most 253\n"
        f"    | {printable(path.read_text().splitlines()[line - 1])}"
    ]


LAB = sorted(CAPTURES.glob("*/lab-*.yaml"))


def _lab_source(path: Path) -> str:
    analysis = pipeline.analyse(path, path.parent.parent)
    return str(diagrams.node_graph(analysis).source)


def test_every_lab_layout_draws_through_real_dot(tmp_path: Path) -> None:
    """Every datapath the lab builds renders; eBPF and tunnels are drawn, not left as a note."""
    sources = {p.stem: _lab_source(p) for p in LAB}
    stats = diagrams.render(sources, tmp_path / "out", tmp_path / "cache")
    assert stats.rendered == len(LAB)
    cilium = sources["lab-cilium-vmss000000"]
    assert "eBPF datapath (Cilium)" in cilium and "mode: ebpf" not in cilium
    flannel = sources["lab-flannel-vxlan-vmss000000"]
    assert "label=<flannel.1<br/>vxlan to other nodes>" in flannel
    calico = sources["lab-calico-vxlan-vmss000000"]
    assert "vxlan.calico<br/>vxlan to other nodes" in calico
    assert all("mode: " not in s for n, s in sources.items() if "vmss000002" not in n), "every pod-carrying node drawn"
