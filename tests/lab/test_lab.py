"""The network-namespace lab, run for real, and the pieces that turn its outputs into captures.

The session fixture builds the whole lab once (tests/lab/lab.sh, in its throwaway
sandbox) and assembles the captures. Where the machine cannot run it (not root, no
unshare, no veth/bridge/vxlan, a tool missing) the lab's tests skip with one line saying
why; the assembler's own tests run everywhere.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import capture as capture_mod
from tests.conftest import FIXTURES, ROOT
from tests.lab import assemble, publish
from tests.lab.conftest import LabRun, unavailable

FACTS = FIXTURES / "facts"
BASE_COMMANDS = {"ip addr", "ip -j addr", "ip -j -d link", "ip route", "ip -j route", "bridge link"}
OPTIONAL_COMMANDS = {"route": "route -n", "brctl": "brctl show"}
VERSIONS = re.compile(r"on Linux (\S+) with (.+?); every output")


def _load(path: Path) -> Any:
    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


def _rows(path: Path) -> list[list[str]]:
    return [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.skipif(sys.platform != "linux", reason="the lab needs Linux")
def test_a_machine_without_root_is_told_why(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    assert unavailable() == "the lab needs root (unshare --net, mounts in its sandbox)"


@pytest.mark.skipif(sys.platform != "linux", reason="the lab needs Linux")
def test_a_machine_without_a_tool_is_told_which(monkeypatch: pytest.MonkeyPatch) -> None:
    real_which = shutil.which
    monkeypatch.setattr(os, "geteuid", lambda: 0)
    monkeypatch.setattr(shutil, "which", lambda name: None if name in ("ping", "bridge") else real_which(name))
    assert unavailable() == "the lab needs bridge, ping (make lab-deps installs them)"


# --- the lab on this machine -------------------------------------------------------------


def test_every_ping_succeeded_and_crossed_nodes_where_there_are_several(lab: LabRun) -> None:
    pings = _rows(lab.raw / "pings.tsv")
    assert [p for p in pings if p[3] != "ok"] == []
    assert {p[0] for p in pings} == set(assemble.LAYOUTS)
    nodes = assemble.read_manifest(lab.raw)
    node_of_ip = {pod.ip: node.name for node in nodes for pod in node.pods}
    node_of_pod = {(node.layout, pod.name): node.name for node in nodes for pod in node.pods}
    for layout in assemble.LAYOUTS:
        if sum(1 for n in nodes if n.layout == layout) < 2:
            continue
        crossing = [
            p
            for p in pings
            if p[0] == layout and p[2] in node_of_ip and node_of_pod.get((layout, p[1]), p[1]) != node_of_ip[p[2]]
        ]
        assert crossing, f"{layout}: no ping from one node's pod to another node's pod"


def test_every_layout_produced_a_capture_per_node_with_every_command(lab: LabRun) -> None:
    nodes = assemble.read_manifest(lab.raw)
    written = {p.relative_to(lab.captures).as_posix() for p in lab.captures.glob("*/*/*.yaml")}
    folders = {name: lay.folder for name, lay in assemble.LAYOUTS.items()}
    assert written == {f"{n.layout}/{folders[n.layout]}/{n.name}.yaml" for n in nodes}
    assert {n.layout for n in nodes} == set(assemble.LAYOUTS)
    expected = BASE_COMMANDS | {cmd for tool, cmd in OPTIONAL_COMMANDS.items() if shutil.which(tool)}
    for node in nodes:
        data = _load(lab.captures / node.layout / folders[node.layout] / f"{node.name}.yaml")
        by_namespace: dict[str, set[str]] = {}
        for section in data["sections"]:
            command = section["command"].split(" ", 4)[4] if section["namespace"] != "host" else section["command"]
            by_namespace.setdefault(section["namespace"], set()).add(command)
        assert set(by_namespace) == {"host"} | {f"pod/{p.name}" for p in node.pods}
        for namespace, commands in by_namespace.items():
            want = expected | ({"ip -6 route"} if node.ipv6 else set())
            assert commands == want, f"{node.layout}/{node.name} {namespace}"


def test_every_fresh_capture_loads_and_every_output_parses(lab: LabRun) -> None:
    # Each layout folder is a captures root, its captures in <plugin>-<policy>/.
    paths = sorted(lab.captures.glob("*/*/*.yaml"))
    assert paths
    for path in paths:
        loaded = capture_mod.load(path, path.parent.parent)
        assert all(s.parser is not None for s in loaded.sections), f"{path}: a section no parser reads"


def _lab_files(root: Path) -> list[str]:
    """The captures and facts files of the lab's layouts (other fixtures may sit beside them)."""
    return sorted(p.relative_to(root).as_posix() for p in root.glob("lab-*/**/*") if p.suffix in (".yaml", ".json"))


