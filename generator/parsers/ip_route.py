"""``ip route`` (text) and ``ip -j route`` (JSON): iproute2's routes, one record shape for both.

:func:`parse_text` reads ``ip route``, ``ip -6 route`` and ``ip route show table all``;
:func:`parse_json` reads ``ip -j route`` (single-line or ``-p`` pretty-printed). Both yield
one :class:`IpRoute` per route, with multipath nexthops nested as :class:`Nexthop`, and an
:class:`~generator.parsers._common.Elision` for every ``.``/``...`` line. Example::

    default via 10.240.0.1 dev eth0 proto dhcp src 10.240.0.4 metric 100
    blackhole 10.244.0.0/24 proto bird

gives ``IpRoute(type="unicast", destination="default", gateway="10.240.0.1", dev="eth0",
proto="dhcp", src="10.240.0.4", metric=100)`` and ``IpRoute(type="blackhole",
destination="10.244.0.0/24", proto="bird")``; ``[{"dst":"default","gateway":"10.240.0.1",
"dev":"eth0","protocol":"dhcp","prefsrc":"10.240.0.4","metric":100,"flags":[]}]`` gives
the first one again.

A text route is its type (left out for ``unicast``), its destination, then keyword/value
pairs and bare flags (``print_route`` writes them in a fixed order; any order is read); a multipath
route continues on lines ``<TAB>nexthop via ADDRESS dev NAME weight N``. iproute2 leaves
out what is at its default, so ``None`` means: ``table`` main, ``proto`` boot, ``scope``
global (universe). ``ip -d route`` prints them all; ``table main`` is then read as
``None`` too, while ``proto boot`` and ``scope global`` are kept as printed. A bare
destination address is a host route (``/32``, ``/128``). In JSON, a record's ``line`` is
the line of the ``{`` that opens its object (for a nexthop, its own object).

Read explicitly: ``via`` (also ``via inet6 ADDRESS``, a gateway of the other family),
``dev``, ``table``, ``proto``, ``scope``, ``src``, ``metric``, the flags, ``pref``,
``expires``, ``error``, ``nhid`` and the route metrics ``mtu``, ``advmss`` and
``hoplimit`` (with ``lock``). Anything else (``mark``, ``realm``, ``encap``, ``rtt``,
cache lines, ``ip -o`` one-line output, ...) is an error naming it, never skipped.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn

from generator.parsers import _json
from generator.parsers._common import (
    COMMENT,
    ELISION_MARKS,
    PROMPT_LINE,
    Elision,
    Origin,
    Record,
    builder,
    ipv4_destination,
    ipv6_destination,
    is_ipv4,
    is_ipv6,
    parse_int,
    parse_prefix,
    without_note,
)
from generator.parsers._json import ElisionRule, JsonDocument, JsonObject

COMMAND = "ip route"
JSON_COMMAND = "ip -j route"

# rtnl_rtntype_n2a names; a unicast route is printed without its type unless -d is given.
ROUTE_TYPES = frozenset(
    {
        "unicast",
        "local",
        "broadcast",
        "anycast",
        "multicast",
        "blackhole",
        "unreachable",
        "prohibit",
        "throw",
        "nat",
        "xresolve",
    }
)
# print_rt_flags: the same words serve a route and each of its nexthops.
ROUTE_FLAGS = frozenset(
    {
        "dead",
        "onlink",
        "pervasive",
        "offload",
        "trap",
        "notify",
        "linkdown",
        "unresolved",
        "rt_offload",
        "rt_trap",
        "rt_offload_failed",
    }
)
SCOPES = frozenset({"global", "universe", "link", "host", "site", "nowhere"})
PREFS = frozenset({"low", "medium", "high"})
FAMILIES = frozenset({"inet", "inet6"})
# The route metrics (RTA_METRICS) read; the others are refused rather than half-read.
METRICS = ("mtu", "advmss", "hoplimit")
TEXT_KEYWORDS = ("via", "dev", "table", "proto", "scope", "src", "metric", "pref", "expires", "error", "nhid", *METRICS)
NEXTHOP_KEYWORDS = ("via", "dev", "weight")
JSON_KEYS = (
    "type",
    "dst",
    "gateway",
    "via",
    "dev",
    "table",
    "protocol",
    "scope",
    "prefsrc",
    "metric",
    "flags",
    "pref",
    "expires",
    "error",
    "nhid",
    "metrics",
    "nexthops",
)
JSON_NEXTHOP_KEYS = ("gateway", "via", "dev", "weight", "flags")

# Table and protocol names come from /etc/iproute2 files, so any word (or number) is one.
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_EXPIRES = re.compile(r"^(-?\d+)sec$")
_SIGNED = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Nexthop(Record):
    """One path of a multipath route."""

    record_type: ClassVar[str] = "ip-route-nexthop"
    gateway: str | None = None
    dev: str | None = None
    weight: int | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class IpRoute(Record):
    """One route, keyed by ``(table, type, destination, metric)`` as the kernel keys it."""

    record_type: ClassVar[str] = "ip-route"
    destination: str
    type: str = "unicast"
    table: str | None = None
    gateway: str | None = None
    dev: str | None = None
    proto: str | None = None
    scope: str | None = None
    src: str | None = None
    metric: int | None = None
    flags: tuple[str, ...] = ()
    pref: str | None = None
    expires: int | None = None
    error: int | None = None
    nhid: int | None = None
    mtu: int | None = None
    advmss: int | None = None
    hoplimit: int | None = None
    locked_metrics: tuple[str, ...] = ()
    nexthops: tuple[Nexthop, ...] = ()


class _Where:
    """The line a value came from, so every check can point at it.

    A plain class, not a frozen dataclass: one is made per line, and a frozen
    dataclass's ``__init__`` costs several times more.
    """

    __slots__ = ("index", "line", "origin", "raw")

    def __init__(self, origin: Origin, index: int, raw: str) -> None:
        self.origin = origin
        self.index = index
        self.raw = raw
        self.line = origin.first_line + index

    @property
    def source(self) -> str:
        """The line as shown under a message: a pasted Windows "\r" is left out (see lines())."""
        return self.raw.removesuffix("\r")

    def fail(self, message: str) -> NoReturn:
        self.origin.fail(self.index, message, self.source)


# ---------------------------------------------------------------------------- values


def _destination(where: _Where, token: str, what: str) -> str:
    fast = ipv4_destination(token) or ipv6_destination(token)
    if fast is not None:
        return fast
    if token == "default":
        return token
    try:
        interface = ipaddress.ip_interface(token)
    except ValueError:
        interface = None
    # Said here rather than by parse_prefix, to name the prefix that was meant.
    if interface is not None and interface.ip != interface.network.network_address:
        where.fail(f"{what} {token!r} has host bits set (expected {interface.network.with_prefixlen})")
    return parse_prefix(where.origin, where.index, where.source, token, what)


def _address(where: _Where, token: str, what: str, family: str | None = None) -> str:
    if family != "inet6" and is_ipv4(token):
        return token
    if family != "inet" and is_ipv6(token):
        return token
    try:
        address = ipaddress.ip_address(token)
    except ValueError:
        where.fail(f"{what} {token!r} is not an IP address")
    if family is not None and (family == "inet6") != (address.version == 6):
        expected = "IPv6" if family == "inet6" else "IPv4"
        where.fail(f"{what} {token!r} is not an {expected} address (expected one after 'via {family}')")
    return str(address)


def _route_type(where: _Where, token: str, what: str) -> str:
    if token not in ROUTE_TYPES:
        where.fail(f"{what} {token!r} is not a route type (expected one of: {', '.join(sorted(ROUTE_TYPES))})")
    return token


def _name(where: _Where, token: str, what: str) -> str:
    # ASCII letters and digits are a subset of _NAME; the C test spares the regex.
    if not (token.isascii() and token.isalnum()) and not _NAME.match(token):
        where.fail(f"{what} {token!r} is not a name or number (expected a word such as main, kernel or 254)")
    return token


def _table(where: _Where, token: str, what: str) -> str | None:
    # Plain output leaves main out and -d prints it: both mean the same table.
    name = _name(where, token, what)
    return None if name == "main" else name


def _dev(where: _Where, token: str, what: str) -> str:
    # split() gives back [token] exactly when it is non-empty and holds no blank.
    if "/" in token or token.split() != [token]:
        where.fail(f"{what} {token!r} is not an interface name")
    return token


def _word_dev(where: _Where, token: str, what: str) -> str:
    """``dev`` of a text line: a word from str.split(), never empty nor holding a blank."""
    if "/" in token:
        _dev(where, token, what)
    return token


def _scope(where: _Where, token: str, what: str) -> str:
    if token not in SCOPES and not token.isdigit():
        where.fail(f"{what} {token!r} is not a route scope (expected global, link, host, site, nowhere or a number)")
    return token


def _pref(where: _Where, token: str, what: str) -> str:
    if token not in PREFS and not token.isdigit():
        where.fail(f"{what} {token!r} is not a router preference (expected low, medium, high or a number)")
    return token


def _unsigned(where: _Where, token: str, what: str) -> int:
    return parse_int(where.origin, where.index, where.source, token, what)


def _signed(where: _Where, token: str, what: str) -> int:
    if not _SIGNED.match(token):
        where.fail(f"{what} {token!r} is not a whole number")
    return int(token)


def _expires(where: _Where, token: str, what: str) -> int:
    match = _EXPIRES.match(token)
    if not match:
        where.fail(f"{what} {token!r} is not a lifetime (expected seconds such as 297sec)")
    return int(match[1])


_Check = Callable[[_Where, str, str], Any]
_UNCHECKED = object()
_new_route = builder(IpRoute)
# Text keyword (also its record field) -> check of its value; 'via' is read apart.
_TEXT_VALUES: dict[str, _Check] = {
    "dev": _word_dev,
    "table": _table,
    "proto": _name,
    "scope": _scope,
    "src": _address,
    "metric": _unsigned,
    "pref": _pref,
    "expires": _expires,
    "error": _signed,
    "nhid": _unsigned,
    "mtu": _unsigned,
    "advmss": _unsigned,
    "hoplimit": _unsigned,
}


def _check_families(where: _Where, fields: dict[str, Any], same_family_gateways: list[str]) -> None:
    """A route's destination, source and plain gateways share one address family.

    A gateway given as ``via inet6 ADDRESS`` (RTA_VIA) is the one exception and is not
    passed in ``same_family_gateways``.
    """
    named = [("destination", fields["destination"])] if fields["destination"] != "default" else []
    if fields.get("src") is not None:
        named.append(("src", fields["src"]))
    named.extend(("gateway", gateway) for gateway in same_family_gateways)
    # The values are validated and written as str() of ipaddress would: only IPv6 has ':'.
    # One version per address, not per name: a multipath route names several gateways.
    versions = [6 if ":" in value else 4 for _what, value in named]
    if len(set(versions)) > 1:
        parts = ", ".join(
            f"{what} {value!r} (IPv{version})" for (what, value), version in zip(named, versions, strict=True)
        )
        where.fail(f"addresses of different families in one route: {parts} (expected one family)")


# ---------------------------------------------------------------------------- text


class _Reading:
    """What reading one text output keeps from line to line.

    Per keyword, the values its check already passed with what they gave: gateways,
    sources, devices, protocols and metrics repeat from line to line, so each distinct
    value is checked once per output. The lines whose gateway is written ``via inet6
    ADDRESS`` (of another family, left out of the family check). And, while
    ``<TAB>nexthop`` lines extend the last route, its gateways of its own family.
    """

    __slots__ = ("family_via_lines", "gateways", "known", "multipath_gateways", "origin")

    def __init__(self, origin: Origin) -> None:
        self.origin = origin
        self.known: dict[str, dict[str, Any]] = {key: {} for key in _TEXT_VALUES}
        self.gateways: dict[str, str] = {}
        self.family_via_lines: set[int] = set()
        self.multipath_gateways: list[str] = []


def parse_text(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    reading = _Reading(origin)
    first_line = origin.first_line
    known = reading.known
    gateways = reading.gateways
    new_record = object.__new__
    # Whether the last record is a route extended by nexthop lines whose gateways are
    # not yet checked against its family (they are checked together once it ends).
    multipath = False
    # Not _common.lines(): its generator costs a tenth of a line's time here. A "\r"
    # left on a line is a blank to split() and is dropped by _Where when shown.
    lines = text.split("\n")
    for index, source in enumerate(lines):
        tokens = source.split()
        if not tokens:
            continue
        head = tokens[0]
        if multipath and head != "nexthop":
            multipath = _end_multipath(reading, records[-1], lines)
        if COMMENT in source or len(tokens) == 1:
            if head[0] == COMMENT or (len(tokens) == 1 and (head in ELISION_MARKS or PROMPT_LINE.match(head))):
                records.append(Elision(line=origin.line_of(index), text=source.strip()))
                continue
            tokens = without_note(tokens)
        if head == "nexthop":
            where = _Where(origin, index, source)
            last = records[-1] if records else None
            if not isinstance(last, IpRoute):
                where.fail("nexthop line without a route above it (expected it right under a multipath route line)")
            records[-1] = _add_nexthop(reading, last, where, tokens, first=not multipath)
            multipath = True
            continue
        if source[0].isspace():
            _Where(origin, index, source).fail(
                f"unexpected indented {head!r} (expected a route line, "
                "or '<TAB>nexthop via ...' under a multipath route)"
            )
        # The route on this line, read here rather than in a function of its own: this
        # loop is the parser's whole cost (a call per line was 3% of it). A check runs
        # only for a value not seen before in this output, and a _Where is made only
        # then or for an error.
        words = iter(tokens)
        next(words)
        # The record is made first and filled in place (a frozen dataclass refuses
        # setattr, not a write to its attribute dict): a third of the cost of building
        # a dict and handing it to builder(). A field left out reads its default from
        # the class, as with builder().
        route = new_record(IpRoute)
        fields = route.__dict__
        fields["line"] = first_line + index
        token: str | None = head
        if head in ROUTE_TYPES:
            fields["type"] = head
            token = next(words, None)
            if token is None:
                _Where(origin, index, source).fail(f"route line ends after {head!r}; expected a destination")
        assert token is not None
        destination = ipv4_destination(token)
        if destination is None:
            destination = ipv6_destination(token) or (
                token if token == "default" else _destination(_Where(origin, index, source), token, "destination")
            )
        fields["destination"] = destination
        flags: list[str] | None = None  # made when needed: most routes have neither
        locked: list[str] | None = None
        plain_gateway: str | None = None
        # A word is exactly one of: a valued keyword, a flag, 'via', '\\' or unknown; the
        # tests below go by how often each occurs. Each keyword fills the field of its own
        # name ('via' fills 'gateway'), so ``fields`` also tells which were seen.
        for key in words:
            checked = known.get(key)
            if checked is not None:
                if key in fields:
                    _Where(origin, index, source).fail(f"{key!r} appears twice in the route")
                value = next(words, None)
                if value == "lock" and key in METRICS:
                    locked = [*(locked or ()), key]
                    value = next(words, None)
                if value is None:
                    _Where(origin, index, source).fail(f"line ends after {key!r}; expected its value")
                result = checked.get(value, _UNCHECKED)
                if result is _UNCHECKED:
                    result = checked[value] = _TEXT_VALUES[key](_Where(origin, index, source), value, key)
                fields[key] = result
            elif key in ROUTE_FLAGS:
                if flags is None:
                    flags = [key]
                elif key in flags:
                    _Where(origin, index, source).fail(f"flag {key!r} appears twice in the route")
                else:
                    flags.append(key)
            elif key == "via":
                if "gateway" in fields:
                    _Where(origin, index, source).fail(f"{key!r} appears twice in the route")
                value = next(words, None)
                gateway = gateways.get(value) if value is not None else None
                if gateway is None:
                    gateway, plain = _text_via(_Where(origin, index, source), value, words)
                    if plain:
                        assert value is not None
                        gateways[value] = gateway
                    else:
                        reading.family_via_lines.add(index)
                else:
                    plain = True
                fields["gateway"] = gateway
                if plain:
                    plain_gateway = gateway
            elif key == "\\":
                _Where(origin, index, source).fail(
                    "found '\\' joining lines: one-line output (ip -o route) is not read (expected plain ip route)"
                )
            else:
                _Where(origin, index, source).fail(
                    f"unexpected {key!r} in the route (expected one of: {', '.join(TEXT_KEYWORDS)}, "
                    f"or a flag: {', '.join(sorted(ROUTE_FLAGS))})"
                )
        # Left out when empty: the record's default is the same ().
        if flags:
            fields["flags"] = tuple(flags)
        if locked:
            fields["locked_metrics"] = tuple(locked)
        # Validated addresses are written as ipaddress writes them: only IPv6 ones hold ':'.
        # Only when some address is IPv6 and not every one is can the families differ.
        src = fields.get("src")
        six = ":" in destination
        if (six or (src is not None and ":" in src) or (plain_gateway is not None and ":" in plain_gateway)) and not (
            (six or destination == "default")
            and (src is None or ":" in src)
            and (plain_gateway is None or ":" in plain_gateway)
        ):
            _check_families(_Where(origin, index, source), fields, [plain_gateway] if plain_gateway else [])
        # ``fields`` is never changed again: a nexthop line below makes a new route from a copy.
        records.append(route)
    if multipath:
        _end_multipath(reading, records[-1], lines)
    return records


def _add_nexthop(reading: _Reading, route: IpRoute, where: _Where, tokens: list[str], *, first: bool) -> IpRoute:
    """``route`` with the nexthop of this line added; ``first`` if it has none yet.

    A multipath route is rare: it is made again for each of its nexthops rather than
    held back on every line in case one follows.
    """
    if first:
        # The route's own gateway counts unless it was written 'via inet6 ADDRESS'.
        gateway = route.gateway
        written_via_family = route.line - reading.origin.first_line in reading.family_via_lines
        reading.multipath_gateways = [gateway] if gateway is not None and not written_via_family else []
    nexthop = _text_nexthop(where, tokens[1:], reading.multipath_gateways)
    fields = {**route.__dict__, "nexthops": (*route.nexthops, nexthop)}
    return _new_route(fields)


def _end_multipath(reading: _Reading, route: Record, lines: list[str]) -> bool:
    """Once its last nexthop is read, a multipath route's gateways are checked together
    (the message names them all). Returns False: no multipath route is pending now."""
    assert isinstance(route, IpRoute)
    index = route.line - reading.origin.first_line
    _check_families(_Where(reading.origin, index, lines[index]), route.__dict__, reading.multipath_gateways)
    return False


def _text_nexthop(where: _Where, tokens: list[str], plain_gateways: list[str]) -> Nexthop:
    fields: dict[str, Any] = {"line": where.line}
    flags: list[str] = []
    seen: set[str] = set()
    words = iter(tokens)
    for key in words:
        if key in ROUTE_FLAGS:
            if key in flags:
                where.fail(f"flag {key!r} appears twice in the nexthop")
            flags.append(key)
            continue
        if key not in NEXTHOP_KEYWORDS:
            where.fail(
                f"unexpected {key!r} in the nexthop (expected one of: {', '.join(NEXTHOP_KEYWORDS)}, "
                "or a flag such as onlink, linkdown or dead)"
            )
        if key in seen:
            where.fail(f"{key!r} appears twice in the nexthop")
        seen.add(key)
        value = next(words, None)
        if key == "via":
            fields["gateway"], plain = _text_via(where, value, words)
            if plain:
                plain_gateways.append(fields["gateway"])
            continue
        if value is None:
            where.fail(f"line ends after {key!r}; expected its value")
        fields[key] = _dev(where, value, "dev") if key == "dev" else _unsigned(where, value, "weight")
    return Nexthop(flags=tuple(flags), **fields)


def _text_via(where: _Where, first: str | None, words: Iterator[str]) -> tuple[str, bool]:
    """``via ADDRESS``, or ``via inet6 ADDRESS`` for a gateway of another family (RTA_VIA).

    ``first`` is the word after ``via``, ``words`` the rest of the line. Returns the
    gateway and whether it is of the route's own family.
    """
    if first is None:
        where.fail("line ends after 'via'; expected its value")
    if first in FAMILIES:
        address = next(words, None)
        if address is None:
            where.fail(f"line ends after 'via {first}'; expected its value")
        return _address(where, address, "gateway", family=first), False
    return _address(where, first, "gateway"), True


# ---------------------------------------------------------------------------- JSON


# JSON key -> (record field, check) for the keys whose value is a string.
_JSON_STRINGS: dict[str, tuple[str, _Check]] = {
    "type": ("type", _route_type),
    "dst": ("destination", _destination),
    "dev": ("dev", _dev),
    "table": ("table", _table),
    "protocol": ("proto", _name),
    "scope": ("scope", _scope),
    "prefsrc": ("src", _address),
}
# JSON key -> record field for the keys whose value is a number.
_JSON_NUMBERS = {"metric": "metric", "expires": "expires", "error": "error", "nhid": "nhid"}


def parse_json(text: str, *, origin: Origin) -> list[Record]:
    doc = _json.read(
        text,
        origin,
        command=JSON_COMMAND,
        element="route",
        nouns={"nexthops": "nexthop", "metrics": "metrics"},
        elisions=ElisionRule.AS_BLANK,
    )
    records: list[Record] = [*doc.elisions]
    records.extend(_json_route(doc, obj) for obj in doc.items)
    records.sort(key=lambda record: record.line)
    return records


def _where(doc: JsonDocument, obj: JsonObject) -> _Where:
    """Route errors point at the line of the ``{`` that opens the object at fault."""
    index = doc.index_of(obj.pos)
    return _Where(doc.origin, index, doc.source(index))


def _json_kind(value: object) -> str:
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "boolean"
    if value is None:
        return "null"
    return "number"


def _check_keys(where: _Where, obj: JsonObject, allowed: tuple[str, ...], what: str) -> None:
    # The reader has refused repeated keys already.
    for key in obj:
        if key not in allowed:
            where.fail(f"unexpected key {key!r} in {what} (expected one of: {', '.join(allowed)})")


def _json_string(where: _Where, obj: JsonObject, key: str) -> str:
    value = obj[key]
    if not isinstance(value, str):
        where.fail(f"{key!r} is a JSON {_json_kind(value)} ({json.dumps(value)}); expected a string")
    return value


def _json_int(where: _Where, obj: JsonObject, key: str) -> int:
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int):
        where.fail(f"{key!r} is a JSON {_json_kind(value)} ({json.dumps(value)}); expected a whole number")
    return value


def _json_flags(where: _Where, obj: JsonObject) -> tuple[str, ...]:
    value = obj["flags"]
    if not isinstance(value, list) or not all(isinstance(flag, str) for flag in value):
        where.fail(f"'flags' is {json.dumps(value)}; expected a list of flag names")
    for flag in value:
        if flag not in ROUTE_FLAGS:
            where.fail(f"flag {flag!r} is not a route flag (expected one of: {', '.join(sorted(ROUTE_FLAGS))})")
    if len(set(value)) != len(value):
        where.fail(f"'flags' {json.dumps(value)} names a flag twice")
    return tuple(value)


def _json_via(doc: JsonDocument, obj: JsonObject, where: _Where) -> str:
    via = obj["via"]
    if not isinstance(via, JsonObject):
        where.fail(f"'via' is a JSON {_json_kind(via)}; expected an object with family and host")
    at = _where(doc, via)
    _check_keys(at, via, ("family", "host"), "'via'")
    if "family" not in via or "host" not in via:
        at.fail('\'via\' lacks family or host (expected {"family": "inet6", "host": "fe80::1"})')
    family = _json_string(at, via, "family")
    if family not in FAMILIES:
        at.fail(f"via family {family!r} is not inet or inet6")
    return _address(at, _json_string(at, via, "host"), "gateway", family=family)


def _json_route(doc: JsonDocument, obj: JsonObject) -> IpRoute:
    where = _where(doc, obj)
    _check_keys(where, obj, JSON_KEYS, "the route")
    if "dst" not in obj:
        where.fail('route object has no \'dst\' (expected the destination, such as "dst": "default")')
    if "gateway" in obj and "via" in obj:
        where.fail("route object has both 'gateway' and 'via' (expected one gateway)")
    fields: dict[str, Any] = {"line": where.line}
    plain_gateways: list[str] = []
    for key, (name, check) in _JSON_STRINGS.items():
        if key in obj:
            fields[name] = check(where, _json_string(where, obj, key), key)
    for key, name in _JSON_NUMBERS.items():
        if key in obj:
            fields[name] = _json_int(where, obj, key)
    if "gateway" in obj:
        fields["gateway"] = _address(where, _json_string(where, obj, "gateway"), "gateway")
        plain_gateways.append(fields["gateway"])
    if "via" in obj:
        fields["gateway"] = _json_via(doc, obj, where)
    if "flags" in obj:
        fields["flags"] = _json_flags(where, obj)
    if "pref" in obj:
        # print_rt_pref writes the known preferences as words and any other as a number.
        pref = obj["pref"]
        fields["pref"] = _pref(where, pref if isinstance(pref, str) else str(_json_int(where, obj, "pref")), "pref")
    if "metrics" in obj:
        fields.update(_json_metrics(doc, obj, where))
    if "nexthops" in obj:
        fields["nexthops"] = _json_nexthops(doc, obj, where, plain_gateways)
    _check_families(where, fields, plain_gateways)
    return IpRoute(**fields)


def _json_metrics(doc: JsonDocument, obj: JsonObject, where: _Where) -> dict[str, int]:
    value = obj["metrics"]
    if not isinstance(value, list) or not all(isinstance(item, JsonObject) for item in value):
        where.fail(f"'metrics' is {json.dumps(value)}; expected a list holding one object such as [{{\"mtu\": 1450}}]")
    metrics: dict[str, int] = {}
    for item in value:
        at = _where(doc, item)
        _check_keys(at, item, METRICS, "'metrics'")
        for key in item:
            if key in metrics:
                at.fail(f"route metric {key!r} appears twice in 'metrics'")
            metrics[key] = _json_int(at, item, key)
    return metrics


def _json_nexthops(doc: JsonDocument, obj: JsonObject, where: _Where, plain_gateways: list[str]) -> tuple[Nexthop, ...]:
    value = obj["nexthops"]
    if not isinstance(value, list):
        where.fail(f"'nexthops' is a JSON {_json_kind(value)}; expected a list of nexthop objects")
    nexthops: list[Nexthop] = []
    for item in value:
        if not isinstance(item, JsonObject):
            where.fail(f"a nexthop is a JSON {_json_kind(item)}; expected an object")
        at = _where(doc, item)
        _check_keys(at, item, JSON_NEXTHOP_KEYS, "the nexthop")
        if "gateway" in item and "via" in item:
            at.fail("nexthop has both 'gateway' and 'via' (expected one gateway)")
        fields: dict[str, Any] = {"line": at.line}
        if "gateway" in item:
            fields["gateway"] = _address(at, _json_string(at, item, "gateway"), "gateway")
            plain_gateways.append(fields["gateway"])
        if "via" in item:
            fields["gateway"] = _json_via(doc, item, at)
        if "dev" in item:
            fields["dev"] = _dev(at, _json_string(at, item, "dev"), "dev")
        if "weight" in item:
            fields["weight"] = _json_int(at, item, "weight")
        if "flags" in item:
            fields["flags"] = _json_flags(at, item)
        nexthops.append(Nexthop(**fields))
    return tuple(nexthops)
