"""The scale benchmark's synthetic captures (varied from the repository's) pass check, as it claims."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.benchmarks.bench_loader import write_captures
from tests.conftest import run_cli


def test_synthetic_captures_from_every_variable_base_pass_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = write_captures(tmp_path / "captures", 12)
    assert len({p.parent.name for p in written}) >= 4, "the bases cover several plugin-policy folders"
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli("check", "captures")
    assert (code, out) == (0, ""), out
    assert err.startswith("12 captures checked: all clean")
