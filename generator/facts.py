"""Facts derived from a node model: roles, veth pairs, pod paths, and how the node moves packets.

Facts come from what the commands printed, never from the capture's metadata, so a
capture that claims "network policy: calico" but shows a bridge is classified as a
bridge. Each fact keeps the capture lines that support it (``lines``) and says why
(``reason``), so rules and pages can quote the evidence.

A node is described on three independent axes, plus the series' headline:

``datapath``: how the host hands a packet to a local pod.
    ``bridge``  pod veths are ports of a CNI bridge (kubenet's cbr0, Azure CNI's azure0,
                flannel's cni0);
    ``routed``  one host route per pod leads straight to its veth, no bridge (what
                Azure and the series call *transparent mode*; Calico does the same);
    ``ebpf``    Cilium: pod veths hang off no bridge and need no route of their own;
                the pod range is routed to ``cilium_host`` and eBPF programs deliver.
``encapsulation``: how pod traffic crosses to other nodes: ``none`` or the tunnel
    kind (``vxlan``, ``ipip``, ``geneve``, ...), seen as routes through a tunnel device
    (or, for Cilium, its tunnel device, since eBPF encapsulates without routes).
``pod_network``: ``node-subnet`` when pods take addresses from the node's own subnet
    (Azure CNI), ``pod-cidr`` when from a separate range (kubenet, Overlay, flannel,
    Calico, Cilium).
``mode``: the headline, read from ``datapath``: ``bridge``, ``transparent``, ``ebpf``.

Each axis answers ``unknown`` when the outputs are there but do not decide it, and
``not-captured`` when the outputs that would decide it were not captured (or only an
excerpt was): missing data is never evidence.

The uplink is the device of the default route (or, without routes, the one interface
that holds the node's address); it is never a pod veth. A host veth faces a pod only
with evidence of a peer in another namespace: a pod's ``eth0@ifN`` pointing at it, or
its own ``@ifN`` with ``link-netnsid``/``link-netns``. A veth pair inside the host
namespace (Cilium's ``cilium_host@cilium_net``) is not a pod's.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from generator.model import Bridge, Interface, Namespace, NodeModel, Route, Span, interface, span

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

LOOPBACK = "loopback"
UPLINK = "uplink"
CNI_BRIDGE = "cni-bridge"
DOCKER_BRIDGE = "docker-bridge"
HOST_VETH = "host-veth"
HOST_INTERNAL = "host-internal"
POD_ETH0 = "pod-eth0"
VF = "vf"
TUNNEL = "tunnel"
OTHER = "other"
ROLES = (UPLINK, VF, CNI_BRIDGE, DOCKER_BRIDGE, HOST_VETH, HOST_INTERNAL, TUNNEL, LOOPBACK, POD_ETH0, OTHER)

UNKNOWN = "unknown"
NOT_CAPTURED = "not-captured"
DATAPATHS = ("bridge", "routed", "ebpf", UNKNOWN, NOT_CAPTURED)
ENCAPSULATIONS = ("none", "vxlan", "ipip", "geneve", "gre", "wireguard", UNKNOWN, NOT_CAPTURED)
POD_NETWORKS = ("node-subnet", "pod-cidr", UNKNOWN, NOT_CAPTURED)
MODES = ("bridge", "transparent", "ebpf", UNKNOWN)
MODE_OF_DATAPATH = {"bridge": "bridge", "routed": "transparent", "ebpf": "ebpf"}
# No connected network is wider than this: addresses sharing fewer leading bits are on different networks.
MIN_SUBNET_PREFIX = 8

# Names are only a fallback: used when no command shows what a device is.
KNOWN_CNI_BRIDGES = frozenset({"cbr0", "azure0", "cni0", "kube-bridge", "weave", "cni-podman0"})
DOCKER_BRIDGE_NAME = re.compile(r"^(docker0|br-[0-9a-f]{12})$")
DOCKER_MAC_PREFIX = "02:42:"
# The tunnel kind each link kind encapsulates with.
TUNNEL_KINDS = {
    "vxlan": "vxlan",
    "ipip": "ipip",
    "sit": "ipip",
    "ip6tnl": "ipip",
    "geneve": "geneve",
    "gre": "gre",
    "gretap": "gre",
    "ip6gre": "gre",
    "wireguard": "wireguard",
}
# Device names CNIs give their tunnels, for listings that show no link kind (route -n, ip route).
TUNNEL_NAMES = (
    (re.compile(r"^flannel\.\d+$"), "vxlan"),
    (re.compile(r"^vxlan\.calico$|^vxlan-v6\.calico$"), "vxlan"),
    (re.compile(r"^tunl\d+$"), "ipip"),
    (re.compile(r"^cilium_vxlan$|^vxlan_sys_\d+$"), "vxlan"),
    (re.compile(r"^cilium_geneve$|^genev_sys_\d+$"), "geneve"),
    (re.compile(r"^wireguard\.cali$|^wg-v6\.cali$|^cilium_wg\d+$"), "wireguard"),
    (re.compile(r"^flannel-wg(-v6)?$"), "wireguard"),
)
# All of TUNNEL_NAMES in one pattern: most names tested are pod veths, which match none,
# and one match says so where seven would.
ANY_TUNNEL_NAME = re.compile("|".join(f"(?:{pattern.pattern})" for pattern, _ in TUNNEL_NAMES))
CONTAINERD_NETNS = re.compile(r"^cni-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
# Cilium's router device: it holds the pod range's gateway address.
CILIUM_HOST = "cilium_host"
CILIUM_VETH_PREFIX = "lxc"
KNOWN_VETH_PREFIXES = ("veth", "azv", "cali", "lxc", "enib", "gke")


@dataclass(frozen=True)
class Fact:
    """One derived answer: its value, why, and the capture lines that show it."""

    value: str
    reason: str
    lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class RoleFact:
    namespace: str
    interface: str
    role: str
    reason: str
    lines: tuple[int, ...]


@dataclass(frozen=True)
class VethPair:
    """A pod's eth0 and its host-side peer, joined by ``@ifN`` and ifindex.

    ``status`` is ``joined`` (both ends seen and pointing at each other),
    ``mismatch`` (the host end points elsewhere), or ``host-side-not-shown``.
    """

    pod: str
    pod_interface: str
    pod_ifindex: int
    host_ifindex: int
    host_interface: str | None
    host_peer_ifindex: int | None
    status: str
    lines: tuple[int, ...]


@dataclass(frozen=True)
class PodPath:
    """How the host reaches a pod.

    ``via`` is ``bridge-port``, ``host-route``, ``ebpf``, ``unknown``, or
    ``not-captured`` when the host outputs that would show it are missing.
    """

    pod: str
    address: str | None
    host_veth: str | None
    via: str
    bridge: str | None
    route: Route | None
    uplink: str | None
    reason: str
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Facts:
    capture_id: str
    roles: tuple[RoleFact, ...]
    pairs: tuple[VethPair, ...]
    paths: tuple[PodPath, ...]
    datapath: Fact
    encapsulation: Fact
    pod_network: Fact
    mode: Fact
    uplink: str | None
    node_address: str | None
    cni_bridges: tuple[str, ...]
    docker_bridge: str | None
    host_veths: tuple[str, ...]
    host_veth_prefix: str | None
    per_pod_routes: tuple[Route, ...]
    tunnels: tuple[str, ...]
    # Every pod-facing host veth, however it is known (ip addr, a bridge port, a per-pod
    # route's device), with the capture line that shows it; sorted by name.
    veth_evidence: tuple[tuple[str, int], ...]
    # The prefix length of each pod eth0 IPv4 address, with its line.
    pod_masks: tuple[tuple[int, int], ...]

    def role_of(self, namespace: str, interface: str) -> str | None:
        return next((r.role for r in self.roles if r.namespace == namespace and r.interface == interface), None)

    def interfaces_with(self, role: str, namespace: str = "host") -> tuple[str, ...]:
        return tuple(r.interface for r in self.roles if r.role == role and r.namespace == namespace)

    @property
    def summary(self) -> str:
        """The node in words, as the home matrix prints it: ``transparent, pod CIDR, no encapsulation``."""
        return ", ".join(
            (
                self.mode.value,
                POD_NETWORK_WORDS.get(self.pod_network.value, f"pod network {self.pod_network.value}"),
                ENCAPSULATION_WORDS.get(self.encapsulation.value, f"encapsulation {self.encapsulation.value}"),
            )
        )


POD_NETWORK_WORDS = {"node-subnet": "node subnet", "pod-cidr": "pod CIDR"}
ENCAPSULATION_WORDS = {
    "none": "no encapsulation",
    "vxlan": "VXLAN",
    "ipip": "IP-in-IP",
    "geneve": "Geneve",
    "gre": "GRE",
    "wireguard": "WireGuard",
}


@dataclass(frozen=True)
class _Uplink:
    name: str | None
    address: str | None
    # The node's own networks: the uplink's (or its bridge's) addresses, or its connected routes.
    subnets: tuple[IPNetwork, ...]
    lines: tuple[int, ...]
    # The device that holds the node's address (the uplink, or the bridge it is a port of).
    holder: str | None = None
    # Addresses the kernel must reach on the holder's own link: gateways of routes without
    # onlink, and the source addresses of its routes. The node's subnet holds them all.
    on_link: tuple[IPAddress, ...] = ()
    default_gateway: str | None = None
    # The node's own addresses, as its routes give them (src).
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Devices:
    """What each host device is, decided once and read by every fact below."""

    host: Namespace
    uplink: _Uplink
    # Pod-facing host veths, sorted.
    veths: tuple[str, ...]
    cni_bridges: tuple[str, ...]
    docker: frozenset[str]
    bridges: frozenset[str]
    tunnels: dict[str, str]
    internal: frozenset[str]


def derive(model: NodeModel) -> Facts:
    host = model.host or Namespace(name="host")
    pairs = tuple(_pair(pod, host) for pod in model.pods if pod_eth0(pod) is not None)
    pointed_at = {p.host_ifindex for p in pairs}
    internal = _host_internal(host)
    candidates = _veth_candidates(host, pointed_at, internal)
    bridges = _bridge_names(host, candidates)
    docker = {name for name, bridge in bridges.items() if _is_docker(name, bridge, host)}
    uplink = _uplink(host, candidates, pointed_at, bridges, docker, internal)
    d = _Devices(
        host=host,
        uplink=uplink,
        veths=tuple(sorted(n for n in candidates if n != uplink.name)),
        cni_bridges=tuple(sorted(n for n in bridges if n not in docker)),
        docker=frozenset(docker),
        bridges=frozenset(bridges),
        tunnels=_tunnels(host),
        internal=frozenset(internal),
    )
    per_pod_routes = _per_pod_routes(d)
    datapath = _datapath(model, d, per_pod_routes)
    route_index = _host_routes_by_address(host)
    paths = tuple(_path(pod, pair, d, route_index, datapath) for pod, pair in _pods_with_pairs(model, pairs))
    veths = _veth_evidence(d, per_pod_routes)
    return Facts(
        capture_id=model.capture_id,
        roles=_roles(model, d),
        pairs=pairs,
        paths=paths,
        datapath=datapath,
        encapsulation=_encapsulation(model, d, datapath),
        pod_network=_pod_network(model, d, datapath, per_pod_routes),
        mode=_mode(datapath),
        uplink=uplink.name,
        node_address=uplink.address,
        cni_bridges=d.cni_bridges,
        docker_bridge=min(docker) if docker else None,
        host_veths=d.veths,
        host_veth_prefix=veth_prefix(name for name, _ in veths),
        per_pod_routes=per_pod_routes,
        tunnels=tuple(sorted(d.tunnels)),
        veth_evidence=veths,
        pod_masks=tuple((a.prefix_length, a.line) for pod in model.pods if (eth0 := pod_eth0(pod)) for a in eth0.ipv4),
    )


# --- interfaces ------------------------------------------------------------------------------


def pod_eth0(pod: Namespace) -> Interface | None:
    """The pod's veth end: the interface whose peer lives in another namespace (``@ifN``).

    ``eth0`` if it is one, else the first. One pass: facts and rules ask this of every pod.
    """
    first = None
    for iface in pod.interfaces:
        if iface.peer_ifindex is not None:
            if iface.name == "eth0":
                return iface
            if first is None:
                first = iface
    return first


def _host_internal(host: Namespace) -> set[str]:
    """Veth pairs with both ends in the host namespace (Cilium's cilium_host/cilium_net).

    Their ``@ifN`` names a host interface and no ``link-netns`` says the peer is elsewhere.
    """
    internal: set[str] = set()
    for iface in host.interfaces:
        # Text ip addr names a same-namespace peer instead of its index: cilium_net@cilium_host.
        named = host.interface(iface.parent) if iface.parent else None
        if named is not None and named.parent == iface.name:
            internal.update((iface.name, named.name))
            continue
        if iface.peer_ifindex is None or iface.link_netnsid is not None or iface.link_netns is not None:
            continue
        peer = host.by_ifindex(iface.peer_ifindex)
        if peer is not None and peer.peer_ifindex == iface.ifindex:
            internal.update((iface.name, peer.name))
    return internal


def _veth_candidates(host: Namespace, pointed_at: set[int], internal: set[str]) -> set[str]:
    """Host interfaces whose other end is in another namespace.

    Evidence: a captured pod's ``eth0@ifN`` names it, or its own ``@ifN`` comes with
    ``link-netnsid``/``link-netns`` (iproute2 prints those only for a peer elsewhere).
    ``kind veth`` alone is not enough: Cilium's host-internal pair is veth too.
    """
    found = set()
    for iface in host.interfaces:
        if iface.name in internal or _is_loopback(iface):
            continue
        elsewhere = iface.link_netnsid is not None or iface.link_netns is not None
        if iface.ifindex in pointed_at or (elsewhere and (iface.peer_ifindex is not None or iface.kind == "veth")):
            found.add(iface.name)
    return found


def _is_loopback(iface: Interface) -> bool:
    return "LOOPBACK" in iface.flags or iface.name == "lo"


def _bridge_names(host: Namespace, veths: set[str]) -> dict[str, Bridge | None]:
    """Every bridge the outputs show: listed by brctl/bridge link, of kind bridge, a veth's master.

    Known names (cbr0, azure0, docker0, ...) count only where no listing tells, e.g. a
    device seen only in a route.
    """
    found: dict[str, Bridge | None] = {b.name: b for b in host.bridges}
    known = {i.name for i in host.interfaces}
    for iface in host.interfaces:
        if iface.kind == "bridge" or (iface.kind is None and _bridge_by_name(iface.name)):
            found.setdefault(iface.name, None)
        if iface.name in veths and iface.master:
            found.setdefault(iface.master, None)
    for route in host.routes:
        if route.device and route.device not in known and _bridge_by_name(route.device):
            found.setdefault(route.device, None)
    return found


def _bridge_by_name(name: str) -> bool:
    return name in KNOWN_CNI_BRIDGES or bool(DOCKER_BRIDGE_NAME.match(name))


def _is_docker(name: str, bridge: Bridge | None, host: Namespace) -> bool:
    """Docker's bridges (docker0 and user-defined ones) carry Docker's 02:42 MAC prefix.

    The MAC (from ip addr, or embedded in brctl's bridge id) decides; the name decides
    only when neither was captured.
    """
    iface = host.interface(name)
    if iface is not None and iface.mac:
        return iface.mac.lower().startswith(DOCKER_MAC_PREFIX)
    if bridge is not None and bridge.bridge_id:
        return bridge.bridge_id.lower().startswith("8000." + DOCKER_MAC_PREFIX.replace(":", ""))
    return bool(DOCKER_BRIDGE_NAME.match(name))


def _tunnels(host: Namespace) -> dict[str, str]:
    """Tunnel devices and what they encapsulate with: by link kind, else by CNI naming."""
    found: dict[str, str] = {}
    for iface in host.interfaces:
        kind = TUNNEL_KINDS.get(iface.kind or "") or (_tunnel_by_name(iface.name) if iface.kind is None else None)
        if kind:
            found[iface.name] = kind
    known = {i.name for i in host.interfaces}
    for route in host.routes:
        if route.device and route.device not in known and (kind := _tunnel_by_name(route.device)):
            found[route.device] = kind
    return found


def _tunnel_by_name(name: str) -> str | None:
    if not ANY_TUNNEL_NAME.match(name):
        return None
    return next((kind for pattern, kind in TUNNEL_NAMES if pattern.match(name)), None)


def _uplink(
    host: Namespace,
    veths: set[str],
    pointed_at: set[int],
    bridges: dict[str, Bridge | None],
    docker: set[str],
    internal: set[str],
) -> _Uplink:
    """The NIC that carries the node's traffic, its address and its subnets.

    The default route's device decides, even when no interface listing shows it.
    Without a default route, the one interface holding a global IPv4 address that is
    no pod's veth, Docker's bridge, a tunnel or a host-internal device. When the
    address sits on a CNI bridge (Azure CNI's azure0 in bridge mode), the uplink is
    the bridge's port that is no pod's veth.
    """
    default = _default_route(host)
    holder = default.device if default and default.device else None
    lines: tuple[int, ...] = (default.line,) if default else ()
    if holder is None and not host.has_interfaces:
        # An excerpt without the default route: the one NIC that reaches a router (Azure's
        # 168.63.129.16 via the subnet gateway) is the uplink.
        routed = sorted(
            {
                r.device
                for r in host.routes
                if r.gateway
                and r.device
                and not r.onlink
                and r.device not in bridges
                and r.device not in internal
                and r.device != CILIUM_HOST
                and _tunnel_by_name(r.device) is None
            }
        )
        if len(routed) == 1:
            holder = routed[0]
            lines = tuple(r.line for r in host.routes if r.device == holder and r.gateway)[:3]
    if holder is None:
        candidates = [
            i
            for i in host.interfaces
            if any(a.scope in ("global", None) for a in i.ipv4)
            and not _is_loopback(i)
            and i.name not in docker
            and i.name not in internal
            and i.ifindex not in pointed_at
            and TUNNEL_KINDS.get(i.kind or "") is None
            and _tunnel_by_name(i.name) is None
        ]
        # Prefer a plain NIC, then a veth into a namespace no pod is known to own (kind's
        # eth0), then anything but a bridge, then a bridge.
        for tier in (
            [i for i in candidates if i.name not in bridges and i.name not in veths],
            [i for i in candidates if i.name not in bridges and not _pod_namespace_peer(i) and _has_subnet(i)],
            [i for i in candidates if i.name not in bridges],
            candidates,
        ):
            if len(tier) == 1:
                holder, lines = tier[0].name, (tier[0].line,)
                break
    if holder is None:
        return _Uplink(name=None, address=None, subnets=(), lines=())
    address, subnets, more = _node_networks(host, holder, default)
    on_link = tuple(
        sorted(
            {
                ipaddress.ip_address(value)
                for r in host.routes
                if r.device == holder
                for value in ((r.gateway if not r.onlink else None), r.src)
                if value
            },
            key=lambda ip: (ip.version, ip),
        )
    )
    name: str | None = holder
    if holder in bridges and holder not in docker:
        port = _bridge_uplink_port(host, holder, bridges.get(holder), veths, pointed_at)
        name = port.name if port else None
        lines += (port.line,) if port else ()
    return _Uplink(
        name=name,
        address=address,
        subnets=subnets,
        lines=(*lines, *more),
        holder=holder,
        on_link=on_link,
        default_gateway=default.gateway if default else None,
        sources=tuple(sorted({r.src for r in host.routes if r.device == holder and r.src})),
    )


def _pod_namespace_peer(iface: Interface) -> bool:
    """containerd names a pod's network namespace cni-<uuid>; iproute2 prints that name."""
    return bool(iface.link_netns and CONTAINERD_NETNS.match(iface.link_netns))


def _has_subnet(iface: Interface) -> bool:
    """An address wider than a host address: a node's NIC has a subnet, a ptp pod gateway a /32."""
    return any(a.prefix_length < interface(a.cidr).max_prefixlen for a in iface.ipv4)


def _default_route(host: Namespace) -> Route | None:
    defaults = [r for r in host.routes if r.is_default and r.type == "unicast" and r.device]
    return next((r for r in defaults if ":" not in r.destination), defaults[0] if defaults else None)


def _node_networks(
    host: Namespace, holder: str, default: Route | None
) -> tuple[str | None, tuple[IPNetwork, ...], tuple[int, ...]]:
    """The node address and subnets on ``holder``: from its addresses, else its connected routes."""
    iface = host.interface(holder)
    if iface is not None:
        globals_ = [a for a in iface.addresses if a.scope in ("global", None)]
        if globals_:
            first = next((a for a in globals_ if a.family == "inet"), globals_[0])
            subnets = tuple(dict.fromkeys(interface(a.cidr).network for a in globals_))
            return first.cidr, subnets, tuple(a.line for a in globals_)
    connected = [
        r for r in host.routes if r.device == holder and not r.gateway and not r.is_default and not r.is_host_route
    ]
    if default is not None and default.gateway:
        gateway = ipaddress.ip_address(default.gateway)
        connected = [r for r in connected if gateway in r.network] or connected
    if not connected:
        return None, (), ()
    route = connected[0]
    address = f"{route.src}/{route.prefix_length}" if route.src else None
    return address, tuple(r.network for r in connected), tuple(r.line for r in connected)


def _bridge_uplink_port(
    host: Namespace, bridge_name: str, bridge: Bridge | None, veths: set[str], pointed_at: set[int]
) -> Interface | None:
    """The port of the node's bridge that is the NIC: no pod points at it; a plain NIC before a veth."""
    ports = {i.name for i in host.interfaces if i.master == bridge_name}
    ports.update(bridge.ports if bridge else ())
    listed = [i for p in sorted(ports) if (i := host.interface(p)) is not None and i.ifindex not in pointed_at]
    plain = [i for i in listed if i.name not in veths]
    for tier in (plain, listed):
        if len(tier) == 1:
            return tier[0]
    return None


def _per_pod_routes(d: _Devices) -> tuple[Route, ...]:
    """Host routes to a single address, with no gateway, straight onto a pod's veth.

    A device missing from an abbreviated or absent ``ip addr`` still counts when it is
    no uplink, bridge, tunnel or host-internal device: the route itself says one pod
    lives behind it. A /32 to an address that other routes use as their next hop (the
    DHCP gateway route every Ubuntu AKS node has, Cilium's router address) is a route
    to a router, not to a pod.
    """
    host = d.host
    known = {i.name for i in host.interfaces}
    gateways = {r.gateway for r in host.routes if r.gateway}
    not_pods = {*d.cni_bridges, *d.docker, *d.tunnels, *d.internal, d.uplink.name}
    routes = []
    for route in host.routes:
        if route.type != "unicast" or route.gateway or not route.device or not route.is_host_route:
            continue
        if route.address in gateways or route.device in not_pods:
            continue
        if route.device in d.veths or route.device not in known:
            routes.append(route)
    return tuple(routes)


def _host_routes_by_address(host: Namespace) -> dict[str, list[Route]]:
    """Gateway-less host routes (/32, /128) by the address they lead to, for per-pod look-ups."""
    index: dict[str, list[Route]] = {}
    for route in host.routes:
        if route.is_host_route and not route.gateway:
            index.setdefault(route.address, []).append(route)
    return index


def pod_ports(bridge: Bridge, host: Namespace, host_veths: Iterable[str], uplink: str | None) -> list[str]:
    """A bridge's ports that are pod veths: known veths, or ports an abbreviated ``ip addr`` did not show.

    Azure CNI bridges the uplink NIC too (``eth0`` is a port of ``azure0``); it is not a pod.
    """
    veths = set(host_veths)
    return [p for p in bridge.ports if p != uplink and (p in veths or host.interface(p) is None)]


def _veth_evidence(d: _Devices, routes: tuple[Route, ...]) -> tuple[tuple[str, int], ...]:
    seen: dict[str, int] = {}
    for name in d.veths:
        iface = d.host.interface(name)
        seen.setdefault(name, iface.line if iface else 0)
    for bridge in d.host.bridges:
        if bridge.name in d.cni_bridges:
            for port in pod_ports(bridge, d.host, d.veths, d.uplink.name):
                seen.setdefault(port, bridge.line)
    for route in routes:
        if route.device:
            seen.setdefault(route.device, route.line)
    return tuple(sorted(seen.items()))


def veth_prefix(names: Iterable[str]) -> str | None:
    """The naming prefix shared by host-side veths: a known one (veth, azv, cali, ...) or the common prefix."""
    names = sorted(set(names))
    if not names:
        return None
    for prefix in KNOWN_VETH_PREFIXES:
        if all(n.startswith(prefix) for n in names):
            return prefix
    common = names[0]
    for name in names[1:]:
        while not name.startswith(common):
            common = common[:-1]
    letters = common.rstrip("0123456789abcdef") or common
    return letters or None


# --- pairs and paths ---------------------------------------------------------------------------


def _pair(pod: Namespace, host: Namespace) -> VethPair:
    eth0 = pod_eth0(pod)
    assert eth0 is not None and eth0.peer_ifindex is not None
    peer = host.by_ifindex(eth0.peer_ifindex)
    if peer is None:
        return VethPair(
            pod=pod.name,
            pod_interface=eth0.name,
            pod_ifindex=eth0.ifindex,
            host_ifindex=eth0.peer_ifindex,
            host_interface=None,
            host_peer_ifindex=None,
            status="host-side-not-shown",
            lines=(eth0.line,),
        )
    return VethPair(
        pod=pod.name,
        pod_interface=eth0.name,
        pod_ifindex=eth0.ifindex,
        host_ifindex=eth0.peer_ifindex,
        host_interface=peer.name,
        host_peer_ifindex=peer.peer_ifindex,
        status="joined" if peer.peer_ifindex == eth0.ifindex else "mismatch",
        lines=(eth0.line, peer.line),
    )


def _pods_with_pairs(model: NodeModel, pairs: tuple[VethPair, ...]) -> list[tuple[Namespace, VethPair | None]]:
    by_pod = {p.pod: p for p in pairs}
    return [(pod, by_pod.get(pod.name)) for pod in model.pods]


def pod_addresses(pod: Namespace) -> list[str]:
    """The pod's global addresses on its eth0, IPv4 first (CIDR form)."""
    eth0 = pod_eth0(pod)
    if eth0 is None:
        return []
    usable = [a for a in eth0.addresses if a.scope in ("global", None)]
    return [a.cidr for a in sorted(usable, key=lambda a: (a.family != "inet", a.line))]


def _path(
    pod: Namespace, pair: VethPair | None, d: _Devices, route_index: dict[str, list[Route]], datapath: Fact
) -> PodPath:
    host, cni_bridges, uplink = d.host, d.cni_bridges, d.uplink.name
    addresses = pod_addresses(pod)
    address = addresses[0] if addresses else None
    veth = pair.host_interface if pair else None
    lines = tuple(pair.lines) if pair else ()

    def path(via: str, reason: str, *, bridge: str | None = None, route: Route | None = None, more: int = 0) -> PodPath:
        evidence = (*lines, more) if more else lines
        return PodPath(
            pod=pod.name,
            address=address,
            host_veth=route.device if route is not None and via == "host-route" else veth,
            via=via,
            bridge=bridge,
            route=route,
            uplink=uplink,
            reason=reason,
            lines=evidence,
        )

    if veth is not None:
        iface = host.interface(veth)
        if iface and iface.master in cni_bridges:
            return path("bridge-port", f"{veth} is a port of {iface.master}", bridge=iface.master)
        for bridge in host.bridges:
            if bridge.name in cni_bridges and veth in bridge.ports:
                return path(
                    "bridge-port",
                    f"{bridge.source} lists {veth} as a port of {bridge.name}",
                    bridge=bridge.name,
                    more=bridge.line,
                )
    for cidr in addresses:
        ip = cidr.split("/")[0]
        route = next((r for r in route_index.get(ip, ()) if veth is None or r.device == veth), None)
        if route is not None:
            return path(
                "host-route", f"host route {route.destination} dev {route.device}", route=route, more=route.line
            )
    if datapath.value == "ebpf":
        if veth is not None:
            return path("ebpf", f"Cilium's eBPF programs deliver to {veth}; no route or bridge is needed")
        for cidr in addresses:
            pod_ip = interface(cidr).ip
            ranged = next((r for r in host.routes if r.device == CILIUM_HOST and r.contains(pod_ip)), None)
            if ranged is not None:
                return path(
                    "ebpf",
                    f"the host routes {ranged.destination} to {CILIUM_HOST}; Cilium's eBPF programs deliver from there",
                    route=ranged,
                    more=ranged.line,
                )
    for cidr in addresses:
        pod_ip = interface(cidr).ip
        covering = next(
            (
                r
                for r in host.routes
                if r.device in cni_bridges and not r.gateway and not r.is_default and r.contains(pod_ip)
            ),
            None,
        )
        if covering is not None:
            return path(
                "bridge-port",
                f"the host routes {covering.destination} to the bridge {covering.device}",
                bridge=covering.device,
                route=covering,
                more=covering.line,
            )
    # Nothing leads to the pod. That is a finding only when every output that could show
    # a way was captured whole; otherwise the way is just not shown.
    if not addresses and veth is None:
        return path(NOT_CAPTURED, "neither the pod's address nor its host veth was captured")
    if not host.has_routes and not host.has_bridges:
        return path(NOT_CAPTURED, "the host's routes and bridges were not captured")
    if not host.has_routes or host.partial_routes:
        what = "were not captured" if not host.has_routes else "were captured only in part"
        return path(NOT_CAPTURED, f"no bridge port shows the pod, and the host's routes {what}")
    if veth is None and (datapath.value == "bridge" or host.bridges):
        return path(
            NOT_CAPTURED,
            "the pod's host veth is not in the host's interface listing, so which bridge port is the pod's "
            "cannot be told",
        )
    return path(UNKNOWN, "no bridge port or host route leads to the pod")


# --- the three axes ---------------------------------------------------------------------------


def _datapath(model: NodeModel, d: _Devices, per_pod_routes: tuple[Route, ...]) -> Fact:
    """Bridge ports first: a veth enslaved to a bridge is switched, whatever routes also name it."""
    host, host_veths, cni_bridges, uplink, internal = d.host, d.veths, d.cni_bridges, d.uplink.name, d.internal
    if model.host is None:
        return _datapath_undecided(model, host, host_veths)
    ported = [(i.master, i.line) for i in host.interfaces if i.name in host_veths and i.master in cni_bridges]
    ported += [
        (b.name, b.line) for b in host.bridges if b.name in cni_bridges and pod_ports(b, host, host_veths, uplink)
    ]
    if ported:
        names = ", ".join(sorted({str(b) for b, _ in ported}))
        return Fact("bridge", f"pod veths are ports of the CNI bridge {names}", tuple(sorted({ln for _, ln in ported})))
    cilium = _cilium_router(host, internal)
    if cilium is not None and (host_veths or cilium[1]):
        name, routes = cilium
        iface = host.interface(name)
        shown = [r.destination for r in routes][:2]
        via = f"; the pod range {', '.join(shown)} is routed to it" if shown else ""
        free = [n for n in host_veths if not ((i := host.interface(n)) and i.master)]
        veths = f", and pod veths ({_names(free)}) hang off no bridge" if free else ""
        return Fact(
            "ebpf",
            f"Cilium's router device {name} is present{via}{veths}: eBPF programs deliver to the pods",
            tuple(dict.fromkeys([*((iface.line,) if iface else ()), *(r.line for r in routes)])),
        )
    lxc = [n for n in host_veths if n.startswith(CILIUM_VETH_PREFIX)]
    if lxc and len(lxc) == len(host_veths) and host.partial_interfaces:
        # Only Cilium names pod veths lxc*; its router device may be among what the author left out.
        return Fact(
            "ebpf",
            f"pod veths are named {CILIUM_VETH_PREFIX}* ({_names(lxc)}), as only Cilium names them, and hang off "
            "no bridge (cilium_host is not in the part of the listing shown)",
            tuple(i.line for n in lxc[:5] if (i := host.interface(n)) is not None),
        )
    if per_pod_routes:
        devices = sorted({r.device for r in per_pod_routes if r.device})
        return Fact(
            "routed",
            f"no CNI bridge carries pod veths; {len(per_pod_routes)} host route(s) without a gateway lead "
            f"straight to veths ({_names(devices)})",
            tuple(r.line for r in per_pod_routes),
        )
    unbridged = [i for n in host_veths if (i := host.interface(n)) is not None and not i.master]
    if uplink is None:
        # Without a known uplink, a veth into another namespace may be the node's own NIC
        # (kind's eth0): only a pod's pointer, containerd's netns name or a CNI's veth name
        # says it is a pod's.
        pointed_at = {eth0.peer_ifindex for pod in model.pods if (eth0 := pod_eth0(pod)) is not None}
        unbridged = [
            i
            for i in unbridged
            if i.ifindex in pointed_at or _pod_namespace_peer(i) or i.name.startswith(KNOWN_VETH_PREFIXES)
        ]
    if unbridged and (not host.has_routes or host.partial_routes):
        # A veth that is no bridge port, on a node without Cilium, can only be reached by a
        # host route: the routes that would show it were not captured (or only in part).
        return Fact(
            "routed",
            f"pod veths ({_names(i.name for i in unbridged)}) are ports of no bridge and no Cilium device is "
            "present, so the host routes to them (its routes were not captured whole)",
            tuple(i.line for i in unbridged[:5]),
        )
    # Without listed ports, a connected route onto a CNI bridge still shows where pods sit
    # (kubenet's "10.244.0.0/24 dev cbr0 proto kernel"), unless veths are seen beside it unbridged.
    bridged = [r for r in host.routes if r.device in cni_bridges and not r.gateway and r.type == "unicast"]
    if bridged and not host_veths:
        route = bridged[0]
        if route.is_default:
            reason = (
                f"the default route leaves through the CNI bridge {route.device}: the NIC is its port and "
                "pods join it (its ports were not captured)"
            )
        else:
            reason = (
                f"the host routes {route.destination} to the CNI bridge {route.device} (its ports were not captured)"
            )
        return Fact("bridge", reason, tuple(r.line for r in bridged))
    return _datapath_undecided(model, host, host_veths)


def _datapath_undecided(model: NodeModel, host: Namespace, host_veths: Sequence[str]) -> Fact:
    missing = []
    if model.host is None:
        missing.append("outputs")
    elif not host.has_routes:
        missing.append("routes (ip route or route -n)")
    elif host.partial_routes:
        missing.append("a complete route listing (only part was captured)")
    if model.host is not None and not host.has_bridges and not host.has_interfaces:
        missing.append("interfaces or bridge ports (ip addr, brctl show or bridge link)")
    if not host_veths and not model.pods and not missing:
        return Fact(UNKNOWN, "no pod veth and no pod namespace is visible: the node may have no pods")
    if missing:
        proxied = _proxy_arp_gateways(model)
        if proxied:
            # Seen from the pod: its gateway is a link-local address that no bridge holds
            # (169.254.1.1 for Calico and Azure CNI), so the host answers by proxy ARP and
            # routes each pod; the host's own outputs that would show it were not captured.
            shown = ", ".join(sorted({f"{r.gateway} ({pod})" for pod, r in proxied})[:3])
            return Fact(
                "routed",
                f"pods route through a link-local gateway the host answers for ({shown}); the host's "
                f"{' and '.join(missing)} were not captured",
                tuple(r.line for _, r in proxied[:5]),
            )
        return Fact(NOT_CAPTURED, f"the host's {' and '.join(missing)} were not captured")
    return Fact(UNKNOWN, f"pod veths ({_names(host_veths)}) are neither bridge ports nor the target of host routes")


def _proxy_arp_gateways(model: NodeModel) -> list[tuple[str, Route]]:
    """Pods' default routes via an IPv4 link-local gateway (the proxy-ARP convention)."""
    found = []
    for pod in model.pods:
        for route in pod.routes:
            gateway = route.gateway
            if route.is_default and gateway and ":" not in gateway and ipaddress.ip_address(gateway).is_link_local:
                found.append((pod.name, route))
    return found


def _cilium_router(host: Namespace, internal: frozenset[str]) -> tuple[str, list[Route]] | None:
    """Cilium's router device and the routes that send pod ranges through it.

    cilium_host by name, or, unnamed, the end of a host-internal veth pair that is the
    next hop of a route to a pod range (what cilium_host does).
    """
    names = {i.name for i in host.interfaces} | {r.device for r in host.routes if r.device}
    router = CILIUM_HOST if CILIUM_HOST in names else None
    if router is None:
        router = next((r.device for r in host.routes if r.device in internal and r.gateway and not r.is_default), None)
    if router is None:
        return None
    routes = [r for r in host.routes if r.device == router and r.gateway and not r.is_default]
    return router, routes


def _encapsulation(model: NodeModel, d: _Devices, datapath: Fact) -> Fact:
    """Routes through a tunnel device decide; Cilium's eBPF tunnels need its device or its routes.

    Routes that reach other nodes' pod ranges via those nodes' addresses on a NIC
    (flannel host-gw, kindnet, Cilium's direct routes) say there is no tunnel.
    """
    host, tunnels, uplink = d.host, d.tunnels, d.uplink
    not_nics = {*d.tunnels, *d.internal, *d.veths, *d.bridges, CILIUM_HOST}
    if model.host is None:
        return Fact(NOT_CAPTURED, "nothing was captured in the host namespace")
    through = [r for r in host.routes if r.device in tunnels and r.type == "unicast" and not r.is_default]
    if through:
        kinds = sorted({tunnels[r.device] for r in through if r.device})
        devices = sorted({r.device for r in through if r.device})
        return Fact(
            kinds[0] if len(kinds) == 1 else UNKNOWN,
            f"{len(through)} route(s) to other nodes' pods leave through {_names(devices)} ({', '.join(kinds)})",
            tuple(r.line for r in through),
        )
    direct = [
        r
        for r in host.routes
        if r.device
        and r.device not in not_nics
        and r.gateway
        and r.gateway != uplink.default_gateway
        and r.type == "unicast"
        and not r.is_default
        and not r.is_host_route
    ]
    if datapath.value == "ebpf":
        cilium = sorted(n for n in tunnels if n.startswith("cilium_"))
        if cilium:
            iface = host.interface(cilium[0])
            return Fact(
                tunnels[cilium[0]],
                f"Cilium encapsulates in eBPF through {cilium[0]}; the routing table does not show it",
                (iface.line,) if iface else (),
            )
        remote = _cilium_remote_ranges(host)
        if remote:
            return Fact(
                UNKNOWN,
                f"other nodes' pod ranges ({_names(r.destination for r in remote)}) go to {CILIUM_HOST}, not to a node: "
                "Cilium's eBPF programs encapsulate them, through a tunnel device the captured outputs do not show",
                tuple(r.line for r in remote),
            )
    if direct:
        return Fact(
            "none",
            f"{len(direct)} route(s) reach other nodes' pod ranges via those nodes' addresses "
            f"({_names(f'{r.destination} via {r.gateway}' for r in direct)}): no tunnel",
            tuple(r.line for r in direct),
        )
    if datapath.value == "ebpf":
        if host.has_interfaces and not host.partial_interfaces:
            return Fact("none", "Cilium routes natively: no cilium_vxlan or cilium_geneve device")
        return Fact(NOT_CAPTURED, "Cilium's tunnel device would show in a complete interface listing, not captured")
    idle = ", ".join(sorted(tunnels))
    if _routes_whole(host):
        note = f" ({idle} carries none)" if idle else ""
        return Fact("none", f"no route leaves through a tunnel device{note}")
    if host.has_interfaces and not host.partial_interfaces and not tunnels:
        return Fact("none", "the interface listing shows no tunnel device")
    what = "only part of the host's routes was captured" if host.has_routes else "the host's routes were not captured"
    return Fact(NOT_CAPTURED, f"{what}, so routes through a tunnel device cannot be ruled out")


def off_link_routes(host: Namespace) -> list[Route]:
    """Routes via a gateway that no connected network or host address holds, and that are not onlink.

    The kernel keeps such a route only while its next hop is reachable, so in a real
    table one means lines are missing (or, for ``route -n``, an onlink flag it cannot print).
    """
    via = [r for r in host.routes if r.gateway and not r.onlink]
    if not via:
        return []
    # Connected networks by (version, prefix length) -> network addresses as integers: a
    # gateway is looked up once per length, not tested against each network (with a host
    # route per pod there are hundreds). Only the gateways' IP versions matter: an IPv4
    # gateway is never in an IPv6 network, and every pod veth has an IPv6 link-local address.
    versions = {_version(r.gateway) for r in via if r.gateway}
    connected: dict[tuple[int, int], set[int]] = {}
    networks = [r.destination for r in host.routes if not r.gateway and r.type == "unicast" and not r.is_default]
    networks += [a.cidr for i in host.interfaces for a in i.addresses]
    for text in networks:
        if _version(text) in versions:
            net = span(text)
            connected.setdefault((net.version, net.length), set()).add(net.start)

    def reachable(gateway: str) -> bool:
        ip = span(gateway)
        bits = ip.bits
        return any(
            version == ip.version and (ip.start >> (bits - length) << (bits - length)) in starts
            for (version, length), starts in connected.items()
        )

    return [r for r in via if r.gateway and not reachable(r.gateway)]


def _version(address: str) -> int:
    """The IP version of an address or CIDR: only IPv6 is written with colons."""
    return 6 if ":" in address else 4


def _routes_whole(host: Namespace) -> bool:
    """The route listing is the whole table: not cut by the author, and every next hop reachable."""
    if not host.has_routes or host.partial_routes:
        return False
    # route -n cannot show onlink, so its off-link gateways prove nothing.
    return not any(r.source != "route -n" for r in off_link_routes(host))


def _cilium_remote_ranges(host: Namespace) -> list[Route]:
    """Pod ranges routed to cilium_host that do not hold its own address: other nodes' pods."""
    own = {r.src for r in host.routes if r.device == CILIUM_HOST and r.src}
    own |= {r.gateway for r in host.routes if r.device == CILIUM_HOST and r.gateway}
    iface = host.interface(CILIUM_HOST)
    own |= {a.ip for a in iface.addresses} if iface else set()
    addresses = [ipaddress.ip_address(a) for a in own]
    return [
        r
        for r in host.routes
        if r.device == CILIUM_HOST
        and r.gateway
        and not r.is_default
        and not r.is_host_route
        and not any(r.contains(a) for a in addresses)
    ]


def _pod_network(model: NodeModel, d: _Devices, datapath: Fact, per_pod_routes: tuple[Route, ...]) -> Fact:
    """Where pod addresses come from: the node's subnet, or a range of their own."""
    uplink = d.uplink
    evidence = _pod_address_evidence(model, d, datapath, per_pod_routes)
    if not evidence:
        if datapath.value == NOT_CAPTURED:
            return Fact(NOT_CAPTURED, f"no pod address is visible: {datapath.reason}")
        return Fact(UNKNOWN, "no pod address is visible")
    if not uplink.subnets:
        return _pod_network_from_link(evidence, uplink)
    # Compare like with like: an IPv6 pod address says nothing against an IPv4-only node subnet.
    versions = {s.version for s in uplink.subnets}
    comparable = [(what, network, line) for what, network, line in evidence if network.version in versions]
    subnets = [Span(s.version, int(s.network_address), s.prefixlen) for s in uplink.subnets]
    held = [(what, line, _within(network, subnets)) for what, network, line in comparable]
    inside = [(what, line) for what, line, within in held if within]
    outside = [(what, line) for what, line, within in held if not within]
    node = ", ".join(str(n) for n in uplink.subnets)
    if inside and not outside:
        shown = _names(w for w, _ in inside)
        return Fact("node-subnet", f"pod addresses ({shown}) are inside the node's subnet {node}", _lines(inside))
    if outside and not inside:
        shown = _names(w for w, _ in outside)
        return Fact("pod-cidr", f"pod addresses ({shown}) are outside the node's subnet {node}", _lines(outside))
    if not comparable:
        return Fact(UNKNOWN, f"pod addresses and the node's subnet {node} are of different IP versions")
    return Fact(
        UNKNOWN,
        f"some pod addresses are inside the node's subnet {node} ({inside[0][0]}), some outside ({outside[0][0]})",
        _lines([inside[0], outside[0]]),
    )


def _pod_network_from_link(evidence: list[tuple[str, Span, int]], uplink: _Uplink) -> Fact:
    """Without the node's subnet, bound it by the addresses its link must reach (gateways, sources).

    The subnet holds all of them, so pods inside their smallest common network are in
    it; pods that share fewer than the first 8 bits with them are in no plausible
    subnet of the node (a connected network is never wider than a /8).
    """
    missing = "the node's own subnet is not shown (no address or connected route on the uplink)"
    v4 = [ip for ip in uplink.on_link if ip.version == 4]
    pods = [(what, network, line) for what, network, line in evidence if network.version == 4]
    if not v4 or not pods:
        return Fact(NOT_CAPTURED, missing)
    cover = _smallest_network(v4)
    cover_span = Span(cover.version, int(cover.network_address), cover.prefixlen)
    if all(network.within(cover_span) for _, network, _ in pods):
        shown = _names(w for w, _, _ in pods)
        return Fact(
            "node-subnet",
            f"pod addresses ({shown}) are inside {cover}, which the node's subnet holds (its gateway and "
            f"sources on {uplink.holder})",
            _lines([(w, ln) for w, _, ln in pods]),
        )
    sources = [ipaddress.ip_address(r) for r in uplink.sources if ":" not in r]
    if sources and all(_common_bits(n.start, int(sources[0]), 32) >= 24 for _, n, _ in pods):
        # Node subnets are rarely smaller than a /24; pods in the node address's own /24 share it.
        return Fact(
            "node-subnet",
            f"pod addresses ({_names(w for w, _, _ in pods)}) are in the /24 of the node's address {sources[0]} "
            "(the subnet itself is not shown)",
            _lines([(w, ln) for w, _, ln in pods]),
        )
    anchor = v4[0]
    far = [
        (what, line) for what, network, line in pods if _common_bits(network.start, int(anchor), 32) < MIN_SUBNET_PREFIX
    ]
    if len(far) == len(pods):
        return Fact(
            "pod-cidr",
            f"pod addresses ({_names(w for w, _ in far)}) share fewer than {MIN_SUBNET_PREFIX} leading bits with "
            f"{anchor} on the node's link, so no subnet of the node holds them",
            _lines(far),
        )
    return Fact(NOT_CAPTURED, missing)


def _smallest_network(ips: Sequence[IPAddress]) -> IPNetwork:
    first = int(ips[0])
    bits = ips[0].max_prefixlen
    prefix = min((_common_bits(first, int(ip), bits) for ip in ips[1:]), default=bits)
    base = first >> (bits - prefix) << (bits - prefix)
    if ips[0].version == 4:
        return ipaddress.IPv4Network((base, prefix))
    return ipaddress.IPv6Network((base, prefix))


def _common_bits(a: int, b: int, bits: int) -> int:
    return bits - (a ^ b).bit_length()


def _pod_address_evidence(
    model: NodeModel, d: _Devices, datapath: Fact, per_pod_routes: tuple[Route, ...]
) -> list[tuple[str, Span, int]]:
    """(what, network, line) for what shows pod addresses: pods' own eth0, per-pod routes, pod ranges."""
    host, host_veths, cni_bridges, internal = d.host, d.veths, d.cni_bridges, d.internal
    found: list[tuple[str, Span, int]] = []
    for pod in model.pods:
        eth0 = pod_eth0(pod)
        for a in eth0.addresses if eth0 else ():
            if a.scope in ("global", None):
                found.append((a.ip, a.host, a.line))
    found += [(r.address, r.span, r.line) for r in per_pod_routes]
    if found:
        return found
    # Point-to-point plugins (kindnet, the ptp CNI) give each host veth the pods' gateway address.
    for name in host_veths:
        iface = host.interface(name)
        for a in iface.addresses if iface else ():
            if a.scope in ("global", None) and not ipaddress.ip_address(a.ip).is_link_local:
                found.append((a.ip, a.host, a.line))
    if found:
        return found
    if datapath.value == "bridge":
        for name in cni_bridges:
            iface = host.interface(name)
            found += [(a.network, span(a.cidr), a.line) for a in (iface.ipv4 if iface else ())]
            found += [
                (r.destination, r.span, r.line)
                for r in host.routes
                if r.device == name and not r.gateway and not r.is_default
            ]
    elif datapath.value == "ebpf":
        found += [
            (r.destination, r.span, r.line)
            for r in host.routes
            if r.device in internal | {CILIUM_HOST} and not r.is_default and not r.is_host_route
        ]
        # Cilium's router takes its address from the node's pod range.
        router = host.interface(CILIUM_HOST)
        if not found and router is not None:
            found += [(a.ip, a.host, a.line) for a in router.addresses if a.scope in ("global", None)]
    return found


def _within(network: Span, subnets: Iterable[Span]) -> bool:
    return any(network.within(s) for s in subnets)


def _mode(datapath: Fact) -> Fact:
    value = MODE_OF_DATAPATH.get(datapath.value, UNKNOWN)
    reason = datapath.reason if value != UNKNOWN else f"datapath {datapath.value}: {datapath.reason}"
    return Fact(value, reason, datapath.lines)


def _names(names: Iterable[str], limit: int = 3) -> str:
    names = list(dict.fromkeys(names))
    return ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")


def _lines(evidence: list[tuple[str, int]]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(line for _, line in evidence if line))[:5]


# --- roles -------------------------------------------------------------------------------------


def _roles(model: NodeModel, d: _Devices) -> tuple[RoleFact, ...]:
    roles: list[RoleFact] = []
    for iface in d.host.interfaces:
        role, reason = _host_role(iface, d)
        roles.append(RoleFact(namespace="host", interface=iface.name, role=role, reason=reason, lines=(iface.line,)))
    for pod in model.pods:
        eth0 = pod_eth0(pod)
        for iface in pod.interfaces:
            if _is_loopback(iface):
                role, reason = LOOPBACK, "LOOPBACK flag"
            elif eth0 is not None and iface.name == eth0.name:
                role, reason = POD_ETH0, f"pod end of a veth pair (@if{iface.peer_ifindex})"
            else:
                role, reason = OTHER, "no rule matched"
            roles.append(
                RoleFact(namespace=pod.name, interface=iface.name, role=role, reason=reason, lines=(iface.line,))
            )
    return tuple(roles)


def _host_role(iface: Interface, d: _Devices) -> tuple[str, str]:
    uplink, tunnels = d.uplink.name, d.tunnels
    if _is_loopback(iface):
        return LOOPBACK, "LOOPBACK flag"
    if iface.name == uplink:
        return UPLINK, "the default route's device, or the NIC that holds the node's address"
    if uplink and iface.master == uplink:
        return VF, f"enslaved to the uplink {uplink} (accelerated networking)"
    if iface.name in d.cni_bridges:
        return CNI_BRIDGE, "a bridge that is not Docker's"
    if iface.name in d.docker:
        return DOCKER_BRIDGE, "Docker's bridge (its MAC starts with 02:42)"
    if iface.name in d.veths:
        return HOST_VETH, "host end of a veth pair whose peer is in another namespace"
    if iface.name in tunnels:
        return TUNNEL, f"tunnel device ({tunnels[iface.name]})"
    if iface.name in d.internal:
        return HOST_INTERNAL, "a veth pair with both ends in the host namespace (Cilium's cilium_host/cilium_net)"
    return OTHER, "no rule matched"


# What a host route does, independent of the addresses involved; in the order reports list them.
ROUTE_SHAPES = (
    ("default", "default route via the gateway"),
    ("uplink-subnet", "connected node subnet through the uplink"),
    ("bridge-subnet", "connected pod subnet through the CNI bridge"),
    ("per-pod", "per-pod host route to a veth"),
    ("host-via-gateway", "host route via the gateway (Azure platform addresses)"),
    ("docker-subnet", "Docker's subnet through docker0"),
    ("tunnel", "route through a tunnel"),
    ("other", "other route"),
)
ROUTE_SHAPE_TITLES = dict(ROUTE_SHAPES)


def route_shape(route: Route, facts: Facts) -> str:
    """Classify a host route by what it does (one of :data:`ROUTE_SHAPES`)."""
    if route.is_default:
        return "default"
    device = route.device or ""
    if route in facts.per_pod_routes:
        return "per-pod"
    if device in facts.cni_bridges and not route.gateway:
        return "bridge-subnet"
    if device == facts.docker_bridge and not route.gateway:
        return "docker-subnet"
    if facts.role_of("host", device) == TUNNEL:
        return "tunnel"
    if route.gateway and route.is_host_route:
        return "host-via-gateway"
    if not route.gateway and device == facts.uplink:
        return "uplink-subnet"
    return "other"
