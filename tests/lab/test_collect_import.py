"""End to end on real kernel output: collect.sh in every lab node, ``import``, then ``check``.

The lab (tests/lab/lab.sh, LAB_COLLECTOR set by the session fixture) runs the collector
inside each node as on an AKS node: in the node's network namespace, with only that
node's pods under /run/netns as containerd's cni-<uuid>, and its own host name. Nothing
here is mocked: the transcripts are what iproute2 printed on this kernel.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator import pipeline
from tests.conftest import FIXTURES, run_cli
from tests.lab import assemble
from tests.lab.conftest import LabRun

FACTS = FIXTURES / "facts"
# Outputs that do not change between two readings of a settled namespace (the lab's own
# collection ran moments before the collector): compared byte for byte.
STABLE = ("ip addr", "ip route", "ip -j route", "route -n", "brctl show", "bridge link")


def _import(lab: LabRun, node: assemble.Node, dest: Path) -> tuple[Path, tuple[int, str, str]]:
    layout = assemble.LAYOUTS[node.layout]
    folder = layout.folder
    target = dest / node.layout / folder / f"{node.name}.yaml"
    transcript = lab.raw / node.layout / node.name / "transcript.txt"
    args = ["import", str(transcript), *layout.plugin_options, "--policy", layout.network_policy]
    return target, run_cli(*args, "-o", str(target))


def test_every_lab_node_goes_from_collect_through_import_to_a_clean_check_with_its_true_facts(
    lab: LabRun, tmp_path: Path
) -> None:
    nodes = assemble.read_manifest(lab.raw)
    assert len(nodes) >= 9
    for node in nodes:
        where = f"{node.layout}/{node.name}"
        path, (code, out, err) = _import(lab, node, tmp_path)
        assert (code, out) == (0, ""), f"{where}: {err}"
        assert err.startswith(f"{path.as_posix()}: imported "), err
        root = path.parent.parent
        # The draft passes check as written ...
        assert run_cli("check", "--root", str(root), str(path))[0] == 0, where
        analysis = pipeline.analyse(path, root)
        derived = {
            name: getattr(analysis.facts, name).value for name in ("datapath", "encapsulation", "pod_network", "mode")
        }
        expected = json.loads(next((FACTS / node.layout).glob(f"*/{node.name}.facts.json")).read_text(encoding="utf-8"))
        assert derived == expected, where
        # ... each pod is declared with the address the lab gave it, under its containerd netns name ...
        assert {(p.name, p.ip) for p in analysis.capture.pods} == {(p.netns, p.ip) for p in node.pods}, where
        # ... and the proposed expect block, once uncommented, holds.
        text = path.read_text(encoding="utf-8")
        proposed = dict(re.findall(r"^#   (\w+): (\S+)$", text, flags=re.MULTILINE))
        assert proposed == {k: v for k, v in expected.items() if v != "unknown"}, where
        path.write_text(re.sub(r"^# (expect:|  \w+: )", r"\1", text, flags=re.MULTILINE), encoding="utf-8")
        code, out, err = run_cli("check", "--root", str(root), str(path))
        assert (code, err) == (0, "1 capture checked: all clean\n"), where


def test_the_transcript_carries_every_output_byte_for_byte(lab: LabRun, tmp_path: Path) -> None:
    compared = 0
    for node in assemble.read_manifest(lab.raw):
        path, (code, _, err) = _import(lab, node, tmp_path)
        assert code == 0, err
        analysis = pipeline.analyse(path, path.parent.parent)
        folders = {"host": "host", **{f"pod/{p.netns}": f"pod-{p.name}" for p in node.pods}}
        for section in analysis.capture.sections:
            core = section.command.split(" ", 4)[4] if section.namespace != "host" else section.command
            if core not in STABLE:
                continue
            raw = lab.raw / node.layout / node.name / folders[section.namespace]
            lab_output = next(o.text for o in assemble.read_outputs(raw) if o.command == core)
            assert section.output == lab_output, f"{node.layout}/{node.name} {section.namespace}: {core}"
            compared += 1
    assert compared > 200
