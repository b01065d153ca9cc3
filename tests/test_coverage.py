"""What a capture holds of its node: per namespace and kind of output, and what its page says is missing."""

from __future__ import annotations

from pathlib import Path

from generator import capture, site
from generator.parsers.registry import PARSERS
from generator.site.coverage import KINDS, coverage
from tests.conftest import ROOT
from tests.test_rules import write_capture

CAPTURES = ROOT / "captures"


def test_every_parser_shows_the_guide_some_kind_of_output() -> None:
    assert set().union(*(commands for _, commands in KINDS)) == {p.command for p in PARSERS}


def test_a_published_route_table_alone_is_a_part_of_a_node() -> None:
    held = coverage(capture.load(CAPTURES / "unstated-unstated" / "aks-nodepool1-39107837-vmss000000.yaml", CAPTURES))
    assert held.missing == ("the host's interfaces", "the host's bridges", "any pod's namespace")
    assert [(r.namespace, r.cells) for r in held.rows] == [
        ("host", ("not captured", "ip route", "not captured")),
        ("pods", ("not captured", "not captured", "")),
    ]


def test_a_whole_node_with_a_pod_is_not_partial() -> None:
    held = coverage(capture.load(CAPTURES / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml", CAPTURES))
    assert not held.partial
    assert held.rows[0].cells == ("ip addr", "route -n", "brctl show")
    assert held.rows[1].namespace == "pod/nginx-pid-14219"


def test_ipv6_routes_are_not_the_ipv4_routes_the_guide_reads(tmp_path: Path) -> None:
    six = "fe80::/64 dev eth0 proto kernel metric 256 pref medium\n"
    path = write_capture(
        tmp_path,
        routes=None,
        extra=f"  - namespace: host\n    command: ip -6 route\n    output: |\n      {six}",
    )
    held = coverage(capture.load(path, tmp_path))
    assert held.rows[0].cells[1] == "not captured"
    assert held.missing == ("the host's IPv4 routes",)


def test_the_capture_page_says_what_is_missing() -> None:
    files, _ = site.render_pages(site.load_site(CAPTURES), site.Layout(ROOT / "docs"))
    page = files["guide/captures/unstated-unstated/aks-nodepool1-39107837-vmss000000.md"].decode()
    assert (
        "Not captured: the host's interfaces, the host's bridges, any pod's namespace.\n"
        '    Whatever the guide would read from them says "not captured" below, never a violation.'
    ) in page
    assert "| any pod | *not captured* | *not captured* |  |" in page
    whole = files["guide/captures/kubenet-none/aks-nodepool1-27511634-vmss000000.md"].decode()
    assert "## What was captured" in whole and "Part of a node" not in whole
