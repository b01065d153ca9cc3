"""The parsers' fast paths accept and give exactly what their careful paths do.

The speed-ups (address checks by lookup instead of ipaddress objects, route -n rows
of known-good values, ip route and ip addr values checked once per output, records built
without the dataclass __init__) must not change one accepted input, one record or one message.
Each test here compares a fast path with the slow reference it replaces.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.errors import ParseError
from generator.parsers import ip_addr, ip_route, route_n
from generator.parsers._common import (
    MAC_HEX,
    Elision,
    Origin,
    Record,
    builder,
    ipv4_destination,
    ipv4_prefix,
    ipv4_value,
    ipv6_destination,
    is_elision,
    is_ipv4,
    is_ipv6,
    is_mac,
)
from tests.conftest import FIXTURES

# Digits other than 0-9 are the classic trap: str.isdigit() accepts them, ipaddress does not.
ADDRESS_ALPHABET = st.sampled_from([*"0123456789./", "00", "25", "255", "256", "\u0663", "\uff11", " ", "-", "+", "\n"])
TOKENS = st.lists(ADDRESS_ALPHABET, max_size=20).map("".join)


def _reference_ipv4(token: str) -> int | None:
    try:
        return int(ipaddress.IPv4Address(token))
    except ValueError:
        return None


@settings(max_examples=2000, deadline=None)
@given(token=TOKENS)
@example("0.0.0.0")
@example("255.255.255.255")
@example("01.2.3.4")
@example("1.2.3")
@example("1.2.3.4.5")
@example("1.2.3.256")
@example("\u0661.2.3.4")
@example("1.2.3.4/24")
def test_ipv4_checks_accept_exactly_what_ipaddress_accepts(token: str) -> None:
    assert ipv4_value(token) == _reference_ipv4(token)
    assert is_ipv4(token) == (_reference_ipv4(token) is not None)


@settings(max_examples=2000, deadline=None)
@given(token=TOKENS)
@example("10.0.0.0/8")
@example("10.0.0.0/08")
@example("10.0.0.0/33")
@example("10.0.0.0/255.0.0.0")
@example("10.0.0.4/24")
def test_ipv4_prefix_takes_only_spellings_ipaddress_writes_back_unchanged(token: str) -> None:
    fast = ipv4_prefix(token)
    if fast is None:
        return
    interface = ipaddress.IPv4Interface(token)
    assert fast == (int(interface.ip), interface.network.prefixlen)
    assert interface.with_prefixlen == token


@settings(max_examples=2000, deadline=None)
@given(token=TOKENS)
@example("10.244.0.2")
@example("10.244.0.0/24")
@example("10.244.0.3/24")
@example("10.244.0.0/024")
@example("0.0.0.0/0")
def test_ipv4_destination_is_what_ipaddress_makes_of_a_route_destination(token: str) -> None:
    fast = ipv4_destination(token)
    try:
        network = ipaddress.IPv4Network(token, strict=True)
    except ValueError:
        assert fast is None
        return
    # The fast path may leave odd spellings (/024, /255.255.255.0) to ipaddress, never differ.
    assert fast is None or fast == network.with_prefixlen


# Hextets as printed and as not printed (leading zeros, upper case, too long, not hex),
# and the other pieces an IPv6 token is made of or mistaken with.
HEXTETS = st.sampled_from(["0", "0", "0", "1", "ab", "fe80", "ffff", "abcd", "00", "0001", "ABCD", "12345", "g", ""])


def _ipv6_token(hextets: list[str], double: int | None, length: str) -> str:
    """The hextets joined by ':', with '::' in place of the one at ``double`` when given."""
    if double is None:
        return ":".join(hextets) + length
    return ":".join(hextets[:double]) + "::" + ":".join(hextets[double:]) + length


IPV6_TOKENS = st.builds(
    _ipv6_token,
    st.lists(HEXTETS, max_size=9),
    st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
    st.sampled_from(["", "", "/64", "/128", "/0", "/064", "/129", "/1", "/127", "/x"]),
)
# Addresses as ipaddress writes them: zero hextets often, in runs, so every compression case comes up.
CANONICAL_IPV6 = st.lists(st.sampled_from([0, 0, 0, 1, 0xFE80, 0xFFFF, 0x1A]), min_size=8, max_size=8).map(
    lambda hextets: str(ipaddress.IPv6Address(sum(h << (16 * (7 - i)) for i, h in enumerate(hextets))))
)


def _reference_ipv6(token: str) -> str | None:
    try:
        return str(ipaddress.IPv6Address(token))
    except ValueError:
        return None


@settings(max_examples=3000, deadline=None)
@given(token=IPV6_TOKENS)
@example("::")
@example("::1")
@example("1::")
@example("fe80::1")
@example("1:0::2")
@example("1::0:2")
@example("1:0:0:2::3")
@example("1::2:0:0:3")
@example("1:2:3:4:5:6:7::")
@example("1:2:3:4:5:6::7:8")
@example("1:0:0:1:0:0:1:1")
@example("::ffff:102:304")
@example("FE80::1")
def test_is_ipv6_takes_only_what_ipaddress_writes_back_unchanged(token: str) -> None:
    assert not is_ipv6(token) or _reference_ipv6(token) == token


@settings(max_examples=2000, deadline=None)
@given(address=CANONICAL_IPV6)
@example("1:0:0:2::")
@example("::1:0:0:2")
def test_is_ipv6_takes_every_address_as_ipaddress_writes_it(address: str) -> None:
    # IPv4-mapped addresses are left to ipaddress: Pythons write them differently.
    assert is_ipv6(address) or address.startswith("::ffff:")


@settings(max_examples=3000, deadline=None)
@given(token=st.one_of(IPV6_TOKENS, st.builds("{}/{}".format, CANONICAL_IPV6, st.integers(0, 128))))
@example("fe80::/64")
@example("fe80::1/64")
@example("fd00::1")
@example("::/0")
@example("fe80::/064")
def test_ipv6_destination_is_what_ipaddress_makes_of_a_route_destination(token: str) -> None:
    fast = ipv6_destination(token)
    try:
        network = ipaddress.IPv6Network(token, strict=True)
    except ValueError:
        assert fast is None
        return
    assert fast is None or fast == network.with_prefixlen
    # A destination written as ipaddress writes it takes the fast path (IPv4-mapped ones aside).
    as_written = token in (network.with_prefixlen, str(network.network_address))
    assert fast is not None or not as_written or token.startswith("::ffff:")


def _reference_is_mac(token: str, octets: int | None) -> bool:
    parts = token.split(":")
    if octets is not None and len(parts) != octets:
        return False
    return len(parts) >= 2 and all(len(p) == 2 and set(p) <= MAC_HEX for p in parts)


@settings(max_examples=2000, deadline=None)
@given(
    token=st.lists(st.sampled_from(["0", "a", "f", "g", "A", ":", "::", "00", "0a:", "\u0663"]), max_size=14).map(
        "".join
    )
)
@example(token="a:bcd")
@example(token="00:0d:3a:9c:96:47")
@example(token="00:0d:3a:9c:96:4")
def test_is_mac_agrees_with_the_octet_by_octet_check(token: str) -> None:
    for octets in (None, 6):
        assert is_mac(token, octets) == _reference_is_mac(token, octets)


@settings(max_examples=1000, deadline=None)
@given(
    token=st.lists(
        st.sampled_from(["1", "0", "\u0663", "\u00b2", "sec", "forever", "link", "host", "x", "-"]), max_size=4
    ).map("".join)
)
def test_ip_addr_word_checks_accept_what_their_former_regexes_did(token: str) -> None:
    # Words from str.split() hold no newline, where the regexes' '$' would differ.
    assert ip_addr._is_scope(token) == bool(re.match(r"^(host|link|global|site|nowhere|universe|\d+)$", token))
    assert ip_addr._is_lifetime(token) == bool(re.match(r"^(forever|\d+sec)$", token))


def _outcome(parse: object, text: str, command: str) -> str:
    try:
        return repr(parse(text, origin=Origin(file="f.txt", command=command)))  # type: ignore[operator]
    except ParseError as exc:
        return f"error: {exc}"


ROUTE_N_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "route-n").glob("*.txt"))]


@pytest.mark.parametrize("text", ROUTE_N_TEXTS, ids=[p.stem for p in sorted((FIXTURES / "route-n").glob("*.txt"))])
def test_route_n_fast_rows_change_nothing_on_the_fixtures(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _outcome(route_n.parse, text + text, "route -n")
    monkeypatch.setattr(route_n, "_fast_row", lambda *args: None)
    assert fast == _outcome(route_n.parse, text + text, "route -n")


# Each column from values that are right, almost right or right only in another column.
ADDRESSES = ["0.0.0.0", "10.244.0.0", "10.244.0.3", "10.244.0.03", "10.240.0.1", "-", "*", "\u0661.2.3.4"]
MASKS = ["0.0.0.0", "255.255.255.0", "255.255.255.255", "255.0.255.0", "255.255.255.256", "-"]
FLAGS = ["U", "UG", "UH", "UH", "UGH", "!H", "!", "G", "UU", "U!"]
NUMBERS = ["0", "0", "0", "100", "-", "\u0661", "-1"]
IFACES = ["eth0", "cali1", "*", "-"]
ROWS = st.tuples(
    *(st.sampled_from(c) for c in (ADDRESSES, ADDRESSES, MASKS, FLAGS, NUMBERS, NUMBERS, NUMBERS, IFACES))
).map(" ".join)
HEADER = "Kernel IP routing table\nDestination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"
GOOD_ROW = "10.244.0.2      0.0.0.0         255.255.255.255 UH    0      0        0 cali16fcf5898b5\n"


@settings(max_examples=500, deadline=None)
@given(rows=st.lists(ROWS, max_size=6))
@example(rows=["10.244.0.3 0.0.0.0 255.255.255.0 UH 0 0 0 eth0"])
@example(rows=["10.244.0.0 10.240.0.1 255.255.255.0 !H 0 0 0 eth0"])
def test_route_n_fast_rows_agree_with_the_full_checks_on_any_row(rows: list[str]) -> None:
    # A good row first fills the known flags and numbers the fast path relies on.
    text = HEADER + GOOD_ROW + "".join(f"{row}\n" for row in rows)
    fast = _outcome(route_n.parse, text, "route -n")
    original = route_n._fast_row
    route_n._fast_row = lambda *args: None
    try:
        slow = _outcome(route_n.parse, text, "route -n")
    finally:
        route_n._fast_row = original
    assert fast == slow


IP_ROUTE_CASES = sorted(p.with_suffix(".txt") for p in (FIXTURES / "ip-route").glob("*.json"))


@pytest.mark.parametrize("case", IP_ROUTE_CASES, ids=[p.stem for p in IP_ROUTE_CASES])
def test_ip_route_values_checked_once_per_output_give_what_each_line_gives_alone(case: Path) -> None:
    """Parsing a whole output equals parsing each route (with its nexthop lines) on its own."""
    text = case.read_text(encoding="utf-8")
    whole = ip_route.parse_text(text, origin=Origin(file="f.txt", command="ip route"))
    lines = text.split("\n")
    alone: list[Record] = []
    for record in whole:
        start = record.line - 1
        end = start + 1 + len(getattr(record, "nexthops", ()))
        chunk = "\n".join(lines[start:end])
        alone.extend(
            ip_route.parse_text(chunk, origin=Origin(file="f.txt", command="ip route", first_line=record.line))
        )
    assert alone == whole


def test_ip_route_a_value_checked_once_still_fails_where_it_is_wrong() -> None:
    text = "10.0.0.0/24 dev eth0 metric 100\n10.0.1.0/24 dev eth0 metric 100\n10.0.2.0/24 dev eth/0 metric 100\n"
    with pytest.raises(ParseError) as caught:
        ip_route.parse_text(text, origin=Origin(file="f.txt", command="ip route"))
    assert str(caught.value) == (
        "f.txt:3 [ip route]: dev 'eth/0' is not an interface name\n    | 10.0.2.0/24 dev eth/0 metric 100"
    )


def test_ip_route_error_lines_are_shown_without_a_pasted_carriage_return() -> None:
    with pytest.raises(ParseError) as caught:
        ip_route.parse_text(
            "default via 10.0.0.1 dev eth0\r\nbogus\r\n", origin=Origin(file="f.txt", command="ip route")
        )
    assert str(caught.value) == "f.txt:2 [ip route]: destination 'bogus' is not an IP prefix\n    | bogus"


def test_build_equals_the_dataclass_constructor() -> None:
    values = {"line": 3, "destination": "10.0.0.0/24", "dev": "eth0", "metric": 100, "flags": ("onlink",)}
    built = builder(ip_route.IpRoute)(dict(values))
    made = ip_route.IpRoute(**values)  # type: ignore[arg-type]
    assert built == made and hash(built) == hash(made) and repr(built) == repr(made)
    assert built.to_json() == made.to_json()
    assert (built.gateway, built.nexthops) == (None, ())
    with pytest.raises(TypeError, match="no value for field 'destination'"):
        builder(ip_route.IpRoute)({"line": 3})


def test_ip_route_text_records_are_the_dataclass_records() -> None:
    """The text parser fills a blank record's attribute dict: it must be the same frozen record."""
    (parsed,) = ip_route.parse_text(
        "10.0.0.0/24 via 10.0.0.1 dev eth0 proto static metric 100 onlink\n",
        origin=Origin(file="f.txt", command="ip route"),
    )
    made = ip_route.IpRoute(
        line=1, destination="10.0.0.0/24", gateway="10.0.0.1", dev="eth0", proto="static", metric=100, flags=("onlink",)
    )
    assert parsed == made and hash(parsed) == hash(made) and repr(parsed) == repr(made)
    assert parsed.to_json() == made.to_json()
    with pytest.raises(dataclasses.FrozenInstanceError):
        parsed.dev = "eth1"  # type: ignore[misc]


