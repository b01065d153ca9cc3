"""Derivation edge cases that no lab layout or published node shows on its own.

Each case is small and synthetic (iproute2-shaped text written for the test, and
named so); real outputs are tested through the golden facts fixtures
(tests/fixtures/facts/, test_facts_golden.py). Each test here guards one decision of
generator.facts, and fails when that decision is undone.
"""

from __future__ import annotations

from pathlib import Path

from generator import pipeline
from generator.pipeline import Analysis

LO = (
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000\n"
    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
    "    inet 127.0.0.1/8 scope host lo\n"
)
ETH0 = (
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n"
    "    link/ether 60:45:bd:12:34:56 brd ff:ff:ff:ff:ff:ff\n"
    "    inet 10.224.0.4/16 metric 100 brd 10.224.255.255 scope global eth0\n"
)


def _capture(root: Path, sections: list[tuple[str, str, str]], pods: tuple[tuple[str, str], ...] = ()) -> Analysis:
    folder = root / "none-none"
    folder.mkdir(parents=True, exist_ok=True)
    text = (
        "schema: 2\ntitle: synthetic node\ncluster: {network_plugin: none, network_policy: none}\n"
        'node: {name: node0}\ncaptured: {date: "2026-11-26", source: tests/test_facts.py (synthetic)}\n'
    )
    if pods:
        text += "pods:\n" + "".join(f"  - {{name: {name}, ip: {ip}}}\n" for name, ip in pods)
    text += "sections:\n"
    for namespace, command, output in sections:
        body = "".join(f"      {line}\n" for line in output.splitlines())
        text += f"  - namespace: {namespace}\n    command: {command}\n    output: |\n{body}"
    path = folder / "node0.yaml"
    path.write_text(text, encoding="utf-8")
    return pipeline.analyse(path, root)


def test_an_enslaved_veth_is_bridged_even_with_a_host_route_to_it(tmp_path: Path) -> None:
    """Bridge ports decide before per-pod routes: a stale /32 onto a cbr0 port does not make the node routed."""
    host = (
        LO
        + ETH0
        + "5: cbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 16:0c:0c:ac:56:60 brd ff:ff:ff:ff:ff:ff\n"
        "    inet 10.244.0.1/24 brd 10.244.0.255 scope global cbr0\n"
        "9: veth1a2b3c4d@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cbr0 state UP group default\n"
        "    link/ether 3e:6a:2c:7e:59:25 brd ff:ff:ff:ff:ff:ff link-netnsid 0\n"
    )
    routes = (
        "default via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
        "10.224.0.0/16 dev eth0 proto kernel scope link src 10.224.0.4 metric 100\n"
        "10.244.0.0/24 dev cbr0 proto kernel scope link src 10.244.0.1\n"
        "10.244.0.7 dev veth1a2b3c4d scope link\n"
    )
    analysis = _capture(tmp_path, [("host", "ip addr", host), ("host", "ip route", routes)])
    assert analysis.facts.per_pod_routes  # the route is there, and still loses to the bridge port
    assert (analysis.facts.datapath.value, analysis.facts.mode.value) == ("bridge", "bridge")
    assert analysis.facts.datapath.reason == "pod veths are ports of the CNI bridge cbr0"


def test_a_host_route_with_a_gateway_is_no_per_pod_route(tmp_path: Path) -> None:
    """A /32 via a gateway goes to a router, not a pod; a second NIC's host routes are not pods."""
    routes = (
        "default via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
        "10.224.0.0/16 dev eth0 proto kernel scope link src 10.224.0.4 metric 100\n"
        "10.225.0.9 via 10.225.0.1 dev eth1 proto static\n"
    )
    analysis = _capture(tmp_path, [("host", "ip route", routes)])
    assert analysis.facts.per_pod_routes == ()
    assert analysis.facts.datapath.value == "not-captured"


def test_the_dhcp_gateway_route_is_no_pod_and_eth0_stays_the_uplink(tmp_path: Path) -> None:
    """Every Ubuntu 22.04 AKS node routes its DHCP gateway as a /32 on eth0; with ip addr absent."""
    routes = (
        "default via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
        "10.224.0.0/16 dev eth0 proto kernel scope link src 10.224.0.4 metric 100\n"
        "10.224.0.1 dev eth0 proto dhcp scope link src 10.224.0.4 metric 100\n"
        "10.244.0.0/24 dev cbr0 proto kernel scope link src 10.244.0.1\n"
        "168.63.129.16 via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
    )
    facts = _capture(tmp_path, [("host", "ip route", routes)]).facts
    assert (facts.uplink, facts.node_address, facts.per_pod_routes) == ("eth0", "10.224.0.4/16", ())
    assert (facts.datapath.value, facts.pod_network.value, facts.encapsulation.value) == ("bridge", "pod-cidr", "none")
    assert facts.host_veth_prefix is None


