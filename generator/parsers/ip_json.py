"""``ip -j addr`` and ``ip -j -d link`` (iproute2 JSON) as :mod:`ip_addr` records.

Both return :class:`~generator.parsers.ip_addr.Link` records (with
:class:`~generator.parsers.ip_addr.Address` children for ``ip -j addr``), built so that
the JSON and the text form of the same interfaces give equal records apart from line
numbers. Each record's ``line`` is the file line where its JSON object starts, for
single-line output, for ``-p`` (``[ {`` ... ``},{``) and for output re-indented by jq
or ``python -m json.tool``.

Mapping, from iproute2's ``ip/ipaddress.c`` (``print_linkinfo()``,
``print_addrinfo()``) and ``lib/utils.c`` (``print_name_and_link()``):

* ``ifname`` -> ``name``; ``operstate`` -> ``state``; ``linkmode`` -> ``mode``;
  ``txqlen`` -> ``qlen``; ``address``/``broadcast``/``permaddr`` -> ``mac``/
  ``broadcast_mac``/``permanent_mac``, except that with ``"link_pointtopoint": true``
  the second address is the peer's (the text form says ``peer`` instead of ``brd``),
  so it goes to ``peer_mac``; ``linkinfo.info_kind`` -> ``link_kind``.
* The text form's ``name@peer``: ``"link": "eth0"`` or ``"link": "if16"`` gives that
  peer; ``"link": null`` (a tunnel with no lower device) gives ``NONE``;
  ``"link_index": 16`` (printed instead of ``link`` when the peer lives in another
  namespace, next to ``link_netnsid``) gives ``if16``. ``peer_ifindex`` is set for
  ``ifN`` peers only, as in the text parser.
* ``link_netns`` stays empty: JSON carries only ``link_netnsid``, while the text form
  prints ``link-netns NAME`` instead of the id when the namespace has a name. That is
  the one field where the two forms of one capture can differ.
* Addresses: ``local``/``prefixlen`` -> ``cidr``; ``address`` (a point-to-point peer)
  -> ``peer`` with the same prefix length; ``protocol`` -> ``proto``; lifetimes
  4294967295 -> ``forever``, others ``<n>sec``; the flag booleans -> ``flags`` in
  iproute2's own print order (``print_ifa_flags()``: secondary/temporary, nodad,
  optimistic, dadfailed, home, deprecated, tentative, dynamic, mngtmpaddr,
  noprefixroute, autojoin, stable-privacy), then ``flags XX`` for ``ifa_flags`` bits
  iproute2 could not name. Older iproute2 printed the text flags in another order
  (CentOS 7: ``noprefixroute dynamic``); JSON has no order to keep, so only text
  captures from those versions differ in the order of ``flags``.

Unknown keys. The text parsers reject any token they do not know, because an unknown
token makes the rest of its line ambiguous. A JSON key cannot be misread that way, but
it can still carry something the records should say (a new address flag, a new way
to name the peer), and silently dropping it would let the JSON records drift from the
text records. So the decision is:

* The keys that feed a record field are read and type-checked.
* Keys iproute2 6.x prints that carry nothing the records hold (``-d``: promiscuity,
  min_mtu, max_mtu, num_tx_queues, gso_max_size, ...; ``-s``: stats64; xdp,
  ifalias, ...) are listed in ``_IGNORED_LINK_KEYS`` and skipped by name.
* Inside ``linkinfo``, the kind-specific bags ``info_data``, ``info_slave_data`` and
  ``info_xstats`` are accepted whole, whatever they hold: they change with every
  kernel release and no record field comes from them.
* ``operstate_index``/``linkmode_index`` (a state iproute2 could not name) and
  ``deleted``/``event`` (``ip monitor`` only) are errors that say so; so is
  ``addr_info`` in ``ip -j -d link`` output, and its absence in ``ip -j addr`` output.
  ``ifindex``, ``ifname`` and ``flags``, which iproute2 always prints, are required.
* Any other key, at the interface or the address level, is an error naming the key.
  A capture from a newer iproute2 that prints a new key therefore fails loudly once,
  and the fix is one line: add the key to the ignored list (or map it) after checking
  what it means. That is preferred to a parser that keeps working while the guide
  quietly loses a fact.

Elisions (``.``/``...`` lines) are accepted between interface objects, where the
author cut whole interfaces (a dangling ``,`` next to an elision is forgiven); inside an
object they are an error, since the object would then be silently incomplete. An empty
input and ``[]`` give no records.
"""

