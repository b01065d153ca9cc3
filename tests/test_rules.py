"""Each rule: a small capture where it holds, and one where it fails with the exact finding.

The captures here are written for the tests (synthetic, in the shape of real iproute2,
net-tools and bridge-utils output); the published captures are tested in test_series.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline, rules
from generator.pipeline import Analysis

POD_BRIDGE = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
3: eth0@if19: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether a6:89:88:b2:e5:a6 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 10.100.1.14/24 scope global eth0
"""
HOST_BRIDGE = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    link/ether 00:0d:3a:1c:87:a5 brd ff:ff:ff:ff:ff:ff
    inet 10.220.1.4/24 brd 10.220.1.255 scope global eth0
5: cbr0: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu 1500 qdisc htb state UP group default qlen 1000
    link/ether 16:0c:0c:ac:56:60 brd ff:ff:ff:ff:ff:ff
    inet 10.100.1.1/24 scope global cbr0
19: vethd3b9c108@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cbr0 state UP group default
    link/ether 3e:6a:2c:7e:59:25 brd ff:ff:ff:ff:ff:ff link-netnsid 4
"""
BRCTL_BRIDGE = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\ncbr0\t\t8000.160c0cac5660\tno\t\tvethd3b9c108\n"
ROUTE_HEAD = "Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"
ROUTES_BRIDGE = ROUTE_HEAD + (
    "0.0.0.0         10.220.1.1      0.0.0.0         UG    0      0        0 eth0\n"
    "10.100.1.0      0.0.0.0         255.255.255.0   U     0      0        0 cbr0\n"
    "10.220.1.0      0.0.0.0         255.255.255.0   U     0      0        0 eth0\n"
)

POD_TRANSPARENT = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
3: eth0@if15: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether be:26:02:27:b2:cd brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 10.244.0.10/32 scope global eth0
"""
HOST_TRANSPARENT = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    link/ether 00:0d:3a:9c:3c:c1 brd ff:ff:ff:ff:ff:ff
    inet 10.240.0.4/16 brd 10.240.255.255 scope global eth0
