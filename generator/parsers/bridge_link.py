"""``bridge link`` and ``bridge -d link`` (iproute2): the ports of Linux bridges.

Yields one :class:`BridgePort` per port line and an
:class:`~generator.parsers._common.Elision` for every ``.``/``...`` line. Example::

    15: azv292e1839522@if14: <BROADCAST,UP,LOWER_UP> mtu 1500 master azure0 state forwarding priority 32 cost 2
        hairpin off guard off root_block off fastleave off learning on flood on mcast_flood on

gives ``BridgePort(ifindex=15, name="azv292e1839522", peer="if14", peer_ifindex=14,
master="azure0", state="forwarding", priority=32, cost=2, options=(("fastleave",
"off"), ("flood", "on"), ...))``; the indented line is what ``-d`` adds.

Tokens are those of iproute2's ``bridge/link.c`` (``print_linkinfo()``,
``print_protinfo()``, ``print_af_spec()``) up to iproute2 6.x:

* port line: ``mtu``, ``master``, ``state`` (the STP port state: disabled, listening,
  learning, forwarding, blocking), ``priority``, ``cost``, ``hwmode`` (VEB, VEPA or a
  hex number, printed for NICs with embedded switching);
* ``-d`` options line: ``on``/``off`` flags (hairpin, guard, root_block, fastleave,
  learning, learning_sync, flood, mcast_flood, bcast_flood, mcast_to_unicast,
  neigh_suppress, neigh_vlan_suppress, vlan_tunnel, isolated, locked, mab), numbers
  (mcast_router, backup_nhid, mcast_n_groups, mcast_max_groups) and ``backup_port
  NAME``. They are kept as printed, sorted by key, in ``options``.

Two older layouts are accepted because AKS nodes of the Ubuntu 16.04/18.04 era
printed them:

* iproute2 before 4.11 put the operational state before the colon and the peer after
  it, with ``(null)`` for a peer in another namespace:
  ``6: veth798aefc state UP @(null): <BROADCAST,...> mtu 1500 master docker0 ...``;
  the operational state goes to ``operstate``, ``(null)`` is kept as the peer.
* iproute2 4.x/5.x with ``-d`` opened a VLAN listing after the port's tokens, which
  printed the port's own name and, on a bridge without VLANs, nothing more:
  ``3: kube-bridge: <...> mtu 1500 master kube-bridge kube-bridge``. A last token
  equal to the port's own name is accepted as that empty listing. VLAN entries after
  it are rejected: ``bridge vlan show`` is the command for VLANs.

Everything else is an error with its line: unknown keys on either line, a value of
the wrong shape, a key given twice, an options line with no port above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from generator.parsers._common import Elision, Origin, Record, is_elision, lines, parse_int

COMMAND = "bridge link"


@dataclass(frozen=True)
class BridgePort(Record):
    """One port line (and its ``-d`` options line), keyed by ``name``.

    ``peer`` is the text after ``@`` as in ``ip addr``: ``if14`` for a veth whose
    other end is in another namespace (``peer_ifindex`` is then 14), an interface
    name, or ``(null)`` from old iproute2. ``operstate`` is only printed by iproute2
    before 4.11. ``state`` is the STP port state.
    """

    record_type: ClassVar[str] = "bridge-port"
    ifindex: int
    name: str
    peer: str | None = None
    peer_ifindex: int | None = None
    operstate: str | None = None
    flags: tuple[str, ...] = ()
    mtu: int | None = None
    master: str | None = None
    state: str | None = None
    priority: int | None = None
    cost: int | None = None
    hwmode: str | None = None
    options: tuple[tuple[str, str], ...] = ()
    options_line: int | None = None


PORT_EXAMPLE = "15: veth1@if14: <BROADCAST,UP,LOWER_UP> mtu 1500 master cbr0 state forwarding priority 32 cost 2"

_PORT = re.compile(r"^(?P<ifindex>\d+): (?P<name>[^\s:@]+)(?:@(?P<peer>[^\s:]+))?: <(?P<flags>[^>]*)>(?P<rest>.*)$")
_OLD_PORT = re.compile(
    r"^(?P<ifindex>\d+): (?P<name>[^\s:@]+) (?:state (?P<operstate>\S+) )?(?:@(?P<peer>[^\s:]+))?: "
    r"<(?P<flags>[^>]*)>(?P<rest>.*)$"
)
_FLAG = re.compile(r"^[A-Z][A-Z0-9_-]*$|^[0-9a-f]+$")
_OPERSTATES = frozenset({"UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT", "NOTPRESENT", "TESTING"})
_STP_STATES = ("disabled", "listening", "learning", "forwarding", "blocking")
_HWMODE = re.compile(r"^(VEB|VEPA|0x[0-9a-f]+)$")
_PORT_KEYS = ("mtu", "master", "state", "priority", "cost", "hwmode")
_NUMBER_PORT_KEYS = frozenset({"mtu", "priority", "cost"})
_ON_OFF_OPTIONS = frozenset(
    {
        "hairpin",
        "guard",
        "root_block",
        "fastleave",
        "learning",
        "learning_sync",
        "flood",
        "mcast_flood",
        "bcast_flood",
        "mcast_to_unicast",
        "neigh_suppress",
        "neigh_vlan_suppress",
        "vlan_tunnel",
        "isolated",
        "locked",
        "mab",
    }
)
_NUMBER_OPTIONS = frozenset({"mcast_router", "backup_nhid", "mcast_n_groups", "mcast_max_groups"})
_NAME_OPTIONS = frozenset({"backup_port"})


@dataclass
class _Port:
    """A port being read; frozen into a :class:`BridgePort` when the next one starts."""

    line: int
    ifindex: int
    name: str
    peer: str | None
    operstate: str | None
    flags: tuple[str, ...]
    values: dict[str, str | int] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)
    options_line: int | None = None

    def freeze(self) -> BridgePort:
        peer_ifindex = int(self.peer[2:]) if self.peer is not None and re.fullmatch(r"if\d+", self.peer) else None
        return BridgePort(
            line=self.line,
            ifindex=self.ifindex,
            name=self.name,
            peer=self.peer,
            peer_ifindex=peer_ifindex,
            operstate=self.operstate,
            flags=self.flags,
            options=tuple(sorted(self.options.items())),
            options_line=self.options_line,
            **self.values,  # type: ignore[arg-type]
        )


def parse(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    port: _Port | None = None
    for index, source in lines(text):
        line = source.rstrip()
        if not line.strip():
            continue
        if is_elision(line):
            if port is not None:
                records.append(port.freeze())
                port = None
            records.append(Elision(line=origin.line_of(index), text=line.strip()))
            continue
        if not line[0].isspace():
            if port is not None:
                records.append(port.freeze())
            port = _port_line(origin, index, source, line)
            continue
        if port is None:
            origin.fail(
                index,
                f"an options line with no port line above it; expected a port line such as '{PORT_EXAMPLE}'",
                source,
            )
        if port.options_line is not None:
            origin.fail(
                index, f"a second options line for port {port.name!r}; expected one (bridge -d link prints one)", source
            )
        port.options_line = origin.line_of(index)
        _options_line(origin, index, source, line.split(), port)
    if port is not None:
        records.append(port.freeze())
    return records


def _port_line(origin: Origin, index: int, source: str, line: str) -> _Port:
    match = _PORT.match(line) or _OLD_PORT.match(line)
    if not match:
        origin.fail(index, f"expected a port line such as '{PORT_EXAMPLE}'", source)
    flags = tuple(f for f in match["flags"].split(",") if f)
    for flag in flags:
        if not _FLAG.match(flag):
            origin.fail(index, f"interface flag {flag!r} is not an upper-case flag name", source)
    operstate = match.groupdict().get("operstate")
    if operstate is not None and operstate not in _OPERSTATES:
        origin.fail(index, f"operational state {operstate!r} is not one of {', '.join(sorted(_OPERSTATES))}", source)
    port = _Port(
        line=origin.line_of(index),
        ifindex=int(match["ifindex"]),
        name=match["name"],
        peer=match["peer"],
        operstate=operstate,
        flags=flags,
    )
    tokens = match["rest"].split()
    pos = 0
    while pos < len(tokens):
        key = tokens[pos]
        if key == port.name:
            _reject_vlan_list(origin, index, source, tokens, pos, port)
            break
        if key not in _PORT_KEYS:
            origin.fail(
                index, f"unexpected {key!r} in the port line (expected one of: {', '.join(_PORT_KEYS)})", source
            )
        if pos + 1 >= len(tokens):
            origin.fail(index, f"the port line ends after {key!r}; expected its value", source)
        if key in port.values:
            origin.fail(index, f"{key!r} appears twice in the port line; expected it once", source)
        port.values[key] = _port_value(origin, index, source, key, tokens[pos + 1])
        pos += 2
    return port


def _port_value(origin: Origin, index: int, source: str, key: str, value: str) -> str | int:
    if key in _NUMBER_PORT_KEYS:
        return parse_int(origin, index, source, value, key)
    if key == "state" and value not in _STP_STATES:
        origin.fail(index, f"port state {value!r} is not an STP port state ({', '.join(_STP_STATES)})", source)
    if key == "hwmode" and not _HWMODE.match(value):
        origin.fail(index, f"hwmode {value!r} is not VEB, VEPA or a hex number", source)
    return value


def _options_line(origin: Origin, index: int, source: str, tokens: list[str], port: _Port) -> None:
    pos = 0
    while pos < len(tokens):
        key = tokens[pos]
        if key == port.name:
            _reject_vlan_list(origin, index, source, tokens, pos, port)
            return
        if key not in _ON_OFF_OPTIONS and key not in _NUMBER_OPTIONS and key not in _NAME_OPTIONS:
            origin.fail(
                index,
                f"unexpected {key!r} in the options line of port {port.name!r} "
                "(expected a bridge port option such as hairpin, learning, flood, isolated or mcast_router)",
                source,
            )
        if pos + 1 >= len(tokens):
            origin.fail(index, f"the options line ends after {key!r}; expected its value", source)
        if key in port.options:
            origin.fail(index, f"option {key!r} appears twice for port {port.name!r}; expected it once", source)
        value = tokens[pos + 1]
        if key in _ON_OFF_OPTIONS and value not in ("on", "off"):
            origin.fail(index, f"option {key!r} is {value!r}; expected 'on' or 'off'", source)
        if key in _NUMBER_OPTIONS:
            parse_int(origin, index, source, value, key)
        port.options[key] = value
        pos += 2


def _reject_vlan_list(origin: Origin, index: int, source: str, tokens: list[str], pos: int, port: _Port) -> None:
    """The port's own name is iproute2 4.x/5.x's VLAN listing; only an empty one is accepted."""
    if pos < len(tokens) - 1:
        origin.fail(
            index,
            f"a VLAN list after the name of port {port.name!r} ({' '.join(tokens[pos + 1 :])!r}); "
            "expected nothing after it: capture VLANs with 'bridge vlan show'",
            source,
        )
