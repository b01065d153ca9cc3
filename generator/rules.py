"""Shared rules: named checks of what a capture's outputs must show.

Every rule lives in this module. Each has a stable id (``FG001``), a slug, a one-line
statement of what must hold, when it applies (decided by derived facts or by the
capture's metadata), a severity, and a check that yields violations quoting the
offending capture lines. The rules catalogue on the site is generated from these
definitions, so the statement written here is the one readers see.

A capture may waive a rule with a reason (``waivers:``); waived findings are still
reported, marked as waived, and never silently dropped. A waiver that matches no
finding is itself reported, so stale waivers do not linger.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

from generator import aks
from generator import facts as facts_mod
from generator.capture import Capture, Section
from generator.facts import Facts
from generator.model import Interface, Namespace, NodeModel, Route, interface

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Context:
    capture: Capture
    model: NodeModel
    facts: Facts

    @cached_property
    def host(self) -> Namespace:
        return self.model.host or Namespace(name="host")

    @cached_property
    def off_link(self) -> list[Route]:
        """The host's off-link routes: asked by a rule's check and by what it needs."""
        return facts_mod.off_link_routes(self.host)


@dataclass(frozen=True)
class Violation:
    """What a check yields: the message and the capture lines that show the problem (first is the anchor)."""

    message: str
    lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Evidence:
    line: int
    text: str | None


@dataclass(frozen=True)
class Finding:
    rule: str
    name: str
    severity: str
    message: str
    file: str
    line: int | None
    evidence: tuple[Evidence, ...] = ()
    waived: str | None = None


@dataclass(frozen=True)
class Rule:
    """A named check. ``applies`` says whether the situation is one the rule is about;
    ``needs`` names what the capture lacks to decide it (``None`` when it has it all)."""

    id: str
    name: str
    statement: str
    applies_when: str
    severity: str
    applies: Callable[[Context], bool]
    check: Callable[[Context], Iterator[Violation]]
    explanation: str
    needs: Callable[[Context], str | None]


@dataclass(frozen=True)
class Result:
    """A capture's rule results: findings, and which rules passed, did not apply, or could not be
    checked for want of output (``not_checked``: rule id and what is missing)."""

    capture_id: str
    findings: tuple[Finding, ...]
    passed: tuple[str, ...]
    not_applicable: tuple[str, ...]
    not_checked: tuple[tuple[str, str], ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR and not f.waived)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING and not f.waived)


RULES: list[Rule] = []


def _needs_nothing(ctx: Context) -> str | None:
    return None


def rule(
    id: str,
    name: str,
    *,
    statement: str,
    applies_when: str,
    severity: str,
    applies: Callable[[Context], bool],
    needs: Callable[[Context], str | None] = _needs_nothing,
) -> Callable[[Callable[[Context], Iterator[Violation]]], Callable[[Context], Iterator[Violation]]]:
    """Register a check; the function's docstring explains the rule on the catalogue page."""

    def register(check: Callable[[Context], Iterator[Violation]]) -> Callable[[Context], Iterator[Violation]]:
        assert all(r.id != id for r in RULES), f"duplicate rule id {id}"
        explanation = " ".join((check.__doc__ or "").split())
        RULES.append(
            Rule(
                id=id,
                name=name,
                statement=statement,
                applies_when=applies_when,
                severity=severity,
                applies=applies,
                check=check,
                explanation=explanation,
                needs=needs,
            )
        )
        return check

    return register


def by_id(rule_id: str) -> Rule | None:
    return next((r for r in RULES if r.id == rule_id), None)


# --- helpers ---------------------------------------------------------------------------


def _declared_pods(ctx: Context) -> list[tuple[str, str, int, Namespace]]:
    """(name, ip, declaration line, namespace) for declared pods whose namespace was captured."""
    out = []
    for pod in ctx.capture.pods:
        ns = ctx.model.namespace(f"pod/{pod.name}")
        if ns is not None and ns.has_interfaces:
            out.append((pod.name, pod.ip, pod.line, ns))
    return out


def _host_listing_complete(host: Namespace) -> bool:
    """An address listing the author neither abbreviated (``...``) nor filtered (``| grep``)."""
    return host.has_interfaces and not host.partial_interfaces


