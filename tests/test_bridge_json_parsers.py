"""Properties of the JSON and bridge parsers that golden files cannot show on their own.

The main one: ``ip -j addr`` and ``ip addr`` of the same interfaces give the same
records apart from line numbers, so a guide page does not change with the form a
contributor captured.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from generator.errors import ParseError
from generator.parsers import brctl_show, bridge_link, ip_addr, ip_json
from generator.parsers._common import Origin, Record
from tests.conftest import FIXTURES

ADDR_ORIGIN = Origin(file="capture.yaml", command="ip -j addr", first_line=10)

# The text form of tests/fixtures/ip-j-addr/published-metallb-kind-node.txt, written
# out as iproute2 prints it (inside a kind node: link-netnsid, not link-netns), less
# the trailing blanks iproute2 leaves on some lines, which the text parser ignores.
METALLB_TEXT = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
    inet6 ::1/128 scope host
       valid_lft forever preferred_lft forever
2: veth4b6ac7a6@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether c6:ba:7c:49:bf:05 brd ff:ff:ff:ff:ff:ff link-netnsid 1
    inet 10.244.1.1/32 scope global veth4b6ac7a6
       valid_lft forever preferred_lft forever
6: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether 02:42:ac:12:00:02 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 172.18.0.2/16 brd 172.18.255.255 scope global eth0
       valid_lft forever preferred_lft forever
    inet6 fc00:f853:ccd:e793::2/64 scope global nodad
       valid_lft forever preferred_lft forever
    inet6 fe80::42:acff:fe12:2/64 scope link
       valid_lft forever preferred_lft forever
14: eth1@if15: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default
    link/ether 02:42:ac:13:00:03 brd ff:ff:ff:ff:ff:ff link-netnsid 0
    inet 172.19.0.3/16 brd 172.19.255.255 scope global eth1
       valid_lft forever preferred_lft forever
    inet6 fc00:f853:ccd:e791::3/64 scope global nodad
       valid_lft forever preferred_lft forever
    inet6 fe80::42:acff:fe13:3/64 scope link
       valid_lft forever preferred_lft forever
"""

# The text form of tests/fixtures/ip-j-addr/pretty-iproute2.txt: address flags,
# protocol, a secondary label, unnamed flag bits, a point-to-point tunnel with no
# lower device, a permanent MAC and an altname.
PRETTY_TEXT = """\
1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000
    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
    inet 127.0.0.1/8 scope host lo
       valid_lft forever preferred_lft forever
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000
    link/ether 00:0d:3a:9c:96:47 brd ff:ff:ff:ff:ff:ff permaddr 00:0d:3a:9c:96:48
    altname enP1p0s2
    inet 10.240.0.4/16 brd 10.240.255.255 scope global dynamic noprefixroute proto dhcp eth0
       valid_lft 3600sec preferred_lft 3600sec
    inet 10.240.0.5/16 scope global secondary eth0:1
       valid_lft forever preferred_lft forever
    inet6 fe80::20d:3aff:fe9c:9647/64 scope link deprecated flags 800
       valid_lft 120sec preferred_lft 0sec
5: cbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000
    link/ether 0a:58:0a:f4:01:01 brd ff:ff:ff:ff:ff:ff
    inet 10.244.1.1/24 brd 10.244.1.255 scope global cbr0
       valid_lft forever preferred_lft forever
16: veth1a2b3c4d@if3: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master cbr0 state UP group default
    link/ether e6:82:2e:aa:77:ff brd ff:ff:ff:ff:ff:ff link-netnsid 2
7: tun0@NONE: <POINTOPOINT,NOARP,UP,LOWER_UP> mtu 1480 qdisc noqueue state UNKNOWN group default qlen 1000
    link/ipip 192.168.50.50 peer 192.168.50.52
    inet 10.0.0.1 peer 10.0.0.2/32 scope global tun0
       valid_lft forever preferred_lft forever
"""


def _without_lines(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_lines(v) for k, v in value.items() if k != "line"}
    if isinstance(value, list):
        return [_without_lines(v) for v in value]
    return value


def _plain(records: list[Record]) -> list[Any]:
    return [_without_lines(r.to_json()) for r in records]


@pytest.mark.parametrize(
    ("fixture", "text"),
    [("published-metallb-kind-node.txt", METALLB_TEXT), ("pretty-iproute2.txt", PRETTY_TEXT)],
)
def test_json_and_text_forms_give_the_same_records(fixture: str, text: str) -> None:
    from_json = ip_json.parse_addr((FIXTURES / "ip-j-addr" / fixture).read_text(encoding="utf-8"), origin=ADDR_ORIGIN)
    from_text = ip_addr.parse(text, origin=Origin(file="capture.yaml", command="ip addr"))
    assert len(from_json) == len(from_text)
    assert _plain(from_json) == _plain(from_text)


