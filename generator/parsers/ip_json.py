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

import ipaddress
import json
import re
from typing import Any, NoReturn

from generator.parsers import _json
from generator.parsers._common import Origin, Record, is_mac
from generator.parsers._json import ElisionRule, JsonArray, JsonDocument, JsonObject
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


def parse_addr(text: str, *, origin: Origin) -> list[Record]:
    return _parse(text, origin, ADDR_COMMAND, with_addresses=True)


def parse_link(text: str, *, origin: Origin) -> list[Record]:
    return _parse(text, origin, LINK_COMMAND, with_addresses=False)


def _parse(text: str, origin: Origin, command: str, *, with_addresses: bool) -> list[Record]:
    doc, objects = _json.read_each(
        text,
        origin,
        command=command,
        element="interface",
        nouns={"addr_info": "address"},
        elisions=ElisionRule.BETWEEN_ITEMS,
    )
    mapper = _Mapper(doc, command)
    records: list[Record] = []
    names: set[str] = set()
    # Each interface is checked as it is read, so the first problem in the output is the one reported.
    for obj in objects:
        link = mapper.link(obj, with_addresses=with_addresses)
        if link.name in names:
            doc.fail(obj.pos, f"interface {link.name!r} is listed twice; expected each interface once")
        names.add(link.name)
        records.append(link)
    records.extend(doc.elisions)
    # Both kinds come in document order; a stable sort by line interleaves them.
    records.sort(key=_line)
    return records


def _line(record: Record) -> int:
    return record.line


