"""Capture loading: the series captures are clean; every broken capture gets its exact message."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from generator import capture as capture_mod
from generator.errors import CaptureError
from tests.conftest import ROOT, run_cli

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
    assert (code, err) == (0, "")
    assert out.endswith("4 captures checked: all clean, 1 waived\n")


@pytest.mark.parametrize("case", BAD_CASES, ids=lambda p: p.relative_to(BAD).as_posix())
def test_bad_capture_message(case: Path) -> None:
    expected_file = case.with_suffix(".expected")
    code, out, err = run_cli("check", "--root", BAD.relative_to(ROOT).as_posix(), case.relative_to(ROOT).as_posix())
    if UPDATE:
        expected_file.write_text(err, encoding="utf-8")
    assert code == 1, out
    assert "Traceback" not in err
    assert err == expected_file.read_text(encoding="utf-8")


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


def _plain_yaml(path: Path) -> object:
    yaml = YAML(typ="safe", pure=True)
    return json.loads(json.dumps(yaml.load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("path", capture_mod.discover([CAPTURES]), ids=lambda p: p.stem)
def test_schema_file_agrees_with_the_loader(path: Path) -> None:
    """The shipped JSON Schema (for editors) accepts every capture the loader accepts."""
    jsonschema.Draft202012Validator(capture_mod.schema()).validate(_plain_yaml(path))


def test_schema_file_rejects_unknown_keys_like_the_loader() -> None:
    path = BAD / "kubenet-none" / "unknown-nested-key.yaml"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(capture_mod.schema()).validate(_plain_yaml(path))


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