def test_layout_changes_only_line_numbers() -> None:
    single_line = (FIXTURES / "ip-j-addr" / "published-metallb-kind-node.txt").read_text(encoding="utf-8")
    reindented = json.dumps(json.loads(single_line), indent=4) + "\n"
    flat = ip_json.parse_addr(single_line, origin=ADDR_ORIGIN)
    tall = ip_json.parse_addr(reindented, origin=ADDR_ORIGIN)
    assert _plain(flat) == _plain(tall)
    assert {r.line for r in flat} == {ADDR_ORIGIN.first_line}
    source_lines = reindented.split("\n")
    for record in tall:
        assert isinstance(record, ip_addr.Link)
        # Each record points at the line of its object's "{", followed by its ifindex.
        index = record.line - ADDR_ORIGIN.first_line
        assert source_lines[index].strip() in ("{", "[{", "[ {", "},{")
        assert f'"ifindex": {record.ifindex}' in source_lines[index + 1]
        for address in record.addresses:
            assert source_lines[address.line - ADDR_ORIGIN.first_line].strip() == "{"


def test_json_errors_point_at_the_file_line() -> None:
    text = '[ {\n    "ifindex": 1,\n    "ifname": "lo",\n    "flags": [ "UP" ]\n    "mtu": 65536\n} ]\n'
    with pytest.raises(ParseError) as caught:
        ip_json.parse_addr(text, origin=ADDR_ORIGIN)
    problem = caught.value.problems[0]
    assert problem.location.line == ADDR_ORIGIN.first_line + 4
    assert problem.message.startswith("not valid JSON")
    assert problem.source == '    "mtu": 65536'


def test_every_published_json_key_is_known() -> None:
    # A published capture must never fail on a key: that is what the ignore list is for.
    for folder, parse in (("ip-j-addr", ip_json.parse_addr), ("ip-j-d-link", ip_json.parse_link)):
        for case in sorted((FIXTURES / folder).glob("published-*.txt")):
            assert parse(case.read_text(encoding="utf-8"), origin=ADDR_ORIGIN), case


def test_link_peer_forms() -> None:
    text = json.dumps(
        [
            {"ifindex": 3, "ifname": "veth0", "flags": ["UP"], "link_index": 9, "link_netnsid": 1},
            {"ifindex": 4, "ifname": "eth0.100", "flags": ["UP"], "link": "eth0"},
            {"ifindex": 5, "ifname": "veth1", "flags": ["UP"], "link": "if12"},
            {"ifindex": 6, "ifname": "tunl0", "flags": ["NOARP"], "link": None},
            {"ifindex": 7, "ifname": "eth0", "flags": ["UP"]},
        ]
    )
    peers = [
        (r.peer, r.peer_ifindex) for r in ip_json.parse_link(text, origin=ADDR_ORIGIN) if isinstance(r, ip_addr.Link)
    ]
    assert peers == [("if9", 9), ("eth0", None), ("if12", 12), ("NONE", None), (None, None)]


def test_brctl_tabs_and_spaces_give_the_same_bridges() -> None:
    tabs = (
        "bridge name\tbridge id\t\tSTP enabled\tinterfaces\n"
        "cbr0\t\t8000.0a58a9f40101\tno\t\tveth1\n"
        "\t\t\t\t\t\t\tveth2\n"
    )
    spaces = (
        "bridge name     bridge id               STP enabled     interfaces\n"
        "cbr0            8000.0a58a9f40101       no              veth1\n"
        "                                                        veth2\n"
    )
    origin = Origin(file="capture.yaml", command="brctl show")
    assert brctl_show.parse(tabs, origin=origin) == brctl_show.parse(spaces, origin=origin)


def test_bridge_link_options_are_sorted_pairs() -> None:
    text = (
        "15: azv1@if14: <BROADCAST,UP,LOWER_UP> mtu 1500 master azure0 state forwarding priority 32 cost 2 \n"
        "    hairpin on learning off flood on mcast_router 2 backup_port azv2 \n"
    )
    (port,) = bridge_link.parse(text, origin=Origin(file="capture.yaml", command="bridge -d link"))
    assert isinstance(port, bridge_link.BridgePort)
    assert port.options == (
        ("backup_port", "azv2"),
        ("flood", "on"),
        ("hairpin", "on"),
        ("learning", "off"),
        ("mcast_router", "2"),
    )
    assert port.options_line == 2
