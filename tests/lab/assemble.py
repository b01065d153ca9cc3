"""Turn the raw outputs of tests/lab/lab.sh into captures, facts files and provenance.

usage: python -m tests.lab.assemble RAWDIR OUTDIR

Writes, for every lab node, ``OUTDIR/<layout>/<plugin>-<policy>/<node>.yaml`` (a capture in the normal
format, every output byte for byte as the kernel's tools printed it),
``<node>.facts.json`` (what the lab built: datapath, encapsulation, pod network, mode)
and one ``SOURCES.md`` per layout. The lab knows the truth because it built the
topology; those facts are the expected values of tests/test_facts_golden.py.

The YAML is written by hand rather than by a YAML library: a library falls back to a
quoted scalar when a line ends in a space (``ip route`` lines do), and an output must
stay a block literal. Every file is read back and compared with the raw outputs.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

from generator.capture import folder_slug
from generator.importer import block_literal

SCHEMA = Path(__file__).resolve().parents[2] / "generator" / "schema" / "capture.schema.json"


class LabError(Exception):
    """A raw lab directory that cannot be assembled; the message says what and where."""


@dataclass(frozen=True)
class Facts:
    """What the lab built on one node, in the facts vocabulary."""

    datapath: str
    encapsulation: str
    pod_network: str
    mode: str

    def as_json(self) -> str:
        return json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class Layout:
    title: str
    network_plugin: str
    network_policy: str
    description: str
    facts: Facts
    cni_bridge: str | None = None
    # Nodes whose facts differ from the layout's (a node without pods).
    node_facts: tuple[tuple[str, Facts], ...] = ()
    network_plugin_mode: str | None = None

    @property
    def folder(self) -> str:
        """The captures folder its nodes belong in (<plugin>-<policy>, as a capture's metadata names it)."""
        return folder_slug(self.network_plugin, self.network_plugin_mode, None, False, self.network_policy)

    @property
    def plugin_options(self) -> list[str]:
        """The plugin as fieldguide import takes it."""
        mode = ["--plugin-mode", self.network_plugin_mode] if self.network_plugin_mode else []
        return ["--plugin", self.network_plugin, *mode]

    def facts_of(self, node: str) -> Facts:
        return dict(self.node_facts).get(node, self.facts)


_BRIDGE_NONE_CIDR = Facts("bridge", "none", "pod-cidr", "bridge")
_ROUTED_NODE_SUBNET = Facts("routed", "none", "node-subnet", "transparent")
_ROUTED_POD_CIDR = Facts("routed", "none", "pod-cidr", "transparent")
_VETH_UPLINK = "Each node's eth0 is a veth whose peer is a port of the VNet bridge in another namespace (kind-style)."

LAYOUTS: dict[str, Layout] = {
    "lab-kubenet-bridge": Layout(
        title="Lab: kubenet, bridge mode (cbr0), dual-stack pod",
        network_plugin="kubenet",
        network_policy="none",
        description=(
            "kubenet: cbr0 holds the pod range's gateway (10.244.0.1/24 and fd00:10:244::1/64), the pods' "
            "veth* host ends are its ports, an idle docker0 sits beside it. Pod web-0 is dual-stack. eth0 is "
            "a tap (a NIC-like device without a veth peer; it carries no traffic in the lab) with the routes "
            "systemd-networkd installs on an Ubuntu 22.04 AKS node."
        ),
        facts=_BRIDGE_NONE_CIDR,
        cni_bridge="cbr0",
    ),
    "lab-azure-cni-bridge": Layout(
        title="Lab: Azure CNI, bridge mode (azure0 holds the node address)",
        network_plugin="azure",
        network_policy="none",
        description=(
            "Azure CNI in bridge mode: azure0 holds the node address and eth0's MAC, eth0 and the pods' azv* "
            "host veths are its ports, pods take addresses from the node subnet and route through the VNet "
            "gateway. " + _VETH_UPLINK
        ),
        facts=Facts("bridge", "none", "node-subnet", "bridge"),
        cni_bridge="azure0",
    ),
    "lab-azure-cni-transparent": Layout(
        title="Lab: Azure CNI, transparent mode (azv*, /32 routes)",
        network_plugin="azure",
        network_policy="none",
        description=(
            "Azure CNI in transparent mode: azv* host veths all with MAC aa:aa:aa:aa:aa:aa and proxy ARP, a "
            "/32 proto static route per pod, pods in the node subnet whose only routes lead to 169.254.1.1. "
            "The VNet routes the pod addresses to the node, as Azure does for a NIC's secondary IPs. " + _VETH_UPLINK
        ),
        facts=_ROUTED_NODE_SUBNET,
    ),
    "lab-azure-cni-overlay": Layout(
        title="Lab: Azure CNI Overlay (transparent datapath, separate pod CIDR)",
        network_plugin="azure",
        network_plugin_mode="overlay",
        network_policy="none",
        description=(
            "Azure CNI Overlay, two nodes: the transparent datapath (azv* with aa:aa:aa:aa:aa:aa, proxy ARP, "
            "/32 proto static routes, 169.254.1.1) with pod addresses from 10.244.<node>.0/24 while the nodes "
            "are in 10.224.0.0/16. There is no tunnel device: the VNet routes each node's pod CIDR to it, as "
            "Azure's overlay does below the node. " + _VETH_UPLINK
        ),
        facts=_ROUTED_POD_CIDR,
    ),
    "lab-calico": Layout(
        title="Lab: kubenet with Calico (cali*, /32 routes), beside a Docker network",
        network_plugin="kubenet",
        network_policy="calico",
        description=(
            "Calico's datapath with native routing: cali* host veths with MAC ee:ee:ee:ee:ee:ee and proxy "
            "ARP, a /32 route per pod, pods with a /32 and a default via 169.254.1.1. An idle Docker "
            "user-defined network bridge (br-<id>, MAC 02:42:..) sits beside it; the VNet routes the node's "
            "pod range to it (kubenet's route table). " + _VETH_UPLINK
        ),
        facts=_ROUTED_POD_CIDR,
    ),
    "lab-calico-vxlan": Layout(
        title="Lab: Calico VXLAN between two nodes (vxlan.calico)",
        network_plugin="none",
        network_policy="none",
        description=(
            "Calico in VXLAN mode on two nodes (bring-your-own CNI, so network_plugin none): cali* veths as "
            "in the calico layout, /26 IPAM blocks with a blackhole route for the local block, vxlan.calico "
            "(VNI 4096, port 4789) holding the node's tunnel address, routes to the other node's block via "
            "its tunnel address with onlink, and the neighbour and FDB entries Felix writes. " + _VETH_UPLINK
        ),
        facts=Facts("routed", "vxlan", "pod-cidr", "transparent"),
    ),
    "lab-flannel-vxlan": Layout(
        title="Lab: flannel VXLAN (cni0 + flannel.1), three nodes, one without pods",
        network_plugin="none",
        network_policy="none",
        description=(
            "flannel with the vxlan backend (bring-your-own CNI): cni0 bridges each node's pods, flannel.1 "
            "(VNI 1, port 8472) holds the node's subnet .0 address, routes to the other nodes' subnets go via "
            "their .0 address on flannel.1 with onlink, with the neighbour and FDB entries flanneld writes. "
            "The third node has no pods yet, so no cni0. " + _VETH_UPLINK
        ),
        facts=Facts("bridge", "vxlan", "pod-cidr", "bridge"),
        cni_bridge="cni0",
        node_facts=(("aks-nodepool1-vmss000002", Facts("unknown", "vxlan", "unknown", "unknown")),),
    ),
    "lab-flannel-host-gw": Layout(
        title="Lab: flannel host-gw (cni0, routes via the other node)",
        network_plugin="none",
        network_policy="none",
        description=(
            "flannel with the host-gw backend (bring-your-own CNI): cni0 bridges each node's pods and the "
            "other node's pod subnet is routed via that node's address on eth0. " + _VETH_UPLINK
        ),
        facts=_BRIDGE_NONE_CIDR,
        cni_bridge="cni0",
    ),
    "lab-cilium": Layout(
        title="Lab: Cilium-like tunnel mode (cilium_host, lxc*, cilium_vxlan)",
        network_plugin="none",
        network_policy="none",
        description=(
            "Cilium's devices in tunnel mode (bring-your-own CNI; AKS-managed Cilium routes natively, without "
            "cilium_vxlan): the cilium_host/cilium_net veth pair, cilium_host holding the router IP "
            "10.244.0.37/32, the pod CIDR via that IP on cilium_host, lxc* host veths, pods with a /32 and a "
            "default via the router IP, and a collect-metadata cilium_vxlan device. Cilium's eBPF programs "
            "cannot be reproduced: the pods reach each other through plain per-pod routes in routing table "
            "100, chosen by an ip rule, which `ip route` (the main table) does not show. " + _VETH_UPLINK
        ),
        facts=Facts("ebpf", "vxlan", "pod-cidr", "ebpf"),
    ),
}

# Values that really change from run to run: the bridge timers `ip -j -d link` prints (and
# the capture date, and the order of tied IPv6 routes). tests/lab/test_lab.py ignores
# exactly these when it compares runs.
VARYING_LINK_KEYS = frozenset(
    {
        "hello_timer",
        "tcn_timer",
        "topology_change_timer",
        "gc_timer",
        "hold_timer",
        "message_age_timer",
        "forward_delay_timer",
    }
)


@dataclass(frozen=True)
class Pod:
    name: str
    ip: str
    netns: str


@dataclass(frozen=True)
class Node:
    layout: str
    name: str
    ipv6: bool
    pods: tuple[Pod, ...]


@dataclass(frozen=True)
class Output:
    command: str
    text: str
    path: Path


def _tsv(path: Path, width: int) -> list[list[str]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LabError(f"{path}: cannot read it ({exc.strerror})") from None
    rows = [line.split("\t") for line in lines if line]
    for number, row in enumerate(rows, start=1):
        if len(row) < width:
            raise LabError(f"{path}:{number}: expected {width} tab-separated fields, found {len(row)}")
    return rows


def read_manifest(raw: Path) -> list[Node]:
    """The lab's nodes and pods, in build order, from ``manifest.tsv``."""
    rows = _tsv(raw / "manifest.tsv", 4)
    pods: dict[tuple[str, str], list[Pod]] = {}
    for number, row in enumerate(rows, start=1):
        if row[0] not in ("node", "pod") or (row[0] == "pod" and len(row) != 6):
            raise LabError(f"{raw / 'manifest.tsv'}:{number}: expected a node row or a pod row of 6 fields")
        if row[0] == "pod":
            pods.setdefault((row[1], row[2]), []).append(Pod(name=row[3], ip=row[4], netns=row[5]))
    nodes = [
        Node(layout=row[1], name=row[2], ipv6=row[3] == "1", pods=tuple(pods.pop((row[1], row[2]), [])))
        for row in rows
        if row[0] == "node"
    ]
    if pods:
        raise LabError(f"{raw / 'manifest.tsv'}: pods of unknown nodes: {sorted(pods)}")
    unknown = sorted({n.layout for n in nodes} - LAYOUTS.keys())
    if unknown:
        raise LabError(f"{raw / 'manifest.tsv'}: no metadata in assemble.LAYOUTS for {', '.join(unknown)}")
    missing = sorted(LAYOUTS.keys() - {n.layout for n in nodes})
    if missing:
        raise LabError(f"{raw / 'manifest.tsv'}: layouts not built: {', '.join(missing)}")
    return nodes


def read_outputs(folder: Path) -> list[Output]:
    """One namespace's outputs, in the order lab.sh ran the commands."""
    outputs = []
    for command, slug in _tsv(folder / "commands.tsv", 2):
        path = folder / f"{slug}.out"
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            raise LabError(f"{path}: cannot read it ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise LabError(f"{path}: not UTF-8") from None
        outputs.append(Output(command, text, path))
    return outputs


def versions(raw: Path) -> dict[str, str]:
    found = {row[0]: row[1] for row in _tsv(raw / "versions.tsv", 2)}
    missing = [name for name in ("kernel", "iproute2") if not found.get(name)]
    if missing:
        raise LabError(f"{raw / 'versions.tsv'}: no {' or '.join(missing)} version")
    return found


@cache
def claimable() -> dict[str, frozenset[str]]:
    """The ``expect`` values the capture schema accepts, per fact: a claim it cannot express is left out."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    expect = schema["properties"]["expect"]["properties"]
    return {key: frozenset(expect[key]["enum"]) for key in ("mode", "datapath", "encapsulation", "pod_network")}


# --- writing YAML --------------------------------------------------------------------------


def q(value: str) -> str:
    """A YAML scalar for any string: JSON's double-quoted form is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def block(key: str, text: str, indent: int, where: str) -> list[str]:
    """``key: |`` and the text as a block literal, byte for byte (see :func:`generator.importer.block_literal`).

    ``where`` names the output in an error (the raw file it came from).
    """
    for number, line in enumerate(text.split("\n"), start=1):
        bad = [c for c in line if (c < " " and c != "\t") or c in "\x7f\u2028\u2029\ufeff\x85"]
        if bad:
            raise LabError(f"{where}:{number}: character {bad[0]!r} cannot be kept in a YAML block literal")
    return block_literal(key, text, indent)


def node_sections(node: Node, raw: Path) -> list[tuple[str, str, Output]]:
    """(namespace, command prefix, output) for the node's host namespace, then each pod's.

    Pod commands are written as typed on a node with containerd's netns names.
    """
    base = raw / node.layout / node.name
    sections = [("host", "", output) for output in read_outputs(base / "host")]
    for pod in node.pods:
        prefix = f"ip netns exec {pod.netns} "
        sections += [(f"pod/{pod.name}", prefix, output) for output in read_outputs(base / f"pod-{pod.name}")]
    return sections


def render(node: Node, layout: Layout, sections: list[tuple[str, str, Output]], vers: dict[str, str], date: str) -> str:
    facts = layout.facts_of(node.name)
    tools = ", ".join(f"{name} {vers[name]}" for name in ("iproute2", "net-tools", "bridge-utils") if name in vers)
    out = [
        "# Generated by tests/lab (make lab OUT=...): a lab reproduction on a real kernel, not an AKS node.",
        "# Do not edit: change tests/lab/ and regenerate.",
        "schema: 2",
        f"title: {q(layout.title)}",
        "cluster:",
        f"  network_plugin: {layout.network_plugin}",
        *([f"  network_plugin_mode: {layout.network_plugin_mode}"] if layout.network_plugin_mode else []),
        f"  network_policy: {layout.network_policy}",
        "node:",
        f"  name: {node.name}",
        f"  kernel: {q(vers['kernel'])}",
        "captured:",
        f"  date: {q(date)}",
        f"  source: {q(f'tests/lab/ (lab.sh + assemble.py), layout {node.layout}')}",
        f"  notes: {q(_notes(node, layout, vers, tools))}",
        "lab:",
        f"  layout: {node.layout}",
    ]
    if node.pods:
        out.append("pods:")
        for pod in node.pods:
            out += [f"  - name: {pod.name}", f"    ip: {q(pod.ip)}", f"    note: {q(f'network namespace {pod.netns}')}"]
    out.append("sections:")
    for namespace, prefix, output in sections:
        out += [f"  - namespace: {namespace}", f"    command: {q(prefix + output.command)}"]
        out += block("output", output.text, 6, str(output.path))
    out.append("expect:")
    claims = claimable()
    for key in ("mode", "datapath", "encapsulation", "pod_network"):
        value = getattr(facts, key)
        if value in claims[key]:
            out.append(f"  {key}: {value}")
    if layout.cni_bridge and facts.datapath == "bridge":
        out.append(f"  cni_bridge: {layout.cni_bridge}")
    if out[-1] == "expect:":
        out.pop()
    return "\n".join(out) + "\n"


def _notes(node: Node, layout: Layout, vers: dict[str, str], tools: str) -> str:
    return (
        f"Reproduced in the network-namespace lab (tests/lab/lab.sh, layout {node.layout}) on Linux "
        f"{vers['kernel']} with {tools}; every output is exactly what the tools printed. {layout.description} "
        "Names, MACs and addresses are derived from fixed keys, so every run prints the same apart from the "
        "bridge timers of ip -j -d link and the order of tied fe80::/64 routes in ip -6 route. The node's "
        "namespace is unnamed (a pod sees it as link-netnsid 0); pod namespaces are named cni-<uuid> as "
        "containerd names them. Commands ran through nsenter --net; they are written as typed on a node."
    )


def check_round_trip(path: Path, sections: list[tuple[str, str, Output]]) -> None:
    """Read the file back: every output must come out exactly as the tools printed it."""
    data = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    for section, (_, _, output) in zip(data["sections"], sections, strict=True):
        if section["output"] != output.text:
            raise LabError(f"{path}: the output of {output.path} does not read back byte for byte")


def sources(layout_name: str, layout: Layout, nodes: list[Node], vers: dict[str, str]) -> str:
    lines = [
        f"# Sources: {layout_name}",
        "",
        "Generated by `make lab` (tests/lab/lab.sh builds, tests/lab/assemble.py writes): do not edit.",
        "",
        "Every output in these captures was printed by the real tools on a real Linux kernel, in the",
        "network-namespace lab: a throwaway `unshare --mount --net` sandbox holding miniature nodes and",
        "pods, proven to forward with ping before the commands ran. It is a reproduction of a layout,",
        "not a capture from an AKS node. `make lab-publish` puts the captures on the site, as",
        "`captures/<plugin>-<policy>/<layout>-<node>.yaml`; the facts stay here, beside the tests.",
        "",
        f"- Layout: `{layout_name}` ({layout.title})",
        f"- What it reproduces: {layout.description}",
        f"- Linux {vers['kernel']}; " + ", ".join(f"{k} {v}" for k, v in sorted(vers.items()) if k != "kernel"),
        "- Licence: generated by this project's lab, under the project's licence.",
        "",
        "| node | pods (network namespace) | datapath | encapsulation | pod_network | mode |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for node in nodes:
        facts = layout.facts_of(node.name)
        pods = ", ".join(f"{p.name} {p.ip} (`{p.netns}`)" for p in node.pods) or "none"
        lines.append(
            f"| {node.name} | {pods} | {facts.datapath} | {facts.encapsulation} | {facts.pod_network} | {facts.mode} |"
        )
    return "\n".join(lines) + "\n"


def assemble(raw: Path, dest: Path, date: str) -> list[Path]:
    """Write every capture, facts file and SOURCES.md; return the captures written."""
    nodes = read_manifest(raw)
    vers = versions(raw)
    written = []
    for layout_name, layout in LAYOUTS.items():
        # Each layout folder is a captures root: its captures sit in <plugin>-<policy>/.
        folder = dest / layout_name
        captures = folder / layout.folder
        captures.mkdir(parents=True, exist_ok=True)
        members = [n for n in nodes if n.layout == layout_name]
        for node in members:
            path = captures / f"{node.name}.yaml"
            sections = node_sections(node, raw)
            path.write_text(render(node, layout, sections, vers, date), encoding="utf-8")
            check_round_trip(path, sections)
            (captures / f"{node.name}.facts.json").write_text(layout.facts_of(node.name).as_json(), encoding="utf-8")
            written.append(path)
        (folder / "SOURCES.md").write_text(sources(layout_name, layout, members, vers), encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m tests.lab.assemble RAWDIR OUTDIR", file=sys.stderr)
        return 2
    date = dt.datetime.now(dt.UTC).date().isoformat()
    try:
        written = assemble(Path(argv[1]), Path(argv[2]), date)
    except LabError as exc:
        print(f"lab: {exc}", file=sys.stderr)
        return 1
    print(f"lab: {len(written)} captures written under {argv[2]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