@pytest.mark.parametrize(
    "after",
    ["", "10.9.0.0/16 dev eth0\n", "...\n"],
    ids=["at the end", "before a route", "before an elision"],
)
def test_ip_route_multipath_families_are_checked_once_the_route_ends(after: str) -> None:
    text = (
        "default via 10.0.0.1 dev eth0\n"
        "10.50.0.0/16 proto static\n"
        "\tnexthop via 10.0.0.1 dev eth0 weight 1\n"
        "\tnexthop via fe80::1 dev eth1 weight 1\n" + after
    )
    with pytest.raises(ParseError) as caught:
        ip_route.parse_text(text, origin=Origin(file="f.txt", command="ip route"))
    assert str(caught.value) == (
        "f.txt:2 [ip route]: addresses of different families in one route: destination '10.50.0.0/16' (IPv4), "
        "gateway '10.0.0.1' (IPv4), gateway 'fe80::1' (IPv6) (expected one family)\n    | 10.50.0.0/16 proto static"
    )


def test_ip_route_a_multipath_route_ends_where_the_next_begins() -> None:
    text = (
        "10.50.0.0/16 proto static\n"
        "\tnexthop via 10.0.0.1 dev eth0 weight 1\n"
        "\tnexthop via 10.0.1.1 dev eth1 weight 2\n"
        "fd00::/64 via fe80::1 dev eth0\n"
    )
    first, second = ip_route.parse_text(text, origin=Origin(file="f.txt", command="ip route"))
    assert isinstance(first, ip_route.IpRoute) and isinstance(second, ip_route.IpRoute)
    assert [(n.line, n.gateway, n.weight) for n in first.nexthops] == [(2, "10.0.0.1", 1), (3, "10.0.1.1", 2)]
    assert (second.line, second.destination, second.gateway, second.nexthops) == (4, "fd00::/64", "fe80::1", ())


