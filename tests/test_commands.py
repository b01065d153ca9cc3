"""Commands as people publish them: prompts, comments, chains, wrappers, pipes and slips.

A section's ``command:`` is copied from an article or a terminal. The matcher must
read the command whose output is shown, note a filter that left lines out, keep a
command that rewrites its output raw (saying why), and point at the command a
mistyped one meant, without ever guessing for a command that is simply another one.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import LiteralScalarString

from generator import compare, parsers, pipeline
from generator.errors import CaptureError
from generator.parsers import ip_route, route_n
from tests.conftest import ROOT, run_cli
from tests.test_rules import ROUTES_BRIDGE, write_capture

# (command as published, parser that reads it or None, filter, suggestion)
PUBLISHED: list[tuple[str, str | None, str | None, str | None]] = [
    # The spellings that broke the first matcher, each seen in a published article or thread.
    ("ip addr # | grep azvc440f455693", "ip addr", None, None),
    ("apt update && apt install net-tools -y && route -n", "route -n", None, None),
    ("#brctl show", "brctl show", None, None),
    ("root@aks-nodepool1-123:/# ip addr", "ip addr", None, None),
    ("$ route -n", "route -n", None, None),
    ("azureuser@host:~$ sudo brctl show", "brctl show", None, None),
    ("ip addr | grep azv", "ip addr", "| grep azv", None),
    ("ip route | head -5", "ip route", "| head -5", None),
    ("ip adr", None, None, "ip addr"),
    ("route -m", None, None, "route -n"),
    ("brctl shwo", None, None, "brctl show"),
    # The series' own commands (swgriffith/azure-guides, networking-overview).
    ("sudo nsenter -t 16315 -n ip addr", "ip addr", None, None),
    ("sudo iptables -t nat -nvL POSTROUTING", None, None, None),
    ("iptables -t nat -nL POSTROUTING --line-numbers", None, None, None),
    ("kubectl get pods -o wide --sort-by=.spec.nodeName # Sorted by node name", None, None, None),
    ("docker ps|grep nginx", None, None, None),
    ("docker inspect --format '{{ .State.Pid }}' 8bdb2bd78165", None, None, None),
    ("tail /var/log/azure-vnet.log -f", None, None, None),
    ("sudo apt install bridge-utils", None, None, None),
    # From the published nodes under tests/fixtures/facts (see each layout's SOURCES.md).
    ("route -nv", "route -n", None, None),
    ("ip -c addr", "ip addr", None, None),
    ("ip -c route", "ip route", None, None),
    ("ip addr sh", "ip addr", None, None),
    ("ip ro sh", "ip route", None, None),
    ("nsenter -t 36538 -n ip addr", "ip addr", None, None),
    ("ip -4 -br addr show dev eth0", None, None, None),
    ("ip -br -4 addr show | grep veth", None, None, None),
    ("ip route get 1.1", None, None, None),
    # Other prompts people paste: RHEL, busybox in a pod, a bare root prompt.
    ("[root@node ~]# ip r", "ip route", None, None),
    ("/ # ip a", "ip addr", None, None),
    ("# ip addr", "ip addr", None, None),
    ("PS /home/azureuser> kubectl exec -it web -- ip a", "ip addr", None, None),
    ("azureuser@Azure:~$ kubectl exec web -- route -n", "route -n", None, None),
    # Placeholders the reader fills in are words, not redirections.
    ("kubectl exec -it <pod> -- ip addr", "ip addr", None, None),
    ("sudo nsenter -t <PID> -n ip a", "ip addr", None, None),
    # Wrappers that do not change the output's format.
    ("kubectl exec -it nginx -- ip addr", "ip addr", None, None),
    ("kubectl -n kube-system exec calico-node-x2x9z -c calico-node -- ip route", "ip route", None, None),
    ("docker exec 8bdb2bd78165 ip addr", "ip addr", None, None),
    ("sudo nsenter -t $(docker inspect -f '{{.State.Pid}}' 8bdb2bd78165) -n ip a", "ip addr", None, None),
    ("sudo ip netns exec cni-1234 ip -j route | tee routes.json", "ip -j route", None, None),
    ("/sbin/ip -j -d link show", "ip -j -d link", None, None),
    ("LANG=C route -n 2>/dev/null", "route -n", None, None),
    # Selections iproute2 and bridge-utils make themselves: the listing keeps its format.
    ("ip addr show dev eth0", "ip addr", "dev eth0", None),
    ("ip a s azure0", "ip addr", "azure0", None),
    ("ip -4 a", "ip addr", "-4", None),
    ("ip link show type veth", "ip addr", "type veth", None),
    ("brctl show cbr0", "brctl show", "cbr0", None),
    ("bridge -d link show dev eth0", "bridge link", "dev eth0", None),
]


@pytest.mark.parametrize(("command", "parser", "filter_", "suggestion"), PUBLISHED, ids=[c[0] for c in PUBLISHED])
def test_published_spellings(command: str, parser: str | None, filter_: str | None, suggestion: str | None) -> None:
    found = parsers.match(command)
    assert (found.parser.command if found.parser else None, found.filter, found.suggestion) == (
        parser,
        filter_,
        suggestion,
    )
    assert found.reason is None


def test_every_registered_spelling_reads_as_itself() -> None:
    for parser in parsers.PARSERS:
        for spelling in parser.spellings:
            found = parsers.match(spelling)
            assert (found.parser, found.filter, found.suggestion) == (parser, None, None), spelling


@pytest.mark.parametrize(
    "command",
    [
        # iproute2 reads any prefix of an object, option or verb, and options in any order.
        "ip ad",
        "ip addre",
        "ip a l",
        "ip addr lst",
        "ip --json address",
        "ip -js a",
        "ip -d -j l",
        "ip -p -d -j link show",
        "ip rou",
        "ip -4 r",
        # A terminal copies text without colours (and the loader refuses escape codes).
        "ip -c a",
        "ip --color=always -j route",
        # getopt: letters in any order and grouping.
        "netstat -r -n",
        "route -n -4",
        # Verbose leaves the table as it is (amitmavgupta/tech-notes runs 'route -nv' on AKS nodes).
        "route -nv",
        "route -v -n",
    ],
)
def test_abbreviations_the_tools_accept(command: str) -> None:
    assert parsers.match(command).parser is not None, command


def test_abbreviations_pick_what_iproute2_picks() -> None:
    """'ip addr a' is 'ip addr add' and 'ip ru' is 'ip rule': iproute2 checks names in a fixed order."""
    assert parsers.find("ip r") is parsers.by_command("ip route")
    assert parsers.find("ip ru") is None
    assert parsers.find("ip addr a") is None
    assert parsers.find("ip -n pod1 addr") is parsers.by_command("ip addr")


# A slip: a neighbouring key, two letters swapped, a letter doubled or dropped, a missing
# dash or space, the other case, or a word processor's dashes and blanks.
NEAR_MISSES = [
    ("ip adr", "ip addr"),
    ("ip addrr", "ip addr"),
    ("ip addt", "ip addr"),
    ("ip addr shwo", "ip addr show"),
    # One slip from two spellings of the same command ('ip r', 'ip ro'): still that command.
    ("ip rp", "ip r"),
    ("route -m", "route -n"),
    ("route -b", "route -n"),
    ("route n", "route -n"),
    ("rotue -n", "route -n"),
    ("brctl shwo", "brctl show"),
    ("brctl shiw", "brctl show"),
    ("sudo nsenter -t 1 -n ip rotue", "ip route"),
    ("route-n", "route -n"),
    ("ipaddr", "ip addr"),
    ("IP ADDR", "ip addr"),
    ("route \u2013n", "route -n"),
    ("ip\u00a0addr", "ip addr"),
    ("netstat \u2014rn", "netstat -rn"),
    ("\uff49\uff50 \uff41", "ip a"),
]

# Valid commands that are simply other commands, and commands far from any spelling.
FAR_MISSES = [
    "iptables -nvL",
    "cat /etc/cni/net.d/10-azure.conflist",
    "kubectl get pods -o wide",
    "ip rule",
    "ip neigh",
    "ip maddr",
    "ip -br addr",
    "ip -s link",
    "ip -d addr",
    "ip route get 8.8.8.8",
    "ip link set eth0 up",
    "netstat -tn",
    "netstat -an",
    "route -e",
    "route",
    "arp -n",
    "ss -tnp",
    "conntrack -L",
    "brctl showmacs cbr0",
    "bridge fdb show",
    "iptables-save",
    "ifconfig",
    "ip b",
    "ip addr show dev",
    "ip addr show dev eth0 dev eth1",
    # A slip is one key away: 'x' is not next to 'n'.
    "route -x",
    # The first letter is kept: another first letter makes another word ('zip'), and a
    # one-letter word ('ip w') has nothing else to go by.
    "zip a",
    "ip w",
]


@pytest.mark.parametrize(("command", "suggestion"), NEAR_MISSES, ids=[c for c, _ in NEAR_MISSES])
def test_near_misses_get_a_suggestion(command: str, suggestion: str) -> None:
    found = parsers.match(command)
    assert (found.parser, found.suggestion) == (None, suggestion)


@pytest.mark.parametrize("command", FAR_MISSES)
def test_far_misses_get_none(command: str) -> None:
    found = parsers.match(command)
    assert (found.parser, found.suggestion, found.reason) == (None, None, None)


def test_prompt_wrappers_comment_and_chain_compose() -> None:
    found = parsers.match("root@n:/# sudo nsenter -t 1 -n ip route | grep cali # note")
    assert (found.parser, found.core, found.filter) == (parsers.by_command("ip route"), "ip route", "| grep cali")
    found = parsers.match("$ cd /tmp; kubectl exec -it web -- sh -c 'ip addr show dev eth0 | grep -A2 eth0'")
    assert (found.parser, found.filter) == (parsers.by_command("ip addr"), "dev eth0 | grep -A2 eth0")
    found = parsers.match("#sudo ip netns exec pod1 route -n | sort | uniq")
    assert (found.parser, found.filter) == (parsers.by_command("route -n"), "| sort | uniq")
    found = parsers.match("ip r | sed -n '/cali/p' | sed 1d")
    assert (found.parser, found.filter) == (parsers.by_command("ip route"), "| sed -n '/cali/p' | sed 1d")
    # Pipes bind tighter than '&&': the output shown is the last pipeline's.
    found = parsers.match("ip addr | grep azv && route -n")
    assert (found.parser, found.filter) == (parsers.by_command("route -n"), None)


def test_quotes_and_comments_follow_the_shell() -> None:
    """'#' starts a comment only at a word's start; inside quotes it is text."""
    found = parsers.match("ip addr | grep '#' # count the hashes")
    assert (found.parser, found.filter) == (parsers.by_command("ip addr"), "| grep '#'")
    found = parsers.match('ip route | grep "dev cali" | head -3')
    assert found.filter == '| grep "dev cali" | head -3'


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        ("ip -j addr | jq .", "its output is piped into 'jq .', which does not keep the lines as printed"),
        ("ip addr | column -t", "its output is piped into 'column -t', which does not keep the lines as printed"),
        ("ip addr | grep -c inet", "its output is piped into 'grep -c inet', which does not keep the lines as printed"),
        ("route -n | cat -n", "its output is piped into 'cat -n', which does not keep the lines as printed"),
        (
            "ip route | awk '{print $1}' | wc -l",
            "its output is piped into 'wc -l', which does not keep the lines as printed",
        ),
        (
            "ip addr | sed s/eth0/eth1/",
            "its output is piped into 'sed s/eth0/eth1/', which does not keep the lines as printed",
        ),
        ("ip addr > out.txt", "its output is redirected to 'out.txt', not shown"),
        ("ip addr | grep 'inet", "it has an unterminated ' quote"),
        ("ip addr |", "it has a pipe '|' with no command after it"),
    ],
)
def test_commands_whose_output_is_not_as_printed_stay_raw(command: str, reason: str) -> None:
    found = parsers.match(command)
    assert (found.parser, found.filter, found.suggestion, found.reason) == (None, None, None, reason)


