"""``brctl show`` (bridge-utils, busybox): Linux bridges and the ports enslaved to them.

Yields one :class:`Bridge` per bridge and an :class:`~generator.parsers._common.Elision`
for every ``.``/``...`` line. Example (columns are tabs in real output, spaces in most
published copies, and their widths vary)::

    bridge name     bridge id               STP enabled     interfaces
    azure0          8000.000d3a8a50da       no              azv152f0ee345a
                                                            eth0
    docker0         8000.0242e34adb87       no

gives ``Bridge(name="azure0", bridge_id="8000.000d3a8a50da", stp_enabled=False,
ports=("azv152f0ee345a", "eth0"))`` and ``Bridge(name="docker0", ..., ports=())``.

Columns are found by splitting on whitespace, never by position: interface names
cannot contain blanks, so a bridge line is ``NAME ID yes|no [FIRST-PORT]`` and each
further port is a line holding one name and starting with whitespace.

The parser is strict. It rejects, with the offending line:

* any data before the ``bridge name  bridge id  STP enabled  interfaces`` header
  (a missing header is the same error, on the first data line);
* a bridge id not of the form ``8000.000d3a8a50da`` and an STP column other than
  ``yes``/``no``;
* a port line with no bridge line above it, and a port line right after an elision
  (the elided lines may have held another bridge, so the owner is unknown);
* brctl's own complaints. bridge-utils 1.5 (Ubuntu 16.04/18.04) prints the bridge
  name, then ``can't get info <reason>`` on stderr, so a capture taken with ``2>&1``
  holds ``br0  can't get info No such device``; it prints ``can't get port info:
  <reason>`` on stdout in place of the port list; newer bridge-utils print ``bridge
  br0 does not exist!`` or ``device br0 is not a bridge!`` on stderr. These are reported as
  errors rather than kept as incomplete bridges: a bridge without its id or its
  ports would be rendered as if the capture were complete, and the fix (recapture,
  or delete the line) is the contributor's to make.

An empty output, or the header alone (bridge-utils 1.5 prints it even when there are
no bridges; newer releases print nothing), gives no records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar

from generator.parsers._common import Elision, Origin, Record, is_elision, lines

COMMAND = "brctl show"

HEADER_EXAMPLE = "bridge name  bridge id  STP enabled  interfaces"


@dataclass(frozen=True)
class Bridge(Record):
    """One bridge, keyed by ``name``; ``port_lines`` holds the file line of each port."""

    record_type: ClassVar[str] = "bridge"
    name: str
    bridge_id: str
    stp_enabled: bool
    ports: tuple[str, ...] = ()
    port_lines: tuple[int, ...] = ()


_HEADER = re.compile(r"^bridge name\s+bridge id\s+STP enabled\s+interfaces$")
# brctl prints the id as "%.2x%.2x.%.2x%.2x%.2x%.2x%.2x%.2x": priority, dot, MAC.
_BRIDGE_ID = re.compile(r"^[0-9a-f]{4}\.[0-9a-f]{12}$")
_STP = {"yes": True, "no": False}
_CANT_GET_INFO = re.compile(r"^(?P<name>\S+)\s+can't get info\b.*$")
_CANT_GET_PORTS = re.compile(r"\bcan't get port info\b")
_NEW_BRCTL_ERROR = re.compile(r"^(bridge \S+ does not exist!|device \S+ is not a bridge!)$")


@dataclass
class _Open:
    """The bridge being read; its ports may continue on the following lines."""

    line: int
    name: str
    bridge_id: str
    stp_enabled: bool
    ports: list[str] = field(default_factory=list)
    port_lines: list[int] = field(default_factory=list)

    def freeze(self) -> Bridge:
        return Bridge(
            line=self.line,
            name=self.name,
            bridge_id=self.bridge_id,
            stp_enabled=self.stp_enabled,
            ports=tuple(self.ports),
            port_lines=tuple(self.port_lines),
        )


def parse(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    seen_header = False
    names: set[str] = set()
    bridge: _Open | None = None
    # True right after an elision: a port line there has no certain owner.
    after_elision = False
    for index, source in lines(text):
        line = source.rstrip()
        if not line.strip():
            continue
        if is_elision(line):
            if bridge is not None:
                records.append(bridge.freeze())
                bridge = None
            records.append(Elision(line=origin.line_of(index), text=line.strip()))
            after_elision = True
            continue
        _reject_brctl_complaint(origin, index, source, line.strip())
        if _HEADER.match(line):
            if seen_header:
                origin.fail(index, f"a second header line; expected one '{HEADER_EXAMPLE}' header per output", source)
            seen_header = True
            continue
        if not seen_header:
            origin.fail(index, f"expected the header '{HEADER_EXAMPLE}' before any bridge", source)
        tokens = line.split()
        if line[0].isspace():
            if bridge is None:
                if after_elision:
                    origin.fail(
                        index,
                        "a port line right after an elision, so its bridge is unknown; "
                        "expected the elision after the bridge's last port",
                        source,
                    )
                origin.fail(
                    index, "a port line with no bridge line above it; expected 'NAME ID yes|no [PORT]' first", source
                )
            if len(tokens) != 1:
                origin.fail(
                    index,
                    f"a port line of bridge {bridge.name!r} holds {len(tokens)} words; expected one interface name",
                    source,
                )
            bridge.ports.append(tokens[0])
            bridge.port_lines.append(origin.line_of(index))
            continue
        if bridge is not None:
            records.append(bridge.freeze())
        bridge = _bridge_line(origin, index, source, tokens)
        if bridge.name in names:
            origin.fail(index, f"bridge {bridge.name!r} is listed twice; expected each bridge once", source)
        names.add(bridge.name)
        after_elision = False
    if bridge is not None:
        records.append(bridge.freeze())
    return records


def _reject_brctl_complaint(origin: Origin, index: int, source: str, line: str) -> None:
    match = _CANT_GET_INFO.match(line)
    if match:
        origin.fail(
            index,
            f"brctl could not read bridge {match['name']!r} ({line[len(match['name']) :].strip()!r}); "
            "expected its bridge id and STP column: recapture on the node or remove the line",
            source,
        )
    if _CANT_GET_PORTS.search(line):
        origin.fail(
            index,
            "brctl could not list this bridge's ports ('can't get port info'); "
            "expected the port names: recapture on the node or remove the line",
            source,
        )
    if _NEW_BRCTL_ERROR.match(line):
        origin.fail(index, f"brctl reported an error ({line!r}); expected a bridge line or a port name", source)


def _bridge_line(origin: Origin, index: int, source: str, tokens: list[str]) -> _Open:
    if not 3 <= len(tokens) <= 4:
        origin.fail(
            index,
            f"a bridge line holds {len(tokens)} words; expected 'NAME ID yes|no' and at most one port",
            source,
        )
    name, bridge_id, stp = tokens[:3]
    if not _BRIDGE_ID.match(bridge_id):
        origin.fail(
            index,
            f"bridge id {bridge_id!r} of {name!r} is not four hex digits, a dot and twelve hex digits "
            "(expected e.g. 8000.000d3a8a50da)",
            source,
        )
    if stp not in _STP:
        origin.fail(index, f"STP column {stp!r} of bridge {name!r} is not 'yes' or 'no'", source)
    bridge = _Open(line=origin.line_of(index), name=name, bridge_id=bridge_id, stp_enabled=_STP[stp])
    if len(tokens) == 4:
        bridge.ports.append(tokens[3])
        bridge.port_lines.append(origin.line_of(index))
    return bridge