def _needs_routes(ctx: Context) -> str | None:
    if not ctx.host.has_routes:
        return "the host's routes (ip route or route -n) were not captured"
    if ctx.host.partial_routes:
        return f"only part of the host's {ctx.host.route_source} output was captured"
    return None


def _needs_routes_and_listing(ctx: Context) -> str | None:
    if missing := _needs_routes(ctx):
        return missing
    if not ctx.host.has_interfaces:
        return "the host's interfaces (ip addr) were not captured"
    if ctx.host.partial_interfaces:
        return "only part of the host's interface listing was captured"
    return None


def _has(ctx: Context, *commands: str) -> bool:
    return any(c in ctx.host.commands for c in commands)


def _mode_is(value: str) -> Callable[[Context], bool]:
    return lambda ctx: ctx.facts.mode.value == value


# --- metadata against data -------------------------------------------------------------------


@rule(
    "FG001",
    "pod-ip-is-eth0",
    statement="Every declared pod IP is an address of that pod's eth0.",
    applies_when="a declared pod's namespace has an address listing (ip addr)",
    severity=ERROR,
    applies=lambda ctx: bool(_declared_pods(ctx)),
)
def _pod_ip_is_eth0(ctx: Context) -> Iterator[Violation]:
    """The pod list is metadata an author types; the pod's own `ip addr` is what the
    kernel printed. They must agree, or every table that joins the two is wrong."""
    for name, ip, line, ns in _declared_pods(ctx):
        eth0 = facts_mod.pod_eth0(ns)
        if eth0 is None:
            yield Violation(f"pod {name!r} has no interface with a peer in another namespace (no eth0@ifN)", (line,))
            continue
        ips = [a.ip for a in eth0.addresses]
        if ip not in ips:
            shown = ", ".join(a.cidr for a in eth0.addresses) or "no address"
            yield Violation(
                f"pod {name!r} is declared with IP {ip}, but its {eth0.name} shows {shown}", (line, eth0.line)
            )


@rule(
    "FG002",
    "pod-has-one-host-veth",
    statement="Each pod's eth0 leads to exactly one host interface, a veth that no other pod claims.",
    applies_when="pods and the host both have address listings",
    severity=ERROR,
    applies=lambda ctx: bool(ctx.facts.pairs) and ctx.host.has_interfaces,
)
def _pod_has_one_host_veth(ctx: Context) -> Iterator[Violation]:
    """A pod's `eth0@ifN` names the host interface with index N. It must be shown
    (unless the author abbreviated the host listing), must itself point into another
    namespace, and two pods cannot share it."""
    claims: dict[int, list[str]] = {}
    for pair in ctx.facts.pairs:
        claims.setdefault(pair.host_ifindex, []).append(pair.pod)
        if pair.host_interface is None:
            if _host_listing_complete(ctx.host):
                yield Violation(
                    f"{pair.pod}: {pair.pod_interface}@if{pair.host_ifindex} points at host interface "
                    f"{pair.host_ifindex}, which the host's complete ip addr does not show",
                    pair.lines,
                )
            continue
        iface = ctx.host.interface(pair.host_interface)
        if iface is not None and pair.host_interface not in ctx.facts.host_veths:
            yield Violation(
                f"{pair.pod}: host interface {pair.host_interface} (index {pair.host_ifindex}) is not a veth end "
                "(no @ifN peer in another namespace)",
                pair.lines,
            )
    for index, pods in sorted(claims.items()):
        if len(pods) > 1:
            lines = tuple(ln for p in ctx.facts.pairs if p.host_ifindex == index for ln in p.lines[:1])
            yield Violation(f"pods {', '.join(pods)} all point at host interface {index}", lines)


# --- consistency between commands ----------------------------------------------------------------


@rule(
    "FG003",
    "veth-peers-agree",
    statement="veth peer indexes agree in both directions: pod eth0@ifN is host index N, and it says @if<pod eth0 index>.",
    applies_when="a pod's eth0 and its host end are both shown",
    severity=ERROR,
    applies=lambda ctx: any(p.host_interface for p in ctx.facts.pairs),
)
def _veth_peers_agree(ctx: Context) -> Iterator[Violation]:
    """Pairs are joined by index, not by name, because names differ on each side. If the
    two ends disagree, the outputs were taken at different times or on different nodes."""
    for pair in ctx.facts.pairs:
        if pair.status == "mismatch":
            back = f"@if{pair.host_peer_ifindex}" if pair.host_peer_ifindex is not None else "no @ifN"
            yield Violation(
                f"{pair.pod}: {pair.pod_interface} (index {pair.pod_ifindex}) points at host index {pair.host_ifindex} "
                f"({pair.host_interface}), which points back with {back}",
                pair.lines,
            )