def test_a_docker_bridge_is_known_by_its_mac_not_its_name(tmp_path: Path) -> None:
    """Docker names user bridges as told (com.docker.network.bridge.name); its 02:42 MAC gives it away."""
    host = (
        LO + ETH0 + "4: mynet0: <NO-CARRIER,BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state DOWN group default\n"
        "    link/ether 02:42:5c:1d:8e:0a brd ff:ff:ff:ff:ff:ff\n"
        "    inet 172.18.0.1/16 brd 172.18.255.255 scope global mynet0\n"
    )
    link = (
        '[{"ifindex":4,"ifname":"mynet0","flags":["NO-CARRIER","BROADCAST","MULTICAST","UP"],"mtu":1500,'
        '"qdisc":"noqueue","operstate":"DOWN","linkmode":"DEFAULT","group":"default","link_type":"ether",'
        '"address":"02:42:5c:1d:8e:0a","broadcast":"ff:ff:ff:ff:ff:ff","linkinfo":{"info_kind":"bridge"}}]'
    )
    facts = _capture(tmp_path, [("host", "ip addr", host), ("host", "ip -j -d link", link)]).facts
    assert (facts.docker_bridge, facts.cni_bridges) == ("mynet0", ())
    assert facts.role_of("host", "mynet0") == "docker-bridge"


def test_cilium_from_its_routes_alone(tmp_path: Path) -> None:
    """Cilium's router address is a /32 on cilium_host and the next hop of the pod ranges: no pod."""
    routes = (
        "default via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100\n"
        "10.0.0.0/24 via 10.0.0.1 dev cilium_host proto kernel src 10.0.0.1\n"
        "10.0.0.1 dev cilium_host proto kernel scope link\n"
        "10.0.1.0/24 via 10.0.0.1 dev cilium_host proto kernel src 10.0.0.1 mtu 1450\n"
        "10.224.0.0/16 dev eth0 proto kernel scope link src 10.224.0.4 metric 100\n"
    )
    analysis = _capture(tmp_path, [("host", "ip route", routes)])
    facts = analysis.facts
    assert facts.per_pod_routes == ()
    assert (facts.datapath.value, facts.mode.value, facts.pod_network.value) == ("ebpf", "ebpf", "pod-cidr")
    # Another node's range goes to cilium_host, not to that node: eBPF encapsulates it, and only
    # an interface listing would show through which tunnel (cilium_vxlan or cilium_geneve).
    assert facts.encapsulation.value == "unknown"
    (line,) = facts.encapsulation.lines
    assert (analysis.capture.source_line(line) or "").strip().startswith("10.0.1.0/24 via 10.0.0.1 dev cilium_host")


def test_lxc_veths_in_an_excerpt_are_cilium(tmp_path: Path) -> None:
    """An excerpt that shows only lxc* veths (cilium_host left out) is Cilium, not routed by elimination."""
    host = (
        LO
        + ETH0
        + "...\n"
        + "14: lxc8e2f1b3c4d5a@if13: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 7a:3c:1e:55:90:01 brd ff:ff:ff:ff:ff:ff link-netns cni-0b6a2c1e-0f3d-4b2a-9c1d-2e3f4a5b6c7d\n"
    )
    facts = _capture(tmp_path, [("host", "ip addr", host)]).facts
    assert (facts.datapath.value, facts.host_veths) == ("ebpf", ("lxc8e2f1b3c4d5a",))
    complete = _capture(tmp_path / "complete", [("host", "ip addr", host.replace("...\n", ""))]).facts
    # A whole listing without cilium_host is no Cilium node: an unbridged veth is then routed.
    assert complete.datapath.value == "routed"


def test_a_pods_link_local_gateway_says_routed_when_the_host_was_not_captured(tmp_path: Path) -> None:
    """Calico and Azure CNI give pods 169.254.1.1 as gateway and answer for it by proxy ARP."""
    pod_routes = "default via 169.254.1.1 dev eth0\n169.254.1.1 dev eth0 scope link\n"
    pods = (("web", "10.244.0.10"),)
    facts = _capture(tmp_path, [("pod/web", "ip route", pod_routes)], pods=pods).facts
    assert facts.datapath.value == "routed"
    assert "169.254.1.1 (pod/web)" in facts.datapath.reason
    bridged = _capture(
        tmp_path / "b",
        [("pod/web", "ip route", "default via 10.244.0.1 dev eth0\n10.244.0.0/24 dev eth0 proto kernel scope link\n")],
        pods=pods,
    ).facts
    assert bridged.datapath.value == "not-captured"


def test_cilium_from_its_interfaces(tmp_path: Path) -> None:
    """cilium_net@cilium_host is a pair inside the host; the router's address gives the pod range."""
    host = (
        LO
        + ETH0
        + "3: cilium_net@cilium_host: <BROADCAST,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 5e:2b:0a:c1:11:01 brd ff:ff:ff:ff:ff:ff\n"
        "4: cilium_host@cilium_net: <BROADCAST,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 7a:9c:5d:c1:11:02 brd ff:ff:ff:ff:ff:ff\n"
        "    inet 10.244.1.7/32 scope global cilium_host\n"
        "9: lxc8e2f1b3c4d5a@if8: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
        "    link/ether 7a:3c:1e:55:90:01 brd ff:ff:ff:ff:ff:ff link-netns cni-0b6a2c1e-0f3d-4b2a-9c1d-2e3f4a5b6c7d\n"
    )
    facts = _capture(tmp_path, [("host", "ip addr", host)]).facts
    assert (facts.datapath.value, facts.pod_network.value, facts.encapsulation.value) == ("ebpf", "pod-cidr", "none")
    assert facts.host_veths == ("lxc8e2f1b3c4d5a",)
    assert facts.role_of("host", "cilium_net") == "host-internal"
