"""The node model: per namespace, the interfaces, addresses, bridges and routes a capture shows.

Built from parser records only (never from metadata). Each namespace may have been
captured with several commands; they are merged here so later stages see one view:

- interfaces come from ``ip addr`` / ``ip -j addr``; ``ip -j -d link`` adds the link
  kind (veth, bridge, ...), and fills in fields the address listing lacks;
- bridges come from ``brctl show``, else from ``bridge link`` (ports grouped by master);
- routes come from the richest listing present: ``ip -j route``, ``ip route``, then
  ``route -n`` (which shows only the first nexthop of a multipath route).

Everything is a frozen dataclass with a natural key (interfaces by name, addresses by
CIDR, routes by type + destination + table + metric), so diffs line up by key.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from generator.capture import Capture, Section
from generator.parsers import Elision, Record
from generator.parsers._common import IPV4_PREFIX_LENGTHS, ipv4_value, leaves_out
from generator.parsers.brctl_show import Bridge as BrctlBridge
from generator.parsers.bridge_link import BridgePort
from generator.parsers.ip_addr import Link
from generator.parsers.ip_route import IpRoute
from generator.parsers.route_n import RouteEntry

ROUTE_SOURCES = ("ip -j route", "ip route", "route -n")
INTERFACE_SOURCES = ("ip addr", "ip -j addr", "ip -j -d link")
BRIDGE_SOURCES = ("brctl show", "bridge link")


@lru_cache(maxsize=8192)
def interface(cidr: str) -> ipaddress.IPv4Interface | ipaddress.IPv6Interface:
    """``ipaddress.ip_interface``, parsed once per text: facts and rules ask about the same addresses many times.

    Bounded: a thousand captures hold hundreds of thousands of addresses, and one
    capture's questions are answered while its own are still in the cache.
    """
    return ipaddress.ip_interface(cidr)


class Span(NamedTuple):
    """A network as numbers: its IP version, first address and prefix length.

    Facts test containment hundreds of times per capture (each pod address against the
    node's subnets, each gateway against the connected networks); on plain integers
    that costs a shift and a compare, where ipaddress builds objects for every test.
    """

    version: int
    start: int
    length: int

    @property
    def bits(self) -> int:
        return 32 if self.version == 4 else 128

    def within(self, outer: Span) -> bool:
        """Every address of this network is in ``outer`` (``ipaddress``'s ``subnet_of``, for any two versions)."""
        if self.version != outer.version or self.length < outer.length:
            return False
        shift = self.bits - outer.length
        return self.start >> shift == outer.start >> shift


def span(text: str) -> Span:
    """The network a CIDR names (host bits cleared, as ``ip_interface(text).network``), or a bare address's host network.

    The parsers write IPv4 as ipaddress does (``10.244.0.0/24``), so those are read
    without it; anything else (IPv6, another spelling) is left to ipaddress.
    """
    address, slash, length = text.partition("/")
    value = ipv4_value(address)
    prefix_length = IPV4_PREFIX_LENGTHS.get(length) if slash else 32
    if value is not None and prefix_length is not None:
        host_bits = 32 - prefix_length
        return Span(4, value >> host_bits << host_bits, prefix_length)
    network = ipaddress.ip_network(text, strict=False)
    return Span(network.version, int(network.network_address), network.prefixlen)


@dataclass(frozen=True)
class Address:
    """An interface address. ``cidr`` is written as ipaddress writes it (the parsers see to
    that: ``10.244.0.5/24``), so its parts can be read from the text."""

    cidr: str
    family: str
    scope: str | None
    line: int

    @property
    def ip(self) -> str:
        if ":" in self.cidr:
            return str(interface(self.cidr).ip)
        # An IPv4 address as ipaddress writes it prints as itself.
        return self.cidr.partition("/")[0]

    @property
    def network(self) -> str:
        return str(interface(self.cidr).network)

    @property
    def prefix_length(self) -> int:
        return int(self.cidr.rpartition("/")[2])

    @property
    def host(self) -> Span:
        """The address alone (a /32 or /128)."""
        if ":" in self.cidr:
            ip = interface(self.cidr).ip
            return Span(6, int(ip), 128)
        return span(self.ip)


@dataclass(frozen=True)
class Interface:
    """An interface, keyed by name. ``peer_ifindex`` is N of ``@ifN`` (a veth's other end)."""

    name: str
    ifindex: int
    line: int
    peer_ifindex: int | None = None
    parent: str | None = None
    link_netnsid: int | None = None
    link_netns: str | None = None
    kind: str | None = None
    mac: str | None = None
    mtu: int | None = None
    state: str | None = None
    flags: tuple[str, ...] = ()
    master: str | None = None
    addresses: tuple[Address, ...] = ()

    @property
    def ipv4(self) -> tuple[Address, ...]:
        return tuple(a for a in self.addresses if a.family == "inet")


@dataclass(frozen=True)
class Bridge:
    name: str
    line: int
    ports: tuple[str, ...]
    bridge_id: str | None = None
    stp: bool | None = None
    source: str = "brctl show"


@dataclass(frozen=True)
class Route:
    """A route, keyed by (type, destination, table, metric). ``destination`` is a CIDR as
    ipaddress writes it (``10.244.0.2/32``, ``::/0``: the parsers and :func:`build` see to
    that), so its prefix length is read from the text, not from an ipaddress network.

    ``flags`` are iproute2's next-hop flags (``onlink``, ``linkdown``, ``dead``, ...);
    ``route -n`` prints none of them, so its routes have none.
    """

    destination: str
    line: int
    source: str
    type: str = "unicast"
    table: str = "main"
    gateway: str | None = None
    device: str | None = None
    metric: int = 0
    scope: str | None = None
    proto: str | None = None
    src: str | None = None
    flags: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.type, self.destination, self.table, self.metric)

    @cached_property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.destination)

    @property
    def address(self) -> str:
        """The destination without its prefix length (the address of a host route)."""
        return self.destination.split("/")[0]

    @property
    def span(self) -> Span:
        return span(self.destination)

    @property
    def prefix_length(self) -> int:
        return int(self.destination.rpartition("/")[2])

    @property
    def is_default(self) -> bool:
        return self.prefix_length == 0

    @property
    def is_host_route(self) -> bool:
        return self.prefix_length == (128 if ":" in self.destination else 32)

    @property
    def onlink(self) -> bool:
        return "onlink" in self.flags

    def contains(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        return ip.version == self.network.version and ip in self.network


@dataclass(frozen=True)
class Namespace:
    """What one network namespace (``host`` or ``pod/<name>``) shows."""

    name: str
    interfaces: tuple[Interface, ...] = ()
    bridges: tuple[Bridge, ...] = ()
    routes: tuple[Route, ...] = ()
    route_source: str | None = None
    commands: tuple[str, ...] = ()
    elided: tuple[int, ...] = field(default=())
    # Commands whose output is only part of what the command printed: elided by the
    # author, or filtered by the command itself (| grep, dev eth0).
    partial: tuple[str, ...] = ()
    # Canonical commands whose output was filtered: parsed, but partial.
    filtered: tuple[str, ...] = ()

    def interface(self, name: str) -> Interface | None:
        return self._by_name.get(name)

    def by_ifindex(self, ifindex: int) -> Interface | None:
        return self._by_ifindex.get(ifindex)

    # Facts and rules look interfaces up by name tens of thousands of times per capture
    # set; an index built on first use replaces a scan per look-up. Built from the last
    # interface back, so the first of two with one key wins, as a scan would find it.
    @cached_property
    def _by_name(self) -> dict[str, Interface]:
        return {i.name: i for i in reversed(self.interfaces)}

    @cached_property
    def _by_ifindex(self) -> dict[int, Interface]:
        return {i.ifindex: i for i in reversed(self.interfaces)}

    @property
    def has_interfaces(self) -> bool:
        return any(c in self.commands for c in INTERFACE_SOURCES)

    @property
    def has_addresses(self) -> bool:
        """An address listing: ``ip -j -d link`` shows interfaces, but none of their addresses."""
        return any(c in self.commands for c in ("ip addr", "ip -j addr"))

    @property
    def has_bridges(self) -> bool:
        return any(c in self.commands for c in BRIDGE_SOURCES)

    @property
    def has_routes(self) -> bool:
        return self.route_source is not None

    @property
    def partial_routes(self) -> bool:
        """Routes were captured, but only in part: absence of a route proves nothing."""
        return self.route_source is not None and self.route_source in self.partial

    @property
    def partial_interfaces(self) -> bool:
        """Every interface listing captured is partial: absence of an interface proves nothing."""
        shown = [c for c in INTERFACE_SOURCES if c in self.commands]
        return bool(shown) and all(c in self.partial for c in shown)

    @property
    def partial_bridges(self) -> bool:
        shown = [c for c in BRIDGE_SOURCES if c in self.commands]
        return bool(shown) and all(c in self.partial for c in shown)


@dataclass(frozen=True)
class NodeModel:
    capture_id: str
    namespaces: tuple[Namespace, ...]

    def namespace(self, name: str) -> Namespace | None:
        return self._by_name.get(name)

    @property
    def host(self) -> Namespace | None:
        return self._by_name.get("host")

    @cached_property
    def pods(self) -> tuple[Namespace, ...]:
        return tuple(n for n in self.namespaces if n.name.startswith("pod/"))

    # Built once: rules look each declared pod's namespace up by name.
    @cached_property
    def _by_name(self) -> dict[str, Namespace]:
        return {n.name: n for n in reversed(self.namespaces)}


def build(capture: Capture) -> NodeModel:
    by_namespace: dict[str, list[Section]] = {}
    for section in capture.sections:
        by_namespace.setdefault(section.namespace, []).append(section)
    return NodeModel(
        capture_id=capture.id,
        namespaces=tuple(_namespace(name, sections) for name, sections in sorted(by_namespace.items())),
    )


def _namespace(name: str, sections: list[Section]) -> Namespace:
    records: dict[str, list[Record]] = {}
    for section in sections:
        if section.parser is not None:
            records.setdefault(section.parser, []).extend(section.records)
    interfaces = _interfaces(records)
    bridges = _bridges(records)
    route_source = next((s for s in ROUTE_SOURCES if s in records), None)
    routes = _routes(route_source, records.get(route_source, [])) if route_source else ()
    elided = tuple(sorted(r.line for rs in records.values() for r in rs if isinstance(r, Elision)))
    partial = tuple(sorted(c for c, rs in records.items() if any(isinstance(r, Elision) and leaves_out(r) for r in rs)))
    filtered = tuple(sorted({s.parser for s in sections if s.parser is not None and s.filter is not None}))
    return Namespace(
        name=name,
        interfaces=interfaces,
        bridges=bridges,
        routes=routes,
        route_source=route_source,
        commands=tuple(sorted(records)),
        elided=elided,
        partial=tuple(sorted({*partial, *filtered})),
        filtered=filtered,
    )


def _interface(link: Link) -> Interface:
    peer_is_name = link.peer is not None and link.peer_ifindex is None and link.peer != "NONE"
    return Interface(
        name=link.name,
        ifindex=link.ifindex,
        line=link.line,
        peer_ifindex=link.peer_ifindex,
        parent=link.peer if peer_is_name else None,
        link_netnsid=link.link_netnsid,
        link_netns=link.link_netns,
        kind=link.link_kind,
        mac=link.mac,
        mtu=link.mtu,
        state=link.state,
        flags=link.flags,
        master=link.master,
        addresses=tuple([Address(cidr=a.cidr, family=a.family, scope=a.scope, line=a.line) for a in link.addresses]),
    )


def _links(records: Iterable[Record]) -> list[Link]:
    return [r for r in records if isinstance(r, Link)]


def _interfaces(records: dict[str, list[Record]]) -> tuple[Interface, ...]:
    merged: dict[str, Interface] = {}
    for command in ("ip addr", "ip -j addr", "ip -j -d link"):
        for link in _links(records.get(command, [])):
            current = _interface(link)
            known = merged.get(link.name)
            merged[link.name] = current if known is None else _merge(known, current)
    return tuple(sorted(merged.values(), key=lambda i: (i.ifindex, i.name)))


def _merge(first: Interface, second: Interface) -> Interface:
    """Fill what ``first`` lacks from ``second``; ``first`` (the address listing) wins on conflicts."""
    changes: dict[str, Any] = {}
    for name in ("peer_ifindex", "parent", "link_netnsid", "link_netns", "kind", "mac", "mtu", "state", "master"):
        if getattr(first, name) is None and getattr(second, name) is not None:
            changes[name] = getattr(second, name)
    if not first.addresses and second.addresses:
        changes["addresses"] = second.addresses
    return replace(first, **changes) if changes else first


def _bridges(records: dict[str, list[Record]]) -> tuple[Bridge, ...]:
    if "brctl show" in records:
        return tuple(
            sorted(
                (
                    Bridge(name=r.name, line=r.line, ports=tuple(r.ports), bridge_id=r.bridge_id, stp=r.stp_enabled)
                    for r in records["brctl show"]
                    if isinstance(r, BrctlBridge)
                ),
                key=lambda b: b.name,
            )
        )
    ports: dict[str, list[BridgePort]] = {}
    for record in records.get("bridge link", []):
        if isinstance(record, BridgePort) and record.master:
            ports.setdefault(record.master, []).append(record)
    return tuple(
        Bridge(name=name, line=min(p.line for p in members), ports=tuple(p.name for p in members), source="bridge link")
        for name, members in sorted(ports.items())
    )


def _routes(source: str, records: list[Record]) -> tuple[Route, ...]:
    routes: list[Route] = []
    for record in records:
        if isinstance(record, RouteEntry):
            routes.append(
                Route(
                    destination=record.destination,
                    line=record.line,
                    source=source,
                    type="unreachable" if record.reject else "unicast",
                    gateway=record.gateway,
                    device=record.iface,
                    metric=record.metric or 0,
                    scope=None,
                )
            )
        elif isinstance(record, IpRoute):
            destination = record.destination
            if destination == "default":
                # Only the addresses on the line tell an IPv6 default from an IPv4 one.
                hints = (record.gateway, record.src, *(h.gateway for h in record.nexthops))
                destination = "::/0" if any(h and ":" in h for h in hints) else "0.0.0.0/0"
            first_hop = record.nexthops[0] if record.nexthops else None
            routes.append(
                Route(
                    destination=destination,
                    line=record.line,
                    source=source,
                    type=record.type,
                    table=record.table or "main",
                    gateway=record.gateway or (first_hop.gateway if first_hop else None),
                    device=record.dev or (first_hop.dev if first_hop else None),
                    metric=record.metric or 0,
                    scope=record.scope,
                    proto=record.proto,
                    src=record.src,
                    flags=record.flags or (first_hop.flags if first_hop else ()),
                )
            )
    return tuple(routes)
