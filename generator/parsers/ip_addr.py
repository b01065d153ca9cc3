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
from dataclasses import dataclass
from typing import Any, ClassVar

from generator.parsers._common import (
    COMMENT,
    ELISION_MARKS,
    PROMPT_LINE,
    Elision,
    Origin,
    Record,
    is_mac,
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
# Link line keywords and the Link field each fills (link-netnsid, a number, is read apart).
_LINK_KEYS: dict[str, str] = {
    "brd": "broadcast_mac",
    "peer": "peer_mac",
    "permaddr": "permanent_mac",
    "link-netns": "link_netns",
}
_LINK_MACS = ("mac", "broadcast_mac", "peer_mac", "permanent_mac")
# Address line keywords that take a value, and the Address field each fills.
_ADDRESS_VALUES: dict[str, str] = {
    "brd": "broadcast",
    "any": "anycast",
    "scope": "scope",
    "metric": "metric",
    "proto": "proto",
    "flags": "flags",
}
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


def _peer_ifindex(peer: str | None) -> int | None:
    """16 for the peer ``if16`` (the regex ``if\\d+`` once said so), else ``None``."""
    if peer is not None and peer.startswith("if") and peer[2:].isdecimal():
        return int(peer[2:])
    return None


class _Reading:
    """What reading one output keeps from line to line: where it comes from, and the
    values whose checks already passed in it, with what they gave.

    An output repeats itself: most interfaces share their flags
    (``<BROADCAST,MULTICAST,UP,LOWER_UP>``) and header tail (``mtu 1500 qdisc noqueue
    state UP group default``), and the MAC ``ff:ff:ff:ff:ff:ff`` is on every ether
    link line. Each distinct value is checked once per output; a value that fails is
    never remembered, so it fails at the first line holding it, as it did when every
    line was checked in full. Nothing is kept from one output to the next.
    """

    __slots__ = ("addresses", "first_line", "flags", "headers", "macs", "origin")

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.first_line = origin.first_line
        self.flags: dict[str, tuple[str, ...]] = {}
        self.headers: dict[str, dict[str, str | int]] = {}
        # Address tokens as written (``10.0.0.4/24``) and the CIDR parse_interface made of each.
        self.addresses: dict[str, str] = {}
        self.macs: set[str] = set()


def parse(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    reading = _Reading(origin)
    first_line = reading.first_line
    # The interface block being read: its Link, made at its header and filled in place
    # (a frozen dataclass refuses setattr, not a write to its attribute dict; a field
    # left out reads its default from the class), its addresses, and the attribute
    # dict of its last address, which a valid_lft line completes.
    fields: dict[str, Any] | None = None
    addresses: list[Address] = []
    last_address: dict[str, Any] | None = None
    # Not _common.lines(): a generator step per line was a visible part of the cost.
    # The "\r" of a pasted Windows line is taken off as lines() does, for the
    # messages; to split() it is a blank anyway.
    source_lines = text.split("\n")
    if "\r" in text:
        source_lines = [line.removesuffix("\r") for line in source_lines]
    for index, source in enumerate(source_lines):
        tokens = source.split()
        if not tokens:
            continue
        head = tokens[0]
        # _common.is_elision(), on the words: a prompt and the marks are one word.
        if head[0] == COMMENT or (len(tokens) == 1 and (head in ELISION_MARKS or PROMPT_LINE.match(head))):
            if fields is not None:
                fields["addresses"] = tuple(addresses)
                fields = None
            records.append(Elision(line=first_line + index, text=source.strip()))
            continue
        if not source[0].isspace():
            if fields is not None:
                fields["addresses"] = tuple(addresses)
            link = _header(reading, index, source)
            records.append(link)
            fields = link.__dict__
            addresses = []
            last_address = None
            continue
        if fields is None:
            origin.fail(index, f"expected an interface header such as {_HEADER_EXAMPLE!r}", source)
        # By how often each line occurs: a lifetimes line under nearly every address.
        if head == "valid_lft":
            if (
                len(tokens) != 4
                or tokens[2] != "preferred_lft"
                or not (_is_lifetime(tokens[1]) and _is_lifetime(tokens[3]))
            ):
                origin.fail(index, "expected 'valid_lft forever|Nsec preferred_lft forever|Nsec'", source)
            if last_address is None:
                origin.fail(index, f"valid_lft line before any address of interface {fields['name']!r}", source)
            if "valid_lft" in last_address:
                origin.fail(index, "a second valid_lft line for the same address", source)
            last_address["valid_lft"] = tokens[1]
            last_address["preferred_lft"] = tokens[3]
        elif head == "inet" or head == "inet6":
            address = _address(reading, index, source, tokens, fields["name"])
            addresses.append(address)
            last_address = address.__dict__
        elif head.startswith("link/"):
            _link_line(reading, index, source, tokens, fields)
        elif head == "altname":
            if len(tokens) != 2:
                origin.fail(index, "expected 'altname NAME'", source)
            # Rare, and few to an interface: a tuple made again for each is fine.
            fields["altnames"] = (*fields["altnames"], tokens[1])
        else:
            origin.fail(
                index,
                f"unexpected {head!r} inside interface {fields['name']!r} "
                "(expected link/..., inet, inet6, valid_lft or altname)",
                source,
            )
    if fields is not None:
        fields["addresses"] = tuple(addresses)
    return records


def _header(reading: _Reading, index: int, source: str) -> Link:
    """The Link of a header line, its addresses not yet read.

    The regex reads ``source`` with any trailing blanks, which end up in ``rest`` and
    are dropped by its split(): the same groups as for the line without them.
    """
    origin = reading.origin
    match = _HEADER.match(source)
    if not match:
        origin.fail(index, f"expected an interface header such as {_HEADER_EXAMPLE!r}", source)
    ifindex, name, peer, flags_text, rest = match.groups()
    flags = reading.flags.get(flags_text)
    if flags is None:
        flags = reading.flags[flags_text] = _interface_flags(origin, index, source, flags_text)
    header = reading.headers.get(rest)
    if header is None:
        header = reading.headers[rest] = _header_values(origin, index, source, rest)
    link: Link = object.__new__(Link)
    fields = link.__dict__
    fields["line"] = reading.first_line + index
    fields["ifindex"] = int(ifindex)
    fields["name"] = name
    fields["peer"] = peer
    fields["peer_ifindex"] = _peer_ifindex(peer)
    fields["flags"] = flags
    fields["altnames"] = ()
    fields.update(header)
    return link


def _interface_flags(origin: Origin, index: int, source: str, text: str) -> tuple[str, ...]:
    """The flags between ``<`` and ``>``, each checked."""
    flags = tuple(f for f in text.split(",") if f)
    for flag in flags:
        if not _FLAG.match(flag):
            origin.fail(index, f"interface flag {flag!r} is not an upper-case flag name", source)
    return flags


def _header_values(origin: Origin, index: int, source: str, rest: str) -> dict[str, str | int]:
    """The ``key value`` pairs after the flags (``mtu 1500 qdisc noqueue ...``), each checked."""
    values: dict[str, str | int] = {}
    tokens = rest.split()
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
        if key in values:
            origin.fail(index, f"{key!r} appears twice in the interface header", source)
        value = tokens[pos + 1]
        if _HEADER_KEYS[key]:
            values[key] = parse_int(origin, index, source, value, key)
        else:
            if key == "state" and value not in _STATES:
                origin.fail(
                    index, f"state {value!r} is not an operational state ({', '.join(sorted(_STATES))})", source
                )
            values[key] = value
        pos += 2
    return values


def _link_line(reading: _Reading, index: int, source: str, tokens: list[str], fields: dict[str, Any]) -> None:
    """Fills the link-layer fields of the interface's Link (``fields``) from its link/ line."""
    origin = reading.origin
    # Only a link/ line sets link_type, and it always does.
    if "link_type" in fields:
        origin.fail(index, f"a second link/ line for interface {fields['name']!r}", source)
    link_type = fields["link_type"] = tokens[0].removeprefix("link/")
    words = iter(tokens)
    next(words)
    key = next(words, None)
    # The link-layer address follows the type unless the type has none (link/none).
    if key is not None and key not in _LINK_KEYS and key != "link-netnsid":
        fields["mac"] = key
        key = next(words, None)
    while key is not None:
        value = next(words, None)
        if value is None:
            origin.fail(index, f"link line ends after {key!r}; expected its value", source)
        if key == "link-netnsid":
            fields["link_netnsid"] = parse_int(origin, index, source, value, "link-netnsid")
        elif key in _LINK_KEYS:
            fields[_LINK_KEYS[key]] = value
        else:
            origin.fail(
                index,
                f"unexpected {key!r} in the link line (expected brd, peer, permaddr, link-netnsid or link-netns)",
                source,
            )
        key = next(words, None)
    # Checked once the line is read, so that a word out of place is what a line with
    # both is reported for.
    if link_type == "ether":
        macs = reading.macs
        for mac_key in _LINK_MACS:
            mac = fields.get(mac_key)
            if mac is not None and mac not in macs:
                if not is_mac(mac, octets=6):
                    origin.fail(
                        index,
                        f"{mac!r} is not a MAC address (expected six hex pairs such as 00:0d:3a:9c:96:47)",
                        source,
                    )
                macs.add(mac)


def _address(reading: _Reading, index: int, source: str, tokens: list[str], name: str) -> Address:
    """The Address of an ``inet``/``inet6`` line of interface ``name``, its lifetimes not yet read."""
    origin = reading.origin
    family = tokens[0]
    if len(tokens) < 2:
        origin.fail(index, f"expected an address after {family!r}", source)
    address: Address = object.__new__(Address)
    fields = address.__dict__
    fields["line"] = reading.first_line + index
    fields["family"] = family
    local = tokens[1]
    words = iter(tokens)
    next(words)
    next(words)
    if len(tokens) > 2 and tokens[2] == "peer" and "/" not in local:
        # Point-to-point: "inet 10.0.0.1 peer 10.0.0.2/32" puts the prefix on the peer.
        next(words)
        token = next(words, None)
        if token is None:
            origin.fail(index, "address line ends after 'peer'; expected the peer prefix", source)
        peer = parse_interface(origin, index, source, token, "peer")
        fields["peer"] = peer
        local = f"{local}/{peer.split('/')[1]}"
    cidr = reading.addresses.get(local)
    if cidr is None:
        cidr = reading.addresses[local] = parse_interface(origin, index, source, local, family)
    if (family == "inet") != (":" not in cidr):
        origin.fail(index, f"{local!r} is not an {'IPv4' if family == 'inet' else 'IPv6'} address", source)
    fields["cidr"] = cidr
    flags: list[str] = []
    for token in words:
        field = _ADDRESS_VALUES.get(token)
        if field is not None:
            value = next(words, None)
            if value is None:
                origin.fail(index, f"address line ends after {token!r}; expected its value", source)
            if field == "scope":
                if not _is_scope(value):
                    origin.fail(index, f"scope {value!r} is not host, link, global, site or a number", source)
                fields["scope"] = value
            elif field == "metric":
                fields["metric"] = parse_int(origin, index, source, value, "metric")
            elif field == "flags":
                flags.append(f"flags {value}")
            else:
                fields[field] = value
        elif token in _ADDRESS_FLAGS:
            flags.append(token)
        elif "label" not in fields and (token == name or token.startswith(name + ":")):
            fields["label"] = token
        else:
            origin.fail(
                index,
                f"unexpected {token!r} in the address line (expected brd, scope, metric, an address flag or the label)",
                source,
            )
    fields["flags"] = tuple(flags)
    return address
