"""``fieldguide import``: pasted terminal sessions and collector transcripts become captures.

Outputs in these tests are real: published ones from tests/fixtures, or what this
machine's kernel prints inside a throwaway network namespace (root only; skipped
otherwise). Only the prompts, the session noise around them and the markers are
written here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from generator import collect, importer, parsers, pipeline
from generator.errors import printable
from tests.conftest import FIXTURES, run_cli

NODE = "aks-nodepool1-27511634-vmss000000"
HOST_IP_ADDR = (FIXTURES / "ip-addr" / "published-kubenet-none-host.txt").read_text(encoding="utf-8")
POD_IP_ADDR = (FIXTURES / "ip-addr" / "published-kubenet-none-pod.txt").read_text(encoding="utf-8")
ROUTE_N = (FIXTURES / "route-n" / "published-kubenet-none.txt").read_text(encoding="utf-8")
BRCTL = (FIXTURES / "brctl-show" / "published-kubenet-none.txt").read_text(encoding="utf-8")


def _session() -> str:
    return (
        "Last login: Thu Nov 26 09:12:01 2020 from 10.220.1.4\n"
        f"azureuser@{NODE}:~$ sudo -i\n"
        f"root@{NODE}:~# ip addr\n{HOST_IP_ADDR}"
        f"root@{NODE}:~# route -n\n{ROUTE_N}"
        f"azureuser@{NODE}:~$ sudo brctl show\n{BRCTL}"
        f"root@{NODE}:~# nsenter -t 14219 -n ip addr\n{POD_IP_ADDR}"
        f"root@{NODE}:~# exit\n"
        "logout\n"
    )


def _import(tmp_path: Path, text: str, *extra: str, name: str = "session.txt") -> tuple[Path, tuple[int, str, str]]:
    source = tmp_path / name
    source.write_text(text, encoding="utf-8")
    target = tmp_path / "captures" / "kubenet-none" / f"{NODE}.yaml"
    argv = ["import", str(source), "--plugin", "kubenet", "--policy", "none", "-o", str(target), *extra]
    return target, run_cli(*argv)


def test_a_pasted_session_imports_byte_exact_with_namespaces_pods_and_node(tmp_path: Path) -> None:
    target, (code, out, err) = _import(tmp_path, _session(), "--date", "2020-11-26")
    src = (tmp_path / "session.txt").as_posix()
    assert (code, out) == (0, "")
    assert err == (
        f"{src}\n"
        f"  {src}:1: warning: line 1 before the first prompt: no command's output; left out\n"
        "        1 | Last login: Thu Nov 26 09:12:01 2020 from 10.220.1.4\n"
        f"  {src}:2: warning: 'sudo -i' does not print the node's network state; left out\n"
        f"        2 | azureuser@{NODE}:~$ sudo -i\n"
        f"  {src}:58: warning: 'exit' does not print the node's network state; left out with its output (line 59)\n"
        f"       58 | root@{NODE}:~# exit\n"
        f"{target.as_posix()}: imported 4 outputs (host and 1 pod) for node {NODE}; 3 left out (see above); "
        "proposed expect: mode=bridge, datapath=bridge, encapsulation=none, pod_network=pod-cidr\n"
    )
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["node"] == {"name": NODE}
    assert data["pods"] == [{"name": "pid-14219", "ip": "10.100.1.14"}]
    assert [(s["namespace"], s["command"], s["output"]) for s in data["sections"]] == [
        ("host", "ip addr", HOST_IP_ADDR),
        ("host", "route -n", ROUTE_N),
        ("host", "sudo brctl show", BRCTL),
        ("pod/pid-14219", "nsenter -t 14219 -n ip addr", POD_IP_ADDR),
    ]
    assert run_cli("check", "--root", str(target.parent.parent), str(target))[0] == 0


def test_a_session_pasted_on_windows_keeps_the_outputs_unix_lines(tmp_path: Path) -> None:
    target, (code, _, err) = _import(tmp_path, _session().replace("\n", "\r\n"), "--date", "2020-11-26")
    assert code == 0, err
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["sections"][1]["output"] == ROUTE_N


def test_namespaces_come_from_the_wrappers_that_enter_them() -> None:
    cases = {
        "ip netns exec cni-5c7a1f0e-64ab-4f63-a0f4-2bd16d8d0b3e ip addr": "cni-5c7a1f0e-64ab-4f63-a0f4-2bd16d8d0b3e",
        "sudo nsenter -t 16315 -n ip route": "pid-16315",
        "nsenter --target=16315 --net route -n": "pid-16315",
        "nsenter --net=/run/netns/cni-abc ip addr": "cni-abc",
        "nsenter -t 7 -m -u ip addr": None,  # not the network namespace
        "ip -n cni-abc route": "cni-abc",
        "kubectl exec -n default nginx-7d8b49557c-x2x9z -- ip addr": "nginx-7d8b49557c-x2x9z",
        "kubectl exec pod/Web_0 -c app -- ip addr": "web-0",
        "ip addr": None,
    }
    assert {c: importer._namespace(parsers.command_words(c)) for c in cases} == cases


def test_a_file_without_prompts_says_what_was_expected(tmp_path: Path) -> None:
    _, (code, out, err) = _import(tmp_path, ROUTE_N, "--node", NODE, "--date", "2020-11-26")
    src = (tmp_path / "session.txt").as_posix()
    assert (code, out) == (1, "")
    assert err == (
        f"{src}:1: found no command: expected a collect.sh transcript, or a terminal session with prompts "
        "('root@node:/# ip addr', '$ route -n') before each command\n"
        "    | Kernel IP routing table\n"
    )


def test_prompts_of_two_hosts_ask_for_the_node(tmp_path: Path) -> None:
    text = f"azureuser@jumpbox:~$ route -n\n{ROUTE_N}root@{NODE}:/# brctl show\n{BRCTL}"
    _, (code, _, err) = _import(tmp_path, text, "--date", "2020-11-26")
    src = (tmp_path / "session.txt").as_posix()
    assert (code, err) == (
        1,
        f"{src}: the prompts name 2 hosts: jumpbox (line 1), {NODE} (line {ROUTE_N.count(chr(10)) + 2}); say which is the node with --node NAME\n",
    )


def test_a_session_without_a_date_asks_for_one(tmp_path: Path) -> None:
    _, (code, _, err) = _import(tmp_path, f"$ route -n\n{ROUTE_N}", "--node", NODE)
    src = (tmp_path / "session.txt").as_posix()
    assert (code, err) == (
        1,
        f"{src}: a pasted session carries no date: pass --date YYYY-MM-DD (when it was recorded)\n",
    )


def test_a_session_without_a_host_name_asks_for_the_node(tmp_path: Path) -> None:
    _, (code, _, err) = _import(tmp_path, f"$ route -n\n{ROUTE_N}", "--date", "2020-11-26")
    src = (tmp_path / "session.txt").as_posix()
    assert (code, err) == (1, f"{src}: no node name: the prompts carry no host name; pass --node NAME\n")


def test_a_bare_hash_line_is_a_prompt_only_before_a_command() -> None:
    # iptables-save prints '# Generated by ...': that is output, not a root prompt.
    session = importer.read(f"# route -n\n{ROUTE_N}# Generated by iptables-save v1.8.4\n", "s.txt")
    assert [(b.command, b.output) for b in session.blocks] == [
        ("route -n", ROUTE_N + "# Generated by iptables-save v1.8.4\n")
    ]


@pytest.mark.parametrize(
    "text",
    [
        "default via 10.224.0.1 dev eth0 proto dhcp src 10.224.0.4 metric 100 \n",  # trailing blank
        "",  # an empty output (brctl show without bridges)
        "one\ntwo",  # no final newline
        "one\n\n\n",  # several final newlines
        "    indented first line\nsecond\n",
        "   \nbridge name\tbridge id\n",  # a blank-only first line, tabs
        "\n\nafter two empty lines\n",
    ],
)
def test_block_literal_reads_back_byte_for_byte(text: str) -> None:
    document = "\n".join(["sections:", "  - namespace: host", *importer.block_literal("output", text, 6)]) + "\n"
    assert yaml.safe_load(document)["sections"][0]["output"] == text


# --- real transcripts from this machine's kernel -----------------------------------------------


def _sandbox_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root to run the collector in a throwaway network namespace"
    if shutil.which("unshare") is None:
        return "needs unshare (util-linux)"
    return None


def _collect(tmp_path: Path) -> str:
    """collect.sh, run for real in an empty network namespace named like a node."""
    reason = _sandbox_reason()
    if reason is not None:
        pytest.skip(reason)
    script = tmp_path / "collect.sh"
    script.write_text(collect.script(), encoding="utf-8")
    setup = f"printf %s {NODE} >/proc/sys/kernel/hostname; ip link set lo up; exec sh {script}"
    result = subprocess.run(
        ["unshare", "--net", "--uts", "--mount", "--pid", "--fork", "--mount-proc", "sh", "-c", setup],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    return result.stdout


def test_a_real_transcript_imports_and_keeps_every_output(tmp_path: Path) -> None:
    transcript = _collect(tmp_path)
    target, (code, out, err) = _import(tmp_path, transcript, name="node.txt")
    assert (code, out) == (0, ""), err
    analysis = pipeline.analyse(target, target.parent.parent)
    assert analysis.capture.node == NODE
    assert [s.namespace for s in analysis.capture.sections] == ["host"] * len(analysis.capture.sections)
    commands = [s.command for s in analysis.capture.sections]
    assert commands[:7] == [
        "ip addr",
        "ip -j -d addr",
        "ip -j -d link",
        "ip route",
        "ip -j route",
        "ip -6 route",
        "bridge link",
    ]
    lo = subprocess.run(
        ["unshare", "--net", "sh", "-c", "ip link set lo up; ip addr"], capture_output=True, text=True, check=True
    )
    assert analysis.capture.sections[0].output == lo.stdout


def test_a_transcript_cut_short_is_refused_with_its_line(tmp_path: Path) -> None:
    transcript = _collect(tmp_path)
    lines = transcript.splitlines(keepends=True)
    cut = next(i for i, line in enumerate(lines) if " begin host :: ip route" in line) + 1
    _, (code, _, err) = _import(tmp_path, "".join(lines[:cut]), name="node.txt")
    src = (tmp_path / "node.txt").as_posix()
    boundary = lines[0].split()[3]
    assert (code, err) == (
        1,
        f"{src}:{cut}: this output never ends (expected a '{boundary} end exit=N newline=yes|no' line after it): "
        "the transcript was cut or edited; collect it again\n"
        f"    | {boundary} begin host :: ip route\n",
    )


def test_colour_codes_in_a_real_output_are_reported_never_kept(tmp_path: Path) -> None:
    reason = _sandbox_reason()
    if reason is not None:
        pytest.skip(reason)
    coloured = subprocess.run(
        ["unshare", "--net", "sh", "-c", "ip link set lo up; ip -c=always addr"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    _, (code, _, err) = _import(tmp_path, f"root@{NODE}:/# ip -c addr\n{coloured}", "--date", "2020-11-26")
    src = (tmp_path / "session.txt").as_posix()
    first_bad, bad_line = next((n, line) for n, line in enumerate(coloured.splitlines(), start=2) if "\x1b" in line)
    assert (code, err) == (
        1,
        f"{src}: nothing to import: no command output could be placed\n"
        f"{src}:{first_bad}: the output of 'ip -c addr' holds the character '\\x1b' (U+001B), which a capture "
        "cannot keep (colour codes: run the command without -c); this output is left out\n"
        f"    | {printable(bad_line)}\n",
    )


def test_an_output_its_parser_refuses_is_written_and_located_in_the_capture(tmp_path: Path) -> None:
    # A real route -n output under the command 'ip route': a slip the ip route parser catches.
    target, (code, _, err) = _import(tmp_path, f"root@{NODE}:/# ip route\n{ROUTE_N}", "--date", "2020-11-26")
    shown = target.as_posix()
    line = target.read_text(encoding="utf-8").splitlines().index("      Kernel IP routing table") + 1
    assert (code, err) == (
        1,
        f"{shown}\n"
        f"  {shown}:{line} [host: ip route, output line 1]: error: destination 'Kernel' is not an IP prefix\n"
        f"    {line:>5} | Kernel IP routing table\n"
        f"{shown}: written, but it does not pass check yet (see above)\n",
    )


def test_what_check_will_find_is_said_at_import(tmp_path: Path) -> None:
    # Published Azure CNI outputs taken at different moments: ip addr and brctl show disagree.
    node = "aks-nodepool1-44430483-vmss000000"
    ip_addr = (FIXTURES / "ip-addr" / "published-azurecni-bridge-none-host.txt").read_text(encoding="utf-8")
    brctl = (FIXTURES / "brctl-show" / "published-azurecni-bridge.txt").read_text(encoding="utf-8")
    source = tmp_path / "session.txt"
    source.write_text(f"root@{node}:/# ip addr\n{ip_addr}root@{node}:/# brctl show\n{brctl}", encoding="utf-8")
    target = tmp_path / "azure-none" / f"{node}.yaml"
    code, out, err = run_cli(
        "import", str(source), "--plugin", "azure", "--policy", "none", "--date", "2020-11-26", "-o", str(target)
    )
    shown = target.as_posix()
    veth = "      15: azv292e1839522@if14: <BROADCAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master azure0 state UP"
    line = next(n for n, t in enumerate(target.read_text(encoding="utf-8").splitlines(), start=1) if t.startswith(veth))
    assert (code, out) == (1, "")
    assert err == (
        f"{shown}\n"
        f"  {shown}:{line}: error: FG004 bridge-ports-agree: ip addr shows azv292e1839522 with master azure0, but "
        "brctl show does not list it among azure0's ports\n"
        f"    {line:>5} | {veth} group default qlen 1000\n"
        f"{shown}: written, but it does not pass check yet (see above)\n"
    )
    assert run_cli("check", shown)[0] == 1


def test_the_cluster_is_written_as_az_aks_create_names_it(tmp_path: Path) -> None:
    source = tmp_path / "session.txt"
    source.write_text(_session(), encoding="utf-8")
    target = tmp_path / "out.yaml"
    argv = ["import", str(source), "--date", "2020-11-26", "-o", str(target), "--policy", "calico"]
    code, _, err = run_cli(*argv, "--plugin", "azure", "--plugin-mode", "overlay")
    assert code == 0, err
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["schema"] == 2
    assert data["cluster"] == {"network_plugin": "azure", "network_plugin_mode": "overlay", "network_policy": "calico"}
    # A combination az aks create refuses is refused here too, at the key that cannot hold.
    code, _, err = run_cli(*argv, "--plugin", "kubenet", "--dataplane", "cilium")
    assert code == 1
    assert "cluster.network_dataplane 'cilium' needs network_plugin: azure (found 'kubenet')" in err
