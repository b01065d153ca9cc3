"""Checks on the route parsers beyond the golden pairs.

The golden files are written by the parsers themselves (``UPDATE_GOLDEN=1``), so these
tests never read them: they run the parsers on the fixtures' inputs and say, from the
inputs alone, what the records must hold: every record points at the input line it came
from, and a few hand-checked facts per fixture that a regenerated golden file cannot hide.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any

import pytest

from generator import parsers
from generator.errors import ParseError
from generator.parsers import Origin, ip_route, records_to_json, route_n
from tests.conftest import FIXTURES

SLUGS = ("route-n", "ip-route", "ip-j-route")


def _parse(path: Path) -> list[dict[str, Any]]:
    """The records the parser registered for the fixture's folder makes of its input, as JSON data."""
    parser = parsers.by_slug(path.parent.name)
    assert parser is not None
    records = parser.parse(path.read_text(encoding="utf-8"), origin=_origin(parser.command))
    data: list[dict[str, Any]] = json.loads(records_to_json(records))
    return data


def _load(slug: str, case: str) -> list[dict[str, Any]]:
    return _parse(FIXTURES / slug / f"{case}.txt")


def _routes(slug: str, case: str) -> list[dict[str, Any]]:
    return [r for r in _load(slug, case) if r["record"] != "elision"]


def _load_text(slug: str, case: str) -> str:
    return (FIXTURES / slug / f"{case}.txt").read_text(encoding="utf-8")


def _origin(command: str, first_line: int = 1) -> Origin:
    return Origin(file="capture.yaml", command=command, first_line=first_line)


@pytest.mark.parametrize(
    "case",
    # The inputs that parse (an error case has a .error file beside it instead of a .json).
    sorted(p for slug in SLUGS for p in (FIXTURES / slug).glob("*.txt") if not p.with_suffix(".error").exists()),
    ids=lambda p: f"{p.parent.name}/{p.stem}",
)
def test_every_record_points_at_its_own_input_line(case: Path) -> None:
    source = case.read_text(encoding="utf-8").split("\n")
    records = _parse(case)
    lines = [r["line"] for r in records]
    assert lines == sorted(lines)
    for record in records:
        text = source[record["line"] - 1]
        if record["record"] == "elision":
            assert text.strip() == record["text"]
        elif record["record"] == "route-n-entry":
            address, mask = text.split()[0], text.split()[2]
            assert record["destination"] == str(ipaddress.ip_network(f"{address}/{mask}"))
        elif case.parent.name == "ip-route":
            tokens = text.split()
            printed = tokens[1] if tokens[0] in ip_route.ROUTE_TYPES else tokens[0]
            if printed == "default":
                assert record["destination"] == "default"
            else:
                assert ipaddress.ip_network(record["destination"]) == ipaddress.ip_network(printed)
            for nexthop in record["nexthops"]:
                assert source[nexthop["line"] - 1].split()[0] == "nexthop"
        else:
            # JSON: the line holds the '{' that opens this route (pretty output: '[ {' or '},{').
            assert "{" in text


def test_route_n_kubenet_calico_has_the_calico_host_routes() -> None:
    routes = _routes("route-n", "published-kubenet-calico")
    assert len(routes) == 14
    default = routes[0]
    assert (default["destination"], default["gateway"], default["flags"], default["iface"]) == (
        "0.0.0.0/0",
        "10.240.0.1",
        "UG",
        "eth0",
    )
    pods = [r for r in routes if r["iface"].startswith("cali")]
    assert [r["destination"] for r in pods] == [f"10.244.0.{n}/32" for n in range(2, 11)]
    assert all(r["flags"] == "UH" and r["gateway"] is None for r in pods)
    assert [r["destination"] for r in routes if r["flags"] == "UGH"] == ["168.63.129.16/32", "169.254.169.254/32"]


