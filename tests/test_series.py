"""The four captures of the article series: classified from their data, clean under every rule."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from tests.conftest import ROOT

CAPTURES = ROOT / "captures"
SERIES = {
    "kubenet-none/aks-nodepool1-27511634-vmss000000": ("bridge", ("cbr0",), "veth"),
    "kubenet-calico/node-10.240.0.4": ("transparent", (), "cali"),
    "azure-none/aks-nodepool1-44430483-vmss000000": ("bridge", ("azure0",), "azv"),
    "azure-calico/node-10.220.2.4": ("transparent", (), "azv"),
}


@pytest.mark.parametrize("capture_id", sorted(SERIES))
def test_series_capture_is_classified_from_its_data(capture_id: str) -> None:
    analysis = pipeline.analyse(CAPTURES / f"{capture_id}.yaml", CAPTURES)
    mode, bridges, prefix = SERIES[capture_id]
    assert analysis.facts.mode.value == mode
    assert analysis.facts.cni_bridges == bridges
    assert analysis.facts.host_veth_prefix == prefix
    assert analysis.result.errors == () and analysis.result.warnings == ()
    # Every finding that remains is waived, with its reason in the capture.
    assert all(f.waived for f in analysis.result.findings)
    assert all(p.status == "joined" for p in analysis.facts.pairs) and analysis.facts.pairs


def test_only_the_known_inconsistency_is_waived() -> None:
    waived = [
        (cid, f.rule)
        for cid in sorted(SERIES)
        for f in pipeline.analyse(CAPTURES / f"{cid}.yaml", CAPTURES).result.findings
    ]
    assert waived == [("azure-none/aks-nodepool1-44430483-vmss000000", "FG004")]


def test_a_capture_contradicting_its_claim_fails_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "captures"
    target = root / "kubenet-calico" / "node-10.240.0.4.yaml"
    target.parent.mkdir(parents=True)
    shutil.copy(CAPTURES / "kubenet-calico" / "node-10.240.0.4.yaml", target)
    text = target.read_text(encoding="utf-8")
    assert "  mode: transparent\n" in text
    target.write_text(text.replace("  mode: transparent\n", "  mode: bridge\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["check"], out=out, err=err)
    assert code == 1
    lines = (out.getvalue() + err.getvalue()).splitlines()
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t == "  mode: transparent")
    assert lines[0] == "captures/kubenet-calico/node-10.240.0.4.yaml"
    assert lines[1] == (
        f"  captures/kubenet-calico/node-10.240.0.4.yaml:{line}: error FG015 expect-holds: expect.mode says 'bridge', "
        "but the outputs show 'transparent': no CNI bridge carries pod veths; 9 host route(s) without a gateway lead straight to veths "
        "(cali0b8d4f989c0, cali16fcf5898b5, cali4cd5cd7d78e, ...)"
    )
    assert lines[2] == f"    {line:>5} |   mode: bridge"
    assert "10.244.0.2      0.0.0.0         255.255.255.255 UH" in lines[3]
    assert lines[-1] == "1 capture checked: 1 with problems"


def test_github_format_and_strict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "captures" / "kubenet-calico"
    root.mkdir(parents=True)
    text = (CAPTURES / "kubenet-calico" / "node-10.240.0.4.yaml").read_text(encoding="utf-8")
    # A Calico veth with another MAC breaks only a warning-level rule.
    (root / "n.yaml").write_text(text.replace("ee:ee:ee:ee:ee:ee brd", "3e:6a:2c:7e:59:25 brd"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", "--format", "github"], out=out, err=err) == 0
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("      15: cali4cd5cd7d78e@if3:"))
    assert out.getvalue() == (
        f"::warning file=captures/kubenet-calico/n.yaml,line={line},title=FG014 calico-host-mac::"
        "cali4cd5cd7d78e has MAC 3e:6a:2c:7e:59:25, not ee:ee:ee:ee:ee:ee\n"
    )
    assert err.getvalue() == "1 capture checked: all clean, 1 warning\n"
    assert main(["check", "--strict"], out=io.StringIO(), err=io.StringIO()) == 1