# ---------------------------------------------------------------------------- ip addr

IP_ADDR_ORIGIN = Origin(file="f.txt", command="ip addr")


@settings(max_examples=1000, deadline=None)
@given(
    peer=st.lists(st.sampled_from(["if", "i", "f", "1", "0", "\u0663", "\u00b2", "x", "@"]), max_size=4).map("".join)
)
def test_ip_addr_peer_ifindex_is_what_its_former_regex_read(peer: str) -> None:
    expected = int(peer[2:]) if re.fullmatch(r"if\d+", peer) else None
    assert ip_addr._peer_ifindex(peer) == expected
    assert ip_addr._peer_ifindex(None) is None


@settings(max_examples=1000, deadline=None)
@given(
    line=st.lists(
        st.sampled_from(
            ["#", ".", "...", "@", ":", "/", "$", "root", "node", "-", " ", "\t", "\r", "\x1c", "\u00a0", "x"]
        ),
        max_size=8,
    ).map("".join)
)
@example(line="root@node:/#")
@example(line="  ...  ")
@example(line="\u00a0#\u00a0")
@example(line="root@node:/# ip addr")
def test_ip_addr_elisions_are_the_lines_is_elision_names(line: str) -> None:
    """parse() tells an elision by its words, not with _common.is_elision(): the same lines."""
    try:
        records = ip_addr.parse(f"1: lo: <UP> mtu 65536\n{line}\n", origin=IP_ADDR_ORIGIN)
    except ParseError:
        records = []
    elisions = [r for r in records if isinstance(r, Elision)]
    if line.strip() and is_elision(line):
        assert elisions == [Elision(line=2, text=line.strip())]
    else:
        assert elisions == []