@pytest.mark.parametrize(
    ("command", "reason", "suggestion"),
    [
        ("route -n\r", "it holds the control character U+000D", "route -n"),
        ("ip addr\t", "it holds the control character U+0009", "ip addr"),
        ("ip\x1b[0maddr", "it holds the control character U+001B", None),
        ("brctl\u200b show", "it holds the control character U+200B", "brctl show"),
        ("ip adr\n", "it holds the control character U+000A", "ip addr"),
        ("ls\x00\x07", "it holds the control characters U+0000, U+0007", None),
        ("ip a\u2028", "it holds the control character U+2028", "ip a"),
    ],
)
def test_control_characters_never_match(command: str, reason: str, suggestion: str | None) -> None:
    found = parsers.match(command)
    assert (found.parser, found.reason, found.suggestion) == (None, reason, suggestion)
    assert parsers.find(command) is None


def test_find_and_normalize_keep_their_meaning() -> None:
    route = parsers.find("sudo route -n")
    assert route is not None and route.parse is route_n.parse
    ip6 = parsers.find("ip -6 route")
    assert ip6 is not None and ip6.parse is ip_route.parse_text
    assert parsers.normalize("sudo nsenter -t 16315 -n ip addr") == "ip addr"
    assert parsers.normalize("root@node:/# ip netns exec pod1 route -n | grep cbr0") == "route -n"