@rule(
    "FG004",
    "bridge-ports-agree",
    statement="Bridge ports agree between brctl show / bridge link and the 'master' of each interface in ip addr.",
    applies_when="the host has both a bridge listing and an address listing",
    severity=ERROR,
    applies=lambda ctx: ctx.host.has_bridges and ctx.host.has_interfaces,
    needs=lambda ctx: "only part of the host's bridge listing was captured" if ctx.host.partial_bridges else None,
)
def _bridge_ports_agree(ctx: Context) -> Iterator[Violation]:
    """Two commands describe the same kernel state; when they disagree, one of them is
    stale, edited, or from another node."""
    bridges = {b.name: b for b in ctx.host.bridges}
    for iface in ctx.host.interfaces:
        bridge = bridges.get(iface.master or "")
        if bridge is not None and iface.name not in bridge.ports:
            yield Violation(
                f"ip addr shows {iface.name} with master {bridge.name}, but {bridge.source} does not list it "
                f"among {bridge.name}'s ports",
                (iface.line, bridge.line),
            )
    for bridge in ctx.host.bridges:
        for port in bridge.ports:
            listed = ctx.host.interface(port)
            if listed is not None and listed.master != bridge.name:
                master = f"master {listed.master}" if listed.master else "no master"
                yield Violation(
                    f"{bridge.source} lists {port} as a port of {bridge.name}, but ip addr shows it with {master}",
                    (bridge.line, listed.line),
                )


@rule(
    "FG005",
    "pod-reachable",
    statement="Every pod is reachable from the host: its veth is a bridge port, or a host route leads to it.",
    applies_when="pods were captured",
    severity=ERROR,
    applies=lambda ctx: bool(ctx.facts.paths),
    needs=lambda ctx: next(
        (p.reason for p in ctx.facts.paths if p.via == facts_mod.NOT_CAPTURED),
        None,
    ),
)
def _pod_reachable(ctx: Context) -> Iterator[Violation]:
    """Whatever the mode, the node must be able to deliver a packet to each of its pods.
    Checked only where the host's routes and bridges were captured whole: an excerpt
    that leaves out a pod's route is not an unreachable pod."""
    for path in ctx.facts.paths:
        if path.via == facts_mod.UNKNOWN:
            yield Violation(f"{path.pod} ({path.address or 'no address'}): {path.reason}", path.lines)


@rule(
    "FG006",
    "route-device-exists",
    statement="Every route's device is an interface the host shows.",
    applies_when="the host's routes and a whole interface listing were captured",
    severity=WARNING,
    applies=lambda ctx: ctx.host.has_routes,
    needs=_needs_routes_and_listing,
)
def _route_device_exists(ctx: Context) -> Iterator[Violation]:
    """The kernel keeps no route to a device that does not exist, so a device missing
    from the listing means the listing was cut short without a mark (or the two outputs
    come from different moments). A warning: published listings are often trimmed
    silently; mark left-out interfaces with a '...' line."""
    names = {i.name for i in ctx.host.interfaces}
    for route in ctx.host.routes:
        if route.device and route.device not in names:
            yield Violation(
                f"route {route.destination} uses device {route.device}, which ip addr does not show "
                "(if the listing was trimmed, mark the left-out lines with '...')",
                (route.line,),
            )


@rule(
    "FG007",
    "gateway-is-on-link",
    statement="Every gateway lies in a network the host is directly connected to, or its route says onlink.",
    applies_when="the host's routes were captured",
    severity=ERROR,
    applies=lambda ctx: ctx.host.has_routes,
    needs=lambda ctx: _gateway_needs(ctx),
)
def _gateway_is_on_link(ctx: Context) -> Iterator[Violation]:
    """A next hop must be reachable without another hop: inside a connected route or an
    address of the host, or declared reachable on the device with `onlink` (flannel and
    Calico route to other nodes' pods that way)."""
    for route in ctx.off_link:
        yield Violation(
            f"route {route.destination} goes via {route.gateway}, which is in no network the host is connected to "
            "and the route is not onlink",
            (route.line,),
        )


