"""Work spread over processes: the same results, in the same order, as one process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator import workers
from tests.conftest import ROOT
from tests.conftest import run_cli as run


def _pid_and_square(n: int) -> tuple[int, int]:
    return os.getpid(), n * n


def test_results_come_in_the_order_given_from_other_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "PER_WORKER", 1)
    results = workers.map_in_order(_pid_and_square, [(n,) for n in range(40)])
    assert [square for _, square in results] == [n * n for n in range(40)]
    assert os.getpid() not in {pid for pid, _ in results}


def test_few_jobs_run_here() -> None:
    assert {pid for pid, _ in workers.map_in_order(_pid_and_square, [(1,), (2,)])} == {os.getpid()}


def test_check_prints_the_same_in_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every finding and problem, good and bad captures mixed, byte for byte as one process prints them."""
    shutil.copytree(ROOT / "captures", tmp_path / "captures")
    source = tmp_path / "captures" / "kubenet-none" / "aks-nodepool1-27511634-vmss000000.yaml"
    for i in range(6):
        text = source.read_text(encoding="utf-8")
        if i % 3 == 0:
            text = text.replace("schema: 2", f"schema: {i + 3}", 1)
        source.with_name(f"copy-{i}.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    args = ["check", "-v", "--root", "captures", "captures"]
    serial = run(*args)
    monkeypatch.setattr(workers, "PER_WORKER", 1)
    parallel = run(*args)
    assert serial == parallel
    assert "captures/kubenet-none/copy-3.yaml:2" in serial[2] + serial[1]
