"""The command line as a user meets it: exit codes and the exact text printed."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from generator import __version__
from tests.conftest import FIXTURES, ROOT, WAIVED_FINDINGS, repository_captures
from tests.conftest import run_cli as run

KUBENET_NONE = "captures/kubenet-none/aks-nodepool1-27511634-vmss000000.yaml"


@pytest.fixture(autouse=True)
def _repo_root(in_repo: None) -> None:
    pass


def test_parse_prints_records_with_line_numbers() -> None:
    code, out, err = run(
        "parse", "sudo nsenter -t 30064 -n ip addr", "tests/fixtures/ip-addr/published-kubenet-calico-pod.txt"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("line    1  link         ifindex=1 name=lo ")
    assert lines[2].startswith("line    5  link         ifindex=3 name=eth0 peer=if15 peer_ifindex=15 ")
    assert lines[3] == (
        "    line    7  address      family=inet cidr=10.244.0.10/32 scope=global label=eth0 "
        "valid_lft=forever preferred_lft=forever"
    )


def test_parse_json_matches_the_golden_file() -> None:
    case = FIXTURES / "route-n" / "published-kubenet-calico.txt"
    code, out, _ = run("parse", "route -n", str(case.relative_to(ROOT)), "--json")
    assert code == 0
    golden = json.loads(case.with_suffix(".json").read_text(encoding="utf-8"))
    assert json.loads(out) == golden


def test_parse_bad_output_is_located(tmp_path: Path) -> None:
    bad = tmp_path / "route.txt"
    bad.write_text(
        "Kernel IP routing table\n"
        "Destination     Gateway         Genmask         Flags Metric Ref    Use Iface\n"
        "10.0.0.0        0.0.0.0         255.0.255.0     U     0      0        0 eth0\n"
    )
    code, out, err = run("parse", "route -n", str(bad))
    assert (code, out) == (1, "")
    assert err == (
        f"{bad.as_posix()}:3 [route -n]: genmask '255.0.255.0' is not contiguous "
        "(expected a netmask such as 255.255.255.0)\n"
        "    | 10.0.0.0        0.0.0.0         255.0.255.0     U     0      0        0 eth0\n"
    )


def test_parse_unknown_command_is_a_usage_error() -> None:
    code, _, err = run("parse", "iptables -nvL", "README.md")
    assert code == 2
    assert err.startswith("usage error: no parser for 'iptables -nvL' (known: \"ip addr\", ")


def test_parse_binary_garbage(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(b"1: lo\n\xff\xfe\x00junk")
    code, _, err = run("parse", "ip addr", str(garbage))
    assert (code, err) == (1, f"{garbage.as_posix()}:2: file is not valid UTF-8 text\n")


def test_show_lists_the_model() -> None:
    code, out, err = run("show", KUBENET_NONE)
    assert (code, err) == (0, "")
    assert "  bridge cbr0: veth9423965c, vetha1065ff2, vetha33f314e, vethcd3ab008, vethd3b9c108\n" in out
    assert "   19: vethd3b9c108@if3 master cbr0 fe80::3c6a:2cff:fe7e:5925/64\n" in out
    assert "  route 10.100.1.0/24 dev cbr0\n" in out
    assert "[pod/nginx-pid-14219]  commands: ip addr\n" in out


def test_show_json_is_deterministic() -> None:
    first = run("show", KUBENET_NONE, "--json")[1]
    second = run("show", KUBENET_NONE, "--json")[1]
    assert first == second
    model = json.loads(first)
    assert [n["name"] for n in model["model"]["namespaces"]] == ["host", "pod/nginx-pid-14219"]
    assert model["facts"]["mode"]["value"] == "bridge"


def test_show_missing_capture_is_a_usage_error() -> None:
    assert run("show", "captures/nope/none.yaml") == (2, "", "usage error: no such capture: captures/nope/none.yaml\n")


def test_module_entry_point_never_prints_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "kubenet-none"
    folder.mkdir()
    (folder / "node.yaml").write_bytes(b"\x00\x01 not yaml: [")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--root", str(tmp_path), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.endswith("1 capture checked: 1 with problems\n")


def test_rules_catalogue_comes_from_the_definitions() -> None:
    from generator import rules

    code, out, _ = run("rules", "--json")
    catalogue = json.loads(out)
    assert code == 0
    assert [e["id"] for e in catalogue] == [r.id for r in rules.RULES]
    first = rules.RULES[0]
    assert catalogue[0]["statement"] == first.statement
    assert catalogue[0]["explanation"] == " ".join((first.check.__doc__ or "").split())
    assert all(e["explanation"] for e in catalogue), "every rule explains itself"


def test_show_says_which_outputs_are_partial_or_raw(tmp_path: Path) -> None:
    folder = tmp_path / "kubenet-none"
    folder.mkdir()
    capture = folder / "node0.yaml"
    capture.write_text(
        "schema: 2\ntitle: t\ncluster: {network_plugin: kubenet, network_policy: none}\nnode: {name: node0}\n"
        'captured: {date: "2026-11-26", source: tests}\nsections:\n'
        "  - namespace: host\n    command: ip route | grep cbr0\n    output: |\n"
        "      10.244.0.0/24 dev cbr0 proto kernel scope link src 10.244.0.1\n"
        "  - namespace: host\n    command: ip adr\n    output: |\n      anything\n",
        encoding="utf-8",
    )
    code, out, _ = run("show", str(capture), "--root", str(tmp_path))
    assert code == 0
    assert "  partial (| grep cbr0): ip route | grep cbr0\n" in out
    assert "  raw output kept verbatim: ip adr (did you mean 'ip addr'?)\n" in out


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_check_never_prints_control_characters_from_file_names(tmp_path: Path, fmt: str) -> None:
    bad = tmp_path / "kubenet-none" / "cali\x1b]0;owned\x07\x1b[2J.yaml"
    bad.parent.mkdir()
    bad.write_text("schema: 2\n")
    code, out, err = run("check", "--format", fmt, "--root", str(tmp_path), str(bad))
    assert code == 1
    assert not any(ch in out + err for ch in "\x1b\x07\r")
    assert "cali\\x1b]0;owned\\x07\\x1b[2J.yaml" in out + err


# --- conventions of ruff, mypy and git ----------------------------------------------------


def test_version_prints_one_line_on_stdout() -> None:
    assert run("--version") == (0, f"fieldguide {__version__}\n", "")


@pytest.mark.parametrize(("verb", "args"), [("rules", ()), ("show", (KUBENET_NONE,)), ("parse", ("route -n", "-"))])
def test_json_has_one_spelling_and_the_old_one_still_works(
    verb: str, args: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    route_n = (FIXTURES / "route-n" / "published-kubenet-none.txt").read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", io.StringIO(route_n))
    code, new, err = run(verb, *args, "--format", "json")
    assert (code, err) == (0, "")
    json.loads(new)
    monkeypatch.setattr(sys, "stdin", io.StringIO(route_n))
    assert run(verb, *args, "--json") == (0, new, "note: --json is deprecated; use --format json\n")


def test_diff_markdown_alias_still_works() -> None:
    ids = ("kubenet-none/aks-nodepool1-27511634-vmss000000", "kubenet-calico/node-10.240.0.4")
    code, new, _ = run("diff", *ids, "--format", "markdown")
    assert (code == 0 and new.startswith("|")) or "|" in new
    assert run("diff", *ids, "--markdown") == (0, new, "note: --markdown is deprecated; use --format markdown\n")


def test_every_verb_takes_an_id_or_a_path() -> None:
    cid = "kubenet-none/aks-nodepool1-27511634-vmss000000"
    assert run("show", cid) == run("show", KUBENET_NONE)
    assert run("diagram", cid) == run("diagram", KUBENET_NONE)
    assert run("check", cid) == (0, "", "1 capture checked: all clean\n")


def test_check_takes_a_draft_anywhere_without_root(tmp_path: Path) -> None:
    draft = tmp_path / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml"
    draft.parent.mkdir()
    draft.write_text((ROOT / KUBENET_NONE).read_text(encoding="utf-8"), encoding="utf-8")
    assert run("check", str(draft)) == (0, "", "1 capture checked: all clean\n")
    assert run("check", str(tmp_path)) == (0, "", "1 capture checked: all clean\n")
    assert run("show", str(draft))[0] == 0


def _check_on_a_terminal(env: dict[str, str]) -> bytes:
    """``check`` on a capture with findings, its stdout a real pseudo-terminal."""
    primary, secondary = pty.openpty()
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--verbose", "captures/azure-none"],
        stdout=secondary,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env={k: v for k, v in {**os.environ, **env}.items() if v is not None},
        timeout=60,
        check=False,
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(primary)
    assert result.returncode == 0, result.stderr
    return b"".join(chunks)


def test_colour_only_on_a_terminal_and_never_with_no_color() -> None:
    base = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    on_tty = _check_on_a_terminal({**base, "NO_COLOR": ""})
    # The file in bold, a waived error dimmed: it is known and explained.
    assert b"\x1b[1mcaptures/azure-none/aks-nodepool1-44430483-vmss000000.yaml\x1b[0m" in on_tty
    assert b"\x1b[2merror\x1b[0m FG004 bridge-ports-agree\x1b[2m (waived)\x1b[0m" in on_tty
    assert b"\x1b" not in _check_on_a_terminal({**base, "NO_COLOR": "1"})
    piped = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--verbose", "captures/azure-none"],
        capture_output=True,
        cwd=ROOT,
        env=base,
        timeout=60,
        check=False,
    )
    assert b"error FG004" in piped.stdout and b"\x1b" not in piped.stdout


def test_github_annotations_leave_waived_findings_out_unless_verbose() -> None:
    summary = f"{repository_captures()} captures checked: all clean, {WAIVED_FINDINGS} waived"
    assert run("check", "--format", "github") == (0, "", f"{summary} (--verbose shows them)\n")
    code, out, err = run("check", "--format", "github", "--verbose")
    assert (code, err) == (0, f"{summary}\n")
    assert out.startswith("::notice file=captures/azure-none/aks-nodepool1-44430483-vmss000000.yaml,line=88,")


def test_check_starts_without_the_site_jinja_or_jsonschema() -> None:
    """Start-up is most of check's time on a few captures: what only other verbs need is imported by them."""
    probe = (
        "import sys; from generator import cli; "
        "cli.main(['check', 'captures/azure-none/faq-bridge-example.yaml']); "
        "print(sorted(m for m in ('jinja2', 'jsonschema', 'generator.site', 'generator.importer') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.stdout.splitlines()[-1] == "[]", done.stdout + done.stderr