def _gateway_needs(ctx: Context) -> str | None:
    """An off-link gateway is a finding only when every connected network and the onlink flag were visible."""
    off = ctx.off_link
    if not off:
        return None
    # The kernel refuses a gateway it cannot reach (unless onlink), so an off-link one in a
    # real table means the output shown is not the whole table: only a complete interface
    # listing, whose addresses give every connected network, makes it a finding.
    if not ctx.host.has_interfaces or ctx.host.partial_interfaces:
        what = "was not captured" if not ctx.host.has_interfaces else "was captured only in part"
        return (
            f"the host's interface listing {what}, so the network of gateway {off[0].gateway} "
            f"(route {off[0].destination}) may simply not be shown"
        )
    if ctx.host.route_source == "route -n":
        return (
            f"route -n does not print the onlink flag, which route {off[0].destination} via {off[0].gateway} may carry"
        )
    return None


# --- bridge mode ---------------------------------------------------------------------------------


def _cni_bridge_interfaces(ctx: Context) -> list[Interface]:
    return [i for name in ctx.facts.cni_bridges if (i := ctx.host.interface(name)) is not None]


@rule(
    "FG008",
    "bridge-holds-pod-network",
    statement="In bridge mode, the CNI bridge holds an address whose network contains every pod's address.",
    applies_when="mode is bridge and ip addr shows the CNI bridge",
    severity=ERROR,
    applies=lambda ctx: ctx.facts.mode.value == "bridge" and bool(_cni_bridge_interfaces(ctx)),
    needs=lambda ctx: None if ctx.host.has_addresses else "the host's addresses (ip addr) were not captured",
)
def _bridge_holds_pod_network(ctx: Context) -> Iterator[Violation]:
    """The bridge is the pods' gateway (kubenet's cbr0) or holds the node address on the
    shared subnet (Azure CNI's azure0); either way the pods live inside its network."""
    for bridge in _cni_bridge_interfaces(ctx):
        if not bridge.ipv4:
            yield Violation(f"the CNI bridge {bridge.name} has no IPv4 address", (bridge.line,))
            continue
        networks = [interface(a.cidr).network for a in bridge.ipv4]
        for path in ctx.facts.paths:
            if path.bridge == bridge.name and path.address:
                ip = interface(path.address).ip
                if not any(ip in n for n in networks):
                    yield Violation(
                        f"{path.pod} has {path.address}, outside {bridge.name}'s {', '.join(str(n) for n in networks)}",
                        (*path.lines, bridge.line),
                    )


@rule(
    "FG009",
    "bridge-mode-pod-mask",
    statement="In bridge mode, each pod's eth0 carries the subnet's mask (the bridge's prefix length), not a /32.",
    applies_when="mode is bridge, and a pod behind the bridge shows its address",
    severity=ERROR,
    applies=lambda ctx: ctx.facts.mode.value == "bridge" and any(p.bridge and p.address for p in ctx.facts.paths),
)
def _bridge_mode_pod_mask(ctx: Context) -> Iterator[Violation]:
    """On a bridge, neighbours are reached directly (ARP on the shared segment), so the
    pod needs the whole subnet as on-link."""
    for path in ctx.facts.paths:
        bridge = ctx.host.interface(path.bridge) if path.bridge else None
        if not path.address:
            continue
        length = interface(path.address).network.prefixlen
        expected = {a.prefix_length for a in bridge.ipv4} if bridge else set()
        if length == 32 or (expected and length not in expected):
            want = "/" + "/".join(str(e) for e in sorted(expected)) if expected else "the subnet mask"
            yield Violation(f"{path.pod} has {path.address}; in bridge mode expected {want}", path.lines)


# --- transparent mode ---------------------------------------------------------------------------