def _committed(name: str) -> Path:
    """Where the repository keeps a lab file: a capture on the site, a facts file beside the tests."""
    if name.endswith(".yaml"):
        return publish.published(FACTS / (name.removesuffix(".yaml") + ".facts.json"), ROOT)
    return FACTS / name


def test_a_fresh_run_reproduces_the_committed_captures_and_facts(lab: LabRun) -> None:
    fresh = _lab_files(lab.captures)
    facts = [name for name in fresh if name.endswith(".facts.json")]
    # One capture per facts file, and the repository holds exactly this run's files.
    assert [n for n in fresh if n.endswith(".yaml")] == [n.removesuffix(".facts.json") + ".yaml" for n in facts]
    assert _lab_files(FACTS) == facts
    on_site = sorted((ROOT / "captures").glob("*/lab-*.yaml"))
    assert on_site == sorted(_committed(n) for n in fresh if n.endswith(".yaml"))
    missing_tools = [cmd for tool, cmd in OPTIONAL_COMMANDS.items() if shutil.which(tool) is None]
    if missing_tools:
        pytest.skip(f"{', '.join(missing_tools)} not collected here (make lab-deps installs the tools)")
    for name in fresh:
        old, new = _committed(name).read_text(encoding="utf-8"), (lab.captures / name).read_text(encoding="utf-8")
        if not name.endswith(".yaml"):
            assert new == old, f"{name} differs from a fresh lab run (make lab-publish)"
            continue
        if comparable(new) == comparable(old):
            continue
        old_versions = VERSIONS.search(_load(_committed(name))["captured"]["notes"])
        new_versions = VERSIONS.search(_load(lab.captures / name)["captured"]["notes"])
        assert old_versions is not None and new_versions is not None
        if old_versions.groups() != new_versions.groups():
            pytest.skip(
                f"{_committed(name).relative_to(ROOT)} comes from Linux {old_versions[1]} with {old_versions[2]} and "
                f"differs from this machine's run (Linux {new_versions[1]} with {new_versions[2]})"
            )
        assert comparable(new) == comparable(old), f"{name} differs from a fresh lab run (make lab-publish)"


# --- comparing runs ----------------------------------------------------------------------


def comparable(text: str) -> Any:
    """A capture without what really varies per run.

    That is the date, the machine's versions (kernel, tools), the bridge timers of ``ip -j -d link``, and the order of IPv6
    routes to one destination: the kernel adds a device's fe80::/64 route when the
    device's carrier comes up, from deferred work, so routes that tie print in an order
    that changes from run to run.
    """
    data = YAML(typ="safe", pure=True).load(text)
    del data["captured"]["date"]
    # The machine's kernel and tool versions: outputs that depend on them differ anyway.
    data["node"].pop("kernel", None)
    data["captured"]["notes"] = VERSIONS.sub("on Linux VERSION with TOOLS; every output", data["captured"]["notes"])
    for section in data["sections"]:
        if section["command"].endswith("ip -j -d link"):
            section["output"] = _without_timers(json.loads(section["output"]))
        elif section["command"].endswith("ip -6 route"):
            section["output"] = _ties_sorted(section["output"])
    return data


def _ties_sorted(output: str) -> list[list[str]]:
    """Routes grouped by destination in the order printed, each group sorted."""
    groups: list[list[str]] = []
    for line in output.splitlines():
        if groups and groups[-1][0].split(" ", 1)[0] == line.split(" ", 1)[0]:
            groups[-1].append(line)
        else:
            groups.append([line])
    return [sorted(group) for group in groups]


def _without_timers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_timers(v) for k, v in value.items() if k not in assemble.VARYING_LINK_KEYS}
    if isinstance(value, list):
        return [_without_timers(v) for v in value]
    return value


BRIDGE_FIXTURE = ROOT / "captures" / "kubenet-none" / "lab-kubenet-bridge-vmss000000.yaml"


def _swap_lines(text: str, first: str, second: str) -> str:
    """The text with two lines of the host's ``ip -6 route`` output exchanged."""
    start = text.index('command: "ip -6 route"')
    end = text.index("  - namespace:", start)
    section = text[start:end]
    assert first in section and second in section
    swapped = section.replace(first, "\0", 1).replace(second, first, 1).replace("\0", second, 1)
    return text[:start] + swapped + text[end:]


