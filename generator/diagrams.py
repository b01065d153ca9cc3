"""Topology diagrams: Graphviz DOT built from facts, rendered by ``dot`` to SVG in one batch.

A node's diagram reads left to right: each pod (a cluster with its eth0 and address),
the veth pair to its host end, then either the CNI bridge (a cluster holding its
ports: bridge mode) or the host routing table with one route per pod (transparent
mode), then the uplink NIC and the node subnet. What the capture does not show is
drawn dashed and labelled as not shown; nothing is invented.

Determinism and safety:

- node ids are derived from names (a slug plus a short hash), the graph carries an
  ``id`` so several SVGs on one page do not clash, and everything is emitted sorted;
- every label is an HTML-like label whose every character is escaped (control
  characters shown as ``\\xNN``), so no capture text can end the label and add
  attributes (``URL``, ``href``, ``tooltip``, ``id``) or markup, whatever its length;
  ids, classes and the graph name are slugs, never data;
- no edge carries a label (Graphviz cannot give it a background, and it would be
  unreadable in one of Material's two colour schemes): texts sit in filled nodes.

Rendering writes ``<sha256>.dot`` into a cache folder and runs one ``dot`` per graph
whose SVG is not cached yet, in parallel on every core; an unchanged graph costs no
process. One process per graph, not one batch: a batched ``dot -O a.dot b.dot`` orders
clusters differently from run to run, so the site would not be reproducible.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import graphviz

from generator import facts as facts_mod
from generator.errors import GeneratorError, Location, Problem, printable
from generator.facts import Facts, pod_ports
from generator.model import Namespace, NodeModel, Route
from generator.pipeline import Analysis

# Mid-tone strokes and light fills: filled shapes carry dark text in both colour
# schemes; strokes and cluster outlines stay visible on white and on slate.
FONT = "Helvetica,Arial,sans-serif"
INK = "#1f2933"
STROKE = "#7b8794"
COLOURS = {
    "pod": "#d9e8fb",
    "veth": "#fde9c9",
    "bridge": "#d5f0dc",
    "routing": "#e8defa",
    "uplink": "#d3eef2",
    "network": "#eceff1",
    "docker": "#eceff1",
    "missing": "#ffffff",
    "note": "#fff7d6",
    "tunnel": "#f3e3d3",
}
MAX_ROUTES_DRAWN = 12
INSTALL_HINT = (
    "Graphviz 'dot' is not installed or not on PATH. Install it (Debian/Ubuntu: sudo apt-get install graphviz; "
    "Fedora: sudo dnf install graphviz; macOS: brew install graphviz), or run make, which installs it when run as root"
)


def _slug(text: str) -> str:
    """A DOT/SVG-safe id from any name: readable part plus a short hash so distinct names never collide."""
    readable = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "x"
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:6]
    return f"{readable}-{digest}"


# Linux interface names stop at 15 characters and Kubernetes names at 253; a longer
# line is cut (visibly) so one hostile name cannot make a diagram unreadable.
MAX_LABEL_CHARS = 253


def _label(*lines: str) -> str:
    """An HTML-like label whose every character is literal text to Graphviz.

    Quoted labels rely on the caller keeping graphviz's escaping through every string
    operation, and a quoted value that starts with ``<`` and ends with ``>`` turns
    into markup; here the only markup is ours (``<`` ``>`` around, ``<br/>`` between
    lines) and every character of data is an entity or plain text. Characters an SVG
    cannot hold (control characters, surrogates) are shown as escapes. Graphviz expands
    ``\\N``, ``\\G`` and ``\\E`` even inside HTML-like labels (and after entities), so
    a backslash is doubled: ``dot`` shows ``\\\\`` as one backslash.
    """
    body = "<br/>".join(
        html.escape(printable(line, limit=MAX_LABEL_CHARS), quote=True).replace("\\", "\\\\") for line in lines
    )
    return f"<{body}>"


def drawable(text: str) -> str | None:
    """Why ``text`` cannot be drawn as it is (None when it can): what ``check`` reports."""
    if len(text) > MAX_LABEL_CHARS:
        return f"is {len(text)} characters long; a diagram shows at most {MAX_LABEL_CHARS}"
    # Every name and address of every capture comes here; nearly all are printable (a
    # tab is not), and one C-level test says so.
    if text.isprintable():
        return None
    bad = sorted({ch for ch in text if not ch.isprintable() or ch == "\t"})
    if bad:
        shown = ", ".join(printable(ch) for ch in bad)
        return f"holds characters a diagram cannot show ({shown})"
    return None


def problems(analysis: Analysis) -> list[Problem]:
    """Every name or address a diagram would draw differently from the capture, at its capture line."""
    capture = analysis.capture
    found: dict[tuple[int, str], Problem] = {}

    def visit(kind: str, text: str | None, line: int) -> None:
        if text is None:
            return
        why = drawable(text)
        if why is not None:
            found.setdefault(
                (line, text),
                Problem(
                    location=Location(capture.path, line),
                    message=f"{kind} {printable(text, limit=60)!s} {why}",
                    source=capture.source_line(line),
                ),
            )

    # Each namespace is drawn at the line of its first section.
    first_line: dict[str, int] = {}
    for section in capture.sections:
        first_line.setdefault(section.namespace, section.line)
    for ns in analysis.model.namespaces:
        visit("namespace", ns.name, first_line.get(ns.name, 0) or 1)
        for iface in ns.interfaces:
            visit("interface name", iface.name, iface.line)
            visit("master", iface.master, iface.line)
            for address in iface.addresses:
                visit("address", address.cidr, address.line)
        for bridge in ns.bridges:
            visit("bridge name", bridge.name, bridge.line)
            for port in bridge.ports:
                visit("bridge port", port, bridge.line)
        for route in ns.routes:
            visit("route device", route.device, route.line)
    return [found[k] for k in sorted(found)]


@dataclass
class _Builder:
    graph: graphviz.Digraph
    prefix: str

    def id(self, *parts: str) -> str:
        return f"{self.prefix}-{_slug('/'.join(parts))}"

    def node(
        self,
        graph: graphviz.Digraph,
        key: str,
        lines: Sequence[str],
        colour: str,
        *,
        dashed: bool = False,
        shape: str = "box",
    ) -> str:
        node_id = self.id(key)
        style = "filled,rounded,dashed" if dashed else "filled,rounded"
        graph.node(node_id, label=_label(*lines), id=node_id, fillcolor=COLOURS[colour], style=style, shape=shape)
        return node_id

    def edge(self, tail: str, head: str, *, kind: str, dashed: bool = False) -> None:
        attrs = {"id": f"{tail}--{head}", "class": kind}
        if dashed:
            attrs["style"] = "dashed"
        if kind == "veth":
            attrs.update(dir="none", penwidth="2")
        self.graph.edge(tail, head, **attrs)


def graph_id(name: str) -> str:
    return f"fg-{_slug(name)}"


def node_graph(analysis: Analysis, *, name: str | None = None) -> graphviz.Digraph:
    """The topology of one capture as a standalone graph."""
    gid = graph_id(name or analysis.capture.id)
    graph = _new_graph(gid)
    _draw(graph, _Builder(graph, gid), analysis.model, analysis.facts)
    return graph


def comparison_graph(before: Analysis, after: Analysis, *, name: str) -> graphviz.Digraph:
    """Two captures in one graph, each in a cluster labelled before/after with its mode."""
    gid = graph_id(name)
    graph = _new_graph(gid)
    for side, analysis in (("before", before), ("after", after)):
        with graph.subgraph(name=f"cluster_{side}") as sub:
            sub.attr(
                label=_label(f"{side}: {analysis.capture.id}", f"mode: {analysis.facts.mode.value}"),
                style="rounded",
                color=STROKE,
                fontcolor=STROKE,
                id=f"{gid}-{side}",
            )
            _draw(sub, _Builder(sub, f"{gid}-{side}"), analysis.model, analysis.facts)
    return graph


def _new_graph(gid: str) -> graphviz.Digraph:
    graph = graphviz.Digraph(name=gid)
    graph.attr(id=gid, rankdir="LR", bgcolor="transparent", fontname=FONT, fontsize="11", nodesep="0.25", ranksep="0.5")
    graph.attr("node", fontname=FONT, fontsize="10", fontcolor=INK, color=STROKE, penwidth="1.2")
    graph.attr("edge", color=STROKE, arrowsize="0.7", penwidth="1.2")
    return graph


def _draw(graph: graphviz.Digraph, b: _Builder, model: NodeModel, facts: Facts) -> None:
    host = model.host
    if host is None:
        b.node(graph, "no-host", ["nothing captured in the host namespace"], "note", dashed=True)
        return

    # The uplink and the node's network, on the right.
    uplink_id = None
    if facts.uplink:
        iface = host.interface(facts.uplink)
        own = [a.cidr for a in iface.ipv4] if iface else []
        # Azure CNI's bridge mode moves the node address to azure0; eth0 is then only its port.
        held = own or ([f"port of {iface.master}"] if iface and iface.master else [])
        uplink_id = b.node(graph, "uplink", [facts.uplink, *held, "uplink"], "uplink")
        if facts.node_address:
            network = str(ipaddress.ip_interface(facts.node_address).network)
            net_id = b.node(graph, "network", ["node subnet", network], "network", shape="ellipse")
            b.edge(uplink_id, net_id, kind="uplink")
        for vf in facts.interfaces_with("vf"):
            vf_id = b.node(graph, f"vf/{vf}", [vf, "accelerated networking VF"], "uplink", dashed=True)
            b.edge(vf_id, uplink_id, kind="vf", dashed=True)
    else:
        uplink_id = b.node(graph, "uplink", ["uplink not identified"], "missing", dashed=True)

    # Host ends of the pod veths, keyed by name.
    veth_ids: dict[str, str] = {}

    def veth(name: str, extra: Iterable[str] = ()) -> str:
        # First caller wins the label; a veth is drawn once however many paths reach it.
        if name not in veth_ids:
            shown = host.interface(name) is not None
            lines = [name, *extra] if shown else [name, *extra, "(not in the ip addr shown)"]
            veth_ids[name] = b.node(graph, f"veth/{name}", lines, "veth", dashed=not shown)
        return veth_ids[name]

    mode = facts.mode.value
    if mode == "bridge":
        for bridge_name in facts.cni_bridges:
            _draw_bridge(graph, b, host, facts, bridge_name, uplink_id, veth)
    elif facts.per_pod_routes:
        routing_id = b.node(
            graph,
            "routing",
            ["host routing table", f"{len(facts.per_pod_routes)} per-pod route(s)", "no CNI bridge"],
            "routing",
            shape="box",
        )
        b.edge(routing_id, uplink_id, kind="route")
        routes = sorted(facts.per_pod_routes, key=_route_order)
        for route in routes[:MAX_ROUTES_DRAWN]:
            vid = veth(route.device or "?", [f"route {route.destination}"])
            b.edge(vid, routing_id, kind="route")
        if len(routes) > MAX_ROUTES_DRAWN:
            more = b.node(
                graph, "more-routes", [f"... {len(routes) - MAX_ROUTES_DRAWN} more per-pod routes"], "note", dashed=True
            )
            b.edge(more, routing_id, kind="route", dashed=True)
    elif mode == "ebpf":
        _draw_ebpf(graph, b, host, facts, uplink_id, veth)
    elif mode == "transparent" and facts.host_veths:
        # Routed by elimination: the veths hang off no bridge, the routes were not captured.
        routing_id = b.node(
            graph, "routing", ["host routing table", "routes not captured", "no CNI bridge"], "routing", shape="box"
        )
        b.edge(routing_id, uplink_id, kind="route")
        for name in facts.host_veths[:MAX_ROUTES_DRAWN]:
            b.edge(veth(name), routing_id, kind="route", dashed=True)
    else:
        b.node(graph, "mode", [f"mode: {mode}", facts.mode.reason], "note", dashed=True)

    # Tunnels that carry pod traffic to other nodes.
    if facts.encapsulation.value not in ("none", facts_mod.UNKNOWN, facts_mod.NOT_CAPTURED):
        for name in facts.tunnels:
            if host.interface(name) is not None or any(r.device == name for r in host.routes):
                tunnel_id = b.node(
                    graph,
                    f"tunnel/{name}",
                    [name, f"{facts.encapsulation.value} to other nodes"],
                    "tunnel",
                )
                b.edge(tunnel_id, uplink_id, kind="route", dashed=True)

    if facts.docker_bridge:
        b.node(graph, "docker", [facts.docker_bridge, "Docker bridge (no pods)"], "docker", dashed=True)

    # Pods on the left, each a cluster, joined to the host end of its veth pair.
    for pod in model.pods:
        pair = next((p for p in facts.pairs if p.pod == pod.name), None)
        path = next((p for p in facts.paths if p.pod == pod.name), None)
        with graph.subgraph(name=f"cluster_{b.id('pod', pod.name)}") as cluster:
            cluster.attr(
                label=_label(pod.name),
                style="filled,rounded",
                fillcolor=COLOURS["pod"],
                color=STROKE,
                fontcolor=INK,
                id=b.id("cluster", pod.name),
            )
            eth0 = next((i for i in pod.interfaces if i.peer_ifindex is not None), None)
            if eth0 is None:
                pod_id = b.node(cluster, f"pod/{pod.name}", ["no veth end shown"], "missing", dashed=True)
            else:
                lines = [f"{eth0.name}@if{eth0.peer_ifindex}", *(a.cidr for a in eth0.ipv4)]
                pod_id = b.node(cluster, f"pod/{pod.name}/eth0", lines, "pod")
        if pair is not None and pair.host_interface:
            b.edge(pod_id, veth(pair.host_interface), kind="veth")
        elif path is not None and path.host_veth:
            b.edge(pod_id, veth(path.host_veth), kind="veth")
        elif pair is not None:
            missing = b.node(
                graph,
                f"missing/{pod.name}",
                [f"host index {pair.host_ifindex}", "(not in the ip addr shown)"],
                "missing",
                dashed=True,
            )
            b.edge(pod_id, missing, kind="veth", dashed=True)

    if host.elided:
        b.node(
            graph, "elided", ["more host interfaces", "left out by the author"], "missing", dashed=True, shape="note"
        )


def _draw_ebpf(
    graph: graphviz.Digraph, b: _Builder, host: Namespace, facts: Facts, uplink_id: str, veth: VethFn
) -> None:
    """Cilium: the pod veths hang off no bridge; eBPF programs move packets, cilium_host routes the pod range."""
    router = host.interface(facts_mod.CILIUM_HOST)
    lines = [facts_mod.CILIUM_HOST, *(a.cidr for a in (router.ipv4 if router else ())), "eBPF datapath (Cilium)"]
    router_id = b.node(graph, "ebpf", lines, "routing", shape="box")
    b.edge(router_id, uplink_id, kind="route")
    for name in facts.host_veths[:MAX_ROUTES_DRAWN]:
        b.edge(veth(name, ["eBPF"]), router_id, kind="route")
    if len(facts.host_veths) > MAX_ROUTES_DRAWN:
        more = b.node(graph, "more-veths", [f"... {len(facts.host_veths) - MAX_ROUTES_DRAWN} more pod veths"], "note")
        b.edge(more, router_id, kind="route", dashed=True)


def _route_order(route: Route) -> tuple[int, int, str, str]:
    # IPv4 and IPv6 networks do not compare with each other: order by family first.
    network = ipaddress.ip_network(route.destination)
    return (network.version, int(network.network_address), str(network), route.device or "")


VethFn = Callable[[str, Iterable[str]], str]


def _draw_bridge(
    graph: graphviz.Digraph, b: _Builder, host: Namespace, facts: Facts, bridge_name: str, uplink_id: str, veth: VethFn
) -> None:
    """The CNI bridge as a cluster; its pod ports (from brctl/bridge link and from ``master``) point into it."""
    bridge = next((x for x in host.bridges if x.name == bridge_name), None)
    iface = host.interface(bridge_name)
    ports = set(pod_ports(bridge, host, list(facts.host_veths), facts.uplink)) if bridge else set()
    ports |= {i.name for i in host.interfaces if i.master == bridge_name and i.name in facts.host_veths}
    with graph.subgraph(name=f"cluster_{b.id('bridge', bridge_name)}") as cluster:
        label = [f"CNI bridge {bridge_name}", *(a.cidr for a in (iface.ipv4 if iface else ()))]
        cluster.attr(
            label=_label(*label),
            style="filled,rounded",
            fillcolor=COLOURS["bridge"],
            color=STROKE,
            fontcolor=INK,
            id=b.id("cluster", bridge_name),
        )
        bridge_id = b.node(cluster, f"bridge/{bridge_name}", [bridge_name, "bridge"], "bridge")
    for port in sorted(ports):
        b.edge(veth(port, ["bridge port"]), bridge_id, kind="port")
    # Azure CNI bridges the uplink itself (eth0 is a port); kubenet routes from cbr0 to eth0.
    uplink_is_port = bool(bridge and facts.uplink in bridge.ports) or bool(
        facts.uplink and (u := host.interface(facts.uplink)) and u.master == bridge_name
    )
    b.edge(bridge_id, uplink_id, kind="port" if uplink_is_port else "route")


def dot_source(graph: graphviz.Digraph) -> str:
    return str(graph.source)


# --- rendering ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RenderStats:
    graphs: int
    rendered: int
    dot_processes: int


def find_dot() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise GeneratorError(Problem(location=Location("dot"), message=INSTALL_HINT))
    return dot


def render(sources: dict[str, str], out_dir: Path, cache_dir: Path, *, workers: int | None = None) -> RenderStats:
    """Write ``<name>.svg`` under ``out_dir`` for each DOT source; one ``dot`` per graph not yet cached.

    ``name`` may contain ``/``; it must stay inside ``out_dir``. SVGs are cached by
    the SHA-256 of their DOT source, so an unchanged graph is copied, not rendered.
    The ``dot`` processes run ``workers`` at a time (default: one per core).
    """
    out_root = out_dir.resolve()
    for name in sorted(sources):
        target = (out_dir / f"{name}.svg").resolve()
        if out_root not in target.parents:
            raise GeneratorError(
                Problem(location=Location(name), message=f"diagram name {name!r} would be written outside {out_dir}")
            )
    cached, stats = render_cached(sources, cache_dir, workers=workers)
    for name, path in cached.items():
        target = out_dir / f"{name}.svg"
        target.parent.mkdir(parents=True, exist_ok=True)
        svg = path.read_bytes()
        if not target.exists() or target.read_bytes() != svg:
            target.write_bytes(svg)
    return stats


def render_cached(
    sources: dict[str, str], cache_dir: Path, *, workers: int | None = None
) -> tuple[dict[str, Path], RenderStats]:
    """Each graph's SVG in the cache (name -> file), running ``dot`` only for graphs not there yet.

    The build reads them from the cache as it writes the site, so an unchanged diagram
    is neither rendered nor copied.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    hashes = {name: hashlib.sha256(source.encode("utf-8")).hexdigest() for name, source in sorted(sources.items())}
    todo = sorted({digest for digest in hashes.values() if not (cache_dir / f"{digest}.svg").exists()})
    if todo:
        dot = find_dot()
        by_digest = {digest: sources[name] for name, digest in hashes.items()}
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            failures = [f for f in pool.map(lambda d: _render_one(dot, by_digest[d], cache_dir, d), todo) if f]
        if failures:
            names = {digest: name for name, digest in sorted(hashes.items(), reverse=True)}
            raise GeneratorError(
                [
                    Problem(location=Location(f"diagram {names[digest]}"), message=f"dot failed: {message}")
                    for digest, message in failures
                ]
            )
    paths = {name: cache_dir / f"{digest}.svg" for name, digest in hashes.items()}
    return paths, RenderStats(graphs=len(sources), rendered=len(todo), dot_processes=len(todo))


def _render_one(dot: str, source: str, cache_dir: Path, digest: str) -> tuple[str, str] | None:
    """Render one graph into the cache; (digest, dot's first line of complaint) when it fails.

    The SVG is written under a temporary name and renamed: an interrupted build or a
    concurrent one never leaves a half-written SVG that a later build would trust.
    """
    tmp = cache_dir / f".{digest}.{os.getpid()}.tmp"
    result = subprocess.run(
        [dot, "-Tsvg", "-o", str(tmp)], input=source.encode("utf-8"), capture_output=True, check=False
    )
    if result.returncode != 0:
        tmp.unlink(missing_ok=True)
        first = (result.stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[0]
        return digest, f"exit {result.returncode}: {printable(first)}"
    tmp.replace(cache_dir / f"{digest}.svg")
    return None
