"""The one JSON reader of the ``ip -j`` parsers (generator/parsers/_json.py).

What golden files cannot show: hostile nesting ends in a located message (never a
RecursionError), the three commands word JSON errors the same way, every value is what
:func:`json.loads` gives, and positions point at the right lines.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import ParseError
from generator.parsers import _json, ip_json, ip_route
from generator.parsers._common import Origin
from generator.parsers._json import MAX_DEPTH, ElisionRule, JsonArray, JsonObject

DEEP = 100_000
PARSERS = {
    "ip -j addr": ip_json.parse_addr,
    "ip -j -d link": ip_json.parse_link,
    "ip -j route": ip_route.parse_json,
}


def _error(command: str, text: str, first_line: int = 1) -> str:
    with pytest.raises(ParseError) as caught:
        PARSERS[command](text, origin=Origin(file="capture.yaml", command=command, first_line=first_line))
    return str(caught.value)


def _read(text: str, rule: ElisionRule = ElisionRule.BETWEEN_ITEMS) -> _json.JsonDocument:
    origin = Origin(file="capture.yaml", command="ip -j addr")
    return _json.read(text, origin, command="ip -j addr", element="interface", nouns={}, elisions=rule)


@pytest.mark.parametrize("command", sorted(PARSERS))
def test_a_value_nested_100000_deep_is_a_located_error(command: str) -> None:
    text = '[{"ifname": ' + "[" * DEEP + "]" * DEEP + "}]"
    column = len('[{"ifname": ') + MAX_DEPTH - 1
    message = _error(command, text, first_line=7)
    assert message.splitlines()[0] == (
        f"capture.yaml:7 [{command}]: JSON nested deeper than 32 levels at column {column}; "
        "expected at most 32 (iproute2 nests a few levels)"
    )


@pytest.mark.parametrize(("command", "noun"), [("ip -j addr", "an interface"), ("ip -j route", "a route")])
def test_a_bare_array_100000_deep_is_a_located_error(command: str, noun: str) -> None:
    message = _error(command, "[" * DEEP + "]" * DEEP)
    assert message.splitlines()[0] == (
        f"capture.yaml:1 [{command}]: found '[' at column 2 in the JSON array; expected {noun} object '{{', ',' or ']'"
    )


def test_the_depth_limit_counts_the_top_level_array() -> None:
    inner = MAX_DEPTH - 2  # the top-level array and the interface object are two levels
    doc = _read('[{"a": ' + "[" * inner + "]" * inner + "}]")
    value = doc.items[0]["a"]
    for _ in range(inner - 1):
        value = value[0]
    assert value == []
    with pytest.raises(ParseError, match="nested deeper than 32 levels"):
        _read('[{"a": ' + "[" * (inner + 1) + "]" * (inner + 1) + "}]")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '{"dst": "default" "dev": "eth0"}',
            "not valid JSON: found '\"' at column 20 in {noun} object; expected ',' or '}}'",
        ),
        (
            '{"dst": "default", "dst": "default"}',
            "key 'dst' appears twice in {noun} object; expected each key once",
        ),
        (
            '{"flags": ["a" "b"]}',
            "not valid JSON: found '\"' at column 17 in 'flags' of {noun} object; expected ',' or ']'",
        ),
        (
            '{"dev": "eth0\\q"}',
            "not valid JSON: found '\\\\' at column 15 in 'dev' of {noun} object; "
            'expected a JSON escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hex digits)',
        ),
        (
            '{"dev": "eth0\t"}',
            "not valid JSON: found '\\t' at column 15 in 'dev' of {noun} object; "
            "expected the closing '\"' of the string (control characters must be escaped)",
        ),
        (
            '{"metric": NaN}',
            "not valid JSON: found 'N' at column 13 in 'metric' of {noun} object; "
            "expected a JSON value (a string, number, object, array, true, false or null)",
        ),
        (
            '{"metric": 1' + "0" * 5000 + "}",
            "a number of 5001 digits at column 13 in 'metric' of {noun} object; expected at most 4300 digits",
        ),
    ],
)
def test_json_errors_have_one_wording_for_every_command(body: str, message: str) -> None:
    nouns = {"ip -j addr": "an interface", "ip -j -d link": "an interface", "ip -j route": "a route"}
    for command, noun in nouns.items():
        headline = _error(command, f"[{body}]").splitlines()[0]
        assert headline == f"capture.yaml:1 [{command}]: " + message.format(noun=noun)


def test_a_cut_output_says_where_it_ends() -> None:
    assert _error("ip -j route", '[{"dst": "default"').splitlines()[0] == (
        "capture.yaml:1 [ip -j route]: the output ends inside a route object; expected ',' or '}'"
    )
    assert _error("ip -j addr", '[{"ifname": "eth0').splitlines()[0] == (
        "capture.yaml:1 [ip -j addr]: the output ends inside 'ifname' of an interface object; "
        "expected the closing '\"' of the string (control characters must be escaped)"
    )


def test_errors_name_the_place_inside_nested_objects() -> None:
    text = '[{"dst": "10.0.0.0/8", "nexthops": [{"dev": "eth0",}]}]'
    assert _error("ip -j route", text).splitlines()[0] == (
        "capture.yaml:1 [ip -j route]: not valid JSON: found '}' at column 52 in a nexthop object "
        "in 'nexthops' of a route object; expected a key in double quotes"
    )


def test_positions_are_the_offsets_of_objects_keys_and_items() -> None:
    text = '[ {\n    "ifname": "lo",\n    "addr_info": [ {\n        "local": "127.0.0.1"\n    } ]\n} ]\n'
    doc = _read(text)
    link = doc.items[0]
    assert isinstance(link, JsonObject)
    assert [doc.line_of(link.pos), doc.line_of(link.key_pos["ifname"]), doc.line_of(link.key_pos["addr_info"])] == [
        1,
        2,
        3,
    ]
    addresses = link["addr_info"]
    assert isinstance(addresses, JsonArray)
    assert text[addresses.pos] == "[" and text[addresses.item_pos[0]] == "{"
    assert doc.line_of(addresses[0].pos) == 3
    assert doc.line_of(addresses[0].key_pos["local"]) == 4


def test_elision_rules_differ_only_inside_objects_and_at_commas() -> None:
    inside = '[{"ifname": "lo",\n...\n"mtu": 1}]'
    assert _read(inside, ElisionRule.AS_BLANK).items == [{"ifname": "lo", "mtu": 1}]
    with pytest.raises(ParseError, match="an elision inside an interface object"):
        _read(inside, ElisionRule.BETWEEN_ITEMS)
    dangling = '[{"ifname": "lo"},\n...\n]'
    assert len(_read(dangling, ElisionRule.BETWEEN_ITEMS).items) == 1
    with pytest.raises(ParseError, match="a ',' right before"):
        _read(dangling, ElisionRule.AS_BLANK)
    for rule in ElisionRule:
        assert [e.line for e in _read(inside if rule is ElisionRule.AS_BLANK else dangling, rule).elisions] == [2]


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, indent=st.sampled_from([None, 0, 2, 4]), ascii_only=st.booleans())
def test_values_are_what_json_loads_gives(value: Any, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps([{"key": value}], indent=indent, ensure_ascii=ascii_only)
    assert _read(text).items == json.loads(text)


def test_the_first_problem_in_the_output_is_the_one_reported() -> None:
    # ip -j addr checks each interface as it is read: the unknown key on line 1 comes first.
    addr = '[{"ifindex":1,"ifname":"lo","flags":[],"addr_info":[],"bogus":1},\n{"ifindex":2 "ifname":"x"}]'
    assert _error("ip -j addr", addr).splitlines()[0] == (
        "capture.yaml:1 [ip -j addr]: unknown key 'bogus' in interface 'lo'; expected a key iproute2 prints "
        "for ip -j addr (a key added by a newer iproute2 must be listed in ip_json's known keys)"
    )
    # ip -j route reads the whole output first, as it always has: the syntax error wins.
    route = '[{"dst":"default","bogus":1},\n{"dst":"default" "dev":"x"}]'
    assert _error("ip -j route", route).splitlines()[0] == (
        "capture.yaml:2 [ip -j route]: not valid JSON: found '\"' at column 18 in a route object; expected ',' or '}'"
    )