def test_comparison_ignores_the_timers_the_date_and_the_order_of_tied_ipv6_routes() -> None:
    text = BRIDGE_FIXTURE.read_text(encoding="utf-8")
    changed = re.sub(r'"gc_timer":[0-9.]+', '"gc_timer":1.23', text)
    changed = re.sub(r'"forward_delay_timer":[0-9.]+', '"forward_delay_timer":4.56', changed)
    changed = re.sub(r'date: "[0-9-]+"', 'date: "1999-12-31"', changed)
    changed = _swap_lines(
        changed,
        "      fe80::/64 dev eth0 proto kernel metric 256 pref medium\n",
        "      fe80::/64 dev cbr0 proto kernel metric 256 pref medium\n",
    )
    assert changed != text
    assert comparable(changed) == comparable(text)


def test_comparison_sees_ipv6_routes_to_different_destinations_reordered() -> None:
    text = BRIDGE_FIXTURE.read_text(encoding="utf-8")
    changed = _swap_lines(
        text,
        "      fd00:10:244::/64 dev cbr0 proto kernel metric 256 pref medium\n",
        "      fe80::/64 dev eth0 proto kernel metric 256 pref medium\n",
    )
    assert comparable(changed) != comparable(text)


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (r'"gso_max_segs":65535', '"gso_max_segs":65534'),  # any other key of ip -j -d link
        (r"qdisc noqueue master cbr0", "qdisc noop master cbr0"),  # a text output
        (r"network_policy: none", "network_policy: calico"),  # metadata
    ],
)
def test_comparison_sees_every_other_change(pattern: str, replacement: str) -> None:
    text = BRIDGE_FIXTURE.read_text(encoding="utf-8")
    changed = text.replace(pattern, replacement, 1)
    assert changed != text
    assert comparable(changed) != comparable(text)


# --- writing block literals ----------------------------------------------------------------


# Reading back byte for byte is tests/test_import.py's (assemble.block calls importer.block_literal).


def test_block_literal_refuses_a_character_yaml_cannot_keep() -> None:
    with pytest.raises(assemble.LabError) as caught:
        assemble.block("output", "ok\nbad \x1b[0m\n", 6, "raw/host/ip-addr.out")
    assert str(caught.value) == "raw/host/ip-addr.out:2: character '\\x1b' cannot be kept in a YAML block literal"


# --- the assembler's inputs ----------------------------------------------------------------


def _manifest(raw: Path, text: str) -> Path:
    raw.mkdir(exist_ok=True)
    path = raw / "manifest.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def _complete_manifest() -> str:
    return "".join(f"node\t{layout}\tnode-0\t0\n" for layout in assemble.LAYOUTS)


def test_a_short_pod_row_is_refused(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _complete_manifest() + "pod\tlab-calico\tnode-0\tweb-0\n")
    with pytest.raises(assemble.LabError) as caught:
        assemble.read_manifest(tmp_path)
    rows = len(assemble.LAYOUTS) + 1
    assert str(caught.value) == f"{path}:{rows}: expected a node row or a pod row of 6 fields"


def test_a_row_with_too_few_fields_is_refused(tmp_path: Path) -> None:
    path = _manifest(tmp_path, "node\tlab-calico\n")
    with pytest.raises(assemble.LabError) as caught:
        assemble.read_manifest(tmp_path)
    assert str(caught.value) == f"{path}:1: expected 4 tab-separated fields, found 2"


def test_a_layout_without_metadata_and_a_layout_not_built_are_named(tmp_path: Path) -> None:
    path = _manifest(tmp_path, _complete_manifest() + "node\tlab-weave\tnode-0\t0\n")
    with pytest.raises(assemble.LabError) as caught:
        assemble.read_manifest(tmp_path)
    assert str(caught.value) == f"{path}: no metadata in assemble.LAYOUTS for lab-weave"
    _manifest(tmp_path, _complete_manifest().replace("node\tlab-cilium\tnode-0\t0\n", ""))
    with pytest.raises(assemble.LabError) as caught:
        assemble.read_manifest(tmp_path)
    assert str(caught.value) == f"{path}: layouts not built: lab-cilium"


def test_versions_without_the_kernel_are_refused(tmp_path: Path) -> None:
    (tmp_path / "versions.tsv").write_text("iproute2\t6.1.0\n", encoding="utf-8")
    with pytest.raises(assemble.LabError) as caught:
        assemble.versions(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'versions.tsv'}: no kernel version"


def test_an_output_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    (tmp_path / "commands.tsv").write_text("ip addr\tip-addr\n", encoding="utf-8")
    (tmp_path / "ip-addr.out").write_bytes(b"1: lo: \xff\n")
    with pytest.raises(assemble.LabError) as caught:
        assemble.read_outputs(tmp_path)
    assert str(caught.value) == f"{tmp_path / 'ip-addr.out'}: not UTF-8"