# --- through the loader, the model and the rules --------------------------------------------


def _extra_section(command: str, output: str) -> str:
    return f"  - namespace: host\n    command: {command}\n    output: |\n" + textwrap.indent(output, "      ")


def test_sections_carry_filter_and_suggestion(tmp_path: Path) -> None:
    extra = _extra_section("route -n | head -3", "".join(ROUTES_BRIDGE.splitlines(keepends=True)[:3]))
    extra += _extra_section("ip adr", "x\n")
    analysis = pipeline.analyse(write_capture(tmp_path, extra=extra), tmp_path)
    filtered, mistyped = analysis.capture.sections[-2:]
    assert (filtered.parser, filtered.filter, filtered.suggestion, len(filtered.records)) == (
        "route -n",
        "| head -3",
        None,
        1,
    )
    assert (mistyped.parser, mistyped.filter, mistyped.suggestion, mistyped.records) == (None, None, "ip addr", ())
    assert analysis.capture.source_line(mistyped.command_line) == "    command: ip adr"
    assert analysis.model.host is not None and analysis.model.host.filtered == ("route -n",)


def test_fg016_through_check(tmp_path: Path, in_repo: None) -> None:
    # A command with a control character never gets this far: the loader refuses it (bad corpus).
    path = write_capture(tmp_path, extra=_extra_section("ip adr", "x\n"))
    shown = path.as_posix()
    findings = (
        f"{shown}\n"
        f"  {shown}:46: warning FG016 command-recognised: sections[4] (host): 'ip adr' is not a command the "
        "parsers read; did you mean 'ip addr'?\n"
        "       46 |     command: ip adr\n"
    )
    assert run_cli("check", "--root", str(tmp_path), shown) == (
        0,
        findings,
        "1 capture checked: all clean, 1 warning\n",
    )
    assert run_cli("check", "--strict", "--root", str(tmp_path), shown) == (
        1,
        findings,
        "1 capture checked: 1 with problems, 1 warning\n",
    )


