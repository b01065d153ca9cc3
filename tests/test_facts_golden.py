"""Golden facts: every ``tests/fixtures/facts/<layout>/<node>.facts.json`` is what the
capture beside it must derive.

The expected values come from where the capture was made (the lab knows what it built;
a published capture's SOURCES.md says what the cluster was), never from the derivation.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import pipeline
from tests.conftest import FIXTURES

FACTS = FIXTURES / "facts"
CASES = sorted(FACTS.glob("*/*.facts.json"))
NAMES = ("datapath", "encapsulation", "pod_network", "mode")


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.facts.json')}"


def test_there_are_cases() -> None:
    assert len(CASES) >= 9


@pytest.mark.parametrize("expected_path", CASES, ids=_case_id)
def test_facts(expected_path: Path) -> None:
    capture = expected_path.with_name(expected_path.name.removesuffix(".facts.json") + ".yaml")
    assert (expected_path.parent / "SOURCES.md").is_file(), f"{expected_path.parent}: no SOURCES.md"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert sorted(expected) == sorted(NAMES)
    analysis = pipeline.analyse(capture, root=FACTS)
    derived = {name: getattr(analysis.facts, name).value for name in NAMES}
    assert derived == expected
    assert analysis.result.errors == ()
