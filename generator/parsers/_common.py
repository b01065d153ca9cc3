"""What every parser shares: where its text came from, located errors, elisions.

A parser sees the output of one command as plain text. The :class:`Origin` tells it
which file that text sits in and on which line the output starts, so every record
and every error carries the line number a contributor will find in their editor.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, NoReturn, TypeVar

from generator.errors import Location, ParseError, Problem

# The author's "I left lines out here" marks. They are recorded, never parsed as data.
ELISION_MARKS = frozenset({".", "..."})
# Authors also write notes into what they publish, as shell comments: a whole line
# ("# ... lo was here") stands for what it replaced, like an elision; a note after the
# output on a line ("... dev eth1 # route for the pod networks") is dropped before the
# line is read. No command the parsers read prints a '#' that starts a word.
COMMENT = "#"
# A bare shell prompt pasted with the output (``root@node:/#``) belongs to the terminal:
# it is read like a note that stands for nothing.
PROMPT_LINE = re.compile(r"^[\w.-]+@[\w.-]+:\S*[#$]$")


@dataclass(frozen=True)
class Origin:
    """Where a command's output lives.

    ``first_line`` is the file line holding the output's first line. ``section`` names
    the capture section (``host: route -n``) when the output comes from a capture.
    """

    file: str
    command: str
    first_line: int = 1
    section: str | None = None

    def line_of(self, index: int) -> int:
        """The file line of output line ``index`` (0-based)."""
        return self.first_line + index

    def problem(self, index: int | None, message: str, source: str | None) -> Problem:
        if index is None:
            return Problem(
                location=Location(self.file, self.first_line),
                message=message,
                source=source,
                context=self.section or self.command,
            )
        context = f"{self.section}, output line {index + 1}" if self.section else self.command
        return Problem(
            location=Location(self.file, self.line_of(index)), message=message, source=source, context=context
        )

    def fail(self, index: int | None, message: str, source: str | None = None) -> NoReturn:
        raise ParseError(self.problem(index, message, source))


@dataclass(frozen=True)
class Record:
    """Base of every parser record: ``line`` is the file line it was read from."""

    record_type: ClassVar[str] = "record"
    line: int

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"record": self.record_type}
        for f in dataclasses.fields(self):
            data[f.name] = _jsonable(getattr(self, f.name))
        return data


R = TypeVar("R", bound=Record)


def builder(cls: type[R]) -> Callable[[dict[str, Any]], R]:
    """A function making a ``cls`` record whose fields are a dict of values, the rest at their defaults.

    ``builder(IpRoute)(values)`` equals ``IpRoute(**values)``, for the parsers' hot
    loops: a frozen dataclass's generated ``__init__`` sets every field through
    ``object.__setattr__``, which for the twenty fields of a route costs more than
    reading its line. The record made here takes ``values`` (which it then owns) as its
    attribute dict, and a field left out reads its default from the class attribute
    that :func:`dataclasses.dataclass` sets for every field with a plain default. So
    ``values`` must hold every field without a default, and only field names.

    The hottest loops (``ip route``, ``ip addr``) go one step further under the same
    contract: ``record = object.__new__(cls)`` first, then its ``record.__dict__`` filled
    field by field, which spares the dict handed over (a third of the cost here). Their
    tests compare such records with the constructor's.
    """
    fields = dataclasses.fields(cls)
    if any(f.default_factory is not dataclasses.MISSING for f in fields):
        raise TypeError(f"builder({cls.__name__}): a default_factory field has no class attribute to fall back on")
    required = frozenset(f.name for f in fields if f.default is dataclasses.MISSING)
    new, set_attribute = object.__new__, object.__setattr__

    def build(values: dict[str, Any]) -> R:
        if not values.keys() >= required:
            missing = ", ".join(repr(name) for name in sorted(required - values.keys()))
            raise TypeError(f"{cls.__name__}: no value for field {missing}")
        record: R = new(cls)
        # Frozen: the class's __setattr__ refuses, object's does not.
        set_attribute(record, "__dict__", values)
        return record

    return build


def _jsonable(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_json()
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, frozenset | set):
        return sorted(_jsonable(v) for v in value)
    return value


@dataclass(frozen=True)
class Elision(Record):
    """A line that is only ``.`` or ``...``, or an author's ``# note``: output was left out here."""

    record_type: ClassVar[str] = "elision"
    text: str


def records_to_json(records: list[Record]) -> str:
    """Pretty JSON with sorted keys: stable, and readable in a review diff."""
    return json.dumps([r.to_json() for r in records], indent=2, sort_keys=True) + "\n"


def lines(text: str) -> Iterator[tuple[int, str]]:
    """Yield ``(index, line)`` for each line, without line terminators.

    A trailing newline does not make an extra empty line; ``\\r\\n`` endings (an
    output pasted from a Windows terminal) are treated like ``\\n``.
    """
    parts = text.split("\n")
    if parts[-1] == "":
        parts.pop()
    for index, raw in enumerate(parts):
        yield index, raw.removesuffix("\r")