def test_route_n_reject_and_blackhole_rows() -> None:
    by_destination = {r["destination"]: r for r in _routes("route-n", "reject-blackhole")}
    reject = by_destination["10.0.0.0/8"]
    assert (reject["reject"], reject["gateway"], reject["ref"], reject["iface"], reject["metric"]) == (
        True,
        None,
        None,
        None,
        0,
    )
    assert by_destination["10.244.0.9/32"]["flags"] == "!H"
    blackhole = by_destination["10.244.0.0/24"]
    assert (blackhole["flags"], blackhole["reject"], blackhole["iface"]) == ("U", False, None)
    busybox = {r["destination"]: r for r in _routes("route-n", "busybox-reject")}["10.96.0.0/12"]
    assert (busybox["reject"], busybox["ref"], busybox["iface"]) == (True, 0, None)


def test_route_n_netstat_layout_fills_mss_window_irtt() -> None:
    routes = _routes("route-n", "published-netstat-rvn-zindilis-laptop")
    assert [(r["metric"], r["mss"], r["window"], r["irtt"]) for r in routes] == [(None, 0, 0, 0)] * 3
    reject = _routes("route-n", "netstat-rn-reject")[1]
    assert (reject["reject"], reject["mss"], reject["window"], reject["irtt"], reject["iface"]) == (
        True,
        None,
        None,
        None,
        None,
    )


def test_route_n_tabs_read_like_spaces() -> None:
    tabs = _routes("route-n", "tab-separated")
    spaces = _routes("route-n", "published-kubenet-none")[:4]
    assert [r | {"line": 0} for r in tabs] == [r | {"line": 0} for r in spaces]


def test_ip_route_text_and_json_of_one_machine_agree() -> None:
    text = _routes("ip-route", "published-ubuntu2004-vagrant")
    data = _routes("ip-j-route", "published-ubuntu2004-vagrant")
    assert [r | {"line": 0} for r in text] == [r | {"line": 0} for r in data]
    assert [r["destination"] for r in text] == ["default", "10.0.2.0/24", "10.0.2.2/32"]
    assert [r["metric"] for r in text] == [100, None, 100]


def test_ip_route_old_spacing_and_linkdown() -> None:
    old = _routes("ip-route", "published-zindilis-laptop")
    assert [(r["destination"], r["proto"], r["scope"], r["src"], r["metric"]) for r in old] == [
        ("default", "static", None, None, None),
        ("169.254.0.0/16", None, "link", None, 1000),
        ("192.168.88.0/24", "kernel", "link", "192.168.88.253", 9),
    ]
    docker = _routes("ip-route", "published-jc-centos77")[-1]
    assert (docker["dev"], docker["flags"]) == ("docker0", ["linkdown"])


def test_ip_route_types_tables_and_ipv6_options() -> None:
    table_all = {(r["type"], r["destination"]): r for r in _routes("ip-route", "table-all")}
    assert table_all[("throw", "10.11.0.0/16")]["table"] == "100"
    assert table_all[("local", "10.240.0.4/32")]["scope"] == "host"
    assert table_all[("unicast", "default")]["table"] is None
    ipv6 = _routes("ip-route", "ipv6")
    ra = ipv6[3]
    assert (ra["gateway"], ra["expires"], ra["hoplimit"], ra["pref"]) == ("fe80::1234:5678:9abc", 1797, 64, "medium")
    assert (ipv6[4]["nhid"], ipv6[5]["type"], ipv6[5]["error"]) == (3025548617, "unreachable", -101)
    assert ipv6[7]["destination"] == "fe80::/128"


def test_ip_route_multipath_and_gateway_options() -> None:
    first = _routes("ip-route", "multipath")[0]
    assert first["gateway"] is None and first["dev"] is None
    assert [(n["line"], n["gateway"], n["dev"], n["weight"], n["flags"]) for n in first["nexthops"]] == [
        (2, "10.0.0.1", "eth0", 1, []),
        (3, "10.0.1.1", "eth1", 2, ["linkdown"]),
    ]
    options = _routes("ip-route", "gateway-options")
    assert options[0]["mtu"] == 1450
    assert (options[1]["gateway"], options[1]["flags"]) == ("fe80::1", ["onlink"])
    assert (options[2]["mtu"], options[2]["advmss"], options[2]["locked_metrics"]) == (1400, 1360, ["mtu"])