def _published_through(tmp_path: Path, command: str, new_command: str, tool: list[str]) -> pipeline.Analysis:
    """The published kubenet + Calico capture, one host section's output put through a real tool."""
    yaml = YAML(typ="rt", pure=True)
    data = yaml.load((ROOT / "captures" / "kubenet-calico" / "node-10.240.0.4.yaml").read_text(encoding="utf-8"))
    section = next(s for s in data["sections"] if s["namespace"] == "host" and s["command"] == command)
    output = subprocess.run(tool, input=str(section["output"]), capture_output=True, text=True, check=True).stdout
    section["command"] = new_command
    section["output"] = LiteralScalarString(output)
    del section["annotations"]
    folder = tmp_path / "kubenet-calico"
    folder.mkdir(parents=True)
    with (folder / "node.yaml").open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    return pipeline.analyse(folder / "node.yaml", tmp_path)


def _head_of_host_listing(tmp_path: Path, command: str, lines: int) -> pipeline.Analysis:
    return _published_through(tmp_path, "ip addr", command, ["head", f"-{lines}"])


def test_a_filtered_host_listing_is_not_complete(tmp_path: Path) -> None:
    """'ip addr | head -12' leaves the pod's veth and the routes' devices out on purpose."""
    filtered = _head_of_host_listing(tmp_path / "f", "ip addr | head -12", 12)
    host = filtered.model.host
    assert host is not None and [i.name for i in host.interfaces] == ["lo", "eth0"]
    assert [f for f in filtered.result.findings if f.rule in ("FG002", "FG006")] == []
    assert ("FG006", "only part of the host's interface listing was captured") in filtered.result.not_checked
    # The same lines claimed as the whole listing are contradicted by the pod and the routes.
    whole = _head_of_host_listing(tmp_path / "w", "ip addr", 12)
    fg002 = [f.message for f in whole.result.findings if f.rule == "FG002"]
    assert fg002 == [
        "pod/pod-pid-30064: eth0@if15 points at host interface 15, which the host's complete ip addr does not show"
    ]
    assert (
        "route 10.244.0.10/32 uses device cali4cd5cd7d78e, which ip addr does not show "
        "(if the listing was trimmed, mark the left-out lines with '...')"
    ) in [f.message for f in whole.result.findings if f.rule == "FG006"]


