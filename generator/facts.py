"""Facts derived from a node model: roles, veth pairs, pod paths, and the node's mode.

Facts come from what the commands printed, never from the capture's metadata, so a
capture that claims "network policy: calico" but shows a bridge is classified as
bridge mode. Each fact keeps the capture lines that support it (``lines``), so
rules and pages can quote the evidence.

The mode is decided in this order:

1. ``bridge``: a CNI bridge (any bridge but Docker's) has pod veths as ports, or is
   their ``master``;
2. ``transparent``: no CNI bridge carries pod veths, and the host routes a pod's
   address (a /32 or /128) straight to a veth;
3. ``overlay``: pod traffic leaves through a tunnel device (vxlan, ipip, ...);
4. ``unknown``, with the reason: what is missing or contradictory.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from generator.model import Bridge, Interface, Namespace, NodeModel, Route

LOOPBACK = "loopback"
UPLINK = "uplink"
CNI_BRIDGE = "cni-bridge"
DOCKER_BRIDGE = "docker-bridge"
HOST_VETH = "host-veth"
POD_ETH0 = "pod-eth0"
VF = "vf"
TUNNEL = "tunnel"
OTHER = "other"
ROLES = (UPLINK, VF, CNI_BRIDGE, DOCKER_BRIDGE, HOST_VETH, TUNNEL, LOOPBACK, POD_ETH0, OTHER)

# Names are only a fallback: used when no command shows what a device is.
KNOWN_CNI_BRIDGES = frozenset({"cbr0", "azure0", "cni0", "kube-bridge", "weave", "cni-podman0"})
TUNNEL_KINDS = frozenset({"vxlan", "ipip", "gre", "geneve", "wireguard", "ip6tnl", "sit", "gretap"})
TUNNEL_NAMES = ("vxlan.calico", "tunl0", "flannel.", "cilium_vxlan", "cilium_geneve", "wireguard.cali", "weave")
KNOWN_VETH_PREFIXES = ("veth", "azv", "cali", "lxc", "enib", "gke")
DOCKER_MAC_PREFIX = "02:42:"


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
    """How the host reaches a pod: ``via`` is ``bridge-port``, ``host-route`` or ``unknown``."""

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
class Mode:
    value: str
    reason: str
    lines: tuple[int, ...]


@dataclass(frozen=True)
class Facts:
    capture_id: str
    roles: tuple[RoleFact, ...]
    pairs: tuple[VethPair, ...]
    paths: tuple[PodPath, ...]
    mode: Mode
    uplink: str | None
    node_address: str | None
    cni_bridges: tuple[str, ...]
    docker_bridge: str | None
    host_veths: tuple[str, ...]
    host_veth_prefix: str | None
    per_pod_routes: tuple[Route, ...]
    # Every pod-facing host veth, however it is known (ip addr, a bridge port, a per-pod
    # route's device), with the capture line that shows it; sorted by name.
    veth_evidence: tuple[tuple[str, int], ...]
    # The prefix length of each pod eth0 IPv4 address, with its line.
    pod_masks: tuple[tuple[int, int], ...]

    def role_of(self, namespace: str, interface: str) -> str | None:
        return next((r.role for r in self.roles if r.namespace == namespace and r.interface == interface), None)

    def interfaces_with(self, role: str, namespace: str = "host") -> tuple[str, ...]:
        return tuple(r.interface for r in self.roles if r.role == role and r.namespace == namespace)


def derive(model: NodeModel) -> Facts:
    host = model.host or Namespace(name="host")
    pairs = tuple(_pair(pod, host) for pod in model.pods if pod_eth0(pod) is not None)
    pod_peer_indexes = {p.host_ifindex for p in pairs}
    host_veths = _host_veths(host, pod_peer_indexes)
    cni_bridges, docker_bridge = _bridges(host, host_veths)
    uplink, node_address = _uplink(host, cni_bridges, host_veths)
    per_pod_routes = _per_pod_routes(host, host_veths, cni_bridges, docker_bridge, uplink)
    roles = _roles(model, host, host_veths, cni_bridges, docker_bridge, uplink)
    paths = tuple(_path(pod, pair, host, cni_bridges, uplink) for pod, pair in _pods_with_pairs(model, pairs))
    mode = _mode(host, model, host_veths, cni_bridges, uplink, per_pod_routes, roles)
    veths = _veth_evidence(host, host_veths, cni_bridges, uplink, per_pod_routes)
    return Facts(
        capture_id=model.capture_id,
        roles=roles,
        pairs=pairs,
        paths=paths,
        mode=mode,
        uplink=uplink,
        node_address=node_address,
        cni_bridges=cni_bridges,
        docker_bridge=docker_bridge,
        host_veths=tuple(sorted(host_veths)),
        host_veth_prefix=veth_prefix(name for name, _ in veths),
        per_pod_routes=per_pod_routes,
        veth_evidence=veths,
        pod_masks=tuple((a.prefix_length, a.line) for pod in model.pods if (eth0 := pod_eth0(pod)) for a in eth0.ipv4),
    )


def _veth_evidence(
    host: Namespace, host_veths: list[str], cni_bridges: tuple[str, ...], uplink: str | None, routes: tuple[Route, ...]
) -> tuple[tuple[str, int], ...]:
    seen: dict[str, int] = {}
    for name in host_veths:
        iface = host.interface(name)
        seen.setdefault(name, iface.line if iface else 0)
    for bridge in host.bridges:
        if bridge.name in cni_bridges:
            for port in pod_ports(bridge, host, host_veths, uplink):
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


def pod_eth0(pod: Namespace) -> Interface | None:
    """The pod's veth end: the interface whose peer lives in another namespace (``@ifN``)."""
    candidates = [i for i in pod.interfaces if i.peer_ifindex is not None]
    return next((i for i in candidates if i.name == "eth0"), candidates[0] if candidates else None)