from __future__ import annotations

import bisect
import ipaddress
import json
import re
from dataclasses import dataclass
from typing import Any, NoReturn

from generator.parsers._common import Elision, Origin, Record, is_elision, is_mac
from generator.parsers.ip_addr import Address, Link

ADDR_COMMAND = "ip -j addr"
LINK_COMMAND = "ip -j -d link"

FOREVER = 4294967295

# Keys read into a Link field (addr_info only by parse_addr).
_LINK_KEYS = frozenset(
    {
        "ifindex",
        "ifname",
        "link",
        "link_index",
        "flags",
        "mtu",
        "qdisc",
        "master",
        "operstate",
        "linkmode",
        "group",
        "txqlen",
        "link_type",
        "address",
        "broadcast",
        "link_pointtopoint",
        "permaddr",
        "link_netnsid",
        "linkinfo",
        "altnames",
        "addr_info",
    }
)
# Printed by iproute2 up to 6.x, none of it part of a Link record.
_IGNORED_LINK_KEYS = frozenset(
    {
        # ip -d
        "promiscuity",
        "allmulti",
        "min_mtu",
        "max_mtu",
        "netns-immutable",
        "inet6_addr_gen_mode",
        "num_tx_queues",
        "num_rx_queues",
        "gso_max_size",
        "gso_max_segs",
        "tso_max_size",
        "tso_max_segs",
        "gro_max_size",
        "gso_ipv4_max_size",
        "gro_ipv4_max_size",
        "phys_port_name",
        "phys_port_id",
        "phys_switch_id",
        "parentbus",
        "parentdev",
        "dpll_pin",
        "vfinfo_list",
        # header extras and ip -s
        "xdp",
        "proto_down",
        "proto_down_reason",
        "ifalias",
        "stats",
        "stats64",
    }
)
# Known keys that mean this output cannot be read as the command it claims to be.
_UNSUPPORTED_KEYS = {
    "operstate_index": "iproute2 could not name the operational state",
    "linkmode_index": "iproute2 could not name the link mode",
    "deleted": "only 'ip monitor' prints it",
    "event": "only 'ip monitor' prints it",
}
_LINKINFO_KEYS = frozenset({"info_kind", "info_data", "info_xstats", "info_slave_kind", "info_slave_data"})
_LINKINFO_BAGS = frozenset({"info_data", "info_xstats", "info_slave_data"})
# print_ifa_flags() order; "dynamic" is printed where "permanent" sits in its table.
_ADDRESS_FLAGS = (
    "secondary",
    "temporary",
    "nodad",
    "optimistic",
    "dadfailed",
    "home",
    "deprecated",
    "tentative",
    "dynamic",
    "mngtmpaddr",
    "noprefixroute",
    "autojoin",
    "stable-privacy",
)
_ADDRESS_KEYS = frozenset(
    {
        "family",
        "local",
        "address",
        "prefixlen",
        "broadcast",
        "anycast",
        "scope",
        "metric",
        "protocol",
        "label",
        "valid_life_time",
        "preferred_life_time",
        "ifa_flags",
        *_ADDRESS_FLAGS,
    }
)
_OPERSTATES = frozenset({"UP", "DOWN", "UNKNOWN", "LOWERLAYERDOWN", "DORMANT", "NOTPRESENT", "TESTING"})
_FLAG = re.compile(r"^[A-Z][A-Z0-9_-]*$|^[0-9a-f]+$")
_SCOPE = re.compile(r"^(host|link|global|site|nowhere|universe|\d+)$")
_HEX = re.compile(r"^[0-9a-f]+$")


@dataclass(frozen=True)
class _Member:
    """A key's value and the text offset of the key, for located errors."""

    value: Any
    pos: int


@dataclass(frozen=True)
class _Object:
    """A JSON object read by hand so that its start and its keys keep their offsets."""

    pos: int
    members: dict[str, _Member]


def parse_addr(text: str, *, origin: Origin) -> list[Record]:
    return _Document(text, origin, ADDR_COMMAND).parse(with_addresses=True)


def parse_link(text: str, *, origin: Origin) -> list[Record]:
    return _Document(text, origin, LINK_COMMAND).parse(with_addresses=False)


