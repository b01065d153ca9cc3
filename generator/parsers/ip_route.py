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
from collections.abc import Callable
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
    is_ipv4,
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
    fast = ipv4_destination(token)
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
_Known = dict[str, tuple[_Check, dict[str, Any], bool]]
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


def parse_text(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    # The route whose nexthop lines may still follow: its line, fields, plain gateways, nexthops.
    pending: tuple[_Where, dict[str, Any], list[str], list[Nexthop]] | None = None
    # Gateways, sources, devices, protocols and metrics repeat from line to line, so each
    # distinct value of a keyword is checked once per output. Per keyword: its check, the
    # values it passed with what they gave, and whether 'lock' may follow it.
    known: _Known = {key: (check, {}, key in METRICS) for key, check in _TEXT_VALUES.items()}
    known_gateways: dict[str, str] = {}
    # Not _common.lines(): its generator costs a tenth of a line's time here. A "\r"
    # left on a line is a blank to split() and is dropped by _Where when shown.
    for index, source in enumerate(text.split("\n")):
        tokens = source.split()
        if not tokens:
            continue
        head = tokens[0]
        if (len(tokens) == 1 and (head in ELISION_MARKS or PROMPT_LINE.match(head))) or head.startswith(COMMENT):
            if pending is not None:
                records.append(_freeze(*pending))
                pending = None
            records.append(Elision(line=origin.line_of(index), text=source.strip()))
            continue
        if COMMENT in source:
            tokens = without_note(tokens)
        where = _Where(origin, index, source)
        if head == "nexthop":
            if pending is None:
                where.fail("nexthop line without a route above it (expected it right under a multipath route line)")
            pending[3].append(_text_nexthop(where, tokens[1:], pending[2]))
            continue
        if source[0].isspace():
            where.fail(
                f"unexpected indented {head!r} (expected a route line, "
                "or '<TAB>nexthop via ...' under a multipath route)"
            )
        if pending is not None:
            records.append(_freeze(*pending))
        plain_gateways: list[str] = []
        pending = (where, _text_route(where, tokens, plain_gateways, known, known_gateways), plain_gateways, [])
    if pending is not None:
        records.append(_freeze(*pending))
    return records


def _freeze(where: _Where, fields: dict[str, Any], plain_gateways: list[str], nexthops: list[Nexthop]) -> IpRoute:
    # Validated addresses are written as ipaddress writes them: only IPv6 ones hold ':'.
    if (
        ":" in fields["destination"]
        or ":" in (fields.get("src") or "")
        or (plain_gateways and any(":" in g for g in plain_gateways))
    ):
        _check_families(where, fields, plain_gateways)
    if nexthops:
        fields["nexthops"] = tuple(nexthops)
    return _new_route(fields)


def _text_route(
    where: _Where, tokens: list[str], plain_gateways: list[str], known: _Known, known_gateways: dict[str, str]
) -> dict[str, Any]:
    """The fields of a route line; its plain ``via`` gateways are added to ``plain_gateways``.

    ``known`` gives each keyword's check and the values it already passed;
    ``known_gateways`` the plain ``via`` addresses already read.
    """
    fields: dict[str, Any] = {"line": where.line}
    pos = 0
    if tokens[0] in ROUTE_TYPES:
        fields["type"] = tokens[0]
        pos = 1
    count = len(tokens)
    if pos >= count:
        where.fail(f"route line ends after {tokens[0]!r}; expected a destination")
    fields["destination"] = _destination(where, tokens[pos], "destination")
    pos += 1
    flags: list[str] | None = None  # made when needed: most routes have neither
    locked: list[str] | None = None
    # A word is exactly one of: a valued keyword, a flag, 'via', '\\' or unknown; the
    # tests below go by how often each occurs. Each keyword fills the field of its own
    # name ('via' fills 'gateway'), so ``fields`` also tells which were seen.
    while pos < count:
        key = tokens[pos]
        pos += 1
        keyword = known.get(key)
        if keyword is not None:
            check, checked, is_metric = keyword
            if key in fields:
                where.fail(f"{key!r} appears twice in the route")
            if is_metric and pos < count and tokens[pos] == "lock":
                locked = [*(locked or ()), key]
                pos += 1
            if pos >= count:
                where.fail(f"line ends after {key!r}; expected its value")
            value = tokens[pos]
            pos += 1
            result = checked.get(value, _UNCHECKED)
            if result is _UNCHECKED:
                result = checked[value] = check(where, value, key)
            fields[key] = result
        elif key in ROUTE_FLAGS:
            if flags is None:
                flags = [key]
            elif key in flags:
                where.fail(f"flag {key!r} appears twice in the route")
            else:
                flags.append(key)
        elif key == "via":
            if "gateway" in fields:
                where.fail(f"{key!r} appears twice in the route")
            gateway = known_gateways.get(tokens[pos]) if pos < count else None
            if gateway is not None:
                pos += 1
                plain = True
            else:
                gateway, after, plain = _text_via(where, tokens, pos)
                if plain:
                    known_gateways[tokens[pos]] = gateway
                pos = after
            fields["gateway"] = gateway
            if plain:
                plain_gateways.append(gateway)
        elif key == "\\":
            where.fail("found '\\' joining lines: one-line output (ip -o route) is not read (expected plain ip route)")
        else:
            where.fail(
                f"unexpected {key!r} in the route (expected one of: {', '.join(TEXT_KEYWORDS)}, "
                f"or a flag: {', '.join(sorted(ROUTE_FLAGS))})"
            )
    # Left out when empty: the record's default is the same ().
    if flags:
        fields["flags"] = tuple(flags)
    if locked:
        fields["locked_metrics"] = tuple(locked)
    return fields


def _text_nexthop(where: _Where, tokens: list[str], plain_gateways: list[str]) -> Nexthop:
    fields: dict[str, Any] = {"line": where.line}
    flags: list[str] = []
    seen: set[str] = set()
    pos = 0
    while pos < len(tokens):
        key = tokens[pos]
        pos += 1
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
        if key == "via":
            fields["gateway"], pos, plain = _text_via(where, tokens, pos)
            if plain:
                plain_gateways.append(fields["gateway"])
            continue
        value = _value_after(where, tokens, pos, key)
        pos += 1
        fields[key] = _dev(where, value, "dev") if key == "dev" else _unsigned(where, value, "weight")
    return Nexthop(flags=tuple(flags), **fields)


def _value_after(where: _Where, tokens: list[str], pos: int, key: str) -> str:
    if pos >= len(tokens):
        where.fail(f"line ends after {key!r}; expected its value")
    return tokens[pos]


def _text_via(where: _Where, tokens: list[str], pos: int) -> tuple[str, int, bool]:
    """``via ADDRESS``, or ``via inet6 ADDRESS`` for a gateway of another family (RTA_VIA).

    Returns the gateway, the position after it and whether it is of the route's own family.
    """
    first = _value_after(where, tokens, pos, "via")
    if first in FAMILIES:
        address = _value_after(where, tokens, pos + 1, f"via {first}")
        return _address(where, address, "gateway", family=first), pos + 2, False
    return _address(where, first, "gateway"), pos + 1, True


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