def _pair(pod: Namespace, host: Namespace) -> VethPair:
    eth0 = pod_eth0(pod)
    assert eth0 is not None and eth0.peer_ifindex is not None
    peer = host.by_ifindex(eth0.peer_ifindex)
    if peer is None:
        return VethPair(
            pod.name, eth0.name, eth0.ifindex, eth0.peer_ifindex, None, None, "host-side-not-shown", (eth0.line,)
        )
    status = "joined" if peer.peer_ifindex == eth0.ifindex else "mismatch"
    return VethPair(
        pod.name,
        eth0.name,
        eth0.ifindex,
        eth0.peer_ifindex,
        peer.name,
        peer.peer_ifindex,
        status,
        (eth0.line, peer.line),
    )


def _pods_with_pairs(model: NodeModel, pairs: tuple[VethPair, ...]) -> list[tuple[Namespace, VethPair | None]]:
    by_pod = {p.pod: p for p in pairs}
    return [(pod, by_pod.get(pod.name)) for pod in model.pods]


def _host_veths(host: Namespace, pod_peer_indexes: set[int]) -> list[str]:
    """Host interfaces whose other end is in another namespace: a veth by kind, ``@ifN`` or a pod's pointer."""
    veths = []
    for iface in host.interfaces:
        in_other_netns = iface.link_netnsid is not None or iface.link_netns is not None
        if (
            iface.kind == "veth"
            or (iface.peer_ifindex is not None and in_other_netns)
            or iface.ifindex in pod_peer_indexes
        ):
            veths.append(iface.name)
    return veths


def _is_docker(name: str, bridge: Bridge | None) -> bool:
    """docker0 by name, or a bridge whose id embeds Docker's 02:42 MAC prefix."""
    bridge_id = bridge.bridge_id if bridge else None
    return name == "docker0" or bool(bridge_id and bridge_id.startswith("8000." + DOCKER_MAC_PREFIX.replace(":", "")))


def _bridges(host: Namespace, host_veths: list[str]) -> tuple[tuple[str, ...], str | None]:
    """CNI bridges and the Docker bridge: bridges from brctl/bridge link/kind, masters of veths, known names."""
    candidates: dict[str, Bridge | None] = {b.name: b for b in host.bridges}
    for iface in host.interfaces:
        if iface.kind == "bridge" or iface.name in KNOWN_CNI_BRIDGES or iface.name == "docker0":
            candidates.setdefault(iface.name, None)
        if iface.name in host_veths and iface.master:
            candidates.setdefault(iface.master, None)
    docker = None
    cni: list[str] = []
    for name, bridge in sorted(candidates.items()):
        if _is_docker(name, bridge):
            docker = docker or name
        else:
            cni.append(name)
    return tuple(cni), docker