15: cali4cd5cd7d78e@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether ee:ee:ee:ee:ee:ee brd ff:ff:ff:ff:ff:ff link-netnsid 8
"""
BRCTL_DOCKER = "bridge name\tbridge id\t\tSTP enabled\tinterfaces\ndocker0\t\t8000.024298e219c6\tno\n"
ROUTES_TRANSPARENT = ROUTE_HEAD + (
    "0.0.0.0         10.240.0.1      0.0.0.0         UG    0      0        0 eth0\n"
    "10.240.0.0      0.0.0.0         255.255.0.0     U     0      0        0 eth0\n"
    "10.244.0.10     0.0.0.0         255.255.255.255 UH    0      0        0 cali4cd5cd7d78e\n"
)


# The bridge node's routes as iproute2 prints them, with room for one more route.
IP_ROUTE_SECTION = (
    "  - namespace: host\n    command: ip route\n    output: |\n"
    "      default via 10.220.1.1 dev eth0\n"
    "      10.100.1.0/24 dev cbr0 proto kernel scope link src 10.100.1.1\n"
    "      10.220.1.0/24 dev eth0 proto kernel scope link src 10.220.1.4\n"
    "      {extra_route}\n"
)


def _block(text: str) -> str:
    return "|\n" + textwrap.indent(text, "      ")


def write_capture(
    root: Path,
    *,
    plugin: str = "kubenet",
    policy: str = "none",
    pod_ip: str = "10.100.1.14",
    pod: str = POD_BRIDGE,
    host: str = HOST_BRIDGE,
    brctl: str | None = BRCTL_BRIDGE,
    routes: str | None = ROUTES_BRIDGE,
    extra: str = "",
) -> Path:
    folder = root / f"{plugin}-{policy}"
    folder.mkdir(parents=True, exist_ok=True)
    sections = [("pod/web", "ip addr", pod), ("host", "ip addr", host)]
    if brctl is not None:
        sections.append(("host", "brctl show", brctl))
    if routes is not None:
        sections.append(("host", "route -n", routes))
    text = (
        "schema: 2\ntitle: test node\n"
        f"cluster: {{network_plugin: {plugin}, network_policy: {policy}}}\n"
        'node: {name: node0}\ncaptured: {date: "2024-01-01", source: tests}\n'
        f"pods:\n  - {{name: web, ip: {pod_ip}}}\nsections:\n"
    )
    for namespace, command, output in sections:
        text += f"  - namespace: {namespace}\n    command: {command}\n    output: {_block(output)}"
    path = folder / "node0.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path


def analyse(root: Path, **kwargs: Any) -> Analysis:
    return pipeline.analyse(write_capture(root, **kwargs), root)


def messages(analysis: Analysis, rule_id: str) -> list[str]:
    return [f.message for f in analysis.result.findings if f.rule == rule_id]


def transparent(**kwargs: str | None) -> dict[str, Any]:
    base: dict[str, Any] = {
        "policy": "calico",
        "pod_ip": "10.244.0.10",
        "pod": POD_TRANSPARENT,
        "host": HOST_TRANSPARENT,
        "brctl": BRCTL_DOCKER,
        "routes": ROUTES_TRANSPARENT,
    }
    base.update(kwargs)
    return base


def test_base_captures_are_clean_and_classified(tmp_path: Path) -> None:
    bridge = analyse(tmp_path / "b")
    assert bridge.facts.mode.value == "bridge"
    assert bridge.result.findings == ()
    assert set(bridge.result.passed) >= {
        "FG001",
        "FG002",
        "FG003",
        "FG004",
        "FG005",
        "FG006",
        "FG007",
        "FG008",
        "FG009",
        "FG013",
    }
    trans = analyse(tmp_path / "t", **transparent())
    assert trans.facts.mode.value == "transparent"
    assert trans.result.findings == ()
    assert set(trans.result.passed) >= {
        "FG001",
        "FG002",
        "FG003",
        "FG005",
        "FG006",
        "FG007",
        "FG010",
        "FG011",
        "FG012",
        "FG013",
        "FG014",
    }


FAILING: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "FG001",
        {"pod_ip": "10.100.1.99"},
        ["pod 'web' is declared with IP 10.100.1.99, but its eth0 shows 10.100.1.14/24"],
    ),
    (
        "FG002",
        {"pod": POD_BRIDGE.replace("eth0@if19", "eth0@if20")},
        ["pod/web: eth0@if20 points at host interface 20, which the host's complete ip addr does not show"],
    ),
    (
        "FG003",
        {"host": HOST_BRIDGE.replace("vethd3b9c108@if3", "vethd3b9c108@if4")},
        ["pod/web: eth0 (index 3) points at host index 19 (vethd3b9c108), which points back with @if4"],
    ),
    (
        "FG004",
        {"brctl": BRCTL_BRIDGE.replace("vethd3b9c108", "veth00000000")},
        ["ip addr shows vethd3b9c108 with master cbr0, but brctl show does not list it among cbr0's ports"],
    ),
    (
        "FG005",
        transparent(routes=ROUTES_TRANSPARENT.rsplit("10.244.0.10", 1)[0]),
        ["pod/web (10.244.0.10/32): no bridge port or host route leads to the pod"],
    ),
    (
        "FG006",
        {"routes": ROUTES_BRIDGE + "10.9.0.0        0.0.0.0         255.255.0.0     U     0      0        0 eth9\n"},
        [
            "route 10.9.0.0/16 uses device eth9, which ip addr does not show "
            "(if the listing was trimmed, mark the left-out lines with '...')"
        ],
    ),
    (
        "FG007",
        {"routes": None, "extra": IP_ROUTE_SECTION.format(extra_route="10.50.0.0/16 via 10.9.9.1 dev eth0")},
        [
            "route 10.50.0.0/16 goes via 10.9.9.1, which is in no network the host is connected to "
            "and the route is not onlink"
        ],
    ),
    (
        "FG008",
        {"host": HOST_BRIDGE.replace("inet 10.100.1.1/24", "inet 10.100.2.1/24")},
        ["pod/web has 10.100.1.14/24, outside cbr0's 10.100.2.0/24"],
    ),
    (
        "FG009",
        {"pod": POD_BRIDGE.replace("10.100.1.14/24", "10.100.1.14/32")},
        ["pod/web has 10.100.1.14/32; in bridge mode expected /24"],
    ),
    (
        "FG010",
        transparent(brctl=BRCTL_DOCKER + "cbr0\t\t8000.160c0cac5660\tno\n"),
        ["brctl show still shows the bridge cbr0"],
    ),
    (
        "FG011",
        transparent(routes=ROUTES_TRANSPARENT.replace("0 cali4cd5cd7d78e", "0 cali00000000000")),
        ["the host route to pod/web (10.244.0.10) goes to cali00000000000, but the pod's veth is cali4cd5cd7d78e"],
    ),
    (
        "FG012",
        transparent(
            routes=ROUTES_TRANSPARENT
            + "10.244.0.0      0.0.0.0         255.255.255.0   U     0      0        0 docker0\n"
        ),
        ["route 10.244.0.0/24 is connected through the bridge docker0"],
    ),
    (
        "FG013",
        transparent(
            host=HOST_TRANSPARENT.replace("cali4cd5cd7d78e", "veth4cd5cd7d"),
            routes=ROUTES_TRANSPARENT.replace("cali4cd5cd7d78e", "veth4cd5cd7d"),
        ),
        ["host veths are named veth*, but kubenet with policy calico names them cali*"],
    ),
    (
        "FG014",
        transparent(host=HOST_TRANSPARENT.replace("ee:ee:ee:ee:ee:ee", "3e:6a:2c:7e:59:25")),
        ["cali4cd5cd7d78e has MAC 3e:6a:2c:7e:59:25, not ee:ee:ee:ee:ee:ee"],
    ),
    (
        "FG016",
        {
            "extra": "  - namespace: host\n    command: route -m\n    output: |\n"
            + textwrap.indent(ROUTES_BRIDGE, "      ")
        },
        ["sections[4] (host): 'route -m' is not a command the parsers read; did you mean 'route -n'?"],
    ),
    (
        "FG015",
        {"extra": "expect:\n  mode: transparent\n  bridges_absent: [cbr0]\n"},
        [
            "expect.mode says 'transparent', but the outputs show 'bridge': pod veths are ports of the CNI bridge cbr0",
            "expect.bridges_absent lists 'cbr0', but the outputs show it",
        ],
    ),
    (
        "FG000",
        {"extra": "waivers:\n  - {rule: FG007, reason: no gateway problem here at all}\n"},
        ["the waiver for FG007 matches no finding; remove it"],
    ),
]


@pytest.mark.parametrize(("rule_id", "changes", "expected"), FAILING, ids=[c[0] for c in FAILING])
def test_rule_fails_with_exact_finding(
    tmp_path: Path, rule_id: str, changes: dict[str, str | None], expected: list[str]
) -> None:
    analysis = analyse(tmp_path, **changes)
    assert messages(analysis, rule_id) == expected
    assert rule_id not in analysis.result.passed


def test_every_rule_has_a_failing_case() -> None:
    ids = [r.id for r in rules.RULES]
    assert len(ids) == len(set(ids)), "rule ids are unique"
    assert set(ids) <= {case[0] for case in FAILING}


def test_findings_quote_the_offending_lines(tmp_path: Path) -> None:
    analysis = analyse(tmp_path, brctl=BRCTL_BRIDGE.replace("vethd3b9c108", "veth00000000"))
    (finding,) = analysis.result.findings
    assert [e.text.strip() if e.text else None for e in finding.evidence] == [
        "19: vethd3b9c108@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cbr0 state UP group default",
        "cbr0\t\t8000.160c0cac5660\tno\t\tveth00000000",
    ]
    assert finding.line == finding.evidence[0].line


def test_waiver_marks_a_finding_without_hiding_it(tmp_path: Path) -> None:
    analysis = analyse(
        tmp_path,
        brctl=BRCTL_BRIDGE.replace("vethd3b9c108", "veth00000000"),
        extra="waivers:\n  - {rule: FG004, reason: the two outputs were taken at different times}\n",
    )
    (finding,) = analysis.result.findings
    assert (finding.rule, finding.waived) == ("FG004", "the two outputs were taken at different times")
    assert analysis.result.errors == ()


def test_mode_comes_from_data_not_metadata(tmp_path: Path) -> None:
    """Azure CNI has used transparent mode without any policy since 2020; containerd nodes have no docker0."""
    analysis = analyse(tmp_path, **transparent(policy="none", plugin="azure", brctl=None))
    assert analysis.facts.mode.value == "transparent"
    assert analysis.facts.docker_bridge is None
    bridge_with_policy = analyse(tmp_path / "p", policy="calico")
    assert bridge_with_policy.facts.mode.value == "bridge"


def test_mode_is_unknown_without_host_routes_or_bridges(tmp_path: Path) -> None:
    host_lo = HOST_BRIDGE.split("2: eth0")[0]
    analysis = analyse(tmp_path, host=host_lo, brctl=None, routes=None)
    assert analysis.facts.datapath.value == "not-captured"
    assert analysis.facts.mode.value == "unknown"
    assert analysis.facts.mode.reason == (
        "datapath not-captured: the host's routes (ip route or route -n) were not captured"
    )
    # Missing data is not a violation: the pod's reachability is "not checked", never an error.
    assert messages(analysis, "FG005") == []
    assert ("FG005", "the host's routes and bridges were not captured") in analysis.result.not_checked


def test_onlink_gateway_is_on_link(tmp_path: Path) -> None:
    """flannel and Calico route to other nodes' pods via an address no connected route covers, with onlink."""
    onlink = IP_ROUTE_SECTION.format(extra_route="10.244.3.0/24 via 10.244.3.0 dev eth0 onlink")
    analysis = analyse(tmp_path, routes=None, extra=onlink)
    assert messages(analysis, "FG007") == []
    assert "FG007" in analysis.result.passed
    assert analysis.model.host is not None
    assert analysis.model.host.routes[-1].flags == ("onlink",)


