"""The parser registry: which command text is read by which parser.

The registry is an explicit list. A command as a contributor typed it
(``sudo nsenter -t 16315 -n ip addr``) is first stripped of wrappers that do not
change the output's format (``sudo``, ``nsenter ... -n``, ``ip netns exec NAME``),
then matched against each parser's spellings. Commands no parser knows (``iptables
-nvL``) are kept verbatim as raw sections by the caller.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from generator.parsers import brctl_show, bridge_link, ip_addr, ip_json, ip_route, route_n
from generator.parsers._common import Elision, Origin, Record, records_to_json

__all__ = ["PARSERS", "Elision", "Origin", "Parser", "Record", "find", "normalize", "records_to_json"]

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
        "ip addr",
        "ip-addr",
        ip_addr.parse,
        (
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
        "interfaces with flags, MTU, state, master, veth peer and addresses (iproute2 or busybox text)",
    ),
    Parser(
        "ip -j addr",
        "ip-j-addr",
        ip_json.parse_addr,
        (
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
        "the same as ip addr, from iproute2's JSON output",
    ),
    Parser(
        "ip -j -d link",
        "ip-j-d-link",
        ip_json.parse_link,
        (
            "ip -j -d link",
            "ip -d -j link",
            "ip -j -d link show",
            "ip -d -j link show",
            "ip -json -details link",
            "ip -j link",
            "ip -j link show",
            "ip -j -p -d link",
        ),
        "links with their kind (veth, bridge, vxlan, ...) and peer index, from iproute2's JSON output",
    ),
    Parser(
        "route -n",
        "route-n",
        route_n.parse,
        ("route -n", "route -n -4", "netstat -rn", "netstat -nr"),
        "the kernel IPv4 routing table as net-tools prints it (first nexthop only)",
    ),
    Parser(
        "ip route",
        "ip-route",
        ip_route.parse_text,
        (
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
        "routes with type, protocol, scope, source, metric and multipath nexthops",
    ),
    Parser(
        "ip -j route",
        "ip-j-route",
        ip_route.parse_json,
        (
            "ip -j route",
            "ip -j r",
            "ip -j route show",
            "ip -json route",
            "ip -j -p route",
            "ip -j route show table all",
            "ip -j -d route",
        ),
        "the same as ip route, from iproute2's JSON output",
    ),
    Parser(
        "brctl show",
        "brctl-show",
        brctl_show.parse,
        ("brctl show",),
        "Linux bridges and their ports (bridge-utils; tab- or space-separated)",
    ),
    Parser(
        "bridge link",
        "bridge-link",
        bridge_link.parse,
        ("bridge link", "bridge link show", "bridge -d link", "bridge -d link show", "bridge l"),
        "bridge ports with their master and port state (iproute2)",
    ),
)

_BY_SPELLING: dict[str, Parser] = {s: p for p in PARSERS for s in p.spellings}
_BY_SLUG: dict[str, Parser] = {p.slug: p for p in PARSERS}
_BY_COMMAND: dict[str, Parser] = {p.command: p for p in PARSERS}


def normalize(command: str) -> str:
    """Drop wrappers that do not change what the command prints, and squeeze blanks.

    ``sudo nsenter -t 16315 -n ip addr`` -> ``ip addr``;
    ``ip netns exec pod1 route -n`` -> ``route -n``. A command shlex cannot split
    (an unbalanced quote) is returned with only its blanks squeezed.
    """
    try:
        words = shlex.split(command)
    except ValueError:
        return " ".join(command.split())
    changed = True
    while changed and words:
        changed = False
        if words[0] == "sudo":
            words = _drop_options(words[1:], takes_value={"-u", "-g", "-C", "-h", "-p", "-U"})
            changed = True
        elif words[0] == "nsenter":
            words = _drop_options(
                words[1:],
                takes_value={"-t", "--target", "-S", "--setuid", "-G", "--setgid"},
                flag_pattern=re.compile(r"^-[a-zA-Z]+$|^--[a-z-]+(=.*)?$|^-t\d+$"),
            )
            changed = True
        elif words[:3] == ["ip", "netns", "exec"] and len(words) > 3:
            words = words[4:]
            changed = True
    return " ".join(words)


def _drop_options(words: list[str], takes_value: set[str], flag_pattern: re.Pattern[str] | None = None) -> list[str]:
    pattern = flag_pattern or re.compile(r"^-")
    pos = 0
    while pos < len(words) and pattern.match(words[pos]):
        if words[pos] == "--":
            return words[pos + 1 :]
        pos += 2 if words[pos] in takes_value else 1
    return words[pos:]


def find(command: str) -> Parser | None:
    """The parser for a command as typed, or ``None`` when it is kept as raw text."""
    return _BY_SPELLING.get(normalize(command))


def by_slug(slug: str) -> Parser | None:
    return _BY_SLUG.get(slug)


def by_command(command: str) -> Parser | None:
    return _BY_COMMAND.get(command)