def _ip_addr_blocks_alone(blocks: list[str]) -> str:
    """Each interface block parsed on its own, as a whole output would be up to its first error."""
    records: list[Record] = []
    first_line = 1
    for block in blocks:
        try:
            records += ip_addr.parse(block, origin=dataclasses.replace(IP_ADDR_ORIGIN, first_line=first_line))
        except ParseError as exc:
            return f"error: {exc}"
        first_line += block.count("\n")
    return repr(records)


def _ip_addr_blocks(text: str) -> list[str]:
    """The text cut before every line that starts at the margin (a header, or an elision)."""
    blocks: list[str] = []
    for line in text.splitlines(keepends=True):
        if blocks and line[:1].isspace():
            blocks[-1] += line
        else:
            blocks.append(line)
    return blocks


IP_ADDR_CASES = sorted((FIXTURES / "ip-addr").glob("*.txt"))


@pytest.mark.parametrize("case", IP_ADDR_CASES, ids=[p.stem for p in IP_ADDR_CASES])
def test_ip_addr_values_checked_once_per_output_give_what_each_block_gives_alone(case: Path) -> None:
    text = case.read_text(encoding="utf-8")
    assert _outcome(ip_addr.parse, text, "ip addr") == _ip_addr_blocks_alone(_ip_addr_blocks(text))