def _uplink(host: Namespace, cni_bridges: tuple[str, ...], host_veths: list[str]) -> tuple[str | None, str | None]:
    """The NIC that carries the node's address, or is a port of the bridge that does.

    The default route's device decides; without routes, the one global IPv4 address
    outside Docker and the CNI bridges does.
    """
    default = next((r for r in host.routes if r.is_default and r.device), None)
    holder: Interface | None = host.interface(default.device) if default and default.device else None
    if holder is None:
        holders = [
            i
            for i in host.interfaces
            if any(a.scope == "global" for a in i.ipv4) and i.name != "docker0" and i.name not in host_veths
        ]
        # Azure CNI in bridge mode: the bridge holds the address, so prefer a NIC when both do.
        nics = [i for i in holders if i.name not in cni_bridges]
        holder = nics[0] if len(nics) == 1 else (holders[0] if len(holders) == 1 else None)
    if holder is None:
        return None, None
    address = next((a.cidr for a in holder.ipv4 if a.scope in ("global", None)), None)
    if holder.name in cni_bridges:
        port = next((i for i in host.interfaces if i.master == holder.name and i.name not in host_veths), None)
        return (port.name if port else None), address
    return holder.name, address


def _per_pod_routes(
    host: Namespace, host_veths: list[str], cni_bridges: tuple[str, ...], docker: str | None, uplink: str | None
) -> tuple[Route, ...]:
    """Host routes to a single address straight onto a device that is a veth, or could be one.

    A device missing from an abbreviated ``ip addr`` still counts when it is not the
    uplink, a bridge or Docker's: the route itself says a single pod lives behind it.
    """
    routes = []
    known = {i.name for i in host.interfaces}
    for route in host.routes:
        if route.type != "unicast" or route.gateway or not route.device or not route.is_host_route:
            continue
        if route.device in host_veths or (
            route.device not in known and route.device not in cni_bridges and route.device not in (docker, uplink)
        ):
            routes.append(route)
    return tuple(routes)


def pod_ports(bridge: Bridge, host: Namespace, host_veths: list[str], uplink: str | None) -> list[str]:
    """A bridge's ports that are pod veths: known veths, or ports an abbreviated ``ip addr`` did not show.

    Azure CNI bridges the uplink NIC too (``eth0`` is a port of ``azure0``); it is not a pod.
    """
    return [p for p in bridge.ports if p != uplink and (p in host_veths or host.interface(p) is None)]


def _roles(
    model: NodeModel,
    host: Namespace,
    host_veths: list[str],
    cni_bridges: tuple[str, ...],
    docker: str | None,
    uplink: str | None,
) -> tuple[RoleFact, ...]:
    roles: list[RoleFact] = []
    for iface in host.interfaces:
        role, reason = _host_role(iface, host, host_veths, cni_bridges, docker, uplink)
        roles.append(RoleFact("host", iface.name, role, reason, (iface.line,)))
    for pod in model.pods:
        eth0 = pod_eth0(pod)
        for iface in pod.interfaces:
            if "LOOPBACK" in iface.flags or iface.name == "lo":
                roles.append(RoleFact(pod.name, iface.name, LOOPBACK, "LOOPBACK flag", (iface.line,)))
            elif eth0 is not None and iface.name == eth0.name:
                roles.append(
                    RoleFact(
                        pod.name,
                        iface.name,
                        POD_ETH0,
                        f"pod end of a veth pair (@if{iface.peer_ifindex})",
                        (iface.line,),
                    )
                )
            else:
                roles.append(RoleFact(pod.name, iface.name, OTHER, "no rule matched", (iface.line,)))
    return tuple(roles)


def _host_role(
    iface: Interface,
    host: Namespace,
    host_veths: list[str],
    cni_bridges: tuple[str, ...],
    docker: str | None,
    uplink: str | None,
) -> tuple[str, str]:
    if "LOOPBACK" in iface.flags or iface.name == "lo":
        return LOOPBACK, "LOOPBACK flag"
    if iface.name == uplink:
        return UPLINK, "carries the node's address (or is the port of the bridge that does)"
    if uplink and iface.master == uplink:
        return VF, f"enslaved to the uplink {uplink} (accelerated networking)"
    if iface.name in cni_bridges:
        return CNI_BRIDGE, "a bridge that is not Docker's"
    if iface.name == docker:
        return DOCKER_BRIDGE, "Docker's bridge (docker0, or a bridge id with Docker's 02:42 prefix)"
    if iface.name in host_veths:
        return HOST_VETH, "host end of a veth pair (peer in another namespace)"
    if iface.kind in TUNNEL_KINDS or iface.name.startswith(TUNNEL_NAMES):
        return TUNNEL, f"tunnel device ({iface.kind or 'by name'})"
    return OTHER, "no rule matched"