class _Document:
    """The output text, with offset-to-line mapping and a small JSON reader.

    Values are decoded by :class:`json.JSONDecoder`; only the top-level array, the
    interface objects and their ``addr_info`` objects are walked here, because those
    are the ones whose positions the records and the error messages need.
    """

    def __init__(self, text: str, origin: Origin, command: str) -> None:
        self.text = text
        self.origin = origin
        self.command = command
        self.line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self.decoder = json.JSONDecoder()

    # -- positions and errors -------------------------------------------------

    def index_of(self, pos: int) -> int:
        """The 0-based output line holding offset ``pos``."""
        # An error at the very end points at the last line that has text.
        end = len(self.text.rstrip())
        pos = max(0, min(pos, end - 1)) if end else 0
        return bisect.bisect_right(self.line_starts, pos) - 1

    def source(self, index: int) -> str:
        start = self.line_starts[index]
        end = self.line_starts[index + 1] - 1 if index + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].removesuffix("\r")

    def fail(self, pos: int, message: str) -> NoReturn:
        index = self.index_of(pos)
        self.origin.fail(index, message, self.source(index))

    def column(self, pos: int) -> int:
        return pos - self.line_starts[self.index_of(pos)] + 1

    def peek(self, pos: int) -> str:
        return self.text[pos] if pos < len(self.text) else ""

    def skip(self, pos: int, elisions: list[Record] | None = None) -> int:
        """Skip blanks; with ``elisions``, also whole ``.``/``...`` lines, recording them."""
        while pos < len(self.text):
            if self.text[pos] in " \t\r\n":
                pos += 1
                continue
            if elisions is not None and self.text[pos] == ".":
                index = self.index_of(pos)
                line = self.source(index)
                if is_elision(line):
                    elisions.append(Elision(line=self.origin.line_of(index), text=line.strip()))
                    pos = self.line_starts[index + 1] if index + 1 < len(self.line_starts) else len(self.text)
                    continue
            break
        return pos

    def expected(self, pos: int, what: str, where: str) -> NoReturn:
        if pos >= len(self.text):
            self.fail(pos, f"the output ends inside {where}; expected {what}")
        if is_elision(self.source(self.index_of(pos))):
            self.fail(pos, f"an elision inside {where}; expected elisions only between interface objects")
        self.fail(
            pos, f"not valid JSON: found {self.text[pos]!r} at column {self.column(pos)} in {where}; expected {what}"
        )

    # -- reading ----------------------------------------------------------------

    def decode(self, pos: int) -> tuple[Any, int]:
        try:
            value, end = self.decoder.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            # json's messages read "Expecting ',' delimiter", "Invalid control character at".
            reason = exc.msg.removesuffix(" at")
            reason = reason[:1].lower() + reason[1:]
            self.fail(
                exc.pos,
                f"not valid JSON: {reason} at column {self.column(exc.pos)}; "
                f"expected the JSON array that '{self.command}' prints",
            )
        return value, end

    def read_object(self, pos: int, where: str, *, nested: str | None = None) -> tuple[_Object, int]:
        """Read the object at ``pos``; the value of key ``nested`` is read as an array of objects."""
        start = pos
        members: dict[str, _Member] = {}
        pos = self.skip(pos + 1)
        if self.peek(pos) == "}":
            return _Object(start, members), pos + 1
        while True:
            if self.peek(pos) != '"':
                self.expected(pos, "a key in double quotes", where)
            key_pos = pos
            key, pos = self.decode(pos)
            pos = self.skip(pos)
            if self.peek(pos) != ":":
                self.expected(pos, f"':' after key {key!r}", where)
            pos = self.skip(pos + 1)
            if key in members:
                self.fail(key_pos, f"key {key!r} appears twice in {where}; expected each key once")
            value: Any
            if key == nested and self.peek(pos) == "[":
                value, pos = self.read_object_array(pos, f"{key!r} of {where}")
            else:
                value, pos = self.decode(pos)
            members[key] = _Member(value, key_pos)
            pos = self.skip(pos)
            if self.peek(pos) == ",":
                pos = self.skip(pos + 1)
                continue
            if self.peek(pos) == "}":
                return _Object(start, members), pos + 1
            self.expected(pos, "',' or '}'", where)

    def read_object_array(self, pos: int, where: str) -> tuple[list[_Object], int]:
        items: list[_Object] = []
        pos = self.skip(pos + 1)
        if self.peek(pos) == "]":
            return items, pos + 1
        while True:
            if self.peek(pos) != "{":
                self.expected(pos, "an address object '{'", where)
            item, pos = self.read_object(pos, f"an address object in {where}")
            items.append(item)
            pos = self.skip(pos)
            if self.peek(pos) == ",":
                pos = self.skip(pos + 1)
                continue
            if self.peek(pos) == "]":
                return items, pos + 1
            self.expected(pos, "',' or ']'", where)

    def parse(self, *, with_addresses: bool) -> list[Record]:
        records: list[Record] = []
        pos = self.skip(0, records)
        if pos >= len(self.text):
            return records
        if self.peek(pos) != "[":
            self.fail(
                pos,
                f"found {self.text[pos]!r} where the JSON array should start; "
                f"expected '[' (this reads the JSON array '{self.command}' prints, not the text form)",
            )
        pos += 1
        need_separator = False  # an interface was read and no ',' yet
        comma_pending = False  # a ',' was read and no interface yet
        names: set[str] = set()
        while True:
            before = len(records)
            pos = self.skip(pos, records)
            elided = len(records) > before
            char = self.peek(pos)
            if char == ",":
                if not need_separator:
                    self.fail(pos, "a ',' with no interface object before it; expected '{' or ']'")
                need_separator, comma_pending = False, True
                pos += 1
            elif char == "]":
                if comma_pending and not elided:
                    self.fail(pos, "a ',' right before ']'; expected another interface object after it")
                pos += 1
                break
            elif char == "{":
                if need_separator and not elided:
                    self.fail(pos, "two interface objects with no ',' between them; expected ','")
                obj, pos = self.read_object(pos, "an interface object", nested="addr_info" if with_addresses else None)
                link = self.link(obj, with_addresses=with_addresses)
                if link.name in names:
                    self.fail(obj.pos, f"interface {link.name!r} is listed twice; expected each interface once")
                names.add(link.name)
                records.append(link)
                need_separator, comma_pending = True, False
            elif not char:
                self.fail(pos, "the output ends inside the JSON array; expected ']' after the last interface")
            else:
                self.fail(
                    pos,
                    f"found {char!r} at column {self.column(pos)} in the JSON array; "
                    "expected an interface object '{', ',' or ']'",
                )
        pos = self.skip(pos, records)
        if pos < len(self.text):
            self.fail(pos, f"found {self.text[pos]!r} after the end of the JSON array; expected nothing after ']'")
        return records

    # -- building records ---------------------------------------------------------

    def link(self, obj: _Object, *, with_addresses: bool) -> Link:
        members = obj.members
        if "ifname" not in members:
            self.fail(obj.pos, "an interface object without 'ifname'; expected every interface to have a name")
        name = self.string(members["ifname"], "ifname", "an interface")
        where = f"interface {name!r}"
        for key, member in members.items():
            if key in _UNSUPPORTED_KEYS:
                self.fail(
                    member.pos, f"key {key!r} in {where}: {_UNSUPPORTED_KEYS[key]}; expected {self.command} output"
                )
            if key not in _LINK_KEYS and key not in _IGNORED_LINK_KEYS:
                self.fail(
                    member.pos,
                    f"unknown key {key!r} in {where}; expected a key iproute2 prints for {self.command} "
                    "(a key added by a newer iproute2 must be listed in ip_json's known keys)",
                )
        if "addr_info" in members and not with_addresses:
            self.fail(
                members["addr_info"].pos,
                f"'addr_info' in {where}: this is 'ip -j addr' output; "
                f"expected {self.command} output without addresses",
            )
        for required in ("ifindex", "flags") + (("addr_info",) if with_addresses else ()):
            if required not in members:
                self.fail(obj.pos, f"{where} has no {required!r}; expected every interface object to have it")

        peer, peer_ifindex = self.peer(members, where)
        link_type = self.optional_string(members, "link_type", where)
        broadcast = self.optional_string(members, "broadcast", where)
        point_to_point = self.optional_true(members, "link_pointtopoint", where)
        macs = {
            "mac": self.optional_string(members, "address", where),
            "broadcast_mac": None if point_to_point else broadcast,
            "peer_mac": broadcast if point_to_point else None,
            "permanent_mac": self.optional_string(members, "permaddr", where),
        }
        if link_type == "ether":
            for field_name, mac in macs.items():
                if mac is not None and not is_mac(mac, octets=6):
                    key = {"mac": "address", "permanent_mac": "permaddr"}.get(field_name, "broadcast")
                    self.fail(
                        members[key].pos,
                        f"{key} {mac!r} of {where} is not a MAC address "
                        "(expected six hex pairs such as 00:0d:3a:9c:96:47)",
                    )
        state = self.optional_string(members, "operstate", where)
        if state is not None and state not in _OPERSTATES:
            self.fail(
                members["operstate"].pos,
                f"operstate {state!r} of {where} is not one of {', '.join(sorted(_OPERSTATES))}",
            )
        link_netnsid = self.optional_int(members, "link_netnsid", where)
        addresses: tuple[Address, ...] = ()
        if with_addresses:
            items = members["addr_info"].value
            if not isinstance(items, list):
                self.fail(members["addr_info"].pos, f"'addr_info' of {where} is not a list of address objects")
            addresses = tuple(self.address(item, name) for item in items)
        return Link(
            line=self.origin.line_of(self.index_of(obj.pos)),
            ifindex=self.number(members["ifindex"], "ifindex", where),
            name=name,
            peer=peer,
            peer_ifindex=peer_ifindex,
            flags=self.flags(members["flags"], where),
            mtu=self.optional_int(members, "mtu", where),
            qdisc=self.optional_string(members, "qdisc", where),
            master=self.optional_string(members, "master", where),
            state=state,
            mode=self.optional_string(members, "linkmode", where),
            group=self.optional_string(members, "group", where),
            qlen=self.optional_int(members, "txqlen", where),
            link_type=link_type,
            link_netnsid=link_netnsid,
            link_kind=self.link_kind(members, where),
            altnames=self.string_list(members, "altnames", where),
            addresses=addresses,
            **macs,
        )

    def peer(self, members: dict[str, _Member], where: str) -> tuple[str | None, int | None]:
        if "link" in members and "link_index" in members:
            self.fail(
                members["link_index"].pos,
                f"{where} has both 'link' and 'link_index'; expected one (iproute2 prints link_index only "
                "when the peer is in another namespace)",
            )
        if "link_index" in members:
            index = self.number(members["link_index"], "link_index", where)
            return f"if{index}", index
        if "link" not in members:
            return None, None
        value = members["link"].value
        if value is None:
            # iflink 0: the text form prints "@NONE" (tunnels with no lower device).
            return "NONE", None
        if not isinstance(value, str) or not value:
            self.fail(members["link"].pos, f"'link' of {where} is {_show(value)}; expected an interface name or null")
        return value, int(value[2:]) if re.fullmatch(r"if\d+", value) else None

    def link_kind(self, members: dict[str, _Member], where: str) -> str | None:
        if "linkinfo" not in members:
            return None
        info = members["linkinfo"]
        if not isinstance(info.value, dict):
            self.fail(info.pos, f"'linkinfo' of {where} is not an object")
        for key, value in info.value.items():
            if key not in _LINKINFO_KEYS:
                self.fail(
                    info.pos,
                    f"unknown key {key!r} in the linkinfo of {where}; expected {', '.join(sorted(_LINKINFO_KEYS))}",
                )
            if key in _LINKINFO_BAGS and not isinstance(value, dict):
                self.fail(info.pos, f"linkinfo {key!r} of {where} is {_show(value)}; expected an object")
            if key not in _LINKINFO_BAGS and (not isinstance(value, str) or not value):
                self.fail(info.pos, f"linkinfo {key!r} of {where} is {_show(value)}; expected a kind name")
        kind = info.value.get("info_kind")
        return kind if isinstance(kind, str) else None

    def address(self, obj: _Object, ifname: str) -> Address:
        members = obj.members
        where = f"an address of interface {ifname!r}"
        for key, member in members.items():
            if key not in _ADDRESS_KEYS:
                self.fail(
                    member.pos,
                    f"unknown key {key!r} in {where}; expected a key iproute2 prints in addr_info "
                    "(a key added by a newer iproute2 must be listed in ip_json's known keys)",
                )
        for required in ("family", "local", "prefixlen"):
            if required not in members:
                self.fail(obj.pos, f"{where} has no {required!r}; expected family, local and prefixlen")
        family = self.string(members["family"], "family", where)
        if family not in ("inet", "inet6"):
            self.fail(members["family"].pos, f"family {family!r} of {where} is not inet or inet6")
        prefixlen = self.number(members["prefixlen"], "prefixlen", where)
        cidr = self.interface(members["local"], prefixlen, family, where)
        peer = self.interface(members["address"], prefixlen, family, where) if "address" in members else None
        scope = self.optional_string(members, "scope", where)
        if scope is not None and not _SCOPE.match(scope):
            self.fail(members["scope"].pos, f"scope {scope!r} of {where} is not host, link, global, site or a number")
        proto = self.optional_string(members, "protocol", where)
        flags = [flag for flag in _ADDRESS_FLAGS if self.optional_true(members, flag, where)]
        ifa_flags = self.optional_string(members, "ifa_flags", where)
        if ifa_flags is not None:
            if not _HEX.match(ifa_flags):
                self.fail(members["ifa_flags"].pos, f"ifa_flags {ifa_flags!r} of {where} is not a hex number")
            flags.append(f"flags {ifa_flags}")
        return Address(
            line=self.origin.line_of(self.index_of(obj.pos)),
            family=family,
            cidr=cidr,
            peer=peer,
            broadcast=self.optional_string(members, "broadcast", where),
            anycast=self.optional_string(members, "anycast", where),
            scope=scope,
            metric=self.optional_int(members, "metric", where),
            # The text form leaves out "proto unspec"; JSON may print it.
            proto=None if proto == "unspec" else proto,
            flags=tuple(flags),
            label=self.optional_string(members, "label", where),
            valid_lft=self.lifetime(members, "valid_life_time", where),
            preferred_lft=self.lifetime(members, "preferred_life_time", where),
        )

    # -- typed values ---------------------------------------------------------------

    def number(self, member: _Member, key: str, where: str) -> int:
        value = member.value
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(member.pos, f"{key} of {where} is {_show(value)}; expected a whole number")
        return value

    def string(self, member: _Member, key: str, where: str) -> str:
        value = member.value
        if not isinstance(value, str) or not value:
            self.fail(member.pos, f"{key} of {where} is {_show(value)}; expected a non-empty string")
        return value

    def optional_int(self, members: dict[str, _Member], key: str, where: str) -> int | None:
        return self.number(members[key], key, where) if key in members else None

    def optional_string(self, members: dict[str, _Member], key: str, where: str) -> str | None:
        return self.string(members[key], key, where) if key in members else None

    def optional_true(self, members: dict[str, _Member], key: str, where: str) -> bool:
        if key not in members:
            return False
        if members[key].value is not True:
            self.fail(
                members[key].pos,
                f"{key} of {where} is {_show(members[key].value)}; expected true (iproute2 prints only true)",
            )
        return True

    def string_list(self, members: dict[str, _Member], key: str, where: str) -> tuple[str, ...]:
        if key not in members:
            return ()
        value = members[key].value
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            self.fail(members[key].pos, f"{key} of {where} is {_show(value)}; expected a list of names")
        return tuple(value)

    def flags(self, member: _Member, where: str) -> tuple[str, ...]:
        flags = self.string_list({"flags": member}, "flags", where)
        for flag in flags:
            if not _FLAG.match(flag):
                self.fail(member.pos, f"interface flag {flag!r} of {where} is not an upper-case flag name")
        return flags

    def interface(self, member: _Member, prefixlen: int, family: str, where: str) -> str:
        value = member.value
        try:
            iface = ipaddress.ip_interface(f"{value}/{prefixlen}") if isinstance(value, str) else None
        except ValueError:
            iface = None
        if iface is None or iface.version != (4 if family == "inet" else 6):
            kind = "IPv4" if family == "inet" else "IPv6"
            self.fail(member.pos, f"{_show(value)} with prefix length {prefixlen} in {where} is not an {kind} address")
        return iface.with_prefixlen

    def lifetime(self, members: dict[str, _Member], key: str, where: str) -> str | None:
        if key not in members:
            return None
        seconds = self.number(members[key], key, where)
        return "forever" if seconds == FOREVER else f"{seconds}sec"


def _show(value: Any) -> str:
    """A value as it was written in the JSON, for messages."""
    return json.dumps(value)