def test_a_filtered_listing_leaves_a_comparison_unclear(tmp_path: Path) -> None:
    """The VF is past the 12 lines 'head' kept: absent from a filtered listing is unknown, not removed."""
    published = pipeline.analyse(ROOT / "captures" / "kubenet-calico" / "node-10.240.0.4.yaml", ROOT / "captures")
    filtered = compare.compare(published, _head_of_host_listing(tmp_path / "f", "ip addr | head -12", 12))
    whole = compare.compare(published, _head_of_host_listing(tmp_path / "w", "ip addr", 12))
    assert [(c.kind, c.summary) for c in (filtered.find("interfaces", "vf"), whole.find("interfaces", "vf")) if c] == [
        ("unclear", "vf enP1279s1: shown only before (the other ip addr is abbreviated)"),
        ("removed", "vf enP1279s1: removed"),
    ]


def test_a_filter_that_drops_what_the_parser_needs_keeps_the_section_raw(tmp_path: Path) -> None:
    """grep drops route -n's header: the output stays as published, raw, and FG016 says why."""
    analysis = _published_through(tmp_path, "route -n", "route -n | grep cali", ["grep", "cali"])
    section = next(s for s in analysis.capture.sections if s.command == "route -n | grep cali")
    reason = (
        f"its filter '| grep cali' leaves out lines route -n needs (line {section.output_line}: route row before the "
        "column header (expected 'Kernel IP routing table' and then 'Destination Gateway Genmask Flags Metric Ref Use "
        "Iface' first))"
    )
    assert (section.parser, section.filter, section.records, section.unparsed) == (None, "| grep cali", (), reason)
    assert (analysis.capture.source_line(section.output_line) or "").strip() == (
        "10.244.0.2      0.0.0.0         255.255.255.255 UH    0      0        0 cali16fcf5898b5"
    )
    host = analysis.model.host
    assert host is not None and (host.route_source, host.filtered) == (None, ())
    (finding,) = [f for f in analysis.result.findings if f.rule == "FG016"]
    assert (finding.message, finding.line, finding.severity) == (
        f"sections[3] (host): 'route -n | grep cali' is kept raw: {reason}",
        section.command_line,
        "warning",
    )
    # Unfiltered, the same broken shape is the capture's error, not a warning.
    with pytest.raises(CaptureError) as info:
        _published_through(tmp_path / "plain", "route -n", "route -n", ["grep", "cali"])
    assert "route row before the column header" in str(info.value)