@rule(
    "FG010",
    "transparent-no-cni-bridge",
    statement="In transparent mode there is no CNI bridge, and no host veth has a master.",
    applies_when="mode is transparent",
    severity=ERROR,
    applies=_mode_is("transparent"),
)
def _transparent_no_cni_bridge(ctx: Context) -> Iterator[Violation]:
    """Transparent mode routes each pod by a host route; a leftover bridge, or a veth
    still enslaved to one, means the node is half in one mode and half in the other."""
    for bridge in ctx.host.bridges:
        if bridge.name in ctx.facts.cni_bridges:
            yield Violation(f"{bridge.source} still shows the bridge {bridge.name}", (bridge.line,))
    for name in ctx.facts.cni_bridges:
        iface = ctx.host.interface(name)
        if iface is not None and not any(b.name == name for b in ctx.host.bridges):
            yield Violation(f"ip addr still shows the bridge {name}", (iface.line,))
    for name in ctx.facts.host_veths:
        iface = ctx.host.interface(name)
        if iface is not None and iface.master:
            yield Violation(f"the host veth {name} has master {iface.master}", (iface.line,))


@rule(
    "FG011",
    "transparent-one-route-per-pod",
    statement="In transparent mode, each pod has exactly one host route to its address, through its own veth.",
    applies_when="mode is transparent and pods were captured",
    severity=ERROR,
    applies=lambda ctx: ctx.facts.mode.value == "transparent" and bool(ctx.facts.paths),
    needs=_needs_routes,
)
def _transparent_one_route_per_pod(ctx: Context) -> Iterator[Violation]:
    """The per-pod route is the whole data path in this mode: none means the pod is
    unreachable, two means the host's choice depends on metrics."""
    by_address: dict[str, list[Route]] = {}
    for route in ctx.host.routes:
        if route.is_host_route:
            by_address.setdefault(route.address, []).append(route)
    pairs = {p.pod: p for p in ctx.facts.pairs}
    for path in ctx.facts.paths:
        if not path.address:
            continue
        ip = path.address.split("/")[0]
        routes = by_address.get(ip, [])
        pair = pairs.get(path.pod)
        veth = pair.host_interface if pair else None
        if len(routes) != 1:
            yield Violation(
                f"{path.pod} ({ip}) has {len(routes)} host routes; expected exactly one",
                (*path.lines, *(r.line for r in routes)),
            )
        elif veth is not None and routes[0].device != veth:
            yield Violation(
                f"the host route to {path.pod} ({ip}) goes to {routes[0].device}, but the pod's veth is {veth}",
                (routes[0].line, *path.lines),
            )


@rule(
    "FG012",
    "transparent-no-bridge-subnet-route",
    statement="In transparent mode, no connected route sends a pod subnet through a bridge.",
    applies_when="mode is transparent and the host's routes were captured",
    severity=ERROR,
    applies=lambda ctx: ctx.facts.mode.value == "transparent" and ctx.host.has_routes,
)
def _transparent_no_bridge_subnet_route(ctx: Context) -> Iterator[Violation]:
    """A connected route through a bridge would shadow nothing (the /32s win) but means a
    bridge still carries pod traffic for addresses without their own route."""
    pod_ips = [interface(p.address).ip for p in ctx.facts.paths if p.address]
    bridges = {*ctx.facts.cni_bridges, *(b.name for b in ctx.host.bridges)}
    for route in ctx.host.routes:
        if route.gateway or route.is_default or route.device not in bridges:
            continue
        network = ipaddress.ip_network(route.destination)
        if route.device in ctx.facts.cni_bridges or any(ip in network for ip in pod_ips):
            yield Violation(f"route {route.destination} is connected through the bridge {route.device}", (route.line,))


# --- conventions ---------------------------------------------------------------------------------

# (AKS matrix row, --network-policy) -> the prefix of the host veths its CNI creates.
VETH_PREFIXES: dict[tuple[str, str], str] = {
    ("kubenet", "none"): "veth",
    ("kubenet", "calico"): "cali",
    **{
        (row, policy): "azv"
        for row in ("azure-node-subnet", "azure-pod-subnet", "azure-overlay")
        for policy in ("none", "azure", "calico")
    },
    ("azure-cilium", "cilium"): "lxc",
    ("azure-cilium", "none"): "lxc",
}


