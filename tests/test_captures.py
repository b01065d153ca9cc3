"""Capture loading: the series captures are clean; every broken capture gets its exact message."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import capture as capture_mod
from generator.capture import Misread, plain_value, split_lines
from generator.errors import CaptureError
from tests.conftest import ROOT, WAIVED_FINDINGS, repository_captures, run_cli

CAPTURES = ROOT / "captures"
BAD = ROOT / "tests" / "captures" / "bad"
BAD_CASES = sorted(BAD.rglob("*.yaml"))
SHARED = ROOT.parent / "shared" / "reference-outputs"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _repo_root(in_repo: None) -> None:
    pass


def test_series_captures_are_clean() -> None:
    code, out, err = run_cli("check")
    # A clean run prints one line, on stderr; the waived finding only with --verbose.
    summary = f"{repository_captures()} captures checked: all clean, {WAIVED_FINDINGS} waived"
    assert (code, out, err) == (0, "", f"{summary} (--verbose shows them)\n")
    code, out, err = run_cli("check", "--verbose")
    assert (code, err) == (0, f"{summary}\n")
    assert "error FG004 bridge-ports-agree (waived)" in out


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda p: p.relative_to(BAD).as_posix())
def test_bad_capture_message(case: Path) -> None:
    expected_file = case.with_suffix(".expected")
    code, out, err = run_cli("check", "--root", BAD.relative_to(ROOT).as_posix(), case.relative_to(ROOT).as_posix())
    # Findings on stdout, the summary line on stderr: together, the expected text.
    if UPDATE:
        expected_file.write_text(out + err, encoding="utf-8")
    assert code == 1, out
    assert "Traceback" not in out + err
    assert out + err == expected_file.read_text(encoding="utf-8")
    assert err == expected_file.read_text(encoding="utf-8").splitlines(keepends=True)[-1]


def test_bad_corpus_is_large_enough() -> None:
    assert len(BAD_CASES) >= 20


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    folder = tmp_path / "kubenet-none"
    folder.mkdir()
    big = folder / "big.yaml"
    big.write_text("title: x\n" + "# padding\n" * (capture_mod.MAX_BYTES // 10 + 1))
    with pytest.raises(CaptureError) as info:
        capture_mod.load(big, tmp_path)
    size = big.stat().st_size
    assert str(info.value) == (
        f"{big.as_posix()}: file is {size} bytes; captures are limited to {capture_mod.MAX_BYTES} bytes (1 MiB)"
    )


def test_check_usage_errors() -> None:
    code, _, err = run_cli("check", "no/such/place")
    assert (code, err) == (2, "usage error: no such file or folder: no/such/place\n")
    code, _, err = run_cli("frobnicate")
    assert code == 2 and err.startswith("usage error: argument verb: invalid choice: 'frobnicate'")


def _as_editors_read_it(path: Path) -> object:
    """The capture as a standard YAML reader sees it (dates become strings again for JSON)."""
    return json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader), default=str))


@pytest.mark.parametrize("path", capture_mod.discover([CAPTURES]), ids=lambda p: p.stem)
def test_schema_file_agrees_with_standard_yaml_readers(path: Path) -> None:
    """Editors validate the file with the same schema after a standard YAML load: they must accept it too."""
    jsonschema.Draft202012Validator(capture_mod.schema()).validate(_as_editors_read_it(path))


@pytest.mark.parametrize("name", ["capture", "comparisons"])
def test_shipped_schemas_are_valid_json_schema(name: str) -> None:
    jsonschema.Draft202012Validator.check_schema(capture_mod.load_schema(name))


@pytest.mark.parametrize("path", capture_mod.discover([CAPTURES]), ids=lambda p: p.stem)
def test_every_line_number_points_at_its_text(path: Path) -> None:
    """Output lines, annotations, pods, waivers and metadata keys all point at the line that holds them."""
    capture = capture_mod.load(path, CAPTURES)
    text = capture.text_lines
    for section in capture.sections:
        assert re.fullmatch(r" *- namespace: .*| *namespace: .*", text[section.line - 1]), section.label
        assert re.search(r"output: \|[-+]?$", text[section.output_line - 2])
        indent = len(text[section.output_line - 1]) - len(text[section.output_line - 1].lstrip(" "))
        for offset, line in enumerate(section.output.splitlines()):
            assert text[section.output_line - 1 + offset][indent:] == line
        for note in section.annotations:
            assert text[note.file_line - 1].strip() == f"- line: {note.line}"
    for pod in capture.pods:
        assert text[pod.line - 1].strip() == f"- name: {pod.name}"
    for waiver in capture.waivers:
        assert text[waiver.line - 1].strip() == f"- rule: {waiver.rule}"
    for key, number in capture.lines.items():
        assert text[number - 1].lstrip().startswith(key.rsplit(".", 1)[-1] + ":"), key
    assert capture.line_of("expect.mode") is not None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("host", "host"),
        ("10.100.1.14", "10.100.1.14"),
        ("1.17.11", "1.17.11"),
        ("2020-11-11", "2020-11-11"),
        ("yes", "yes"),
        ("12", 12),
        ("-3", -3),
        ("true", True),
        ("False", False),
        ("~", None),
        ("null", None),
        ("1.20", Misread("1.20", "the number 1.2")),
        ("1.0", Misread("1.0", "the number 1.0")),
        ("1e3", Misread("1e3", "the number 1000.0")),
        ("08", Misread("08", "the number 8")),
        ("017", Misread("017", "the octal number 15")),
        ("0x1F", Misread("0x1F", "the number 31")),
        ("1_000", Misread("1_000", "the number 1000")),
        ("1:20", Misread("1:20", "the base-60 number 80")),
        (".inf", Misread(".inf", "infinity")),
        (".NaN", Misread(".NaN", "not-a-number")),
    ],
)
def test_plain_scalars_keep_their_text_unless_yaml_would_read_a_number(text: str, value: object) -> None:
    assert plain_value(text) == value
    assert type(plain_value(text)) is type(value)


# Edits a contributor (or an attacker) might make: YAML syntax, odd characters, line breaks of every kind.
EDITS = st.sampled_from(
    [
        *":-|>?#&*!%@`'\"[]{},\\ \t\n\r\x00\x1b\x85\u2028\ufeff",
        "- ",
        "\r\n",
        "&a ",
        "*a",
        "!!str ",
        "<<: ",
        "1.20",
        "2021-02-30",
        "2020-11-11 25:61:00",
        "true",
        "---\n",
        "...\n",
        "  ",
        "\n    ",
        "output: |\n",
        "[[[[[[[[[[[[[[",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 10_000), EDITS, st.booleans()), min_size=1, max_size=4))
def test_any_edit_loads_or_is_reported_at_a_line_of_the_file(
    tmp_path: Path, edits: list[tuple[int, str, bool]]
) -> None:
    """Whatever the edit, loading gives a capture or located problems: never another exception, never a wrong line."""
    text = (BAD / "flat.yaml").read_text(encoding="utf-8")
    for position, token, replace in edits:
        at = position % (len(text) + 1)
        text = text[:at] + token + text[at + replace :]
    path = tmp_path / "kubenet-none" / "node0.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        capture_mod.load(path, tmp_path)
    except CaptureError as exc:
        lines = split_lines(text)
        for problem in exc.problems:
            assert problem.location.file == path.as_posix()
            line = problem.location.line
            if line is not None:
                assert 1 <= line <= max(1, len(lines)), problem.format()
                assert problem.source is None or problem.source in lines[line - 1], problem.format()


def _tree(tmp_path: Path, *names: str) -> None:
    """A captures folder with a clean capture under each name."""
    for name in names:
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CAPTURES / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml", target)


def _check_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *paths: str) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", "--root", ".", *(paths or (".",)))
    return code, out + err


def test_symlinked_capture_and_folder_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path, "kubenet-none/node0.yaml")
    (tmp_path / "kubenet-none" / "node1.yaml").symlink_to("node0.yaml")
    (tmp_path / "kubenet-calico").symlink_to("kubenet-none")
    code, err = _check_here(tmp_path, monkeypatch)
    assert (code, err) == (
        1,
        "kubenet-calico\n"
        "  kubenet-calico: error: folder is a symbolic link (to 'kubenet-none'); captures and their folders must be "
        "real files and folders, so each capture has one id (copy the file instead)\n"
        "\n"
        "kubenet-none/node1.yaml\n"
        "  kubenet-none/node1.yaml: error: capture is a symbolic link (to 'node0.yaml'); captures and their folders "
        "must be real files and folders, so each capture has one id (copy the file instead)\n"
        "3 captures checked: 2 with problems\n",
    )


def test_names_that_are_not_captures_are_reported_not_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long = "a" * 250
    _tree(tmp_path, "kubenet-none/node0.YAML", "kubenet-none/comparisons.yaml", f"kubenet-none/{long}.yaml")
    code, err = _check_here(tmp_path, monkeypatch)
    assert (code, err) == (
        1,
        f"kubenet-none/{long}.yaml\n"
        f"  kubenet-none/{long}.yaml: error: capture path part 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...' is 250 "
        "characters long; at most 100 are allowed (the id becomes file names of the site)\n"
        "\n"
        "kubenet-none/comparisons.yaml\n"
        "  kubenet-none/comparisons.yaml: error: comparisons.yaml belongs directly in the captures folder "
        "(./comparisons.yaml); in a plugin folder it would be read as a capture\n"
        "\n"
        "kubenet-none/node0.YAML\n"
        "  kubenet-none/node0.YAML: error: capture file names must end in .yaml (found '.YAML')\n"
        "3 captures checked: 3 with problems\n",
    )


@pytest.mark.parametrize("given", ["kubenet-none/f.yaml", "."])
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path, given: str) -> None:
    (tmp_path / "kubenet-none").mkdir()
    os.mkfifo(tmp_path / "kubenet-none" / "f.yaml")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--root", ".", given],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stdout + result.stderr) == (
        1,
        "kubenet-none/f.yaml\n"
        "  kubenet-none/f.yaml: error: a capture must be a regular file, but this is a FIFO (named pipe)\n"
        "1 capture checked: 1 with problems\n",
    )


def test_loading_does_not_import_ruamel() -> None:
    """ruamel stays pinned for a later round-trip tool; loading must not pay for it."""
    code = "import sys; from generator.cli import main; main(['check']); print('ruamel' in str(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.endswith("False\n")


# Each series capture section that was copied from a published output, and the file it came from.
PUBLISHED = {
    ("kubenet-none/aks-nodepool1-27511634-vmss000000", 0): "griffith-kubenet-none-pod-ip-addr.txt",
    (
        "kubenet-none/aks-nodepool1-27511634-vmss000000",
        1,
    ): "griffith-kubenet-none-host-ip-addr.TRANSCRIBED-FROM-SCREENSHOT.txt",
    ("kubenet-none/aks-nodepool1-27511634-vmss000000", 2): "griffith-kubenet-none-host-brctl-show.txt",
    ("kubenet-none/aks-nodepool1-27511634-vmss000000", 3): "griffith-kubenet-none-host-route-n.txt",
    ("kubenet-none/aks-nodepool1-27511634-vmss000000", 4): "griffith-kubenet-none-host-iptables-nat-POSTROUTING.txt",
    ("kubenet-calico/node-10.240.0.4", 0): "griffith-kubenet-calico-pod-ip-addr.txt",
    ("kubenet-calico/node-10.240.0.4", 1): "griffith-kubenet-calico-host-ip-addr.txt",
    ("kubenet-calico/node-10.240.0.4", 2): "griffith-kubenet-calico-host-brctl-show.txt",
    ("kubenet-calico/node-10.240.0.4", 3): "griffith-kubenet-calico-host-route-n.txt",
    ("azure-none/aks-nodepool1-44430483-vmss000000", 0): "griffith-azurecni-bridge-none-pod-ip-addr.txt",
    (
        "azure-none/aks-nodepool1-44430483-vmss000000",
        1,
    ): "griffith-azurecni-bridge-none-host-ip-addr.TRANSCRIBED-FROM-SCREENSHOT.txt",
    ("azure-none/aks-nodepool1-44430483-vmss000000", 2): "griffith-azurecni-bridge-none-host-brctl-show.txt",
    ("azure-none/aks-nodepool1-44430483-vmss000000", 3): "griffith-azurecni-bridge-none-host-route-n.txt",
    (
        "azure-none/aks-nodepool1-44430483-vmss000000",
        4,
    ): "griffith-azurecni-bridge-none-host-iptables-nat-POSTROUTING.txt",
    (
        "azure-none/aks-nodepool1-44430483-vmss000000",
        5,
    ): "griffith-azurecni-bridge-none-host-iptables-nat-IP-MASQ-AGENT.txt",
    ("azure-calico/node-10.220.2.4", 0): "griffith-azurecni-transparent-calico-pod-ip-addr.txt",
    ("azure-calico/node-10.220.2.4", 1): "griffith-azurecni-transparent-calico-host-ip-addr.txt",
    ("azure-calico/node-10.220.2.4", 2): "griffith-azurecni-transparent-calico-host-brctl-show.txt",
    ("azure-calico/node-10.220.2.4", 3): "griffith-azurecni-transparent-calico-host-route-n.txt",
}


PUBLISHED_HASHES = ROOT / "tests" / "fixtures" / "published-outputs.sha256"


def _published_hashes() -> dict[str, str]:
    lines = PUBLISHED_HASHES.read_text(encoding="utf-8").splitlines()
    return {name: digest for digest, name in (ln.split("  ", 1) for ln in lines if ln and not ln.startswith("#"))}


def test_captures_hold_the_published_bytes() -> None:
    """No output was edited on its way into a capture: each equals the hash of what the series published."""
    hashes = _published_hashes()
    seen = set()
    series = {cid for cid, _ in PUBLISHED}
    for path in capture_mod.discover([CAPTURES]):
        capture = capture_mod.load(path, CAPTURES)
        if capture.id not in series:
            continue
        for section in capture.sections:
            reference = PUBLISHED[(capture.id, section.index)]
            digest = hashlib.sha256(section.output.encode("utf-8")).hexdigest()
            assert digest == hashes[reference], f"{capture.id} section {section.index} differs from {reference}"
            assert section.transcribed == ("TRANSCRIBED" in reference), f"{capture.id} section {section.index}"
            seen.add(reference)
    assert seen == set(PUBLISHED.values())


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/reference-outputs is not beside the checkout")
def test_published_hashes_match_the_reference_outputs() -> None:
    published = {
        f.name: hashlib.sha256(
            f.read_text(encoding="utf-8").split("# ---- BEGIN OUTPUT ----\n", 1)[1].encode("utf-8")
        ).hexdigest()
        for f in SHARED.glob("*.txt")
    }
    assert _published_hashes() == published


@pytest.mark.parametrize(
    ("value", "first"),
    [
        ("1", "expect.bridges_present[0] must be a string, found a number; quote it: YAML reads 1 as the number 1"),
        ('"\\x01"', "expect.bridges_present[0] contains the control character '\\x01'"),
    ],
)
def test_a_flood_of_bad_values_is_cut_to_a_screenful(tmp_path: Path, value: str, first: str) -> None:
    """A hostile file's 100,000 wrong values give 200 problems, quickly, each quoting a cut line."""
    path = tmp_path / "kubenet-none" / "node0.yaml"
    path.parent.mkdir()
    flood = ",".join([value] * 100_000)
    path.write_text((BAD / "flat.yaml").read_text(encoding="utf-8") + f"expect:\n  bridges_present: [{flood}]\n")
    with pytest.raises(CaptureError) as info:
        capture_mod.load(path, tmp_path)
    problems = info.value.problems
    assert len(problems) == capture_mod.MAX_PROBLEMS + 1
    assert problems[0].message.startswith(f"stopped after {capture_mod.MAX_PROBLEMS} problems")
    assert problems[1].message.startswith(first)
    assert problems[1].format().endswith("...")
    assert len(problems[1].format().splitlines()[1]) == len("    | ") + 200


def test_names_and_keys_from_the_input_reach_the_terminal_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _tree(tmp_path, "kubenet-none/\x1b[31mred.yaml")
    (tmp_path / "kubenet-none" / "node0.yaml").write_text(
        (BAD / "flat.yaml").read_text(encoding="utf-8") + '"\\e[2Jkey": "\\e[2J"\n', encoding="utf-8"
    )
    code, err = _check_here(tmp_path, monkeypatch)
    assert "\x1b" not in err
    assert (code, err) == (
        1,
        "kubenet-none/\\x1b[31mred.yaml\n"
        "  kubenet-none/\\x1b[31mred.yaml: error: capture path part '\\x1b[31mred' has characters outside "
        "[a-z0-9._-] (expected captures/<plugin>-<policy>/<node>.yaml in lower case)\n"
        "\n"
        "kubenet-none/node0.yaml\n"
        "  kubenet-none/node0.yaml:34: error: ['\\x1b[2Jkey'] contains the control character '\\x1b'; a one-line "
        "value must be plain text (remove it)\n"
        '       34 | "\\e[2Jkey": "\\e[2J"\n'
        "2 captures checked: 2 with problems\n",
    )
