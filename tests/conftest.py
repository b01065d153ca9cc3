"""Shared test helpers."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
# Findings the repository's captures waive (each with its reason, in the capture): a new
# waiver should be a deliberate change, so the count is written here, not derived.
WAIVED_FINDINGS = 3


def repository_captures() -> int:
    return sum(1 for _ in (ROOT / "captures").rglob("*.yaml")) - 1  # comparisons.yaml is not a capture


FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture
def root() -> Path:
    return ROOT


def run_cli(*argv: str) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages show paths relative to the working directory: run from the repository root."""
    monkeypatch.chdir(ROOT)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the captures and the hand-written docs, as the working directory (messages name files relative to it).

    Test modules that need more of the repository (mkdocs.yml, the Makefile) define their own.
    """
    for name in ("captures", "docs"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("guide", "posts"))
    monkeypatch.chdir(tmp_path)
    return tmp_path