@rule(
    "FG013",
    "host-veth-prefix",
    statement="Host-side veths carry the prefix their plugin and policy use: veth (kubenet), cali (kubenet + Calico), azv (Azure CNI), lxc (Azure CNI powered by Cilium).",
    applies_when="the plugin/policy pair has a known prefix and host veths are visible",
    severity=WARNING,
    applies=lambda ctx: (
        (ctx.capture.offering, ctx.capture.network_policy) in VETH_PREFIXES and ctx.facts.host_veth_prefix is not None
    ),
)
def _host_veth_prefix(ctx: Context) -> Iterator[Violation]:
    """The prefix tells who created the veth: kubenet's bridge plugin, Calico, or Azure
    CNI. A surprise here usually means the metadata names the wrong plugin or policy."""
    row = str(ctx.capture.offering)
    expected = VETH_PREFIXES[(row, ctx.capture.network_policy)]
    if ctx.facts.host_veth_prefix != expected:
        lines = tuple(i.line for n in ctx.facts.host_veths if (i := ctx.host.interface(n)) is not None)
        lines += tuple(r.line for r in ctx.facts.per_pod_routes)
        yield Violation(
            f"host veths are named {ctx.facts.host_veth_prefix}*, but {aks.OFFERING_BY_KEY[row].name} with policy "
            f"{ctx.capture.network_policy} names them {expected}*",
            lines[:3],
        )


CALICO_MAC = "ee:ee:ee:ee:ee:ee"


@rule(
    "FG014",
    "calico-host-mac",
    statement="Calico's host-side veths (cali*) all have the MAC address ee:ee:ee:ee:ee:ee.",
    applies_when="ip addr shows cali* host veths",
    severity=WARNING,
    applies=lambda ctx: any(n.startswith("cali") for n in ctx.facts.host_veths),
)
def _calico_host_mac(ctx: Context) -> Iterator[Violation]:
    """Calico answers every pod's ARP with this one MAC (proxy ARP), so pods never learn
    the host's real addresses."""
    for name in ctx.facts.host_veths:
        iface = ctx.host.interface(name)
        if iface is not None and name.startswith("cali") and iface.mac != CALICO_MAC:
            yield Violation(f"{name} has MAC {iface.mac}, not {CALICO_MAC}", (iface.line,))


@rule(
    "FG016",
    "command-recognised",
    statement="Every section's command is one a parser reads, or is clearly not one (a raw section).",
    applies_when="a section's command is a slip away from one a parser reads, or its filter left lines the parser needs out",
    severity=WARNING,
    applies=lambda ctx: any(_unrecognised(s) for s in ctx.capture.sections),
)
def _command_recognised(ctx: Context) -> Iterator[Violation]:
    """A mistyped command (`ip adr`, `route -m`, or `route -n` whose dash a word processor
    turned into an en dash) is kept as raw text, so its output is never parsed and the
    facts that need it come out wrong for a reason that is not the real one. The output
    shown can only have come from the command it is one slip away from. A filter can
    also leave out lines a parser needs (`route -n | grep cali` has no header): the
    output is kept as published, raw, and said so here."""
    for section in ctx.capture.sections:
        if section.suggestion is not None:
            why = f" ({section.unparsed})" if section.unparsed else ""
            yield Violation(
                f"sections[{section.index}] ({section.namespace}): {section.command!r} is not a command the parsers "
                f"read{why}; did you mean {section.suggestion!r}?",
                (section.command_line,),
            )
        elif _unrecognised(section):
            yield Violation(
                f"sections[{section.index}] ({section.namespace}): {section.command!r} is kept raw: {section.unparsed}",
                (section.command_line,),
            )


def _unrecognised(section: Section) -> bool:
    """A suggestion, or a filtered output its parser could not read."""
    return section.suggestion is not None or (section.parser is None and section.filter is not None)


# --- the author's claims ----------------------------------------------------------------------------


