"""The parser registry: an explicit list of parsers, each with the spellings it reads."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.parsers import brctl_show, bridge_link, ip_addr, ip_json, ip_route, route_n
from generator.parsers._common import Record

ParseFn = Callable[..., list[Record]]


@dataclass(frozen=True)
class Parser:
    """A registered parser: its canonical command, a slug for file names, its spellings."""

    command: str
    slug: str
    parse: ParseFn
    spellings: tuple[str, ...]
    summary: str


# Spellings are compared after normalize(): one space between words, wrappers removed.
PARSERS: tuple[Parser, ...] = (
    Parser(
        command="ip addr",
        slug="ip-addr",
        parse=ip_addr.parse,
        spellings=(
            "ip addr",
            "ip a",
            "ip addr show",
            "ip addr list",
            "ip address",
            "ip address show",
            "ip address list",
            "ip a s",
            "ip link",
            "ip link show",
            "ip l",
        ),
        summary="interfaces with flags, MTU, state, master, veth peer and addresses (iproute2 or busybox text)",
    ),
    Parser(
        command="ip -j addr",
        slug="ip-j-addr",
        parse=ip_json.parse_addr,
        spellings=(
            "ip -j addr",
            "ip -j a",
            "ip -j addr show",
            "ip -j address",
            "ip -j address show",
            "ip -json addr",
            "ip -json address",
            "ip -j -p addr",
            "ip -p -j addr",
            "ip -j -d addr",
            "ip -d -j addr",
            "ip -j -d address",
        ),
        summary="the same as ip addr, from iproute2's JSON output",
    ),
    Parser(
        command="ip -j -d link",
        slug="ip-j-d-link",
        parse=ip_json.parse_link,
        spellings=(
            "ip -j -d link",
            "ip -d -j link",
            "ip -j -d link show",
            "ip -d -j link show",
            "ip -json -details link",
            "ip -j link",
            "ip -j link show",
            "ip -j -p -d link",
        ),
        summary="links with their kind (veth, bridge, vxlan, ...) and peer index, from iproute2's JSON output",
    ),
    Parser(
        command="route -n",
        slug="route-n",
        parse=route_n.parse,
        spellings=("route -n", "route -n -4", "netstat -rn", "netstat -nr"),
        summary="the kernel IPv4 routing table as net-tools prints it (first nexthop only)",
    ),
    Parser(
        command="ip route",
        slug="ip-route",
        parse=ip_route.parse_text,
        spellings=(
            "ip route",
            "ip r",
            "ip route show",
            "ip route list",
            "ip ro",
            "ip -4 route",
            "ip route show table all",
            "ip route show table main",
            "ip -6 route",
            "ip route show table local",
        ),
        summary="routes with type, protocol, scope, source, metric and multipath nexthops",
    ),
    Parser(
        command="ip -j route",
        slug="ip-j-route",
        parse=ip_route.parse_json,
        spellings=(
            "ip -j route",
            "ip -j r",
            "ip -j route show",
            "ip -json route",
            "ip -j -p route",
            "ip -j route show table all",
            "ip -j -d route",
        ),
        summary="the same as ip route, from iproute2's JSON output",
    ),
    Parser(
        command="brctl show",
        slug="brctl-show",
        parse=brctl_show.parse,
        spellings=("brctl show",),
        summary="Linux bridges and their ports (bridge-utils; tab- or space-separated)",
    ),
    Parser(
        command="bridge link",
        slug="bridge-link",
        parse=bridge_link.parse,
        spellings=("bridge link", "bridge link show", "bridge -d link", "bridge -d link show", "bridge l"),
        summary="bridge ports with their master and port state (iproute2)",
    ),
)

_BY_SLUG: dict[str, Parser] = {p.slug: p for p in PARSERS}
_BY_COMMAND: dict[str, Parser] = {p.command: p for p in PARSERS}


def by_slug(slug: str) -> Parser | None:
    return _BY_SLUG.get(slug)


def by_command(command: str) -> Parser | None:
    return _BY_COMMAND.get(command)