def test_ip_j_route_pretty_lines_are_the_object_starts() -> None:
    routes = _routes("ip-j-route", "pretty")
    assert [r["line"] for r in routes] == [1, 9, 14, 19, 24, 34, 43]
    multipath = routes[-1]
    assert [(n["line"], n["gateway"], n["weight"]) for n in multipath["nexthops"]] == [
        (48, "10.0.0.1", 1),
        (53, "10.0.1.1", 2),
    ]
    assert routes[4]["mtu"] == 1450
    assert routes[5]["gateway"] == "fe80::1"


def test_json_and_text_agree_on_detailed_output() -> None:
    text = ip_route.parse_text(
        "unicast default via 10.0.0.1 dev eth0 table main proto boot scope global \n", origin=_origin("ip route")
    )
    data = ip_route.parse_json(_load_text("ip-j-route", "details-main"), origin=_origin("ip -j route"))
    assert text == data


def test_errors_point_at_the_file_line_inside_a_capture() -> None:
    body = '[ {\n        "dst": "default",\n        "dev": "eth0"\n        "flags": [ ]\n    } ]\n'
    with pytest.raises(ParseError) as json_error:
        ip_route.parse_json(body, origin=_origin("ip -j route", first_line=20))
    assert json_error.value.problems[0].location.line == 23
    with pytest.raises(ParseError) as text_error:
        route_n.parse(
            "Kernel IP routing table\n"
            "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"
            "10.0.0.0        0.0.0.0         255.255.0.255   U     0      0        0 eth0\n",
            origin=_origin("route -n", first_line=7),
        )
    problem = text_error.value.problems[0]
    assert problem.location.line == 9
    assert "is not contiguous" in problem.message


def test_registry_routes_the_spellings_here() -> None:
    for command, parse in (
        ("sudo route -n", route_n.parse),
        ("netstat -rn", route_n.parse),
        ("ip route show table all", ip_route.parse_text),
        ("ip -6 route", ip_route.parse_text),
        ("ip -j -p route", ip_route.parse_json),
    ):
        parser = parsers.find(command)
        assert parser is not None and parser.parse is parse, command


def test_crlf_and_whitespace_only_inputs() -> None:
    crlf = "default via 10.0.0.1 dev eth0 \r\n10.0.0.0/24 dev eth0 scope link \r\n"
    assert len(ip_route.parse_text(crlf, origin=_origin("ip route"))) == 2
    assert ip_route.parse_json("  \n\n", origin=_origin("ip -j route")) == []
    assert route_n.parse("\n\n", origin=_origin("route -n")) == []


def test_every_gateway_of_a_multipath_route_has_the_route_family() -> None:
    # The last gateway matching the destination must not hide an earlier one that does not.
    text = (
        "10.50.0.0/16 proto static\n"
        "\tnexthop via 10.0.0.1 dev eth0 weight 1\n"
        "\tnexthop via fe80::1 dev eth1 weight 1\n"
        "\tnexthop via 10.0.1.1 dev eth1 weight 1\n"
    )
    with pytest.raises(ParseError) as caught:
        ip_route.parse_text(text, origin=_origin("ip route"))
    assert str(caught.value) == (
        "capture.yaml:1 [ip route]: addresses of different families in one route: destination '10.50.0.0/16' "
        "(IPv4), gateway '10.0.0.1' (IPv4), gateway 'fe80::1' (IPv6), gateway '10.0.1.1' (IPv4) "
        "(expected one family)\n    | 10.50.0.0/16 proto static"
    )