@rule(
    "FG015",
    "expect-holds",
    statement="Every claim under expect: (mode, datapath, encapsulation, pod_network, cni_bridge, host_veth_prefix, bridges_present, bridges_absent) matches the derived facts.",
    applies_when="the capture makes claims under expect:",
    severity=ERROR,
    applies=lambda ctx: bool(ctx.capture.expect),
)
def _expect_holds(ctx: Context) -> Iterator[Violation]:
    """Claims are what the articles say; the facts are what the outputs show. A capture
    whose data contradicts its own claim fails, naming the claim and the evidence."""
    expect, f, cap = ctx.capture.expect, ctx.facts, ctx.capture
    for key, fact in (
        ("mode", f.mode),
        ("datapath", f.datapath),
        ("encapsulation", f.encapsulation),
        ("pod_network", f.pod_network),
    ):
        if key in expect and expect[key] != fact.value:
            yield Violation(
                f"expect.{key} says {expect[key]!r}, but the outputs show {fact.value!r}: {fact.reason}",
                (cap.line_of(f"expect.{key}") or 0, *fact.lines[:3]),
            )
    if "cni_bridge" in expect:
        claim = expect["cni_bridge"]
        shown = ", ".join(f.cni_bridges) or "none"
        if (claim == "none" and f.cni_bridges) or (claim != "none" and claim not in f.cni_bridges):
            yield Violation(
                f"expect.cni_bridge says {claim!r}, but the outputs show {shown}",
                (cap.line_of("expect.cni_bridge") or 0,),
            )
    if "host_veth_prefix" in expect and expect["host_veth_prefix"] != f.host_veth_prefix:
        yield Violation(
            f"expect.host_veth_prefix says {expect['host_veth_prefix']!r}, but host veths are named "
            f"{f.host_veth_prefix or 'nothing visible'}*",
            (cap.line_of("expect.host_veth_prefix") or 0,),
        )
    present = {b.name: b.line for b in ctx.host.bridges}
    present.update({i.name: i.line for i in ctx.host.interfaces if i.name in (*f.cni_bridges, f.docker_bridge)})
    for name in expect.get("bridges_present", []):
        if name not in present:
            yield Violation(
                f"expect.bridges_present lists {name!r}, but no output shows that bridge",
                (cap.line_of("expect.bridges_present") or 0,),
            )
    for name in expect.get("bridges_absent", []):
        if name in present:
            yield Violation(
                f"expect.bridges_absent lists {name!r}, but the outputs show it",
                (cap.line_of("expect.bridges_absent") or 0, present[name]),
            )


# --- running ---------------------------------------------------------------------------------------


@dataclass
class _Collected:
    findings: list[Finding] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)
    not_applicable: list[str] = field(default_factory=list)
    not_checked: list[tuple[str, str]] = field(default_factory=list)


def evaluate(capture: Capture, model: NodeModel, facts: Facts) -> Result:
    ctx = Context(capture, model, facts)
    out = _Collected()
    waivers = {w.rule: w for w in capture.waivers}
    used: set[str] = set()
    for r in RULES:
        if not r.applies(ctx):
            out.not_applicable.append(r.id)
            continue
        if missing := r.needs(ctx):
            out.not_checked.append((r.id, missing))
            continue
        violations = list(r.check(ctx))
        if not violations:
            out.passed.append(r.id)
        waiver = waivers.get(r.id)
        for v in violations:
            lines = tuple(dict.fromkeys(ln for ln in v.lines if ln))
            evidence = tuple(Evidence(ln, capture.source_line(ln)) for ln in lines)
            out.findings.append(
                Finding(
                    rule=r.id,
                    name=r.name,
                    severity=r.severity,
                    message=v.message,
                    file=capture.path,
                    line=lines[0] if lines else None,
                    evidence=evidence,
                    waived=waiver.reason if waiver else None,
                )
            )
            if waiver:
                used.add(r.id)
    for waiver in capture.waivers:
        if waiver.rule not in used:
            known = by_id(waiver.rule)
            what = "matches no finding; remove it" if known else "names no rule"
            out.findings.append(
                Finding(
                    rule="FG000",
                    name="stale-waiver",
                    severity=WARNING,
                    message=f"the waiver for {waiver.rule} {what}",
                    file=capture.path,
                    line=waiver.line,
                    evidence=(Evidence(waiver.line, capture.source_line(waiver.line)),),
                )
            )
    findings = sorted(out.findings, key=lambda f: (f.line or 0, f.rule, f.message))
    return Result(
        capture_id=capture.id,
        findings=tuple(findings),
        passed=tuple(out.passed),
        not_applicable=tuple(out.not_applicable),
        not_checked=tuple(out.not_checked),
    )
