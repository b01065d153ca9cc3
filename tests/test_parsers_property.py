"""On any text at all, every parser returns records or raises ParseError: nothing else."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import parsers
from generator.errors import ParseError
from generator.parsers import Origin, Record
from tests.conftest import FIXTURES

# Text that looks like command output is likelier to reach deep parser paths than pure noise.
ALPHABET = st.sampled_from([*"0123456789abcdefABCDEF:./<>@ \t\n-,_[]{}\"'!*UHG", "\r", "é", "\x00"])
TOKENS = st.sampled_from(
    [
        "inet ",
        "inet6 ",
        "link/ether ",
        "brd ",
        "scope ",
        "global ",
        "mtu ",
        "qdisc ",
        "state ",
        "UP ",
        "master ",
        "valid_lft forever preferred_lft forever",
        "bridge name",
        "bridge id",
        "STP enabled",
        "interfaces",
        "Kernel IP routing table",
        "Destination",
        "Gateway",
        "Genmask",
        "Flags",
        "Metric",
        "Ref",
        "Use",
        "Iface",
        "255.255.255.0",
        "0.0.0.0",
        "10.0.0.1",
        "default",
        "via ",
        "dev ",
        "proto ",
        "nexthop ",
        "blackhole ",
        "{",
        "}",
        "[",
        "]",
        '"ifname": ',
        '"dst": ',
        '"addr_info": ',
        ",",
        ":",
        "\n",
        "    ",
        "       ",
        "1: ",
        "15: eth0@if16: <BROADCAST,UP,LOWER_UP> ",
        "8000.0242107e030e",
        "no",
        "yes",
        ".",
        "...",
    ]
)
TEXT = st.one_of(
    st.text(ALPHABET, max_size=300),
    st.lists(st.one_of(TOKENS, st.text(ALPHABET, max_size=8)), max_size=60).map("".join),
)


def _mutations_of_fixtures() -> list[str]:
    """Real outputs cut at random points are the most realistic garbage."""
    return [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*/*.txt"))]


SEEDS = _mutations_of_fixtures()


@st.composite
def damaged_fixture(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS)) if SEEDS else ""
    if not text:
        return text
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, len(text)))
    insert = draw(st.text(ALPHABET, max_size=10))
    return text[:start] + insert + text[end:]


@pytest.mark.parametrize("parser", parsers.PARSERS, ids=lambda p: p.slug)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(TEXT, damaged_fixture()))
def test_parser_returns_records_or_parse_error(parser: parsers.Parser, text: str) -> None:
    origin = Origin(file="fuzz.txt", command=parser.command)
    try:
        records = parser.parse(text, origin=origin)
    except ParseError as exc:
        assert exc.problems and all(p.location.file == "fuzz.txt" for p in exc.problems)
        return
    assert isinstance(records, list)
    assert all(isinstance(r, Record) for r in records)