class _Mapper:
    """Turns the interface objects of a read document into records, failing at the offending key."""

    def __init__(self, doc: JsonDocument, command: str) -> None:
        self.doc = doc
        self.command = command

    def fail(self, pos: int, message: str) -> NoReturn:
        self.doc.fail(pos, message)

    # -- building records ---------------------------------------------------------

    def link(self, obj: JsonObject, *, with_addresses: bool) -> Link:
        at = obj.key_pos
        if "ifname" not in obj:
            self.fail(obj.pos, "an interface object without 'ifname'; expected every interface to have a name")
        name = self.string(obj, "ifname", "an interface")
        where = f"interface {name!r}"
        for key, pos in at.items():
            if key in _UNSUPPORTED_KEYS:
                self.fail(pos, f"key {key!r} in {where}: {_UNSUPPORTED_KEYS[key]}; expected {self.command} output")
            if key not in _LINK_KEYS and key not in _IGNORED_LINK_KEYS:
                self.fail(
                    pos,
                    f"unknown key {key!r} in {where}; expected a key iproute2 prints for {self.command} "
                    "(a key added by a newer iproute2 must be listed in ip_json's known keys)",
                )
        if "addr_info" in obj and not with_addresses:
            self.fail(
                at["addr_info"],
                f"'addr_info' in {where}: this is 'ip -j addr' output; "
                f"expected {self.command} output without addresses",
            )
        for required in ("ifindex", "flags") + (("addr_info",) if with_addresses else ()):
            if required not in obj:
                self.fail(obj.pos, f"{where} has no {required!r}; expected every interface object to have it")

        peer, peer_ifindex = self.peer(obj, where)
        link_type = self.optional_string(obj, "link_type", where)
        broadcast = self.optional_string(obj, "broadcast", where)
        point_to_point = self.optional_true(obj, "link_pointtopoint", where)
        macs = {
            "mac": self.optional_string(obj, "address", where),
            "broadcast_mac": None if point_to_point else broadcast,
            "peer_mac": broadcast if point_to_point else None,
            "permanent_mac": self.optional_string(obj, "permaddr", where),
        }
        if link_type == "ether":
            for field_name, mac in macs.items():
                if mac is not None and not is_mac(mac, octets=6):
                    key = {"mac": "address", "permanent_mac": "permaddr"}.get(field_name, "broadcast")
                    self.fail(
                        at[key],
                        f"{key} {mac!r} of {where} is not a MAC address "
                        "(expected six hex pairs such as 00:0d:3a:9c:96:47)",
                    )
        state = self.optional_string(obj, "operstate", where)
        if state is not None and state not in _OPERSTATES:
            self.fail(
                at["operstate"],
                f"operstate {state!r} of {where} is not one of {', '.join(sorted(_OPERSTATES))}",
            )
        link_netnsid = self.optional_int(obj, "link_netnsid", where)
        addresses: tuple[Address, ...] = ()
        if with_addresses:
            items = obj["addr_info"]
            if not isinstance(items, JsonArray):
                self.fail(at["addr_info"], f"'addr_info' of {where} is not a list of address objects")
            addresses = tuple(self.address(items, index, name) for index in range(len(items)))
        return Link(
            line=self.doc.line_of(obj.pos),
            ifindex=self.number(obj, "ifindex", where),
            name=name,
            peer=peer,
            peer_ifindex=peer_ifindex,
            flags=self.flags(obj, where),
            mtu=self.optional_int(obj, "mtu", where),
            qdisc=self.optional_string(obj, "qdisc", where),
            master=self.optional_string(obj, "master", where),
            state=state,
            mode=self.optional_string(obj, "linkmode", where),
            group=self.optional_string(obj, "group", where),
            qlen=self.optional_int(obj, "txqlen", where),
            link_type=link_type,
            link_netnsid=link_netnsid,
            link_kind=self.link_kind(obj, where),
            altnames=self.string_list(obj, "altnames", where),
            addresses=addresses,
            **macs,
        )

    def peer(self, obj: JsonObject, where: str) -> tuple[str | None, int | None]:
        if "link" in obj and "link_index" in obj:
            self.fail(
                obj.key_pos["link_index"],
                f"{where} has both 'link' and 'link_index'; expected one (iproute2 prints link_index only "
                "when the peer is in another namespace)",
            )
        if "link_index" in obj:
            index = self.number(obj, "link_index", where)
            return f"if{index}", index
        if "link" not in obj:
            return None, None
        value = obj["link"]
        if value is None:
            # iflink 0: the text form prints "@NONE" (tunnels with no lower device).
            return "NONE", None
        if not isinstance(value, str) or not value:
            self.fail(obj.key_pos["link"], f"'link' of {where} is {_show(value)}; expected an interface name or null")
        return value, int(value[2:]) if re.fullmatch(r"if\d+", value) else None

    def link_kind(self, obj: JsonObject, where: str) -> str | None:
        if "linkinfo" not in obj:
            return None
        info, pos = obj["linkinfo"], obj.key_pos["linkinfo"]
        if not isinstance(info, JsonObject):
            self.fail(pos, f"'linkinfo' of {where} is not an object")
        for key, value in info.items():
            if key not in _LINKINFO_KEYS:
                self.fail(
                    pos,
                    f"unknown key {key!r} in the linkinfo of {where}; expected {', '.join(sorted(_LINKINFO_KEYS))}",
                )
            if key in _LINKINFO_BAGS and not isinstance(value, JsonObject):
                self.fail(pos, f"linkinfo {key!r} of {where} is {_show(value)}; expected an object")
            if key not in _LINKINFO_BAGS and (not isinstance(value, str) or not value):
                self.fail(pos, f"linkinfo {key!r} of {where} is {_show(value)}; expected a kind name")
        kind = info.get("info_kind")
        return kind if isinstance(kind, str) else None

    def address(self, items: JsonArray, index: int, ifname: str) -> Address:
        where = f"an address of interface {ifname!r}"
        obj = items[index]
        if not isinstance(obj, JsonObject):
            self.fail(items.item_pos[index], f"{where} is {_show(obj)}; expected an address object")
        at = obj.key_pos
        for key, pos in at.items():
            if key not in _ADDRESS_KEYS:
                self.fail(
                    pos,
                    f"unknown key {key!r} in {where}; expected a key iproute2 prints in addr_info "
                    "(a key added by a newer iproute2 must be listed in ip_json's known keys)",
                )
        for required in ("family", "local", "prefixlen"):
            if required not in obj:
                self.fail(obj.pos, f"{where} has no {required!r}; expected family, local and prefixlen")
        family = self.string(obj, "family", where)
        if family not in ("inet", "inet6"):
            self.fail(at["family"], f"family {family!r} of {where} is not inet or inet6")
        prefixlen = self.number(obj, "prefixlen", where)
        cidr = self.interface(obj, "local", prefixlen, family, where)
        peer = self.interface(obj, "address", prefixlen, family, where) if "address" in obj else None
        scope = self.optional_string(obj, "scope", where)
        if scope is not None and not _SCOPE.match(scope):
            self.fail(at["scope"], f"scope {scope!r} of {where} is not host, link, global, site or a number")
        proto = self.optional_string(obj, "protocol", where)
        flags = [flag for flag in _ADDRESS_FLAGS if self.optional_true(obj, flag, where)]
        ifa_flags = self.optional_string(obj, "ifa_flags", where)
        if ifa_flags is not None:
            if not _HEX.match(ifa_flags):
                self.fail(at["ifa_flags"], f"ifa_flags {ifa_flags!r} of {where} is not a hex number")
            flags.append(f"flags {ifa_flags}")
        return Address(
            line=self.doc.line_of(obj.pos),
            family=family,
            cidr=cidr,
            peer=peer,
            broadcast=self.optional_string(obj, "broadcast", where),
            anycast=self.optional_string(obj, "anycast", where),
            scope=scope,
            metric=self.optional_int(obj, "metric", where),
            # The text form leaves out "proto unspec"; JSON may print it.
            proto=None if proto == "unspec" else proto,
            flags=tuple(flags),
            label=self.optional_string(obj, "label", where),
            valid_lft=self.lifetime(obj, "valid_life_time", where),
            preferred_lft=self.lifetime(obj, "preferred_life_time", where),
        )

    # -- typed values ---------------------------------------------------------------

    def number(self, obj: JsonObject, key: str, where: str) -> int:
        value = obj[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.fail(obj.key_pos[key], f"{key} of {where} is {_show(value)}; expected a whole number")
        return value

    def string(self, obj: JsonObject, key: str, where: str) -> str:
        value = obj[key]
        if not isinstance(value, str) or not value:
            self.fail(obj.key_pos[key], f"{key} of {where} is {_show(value)}; expected a non-empty string")
        return value

    def optional_int(self, obj: JsonObject, key: str, where: str) -> int | None:
        return self.number(obj, key, where) if key in obj else None

    def optional_string(self, obj: JsonObject, key: str, where: str) -> str | None:
        return self.string(obj, key, where) if key in obj else None

    def optional_true(self, obj: JsonObject, key: str, where: str) -> bool:
        if key not in obj:
            return False
        if obj[key] is not True:
            self.fail(
                obj.key_pos[key],
                f"{key} of {where} is {_show(obj[key])}; expected true (iproute2 prints only true)",
            )
        return True

    def string_list(self, obj: JsonObject, key: str, where: str) -> tuple[str, ...]:
        if key not in obj:
            return ()
        value = obj[key]
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            self.fail(obj.key_pos[key], f"{key} of {where} is {_show(value)}; expected a list of names")
        return tuple(value)

    def flags(self, obj: JsonObject, where: str) -> tuple[str, ...]:
        flags = self.string_list(obj, "flags", where)
        for flag in flags:
            if not _FLAG.match(flag):
                self.fail(obj.key_pos["flags"], f"interface flag {flag!r} of {where} is not an upper-case flag name")
        return flags

    def interface(self, obj: JsonObject, key: str, prefixlen: int, family: str, where: str) -> str:
        value = obj[key]
        try:
            iface = ipaddress.ip_interface(f"{value}/{prefixlen}") if isinstance(value, str) else None
        except ValueError:
            iface = None
        if iface is None or iface.version != (4 if family == "inet" else 6):
            kind = "IPv4" if family == "inet" else "IPv6"
            self.fail(
                obj.key_pos[key], f"{_show(value)} with prefix length {prefixlen} in {where} is not an {kind} address"
            )
        return iface.with_prefixlen

    def lifetime(self, obj: JsonObject, key: str, where: str) -> str | None:
        if key not in obj:
            return None
        seconds = self.number(obj, key, where)
        return "forever" if seconds == FOREVER else f"{seconds}sec"


def _show(value: Any) -> str:
    """A value as it was written in the JSON, for messages."""
    return json.dumps(value)