def leaves_out(elision: Elision) -> bool:
    """Whether an elision stands for output left out: a pasted prompt only ends the output."""
    return not PROMPT_LINE.match(elision.text)


def is_elision(line: str) -> bool:
    """``.``/``...``, an author's note on a line of its own (``# ...``), or a pasted prompt."""
    stripped = line.strip()
    return stripped in ELISION_MARKS or stripped.startswith(COMMENT) or bool(PROMPT_LINE.match(stripped))


def without_note(tokens: list[str]) -> list[str]:
    """The words before an author's trailing ``# note``, if any."""
    for position, token in enumerate(tokens):
        if token.startswith(COMMENT):
            return tokens[:position]
    return tokens


def parse_int(origin: Origin, index: int, source: str, token: str, what: str) -> int:
    if not token.isdigit() or not token.isascii():
        origin.fail(index, f"{what} {token!r} is not a whole number", source)
    return int(token)


# The exact spellings of IPv4 octets and prefix lengths that str() of an ipaddress object
# prints: decimal, no leading zeros. A lookup in these replaces building an object.
_OCTETS: dict[str, int] = {str(n): n for n in range(256)}
IPV4_PREFIX_LENGTHS: dict[str, int] = {str(n): n for n in range(33)}
# Host-part masks by prefix length, to test "no host bits set" with one AND.
IPV4_HOST_MASKS: tuple[int, ...] = tuple((1 << (32 - n)) - 1 for n in range(33))


def ipv4_value(token: str) -> int | None:
    """The address as a number if ``token`` is an IPv4 address, else ``None``.

    Accepts exactly the strings ``ipaddress.IPv4Address`` accepts (four decimal octets
    0-255 without leading zeros), each of which is also what ``str()`` of the address
    prints, so a valid token needs no normalizing.
    """
    parts = token.split(".")
    if len(parts) != 4:
        return None
    octets = _OCTETS
    a, b, c, d = parts
    if a in octets and b in octets and c in octets and d in octets:
        return octets[a] << 24 | octets[b] << 16 | octets[c] << 8 | octets[d]
    return None


def is_ipv4(token: str) -> bool:
    """``ipv4_value(token) is not None``, without computing the number."""
    parts = token.split(".")
    if len(parts) != 4:
        return False
    octets = _OCTETS
    a, b, c, d = parts
    return a in octets and b in octets and c in octets and d in octets


def ipv4_prefix(token: str) -> tuple[int, int] | None:
    """``(address, prefix length)`` if ``token`` is written ``A.B.C.D/N`` exactly as iproute2 and
    ``ipaddress`` print it (no leading zeros, N from 0 to 32), else ``None``.

    Other spellings ipaddress also reads (``/08``, ``/255.0.0.0``, IPv6) are left to it.
    """
    address, slash, length = token.partition("/")
    if not slash:
        return None
    value = ipv4_value(address)
    prefix_length = IPV4_PREFIX_LENGTHS.get(length)
    if value is None or prefix_length is None:
        return None
    return value, prefix_length


def ipv4_destination(token: str) -> str | None:
    """``token`` as a route destination CIDR if it is an IPv4 host address or an IPv4
    prefix without host bits, written as ipaddress writes it; else ``None``.

    ``10.244.0.2`` gives ``10.244.0.2/32``, ``10.244.0.0/24`` gives itself; anything
    else (``default``, IPv6, ``/08``, host bits set, not an address) is the caller's.
    """
    address, slash, length = token.partition("/")
    parts = address.split(".")
    if len(parts) != 4:
        return None
    octets = _OCTETS
    a, b, c, d = parts
    # One lookup per octet, the miss (not an octet as printed) being the rare case:
    # this runs on every route line.
    try:
        value = octets[a] << 24 | octets[b] << 16 | octets[c] << 8 | octets[d]
    except KeyError:
        return None
    if not slash:
        return token + "/32"
    prefix_length = IPV4_PREFIX_LENGTHS.get(length)
    if prefix_length is None or value & IPV4_HOST_MASKS[prefix_length]:
        return None
    return token


IPV6_PREFIX_LENGTHS: dict[str, int] = {str(n): n for n in range(129)}
# One hextet as ipaddress writes it (lower-case hex, no leading zero), and an address made
# of them with at most one '::'.
_HEXTET = "(?:[1-9a-f][0-9a-f]{0,3}|0)"
_IPV6_FORM = re.compile(
    rf"{_HEXTET}(?::{_HEXTET})*(?:::(?:{_HEXTET}(?::{_HEXTET})*)?)?|::(?:{_HEXTET}(?::{_HEXTET})*)?"
)


