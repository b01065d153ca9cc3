"""``ip addr`` (also ``ip a``, ``ip address show``, ``ip link``): iproute2 and busybox text.

Yields one :class:`Link` per interface block, with its addresses nested, and an
:class:`~generator.parsers._common.Elision` for every ``.``/``...`` line the author
put in place of omitted output. Example::

    15: eth0@if16: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
        link/ether e6:82:2e:aa:77:ff brd ff:ff:ff:ff:ff:ff link-netnsid 0
        inet 10.220.2.21/24 scope global eth0

gives ``Link(ifindex=15, name="eth0", peer="if16", peer_ifindex=16, mtu=1500,
state="UP", mac="e6:82:2e:aa:77:ff", link_netnsid=0,
addresses=(Address(family="inet", cidr="10.220.2.21/24", scope="global",
label="eth0"),))``.

The parser is strict: every token of every line must be one it knows, so a changed
or damaged output is reported with its line instead of being half-read. Busybox
differs from iproute2 in small ways that are accepted here: trailing blanks, flags
it cannot name printed as hex (``<BROADCAST,UP,10000>``), ``flags 80`` on addresses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from generator.parsers._common import (
    Elision,
    Origin,
    Record,
    builder,
    is_elision,
    is_mac,
    lines,
    parse_int,
    parse_interface,
)

COMMAND = "ip addr"


@dataclass(frozen=True)
class Address(Record):
    """One ``inet``/``inet6`` line of an interface block, keyed by ``cidr``."""

    record_type: ClassVar[str] = "address"
    family: str
    cidr: str
    peer: str | None = None
    broadcast: str | None = None
    anycast: str | None = None
    scope: str | None = None
    metric: int | None = None
    proto: str | None = None
    flags: tuple[str, ...] = ()
    label: str | None = None
    valid_lft: str | None = None
    preferred_lft: str | None = None


@dataclass(frozen=True)
class Link(Record):
    """One interface block, keyed by ``name`` (``ifindex`` is volatile across reboots).

    ``peer`` is the text after ``@`` in the header: ``if16`` for a veth whose other
    end lives in another namespace (then ``peer_ifindex`` is 16), a name such as
    ``eth0`` for a VLAN or macvlan on that parent, ``NONE`` for a tunnel with none.
    """

    record_type: ClassVar[str] = "link"
    ifindex: int
    name: str
    peer: str | None = None
    peer_ifindex: int | None = None
    flags: tuple[str, ...] = ()
    mtu: int | None = None
    qdisc: str | None = None
    master: str | None = None
    state: str | None = None
    mode: str | None = None
    group: str | None = None
    qlen: int | None = None
    link_type: str | None = None
    mac: str | None = None
    broadcast_mac: str | None = None
    peer_mac: str | None = None
    permanent_mac: str | None = None
    link_netnsid: int | None = None
    link_netns: str | None = None
    link_kind: str | None = None
    altnames: tuple[str, ...] = ()
    addresses: tuple[Address, ...] = ()


_new_link = builder(Link)
_new_address = builder(Address)
_HEADER = re.compile(r"^(?P<ifindex>\d+): (?P<name>[^\s:@]+)(?:@(?P<peer>[^\s:]+))?: <(?P<flags>[^>]*)>(?P<rest>.*)$")
_HEADER_EXAMPLE = "2: eth0: <BROADCAST,UP,LOWER_UP> mtu 1500 ..."
_FLAG = re.compile(r"^[A-Z][A-Z0-9_-]*$|^[0-9a-f]+$")
# Header keys and whether their value is a number.
_HEADER_KEYS: dict[str, bool] = {
    "mtu": True,
    "qdisc": False,
    "master": False,
    "state": False,
    "mode": False,
    "group": False,
    "qlen": True,
}
_STATES = frozenset({"UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT", "NOTPRESENT", "TESTING"})
_ADDRESS_FLAGS = frozenset(
    {
        "secondary",
        "temporary",
        "tentative",
        "deprecated",
        "dadfailed",
        "home",
        "nodad",
        "optimistic",
        "mngtmpaddr",
        "noprefixroute",
        "autojoin",
        "stable-privacy",
        "dynamic",
        "permanent",
    }
)
_SCOPE_NAMES = frozenset({"host", "link", "global", "site", "nowhere", "universe"})


def _is_scope(token: str) -> bool:
    """A scope name or number (str.isdecimal() is exactly the digits regex's \\d matches)."""
    return token in _SCOPE_NAMES or token.isdecimal()


def _is_lifetime(token: str) -> bool:
    """``forever`` or whole seconds such as ``3600sec``."""
    return token == "forever" or (token.endswith("sec") and token[:-3].isdecimal())


@dataclass
class _Block:
    """An interface block being read; frozen into a :class:`Link` when it ends."""

    line: int
    ifindex: int
    name: str
    peer: str | None
    flags: tuple[str, ...]
    header: dict[str, str | int] = field(default_factory=dict)
    link: dict[str, str | int | None] = field(default_factory=dict)
    altnames: list[str] = field(default_factory=list)
    addresses: list[dict[str, object]] = field(default_factory=list)

    def freeze(self) -> Link:
        peer_ifindex = None
        if self.peer is not None and re.fullmatch(r"if\d+", self.peer):
            peer_ifindex = int(self.peer[2:])
        return _new_link(
            {
                "line": self.line,
                "ifindex": self.ifindex,
                "name": self.name,
                "peer": self.peer,
                "peer_ifindex": peer_ifindex,
                "flags": self.flags,
                "altnames": tuple(self.altnames),
                "addresses": tuple(_new_address(a) for a in self.addresses),
                **self.header,
                **self.link,
            }
        )


def parse(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    block: _Block | None = None
    for index, source in lines(text):
        line = source.rstrip()
        if not line.strip():
            continue
        if is_elision(line):
            if block is not None:
                records.append(block.freeze())
                block = None
            records.append(Elision(line=origin.line_of(index), text=line.strip()))
            continue
        if not line[0].isspace():
            if block is not None:
                records.append(block.freeze())
            block = _header(origin, index, source, line)
            continue
        if block is None:
            origin.fail(index, f"expected an interface header such as {_HEADER_EXAMPLE!r}", source)
        _body_line(origin, index, source, line.strip(), block)
    if block is not None:
        records.append(block.freeze())
    return records


def _header(origin: Origin, index: int, source: str, line: str) -> _Block:
    match = _HEADER.match(line)
    if not match:
        origin.fail(index, f"expected an interface header such as {_HEADER_EXAMPLE!r}", source)
    flags = tuple(f for f in match["flags"].split(",") if f)
    for flag in flags:
        if not _FLAG.match(flag):
            origin.fail(index, f"interface flag {flag!r} is not an upper-case flag name", source)
    block = _Block(
        line=origin.line_of(index),
        ifindex=int(match["ifindex"]),
        name=match["name"],
        peer=match["peer"],
        flags=flags,
    )
    tokens = match["rest"].split()
    pos = 0
    while pos < len(tokens):
        key = tokens[pos]
        if key not in _HEADER_KEYS:
            origin.fail(
                index,
                f"unexpected {key!r} in the interface header (expected one of: {', '.join(_HEADER_KEYS)})",
                source,
            )
        if pos + 1 >= len(tokens):
            origin.fail(index, f"interface header ends after {key!r}; expected its value", source)
        if key in block.header:
            origin.fail(index, f"{key!r} appears twice in the interface header", source)
        value = tokens[pos + 1]
        if _HEADER_KEYS[key]:
            block.header[key] = parse_int(origin, index, source, value, key)
        else:
            if key == "state" and value not in _STATES:
                origin.fail(
                    index, f"state {value!r} is not an operational state ({', '.join(sorted(_STATES))})", source
                )
            block.header[key] = value
        pos += 2
    return block


def _body_line(origin: Origin, index: int, source: str, line: str, block: _Block) -> None:
    tokens = line.split()
    head = tokens[0]
    if head.startswith("link/"):
        _link_line(origin, index, source, tokens, block)
    elif head in ("inet", "inet6"):
        block.addresses.append(_address(origin, index, source, tokens, block))
    elif head == "valid_lft":
        _lifetimes(origin, index, source, tokens, block)
    elif head == "altname":
        if len(tokens) != 2:
            origin.fail(index, "expected 'altname NAME'", source)
        block.altnames.append(tokens[1])
    else:
        origin.fail(
            index,
            f"unexpected {head!r} inside interface {block.name!r} (expected link/..., inet, inet6, valid_lft or altname)",
            source,
        )


def _link_line(origin: Origin, index: int, source: str, tokens: list[str], block: _Block) -> None:
    if block.link:
        origin.fail(index, f"a second link/ line for interface {block.name!r}", source)
    link: dict[str, str | int | None] = {"link_type": tokens[0].removeprefix("link/")}
    pos = 1
    # The link-layer address follows the type unless the type has none (link/none).
    if pos < len(tokens) and tokens[pos] not in ("brd", "peer", "link-netnsid", "link-netns", "permaddr"):
        link["mac"] = tokens[pos]
        pos += 1
    keys = {"brd": "broadcast_mac", "peer": "peer_mac", "permaddr": "permanent_mac", "link-netns": "link_netns"}
    while pos < len(tokens):
        key = tokens[pos]
        if pos + 1 >= len(tokens):
            origin.fail(index, f"link line ends after {key!r}; expected its value", source)
        value = tokens[pos + 1]
        if key == "link-netnsid":
            link["link_netnsid"] = parse_int(origin, index, source, value, "link-netnsid")
        elif key in keys:
            link[keys[key]] = value
        else:
            origin.fail(
                index,
                f"unexpected {key!r} in the link line (expected brd, peer, permaddr, link-netnsid or link-netns)",
                source,
            )
        pos += 2
    if link["link_type"] == "ether":
        for mac_key in ("mac", "broadcast_mac", "peer_mac", "permanent_mac"):
            mac = link.get(mac_key)
            if isinstance(mac, str) and not is_mac(mac, octets=6):
                origin.fail(
                    index, f"{mac!r} is not a MAC address (expected six hex pairs such as 00:0d:3a:9c:96:47)", source
                )
    block.link = link


def _address(origin: Origin, index: int, source: str, tokens: list[str], block: _Block) -> dict[str, object]:
    family = tokens[0]
    if len(tokens) < 2:
        origin.fail(index, f"expected an address after {family!r}", source)
    address: dict[str, object] = {"line": origin.line_of(index), "family": family}
    local = tokens[1]
    pos = 2
    if pos < len(tokens) and tokens[pos] == "peer" and "/" not in local:
        # Point-to-point: "inet 10.0.0.1 peer 10.0.0.2/32" puts the prefix on the peer.
        if pos + 1 >= len(tokens):
            origin.fail(index, "address line ends after 'peer'; expected the peer prefix", source)
        peer = parse_interface(origin, index, source, tokens[pos + 1], "peer")
        address["peer"] = peer
        local = f"{local}/{peer.split('/')[1]}"
        pos += 2
    cidr = parse_interface(origin, index, source, local, family)
    if (family == "inet") != (":" not in cidr):
        origin.fail(index, f"{local!r} is not an {'IPv4' if family == 'inet' else 'IPv6'} address", source)
    address["cidr"] = cidr
    flags: list[str] = []
    valued = {
        "brd": "broadcast",
        "any": "anycast",
        "scope": "scope",
        "metric": "metric",
        "proto": "proto",
        "flags": "flags",
    }
    while pos < len(tokens):
        token = tokens[pos]
        if token in valued:
            if pos + 1 >= len(tokens):
                origin.fail(index, f"address line ends after {token!r}; expected its value", source)
            value = tokens[pos + 1]
            if token == "metric":
                address["metric"] = parse_int(origin, index, source, value, "metric")
            elif token == "scope":
                if not _is_scope(value):
                    origin.fail(index, f"scope {value!r} is not host, link, global, site or a number", source)
                address["scope"] = value
            elif token == "flags":
                flags.append(f"flags {value}")
            else:
                address[valued[token]] = value
            pos += 2
        elif token in _ADDRESS_FLAGS:
            flags.append(token)
            pos += 1
        elif "label" not in address and (token == block.name or token.startswith(block.name + ":")):
            address["label"] = token
            pos += 1
        else:
            origin.fail(
                index,
                f"unexpected {token!r} in the address line (expected brd, scope, metric, an address flag or the label)",
                source,
            )
    address["flags"] = tuple(flags)
    return address


def _lifetimes(origin: Origin, index: int, source: str, tokens: list[str], block: _Block) -> None:
    if len(tokens) != 4 or tokens[2] != "preferred_lft" or not (_is_lifetime(tokens[1]) and _is_lifetime(tokens[3])):
        origin.fail(index, "expected 'valid_lft forever|Nsec preferred_lft forever|Nsec'", source)
    if not block.addresses:
        origin.fail(index, f"valid_lft line before any address of interface {block.name!r}", source)
    last = block.addresses[-1]
    if "valid_lft" in last:
        origin.fail(index, "a second valid_lft line for the same address", source)
    last["valid_lft"] = tokens[1]
    last["preferred_lft"] = tokens[3]
