"""``route -n`` (also ``netstat -rn``): the kernel's IPv4 main routing table as net-tools prints it.

Yields one :class:`RouteEntry` per table row and an
:class:`~generator.parsers._common.Elision` for every ``.``/``...`` line. Example::

    Kernel IP routing table
    Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
    0.0.0.0         10.240.0.1      0.0.0.0         UG    0      0        0 eth0
    10.244.0.2      0.0.0.0         255.255.255.255 UH    0      0        0 cali16fcf5898b5

gives ``RouteEntry(destination="0.0.0.0/0", gateway="10.240.0.1", genmask="0.0.0.0",
prefix_length=0, flags="UG", reject=False, metric=0, ref=0, use=0, iface="eth0")`` and
``RouteEntry(destination="10.244.0.2/32", gateway=None, genmask="255.255.255.255",
prefix_length=32, flags="UH", ..., iface="cali16fcf5898b5")``.

Two column layouts exist, and both are read: ``Flags Metric Ref Use Iface`` (``route -n``,
``netstat -rne``) and ``Flags MSS Window irtt Iface`` (``netstat -rn``, ``route -ne``); a
record carries ``metric``/``ref``/``use`` or ``mss``/``window``/``irtt`` accordingly. The
``route -nee`` layout is refused: it cuts interface names to six characters.

What the printer does (net-tools ``lib/inet_gr.c``, ``rprint_fib``; busybox
``networking/route.c``, ``bb_displayroutes``), and so what is accepted here:

* rows come from ``/proc/net/route``, which lists the ``main`` table only, first nexthop
  only, without broadcast or multicast routes; routes that are not up are skipped, so a
  row's flags start with ``U`` unless the route rejects;
* an unreachable or prohibit route gets ``!`` in place of its ``U``/``G`` flags (``!``,
  ``!H``); net-tools then prints ``-`` for its gateway, Ref and Iface (and MSS, Window,
  irtt), busybox prints the numbers. ``-`` is accepted in those columns of such rows only;
* a route without a device (``blackhole``, ``throw``) shows ``U`` and the interface ``*``;
* the kernel always reports Ref and Use as 0; Metric is the route's priority.

``gateway`` is ``None`` for ``0.0.0.0`` (a directly connected route) and ``-``; ``iface``
is ``None`` for ``*`` and ``-``.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import ClassVar

from generator.parsers._common import (
    COMMENT,
    ELISION_MARKS,
    IPV4_HOST_MASKS,
    PROMPT_LINE,
    Elision,
    Origin,
    Record,
    builder,
    ipv4_value,
    lines,
    parse_int,
    parse_ipv4,
    without_note,
)

COMMAND = "route -n"

TITLE = "Kernel IP routing table"
# Column headers as tokens; the layout decides which numeric fields a row fills.
ROUTE_COLUMNS: tuple[str, ...] = ("Destination", "Gateway", "Genmask", "Flags", "Metric", "Ref", "Use", "Iface")
NETSTAT_COLUMNS: tuple[str, ...] = ("Destination", "Gateway", "Genmask", "Flags", "MSS", "Window", "irtt", "Iface")
_LAYOUTS: dict[tuple[str, ...], tuple[str, str, str]] = {
    ROUTE_COLUMNS: ("metric", "ref", "use"),
    NETSTAT_COLUMNS: ("mss", "window", "irtt"),
}

# Every letter rprint_fib can print. ``c`` stands for two kernel flags (RTF_ADDRCONF and
# RTF_CACHE), so it is the one letter that may appear twice.
FLAG_ORDER = "UGHRDMdacoefplwuin"
FLAG_LETTERS = frozenset(FLAG_ORDER)
REJECT = "!"


@dataclass(frozen=True)
class RouteEntry(Record):
    """One row of the table, keyed by ``destination`` (a CIDR built from Destination and Genmask)."""

    record_type: ClassVar[str] = "route-n-entry"
    destination: str
    gateway: str | None
    genmask: str
    prefix_length: int
    flags: str
    reject: bool
    iface: str | None
    metric: int | None = None
    ref: int | None = None
    use: int | None = None
    mss: int | None = None
    window: int | None = None
    irtt: int | None = None


# Every contiguous netmask, as str(IPv4Address) prints it, and its prefix length.
_NETMASKS: dict[str, int] = {str(ipaddress.IPv4Address((0xFFFFFFFF << (32 - n)) & 0xFFFFFFFF)): n for n in range(33)}


_new_entry = builder(RouteEntry)


def parse(text: str, *, origin: Origin) -> list[Record]:
    records: list[Record] = []
    columns: tuple[str, ...] | None = None
    title_seen = False
    # Flag strings and numbers already accepted by the full checks: rows repeat them.
    good_flags: set[str] = set()
    numbers: dict[str, int] = {}
    for index, source in lines(text):
        tokens = source.split()
        if not tokens:
            continue
        first = tokens[0]
        if (len(tokens) == 1 and (first in ELISION_MARKS or PROMPT_LINE.match(first))) or first.startswith(COMMENT):
            records.append(Elision(line=origin.line_of(index), text=source.strip()))
            continue
        if COMMENT in source:
            tokens = without_note(tokens)
        if columns is not None and len(tokens) == len(columns):
            row = _fast_row(origin, index, tokens, columns, good_flags, numbers)
            if row is not None:
                records.append(row)
                continue
        if first == "Kernel" and " ".join(tokens) == TITLE:
            if title_seen or columns is not None:
                origin.fail(index, f"a second {TITLE!r} title (expected one table per output)", source)
            title_seen = True
            continue
        if first == "Destination":
            if columns is not None:
                origin.fail(index, "a second column header (expected one table per output)", source)
            columns = _header(origin, index, source, tuple(tokens))
            continue
        if columns is None:
            origin.fail(
                index,
                f"route row before the column header (expected {TITLE!r} and then '{' '.join(ROUTE_COLUMNS)}' first)",
                source,
            )
        row = _row(origin, index, source, tokens, columns)
        if not row.reject:
            # Reject rows (flag '!', '-' columns) always take the full path.
            good_flags.add(row.flags)
            for token in tokens[4:7]:
                numbers[token] = int(token)
        records.append(row)
    return records


def _fast_row(
    origin: Origin,
    index: int,
    tokens: list[str],
    columns: tuple[str, ...],
    good_flags: set[str],
    numbers: dict[str, int],
) -> RouteEntry | None:
    """The row's record when it is a plain up route made of values seen valid before, else ``None``.

    ``None`` sends the row through :func:`_row`, which checks everything in order and
    says what is wrong, so this path decides nothing on its own: every test here is one
    :func:`_row` makes too, done with lookups instead of ipaddress objects.
    """
    dest_token, gateway_token, mask_token, flags, first, second, third, iface = tokens
    prefix_length = _NETMASKS.get(mask_token)
    destination = ipv4_value(dest_token)
    if (
        prefix_length is None
        or destination is None
        or destination & IPV4_HOST_MASKS[prefix_length]
        or flags not in good_flags
        or first not in numbers
        or second not in numbers
        or third not in numbers
        or iface == "-"
    ):
        return None
    if gateway_token == "0.0.0.0":
        gateway = None
    elif ipv4_value(gateway_token) is not None:
        gateway = gateway_token
    else:
        return None
    first_name, second_name, third_name = _LAYOUTS[columns]
    return _new_entry(
        {
            "line": origin.first_line + index,
            "destination": f"{dest_token}/{prefix_length}",
            "gateway": gateway,
            "genmask": mask_token,
            "prefix_length": prefix_length,
            "flags": flags,
            "reject": False,
            "iface": None if iface == "*" else iface,
            first_name: numbers[first],
            second_name: numbers[second],
            third_name: numbers[third],
        }
    )


def _header(origin: Origin, index: int, source: str, tokens: tuple[str, ...]) -> tuple[str, ...]:
    if tokens not in _LAYOUTS:
        origin.fail(
            index,
            f"column header {' '.join(tokens)!r} is not one this parser reads (expected "
            f"'{' '.join(ROUTE_COLUMNS)}' from route -n or '{' '.join(NETSTAT_COLUMNS)}' from netstat -rn)",
            source,
        )
    return tokens


def _row(origin: Origin, index: int, source: str, tokens: list[str], columns: tuple[str, ...]) -> RouteEntry:
    if len(tokens) != len(columns):
        hint = "; the row looks cut short" if len(tokens) < len(columns) else ""
        origin.fail(
            index,
            f"route row has {len(tokens)} columns, expected {len(columns)} ({' '.join(columns)}){hint}",
            source,
        )
    dest_token, gateway_token, mask_token, flags, first, second, third, iface_token = tokens
    reject = flags.startswith(REJECT)

    destination = parse_ipv4(origin, index, source, dest_token, "destination")
    gateway = _gateway(origin, index, source, gateway_token, reject)
    genmask = parse_ipv4(origin, index, source, mask_token, "genmask")
    prefix_length = _prefix_length(origin, index, source, genmask)
    network = ipaddress.IPv4Network(f"{destination}/{prefix_length}", strict=False)
    if str(network.network_address) != destination:
        origin.fail(
            index,
            f"destination {destination!r} has host bits set outside genmask {genmask!r} "
            f"(expected {network.network_address} for a /{prefix_length} route)",
            source,
        )
    _check_flags(origin, index, source, flags)

    names = _LAYOUTS[columns]
    numbers: dict[str, int | None] = {}
    for name, column, token in zip(names, columns[4:7], (first, second, third), strict=True):
        numbers[name] = _number(origin, index, source, token, column, reject)
    iface = None if iface_token == "*" or (reject and iface_token == "-") else iface_token
    if iface == "-":
        origin.fail(index, "'-' in the Iface column is printed only for reject routes (flag '!')", source)
    return RouteEntry(
        line=origin.line_of(index),
        destination=network.with_prefixlen,
        gateway=gateway,
        genmask=genmask,
        prefix_length=prefix_length,
        flags=flags,
        reject=reject,
        iface=iface,
        **numbers,
    )


def _gateway(origin: Origin, index: int, source: str, token: str, reject: bool) -> str | None:
    if token == "-":
        if not reject:
            origin.fail(index, "'-' in the Gateway column is printed only for reject routes (flag '!')", source)
        return None
    gateway = parse_ipv4(origin, index, source, token, "gateway")
    return None if gateway == "0.0.0.0" else gateway


def _prefix_length(origin: Origin, index: int, source: str, genmask: str) -> int:
    mask = int(ipaddress.IPv4Address(genmask))
    host_bits = ~mask & 0xFFFFFFFF
    # A netmask is ones then zeros, so its host part plus one is a power of two.
    if host_bits & (host_bits + 1):
        origin.fail(index, f"genmask {genmask!r} is not contiguous (expected a netmask such as 255.255.255.0)", source)
    return 32 - host_bits.bit_length()


def _check_flags(origin: Origin, index: int, source: str, flags: str) -> None:
    letters = flags.removeprefix(REJECT)
    for letter in letters:
        if letter == REJECT:
            origin.fail(index, f"flags {flags!r} have '!' after other flags (net-tools prints it first)", source)
        if letter not in FLAG_LETTERS:
            origin.fail(
                index,
                f"flag {letter!r} in {flags!r} is not a net-tools route flag "
                f"(expected letters from {FLAG_ORDER} or a leading '!')",
                source,
            )
        if letter != "c" and letters.count(letter) > 1:
            origin.fail(index, f"flag {letter!r} appears twice in {flags!r}", source)
    if not flags.startswith((REJECT, "U")):
        origin.fail(
            index,
            f"flags {flags!r} do not start with U "
            "(net-tools prints only routes that are up, and '!' first for a reject route)",
            source,
        )


def _number(origin: Origin, index: int, source: str, token: str, column: str, reject: bool) -> int | None:
    if token == "-":
        if not reject:
            origin.fail(index, f"'-' in the {column} column is printed only for reject routes (flag '!')", source)
        return None
    return parse_int(origin, index, source, token, column.lower())