def _path(
    pod: Namespace, pair: VethPair | None, host: Namespace, cni_bridges: tuple[str, ...], uplink: str | None
) -> PodPath:
    eth0 = pod_eth0(pod)
    address = eth0.ipv4[0].cidr if eth0 and eth0.ipv4 else None
    ip = address.split("/")[0] if address else None
    veth = pair.host_interface if pair else None
    lines = tuple(pair.lines) if pair else ()
    if veth is not None:
        iface = host.interface(veth)
        if iface and iface.master in cni_bridges:
            return PodPath(
                pod.name,
                address,
                veth,
                "bridge-port",
                iface.master,
                None,
                uplink,
                f"{veth} is a port of {iface.master}",
                lines,
            )
        for bridge in host.bridges:
            if bridge.name in cni_bridges and veth in bridge.ports:
                return PodPath(
                    pod.name,
                    address,
                    veth,
                    "bridge-port",
                    bridge.name,
                    None,
                    uplink,
                    f"{bridge.source} lists {veth} as a port of {bridge.name}",
                    (*lines, bridge.line),
                )
    if ip is not None:
        route = next(
            (r for r in host.routes if r.is_host_route and r.destination.split("/")[0] == ip and not r.gateway), None
        )
        if route is not None and (veth is None or route.device == veth):
            return PodPath(
                pod.name,
                address,
                route.device,
                "host-route",
                None,
                route,
                uplink,
                f"host route {route.destination} dev {route.device}",
                (*lines, route.line),
            )
        covering = next(
            (
                r
                for r in host.routes
                if r.device in cni_bridges
                and not r.gateway
                and not r.is_default
                and ipaddress.ip_address(ip) in ipaddress.ip_network(r.destination)
            ),
            None,
        )
        if covering is not None:
            return PodPath(
                pod.name,
                address,
                veth,
                "bridge-port",
                covering.device,
                covering,
                uplink,
                f"the host routes {covering.destination} to the bridge {covering.device}",
                (*lines, covering.line),
            )
    reason = (
        "no bridge port or host route leads to the pod" if host.has_routes else "the host's routes were not captured"
    )
    return PodPath(pod.name, address, veth, "unknown", None, None, uplink, reason, lines)


def _mode(
    host: Namespace,
    model: NodeModel,
    host_veths: list[str],
    cni_bridges: tuple[str, ...],
    uplink: str | None,
    per_pod_routes: tuple[Route, ...],
    roles: tuple[RoleFact, ...],
) -> Mode:
    if model.host is None:
        return Mode("unknown", "nothing was captured in the host namespace", ())
    bridge_evidence = [(i.master, i.line) for i in host.interfaces if i.name in host_veths and i.master in cni_bridges]
    bridge_evidence += [
        (b.name, b.line) for b in host.bridges if b.name in cni_bridges and pod_ports(b, host, host_veths, uplink)
    ]
    if bridge_evidence:
        names = sorted({str(b) for b, _ in bridge_evidence})
        return Mode(
            "bridge",
            f"pod veths are ports of the CNI bridge {', '.join(names)}",
            tuple(sorted({ln for _, ln in bridge_evidence})),
        )
    if per_pod_routes:
        devices = ", ".join(sorted({r.device for r in per_pod_routes if r.device})[:3])
        more = "" if len(per_pod_routes) <= 3 else ", ..."
        return Mode(
            "transparent",
            f"no CNI bridge carries pod veths; {len(per_pod_routes)} host route(s) lead straight to veths ({devices}{more})",
            tuple(r.line for r in per_pod_routes),
        )
    tunnels = [r for r in roles if r.role == TUNNEL and r.namespace == "host"]
    tunnel_routes = [r for r in host.routes if r.device in {t.interface for t in tunnels}]
    if tunnel_routes:
        return Mode(
            "overlay",
            f"pod routes leave through the tunnel {tunnel_routes[0].device}",
            tuple(r.line for r in tunnel_routes),
        )
    missing = []
    if not host.has_routes:
        missing.append("route -n or ip route")
    if not host.has_bridges and not host.has_interfaces:
        missing.append("brctl show, bridge link or ip addr")
    if missing:
        return Mode("unknown", f"the host's {' and '.join(missing)} output was not captured", ())
    return Mode("unknown", "no CNI bridge with pod veths and no per-pod host routes", ())