def _ipv6_parts(token: str) -> tuple[str, str, int] | None:
    """``(before '::', after '::', zero hextets '::' stands for)`` if ``token`` is an IPv6
    address written exactly as ``str()`` of an ``ipaddress.IPv6Address`` writes it, else
    ``None`` (without '::', the whole address and 0).

    That form (RFC 5952) is what iproute2 prints: lower-case hex without leading zeros,
    and the longest run of two or more zero hextets (the first of equal runs) written
    ``::``. Any other spelling, valid or not (upper case, ``0000``, an embedded IPv4
    address, a zone), is the caller's to hand to ipaddress, which this only spares.
    Every test is a string operation in C: this runs on every IPv6 word of an output.
    """
    # An IPv4-mapped address is printed in hex by some Pythons and dotted by others (3.13).
    if len(token) > 39 or token.startswith("::ffff:") or not _IPV6_FORM.fullmatch(token):
        return None
    left, double, right = token.partition("::")
    in_left = left.count(":") + 1 if left else 0
    if not double:
        # Eight hextets, no two zeros in a row (ipaddress would have written '::').
        return (left, "", 0) if in_left == 8 and ":0:0:" not in f":{left}:" else None
    run = 8 - in_left - (right.count(":") + 1 if right else 0)
    # '::' stands for two zero hextets or more, and for the run ipaddress compresses:
    # longer than every run before it, at least as long as every run after it, and
    # with no zero next to it (that zero would belong to the run).
    if run < 2 or f":{left}".endswith(":0") or f"{right}:".startswith("0:"):
        return None
    zeros = ":0" * run
    if f"{zeros}:" in f":{left}:" or f"{zeros}:0:" in f":{right}:":
        return None
    return left, right, run


def ipv6_hextets(token: str) -> list[str] | None:
    """The eight hextets of ``token`` (``"0"`` for each one ``::`` stands for) if it is an
    IPv6 address as ipaddress and iproute2 write it (see :func:`_ipv6_parts`), else ``None``."""
    parts = _ipv6_parts(token)
    if parts is None:
        return None
    left, right, run = parts
    return [*(left.split(":") if left else ()), *(["0"] * run), *(right.split(":") if right else ())]


def is_ipv6(token: str) -> bool:
    """An IPv6 address as ipaddress and iproute2 write it."""
    return _ipv6_parts(token) is not None


def ipv6_destination(token: str) -> str | None:
    """``token`` as a route destination CIDR if it is an IPv6 host address or an IPv6
    prefix without host bits, written as ipaddress writes it (``fe80::/64``,
    ``fd00::1`` -> ``fd00::1/128``); else ``None``, and the caller asks ipaddress."""
    address, slash, length = token.partition("/")
    parts = _ipv6_parts(address)
    if parts is None:
        return None
    if not slash:
        return f"{token}/128"
    prefix_length = IPV6_PREFIX_LENGTHS.get(length)
    if prefix_length is None:
        return None
    _left, right, run = parts
    if not right and (8 - run) * 16 <= prefix_length:
        return token  # every hextet past the prefix is one '::' stands for
    hextets = ipv6_hextets(address)
    assert hextets is not None
    value = int("".join(hextet.rjust(4, "0") for hextet in hextets), 16)
    return None if value & ((1 << (128 - prefix_length)) - 1) else token


def parse_ipv4(origin: Origin, index: int, source: str, token: str, what: str) -> str:
    if not is_ipv4(token):
        origin.fail(index, f"{what} {token!r} is not an IPv4 address", source)
    return token


def parse_interface(origin: Origin, index: int, source: str, token: str, what: str) -> str:
    """A CIDR as printed by iproute2 (``10.0.0.4/24``); host bits are allowed."""
    if ipv4_prefix(token) is not None:
        return token
    address, slash, length = token.partition("/")
    if slash and length in IPV6_PREFIX_LENGTHS and is_ipv6(address):
        return token
    try:
        iface = ipaddress.ip_interface(token)
    except ValueError:
        origin.fail(
            index, f"{what} {token!r} is not a valid address/prefix-length (expected e.g. 10.240.0.4/16)", source
        )
    return iface.with_prefixlen


def parse_prefix(origin: Origin, index: int, source: str, token: str, what: str) -> str:
    """A route destination: ``default``, a bare address (a host route) or a CIDR."""
    if token == "default":
        return "default"
    fast = ipv4_destination(token) or ipv6_destination(token)
    if fast is not None:
        return fast
    try:
        net = ipaddress.ip_network(token, strict=True)
    except ValueError:
        try:
            ipaddress.ip_network(token, strict=False)
        except ValueError:
            origin.fail(index, f"{what} {token!r} is not an IP prefix", source)
        origin.fail(index, f"{what} {token!r} has host bits set", source)
    return net.with_prefixlen


MAC_HEX = frozenset("0123456789abcdef")
_MAC_CHARS = MAC_HEX | {":"}


def is_mac(token: str, octets: int | None = None) -> bool:
    """A link-layer address as iproute2 prints it: lower-case hex octets joined by ``:``."""
    parts = token.split(":")
    if octets is not None and len(parts) != octets:
        return False
    # Colons at every third place and nowhere else make every octet two characters;
    # then one set test says they are hex.
    count = len(parts)
    return count >= 2 and len(token) == 3 * count - 1 and token[2::3] == ":" * (count - 1) and set(token) <= _MAC_CHARS
