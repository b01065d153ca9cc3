"""Golden facts: every layout's capture derives the facts an expert reads in its outputs.

``tests/fixtures/facts/<layout>/<plugin>-<policy>/<node>.yaml`` is a capture (from the
network-namespace lab, or published by others: ``<layout>/SOURCES.md`` gives the
provenance and, fact by fact, the lines that show it); ``<node>.facts.json`` beside it
holds the expected ``datapath``, ``encapsulation``, ``pod_network`` and ``mode``.
Each layout folder is its own captures root. The lab's captures are on the site instead
(``captures/<plugin>-<policy>/<layout>-<node>.yaml``, see :mod:`tests.lab.publish`): their
facts files stay here, and the tests read the site's copy.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator import facts as facts_mod
from generator import pipeline
from tests.conftest import ROOT
from tests.lab import publish

FIXTURES = ROOT / "tests" / "fixtures" / "facts"
AXES = ("datapath", "encapsulation", "pod_network", "mode")
CASES = sorted(FIXTURES.glob("*/*/*.facts.json"))


def _capture(expected: Path) -> Path:
    """The capture the facts are expected of: beside them, or (a lab node) on the site."""
    beside = expected.with_name(expected.name.removesuffix(".facts.json") + ".yaml")
    return beside if beside.is_file() else publish.published(expected, ROOT)


def _root(expected: Path) -> Path:
    """Its captures root: the layout folder, or captures/ for a lab node."""
    capture = _capture(expected)
    return capture.parent.parent


@pytest.mark.parametrize("expected", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_layout_derives_its_facts(expected: Path) -> None:
    analysis = pipeline.analyse(_capture(expected), _root(expected))
    want = json.loads(expected.read_text(encoding="utf-8"))
    got = {axis: getattr(analysis.facts, axis).value for axis in AXES}
    reasons = {axis: getattr(analysis.facts, axis).reason for axis in AXES}
    assert got == {axis: want[axis] for axis in AXES}, reasons
    # A decided fact names the lines that show it.
    for axis in ("datapath", "encapsulation", "pod_network"):
        fact = getattr(analysis.facts, axis)
        if fact.value not in (facts_mod.UNKNOWN, facts_mod.NOT_CAPTURED, "none"):
            assert fact.lines, f"{axis} {fact.value} without evidence lines: {fact.reason}"


@pytest.mark.parametrize("expected", CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in CASES])
def test_layout_has_no_false_error(expected: Path) -> None:
    """Partial output is 'not checked', never an error; waivers must still match a finding."""
    analysis = pipeline.analyse(_capture(expected), _root(expected))
    assert [f"{f.rule}: {f.message}" for f in analysis.result.errors] == []
    assert [f.message for f in analysis.result.findings if f.rule == "FG000"] == []


def test_every_layout_has_provenance_and_every_capture_its_facts() -> None:
    layouts = sorted(p for p in FIXTURES.iterdir() if p.is_dir())
    assert layouts, "no golden facts fixtures"
    assert [p.name for p in layouts if not (p / "SOURCES.md").is_file()] == []
    captures = sorted(FIXTURES.glob("*/*/*.yaml"))
    assert [c.name for c in captures if not c.with_name(c.stem + ".facts.json").is_file()] == []
    # The lab's captures are on the site, one per golden facts file, and no other.
    lab_facts = sorted(FIXTURES.glob("lab-*/*/*.facts.json"))
    assert [f.name for f in lab_facts if not _capture(f).is_file()] == []
    on_site = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "captures").glob("*/lab-*.yaml"))
    assert on_site == sorted(_capture(f).relative_to(ROOT).as_posix() for f in lab_facts)


def _without_sections(text: str, keep: set[int]) -> str:
    """The capture with only the sections whose index is in ``keep``, and no expect: claims.

    Lab captures are written by tests/lab/assemble.py: ``sections:`` then ``expect:``
    last, each section starting at ``  - namespace: ``.
    """
    head, _, body = text.partition("sections:\n")
    body = body.partition("\nexpect:")[0].rstrip("\n")
    sections = body.removeprefix("  - namespace: ").split("\n  - namespace: ")
    kept = [s for i, s in enumerate(sections) if i in keep]
    return head + "sections:\n" + "".join(f"  - namespace: {s}\n" for s in kept)


LAB_CASES = [c for c in CASES if c.relative_to(FIXTURES).parts[0].startswith("lab-")]


@pytest.mark.parametrize("expected", LAB_CASES, ids=[c.relative_to(FIXTURES).as_posix() for c in LAB_CASES])
def test_less_output_never_changes_a_fact_only_leaves_it_open(expected: Path, tmp_path: Path) -> None:
    """Drop one host command (or keep only one): each fact stays, or becomes unknown / not-captured.

    Missing data may leave a fact open; it must never turn it into another answer, and
    never into an error-level finding.
    """
    capture = _capture(expected)
    text = capture.read_text(encoding="utf-8")
    full = pipeline.analyse(capture, _root(expected)).facts
    sections = pipeline.analyse(capture, _root(expected)).capture.sections
    host = [s.index for s in sections if s.namespace == "host"]
    others = {s.index for s in sections if s.namespace != "host"}
    variants = [set(host) - {i} for i in host] + [{i} for i in host]
    folder = tmp_path / capture.parent.name
    folder.mkdir()
    for keep in variants:
        (folder / capture.name).write_text(_without_sections(text, keep | others), encoding="utf-8")
        partial = pipeline.analyse(folder / capture.name, tmp_path)
        kept = sorted(sections[i].command.split(" ", 4)[-1] for i in keep)
        for axis in AXES:
            value = getattr(partial.facts, axis).value
            assert value in (getattr(full, axis).value, facts_mod.UNKNOWN, facts_mod.NOT_CAPTURED), (
                f"host outputs {kept}: {axis} {value} ({getattr(partial.facts, axis).reason})"
            )
        assert [f"{f.rule}: {f.message}" for f in partial.result.errors] == [], f"host outputs {kept}"