def test_route_n_cannot_show_onlink_so_off_link_gateways_are_not_checked(tmp_path: Path) -> None:
    routes = ROUTES_BRIDGE + "10.244.3.0      10.244.3.0      255.255.255.0   UG    0      0        0 eth0\n"
    analysis = analyse(tmp_path, routes=routes)
    assert messages(analysis, "FG007") == []
    assert dict(analysis.result.not_checked)["FG007"] == (
        "route -n does not print the onlink flag, which route 10.244.3.0/24 via 10.244.3.0 may carry"
    )


def test_newer_azure_cni_node_without_docker_or_brctl_is_transparent(tmp_path: Path) -> None:
    """A containerd-era Azure CNI node: iproute2 6 text, ip route instead of route -n, no docker0, no brctl."""
    host = (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
        "    inet 127.0.0.1/8 scope host lo\n"
        "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n"
        "    link/ether 60:45:bd:12:34:56 brd ff:ff:ff:ff:ff:ff\n"
        "    inet 10.224.0.4/16 metric 100 brd 10.224.255.255 scope global eth0\n"
        "7: azv1a2b3c4d5e6@if6: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether aa:aa:aa:aa:aa:aa brd ff:ff:ff:ff:ff:ff link-netns cni-5b6a2c1e-0f3d-4b2a-9c1d-2e3f4a5b6c7d\n"
    )
    pod = (
        "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
        "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
        "    inet 127.0.0.1/8 scope host lo\n"
        "6: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 12:34:56:78:9a:bc brd ff:ff:ff:ff:ff:ff link-netnsid 0\n"
        "    inet 10.224.0.12/16 scope global eth0\n"
    )
    path = write_capture(
        tmp_path, plugin="azure", policy="none", pod_ip="10.224.0.12", pod=pod, host=host, brctl=None, routes=None
    )
    text = path.read_text(encoding="utf-8") + (
        "  - namespace: host\n    command: sudo ip route\n    output: |\n"
        "      default via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
        "      10.224.0.0/16 dev eth0 proto kernel scope link src 10.224.0.4 metric 100\n"
        "      10.224.0.12 dev azv1a2b3c4d5e6 proto static scope link\n"
        "      168.63.129.16 via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
    )
    path.write_text(text, encoding="utf-8")
    analysis = pipeline.analyse(path, tmp_path)
    assert analysis.model.host is not None and analysis.model.host.route_source == "ip route"
    assert (analysis.facts.mode.value, analysis.facts.docker_bridge, analysis.facts.uplink) == (
        "transparent",
        None,
        "eth0",
    )
    assert analysis.facts.host_veth_prefix == "azv"
    assert analysis.result.findings == ()