# Small pools of values, so that a drawn output repeats some (as real ones do), in
# blocks where they pass and blocks where they fail. Right values are drawn four times
# as often as wrong ones (almost right, or right only elsewhere): a drawn output then
# often has blocks that pass before the one that fails.
def _mostly(right: list[str], wrong: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(right * 4 + wrong)


IP_ADDR_NAMES = st.sampled_from(["eth0", "eth0@if16", "lo", "veth1@eth0"])
IP_ADDR_FLAGS = _mostly(["<BROADCAST,MULTICAST,UP,LOWER_UP>", "<LOOPBACK,UP>", "<UP,10000>", "<>"], ["<UP,lower>"])
IP_ADDR_TAILS = _mostly(
    [
        " mtu 1500 qdisc noqueue state UP group default",
        " mtu 1500 qdisc noqueue state UP group default ",
        " mtu 65536 qdisc noqueue state UNKNOWN qlen 1000",
        "",
    ],
    [" mtu 1500 state up", " qlen 1000 qlen 1000", " master"],
)
IP_ADDR_LINKS = _mostly(
    [
        "link/ether aa:bb:cc:dd:ee:ff brd ff:ff:ff:ff:ff:ff",
        "link/ether aa:bb:cc:dd:ee:ff brd ff:ff:ff:ff:ff:ff link-netnsid 0",
        "link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
        "link/loopback AA:BB:CC:DD:EE:FF",
        "link/none",
    ],
    ["link/ether AA:BB:CC:DD:EE:FF brd ff:ff:ff:ff:ff:ff", "link/ether aa:bb:cc:dd:ee:ff brd ff:ff"],
)
IP_ADDR_ADDRESSES = _mostly(
    [
        "inet 10.0.0.4/24 brd 10.0.0.255 scope global eth0",
        "inet 10.0.0.1 peer 10.0.0.2/32 scope global",
        "inet6 fe80::1/64 scope link",
        "inet6 ::1/128 scope host",
    ],
    ["inet 10.0.0.4/24 scope global lo", "inet fe80::1/64 scope link", "inet6 10.0.0.4/24", "inet6 FE80::1/64"],
)
IP_ADDR_LIFETIMES = _mostly(
    ["valid_lft forever preferred_lft forever", "valid_lft 10sec preferred_lft 0sec"], ["valid_lft forever"]
)
IP_ADDR_BLOCKS = st.builds(
    lambda ifindex, name, flags, tail, link, addresses: "".join(
        [f"{ifindex}: {name}: {flags}{tail}\n", *(f"    {line}\n" for line in [*link, *addresses])]
    ),
    st.integers(1, 30),
    IP_ADDR_NAMES,
    IP_ADDR_FLAGS,
    IP_ADDR_TAILS,
    st.lists(IP_ADDR_LINKS, max_size=1),
    st.lists(st.tuples(IP_ADDR_ADDRESSES, IP_ADDR_LIFETIMES), max_size=3).map(
        lambda pairs: [line for pair in pairs for line in pair]
    ),
)


@settings(max_examples=1000, deadline=None)
@given(blocks=st.lists(IP_ADDR_BLOCKS, min_size=1, max_size=4))
@example(
    blocks=[
        "1: lo: <LOOPBACK,UP>\n    link/loopback AA:BB:CC:DD:EE:FF\n",
        "2: eth0: <UP>\n    link/ether AA:BB:CC:DD:EE:FF\n",
    ]
)
def test_ip_addr_values_checked_once_per_output_agree_with_the_full_checks(blocks: list[str]) -> None:
    """A value that passed once passes again; one that fails fails where it first appears."""
    assert _outcome(ip_addr.parse, "".join(blocks), "ip addr") == _ip_addr_blocks_alone(blocks)


def test_ip_addr_a_value_checked_once_still_fails_where_it_is_wrong() -> None:
    text = (
        "1: eth0: <UP> mtu 1500\n    inet6 fe80::1/64 scope link\n"
        "2: eth1: <UP> mtu 1500\n    inet fe80::1/64 scope link\n"
    )
    with pytest.raises(ParseError) as caught:
        ip_addr.parse(text, origin=IP_ADDR_ORIGIN)
    assert str(caught.value) == (
        "f.txt:4 [ip addr]: 'fe80::1/64' is not an IPv4 address\n    |     inet fe80::1/64 scope link"
    )


def test_ip_addr_error_lines_are_shown_without_a_pasted_carriage_return() -> None:
    with pytest.raises(ParseError) as caught:
        ip_addr.parse("1: lo: <UP> mtu 65536\r\n    bogus\r\n", origin=IP_ADDR_ORIGIN)
    assert str(caught.value).endswith("\n    |     bogus")


def test_ip_addr_records_are_the_dataclass_records() -> None:
    """Links and addresses are filled in place: they must be the same frozen records."""
    text = (FIXTURES / "ip-addr" / "busybox.txt").read_text(encoding="utf-8")
    for record in ip_addr.parse(text, origin=IP_ADDR_ORIGIN):
        assert isinstance(record, ip_addr.Link)
        for made_from, parsed in [(record, record), *((address, address) for address in record.addresses)]:
            names = {f.name for f in dataclasses.fields(parsed)}
            assert set(vars(parsed)) <= names
            made = type(made_from)(**{name: getattr(parsed, name) for name in names})
            assert parsed == made and hash(parsed) == hash(made) and repr(parsed) == repr(made)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.mtu = 9000  # type: ignore[misc]
