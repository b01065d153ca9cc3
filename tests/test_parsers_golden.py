"""Golden pairs: every ``tests/fixtures/<slug>/<case>.txt`` parses to ``<case>.json``.

A case whose expected outcome is an error has ``<case>.error`` instead, holding the
exact message a user would read. Set ``UPDATE_GOLDEN=1`` to rewrite the expected
files after a deliberate change, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import parsers
from generator.errors import ParseError
from generator.parsers import Origin, records_to_json
from tests.conftest import FIXTURES

CASES = sorted(FIXTURES.glob("*/*.txt"))
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def _case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_golden(case: Path) -> None:
    parser = parsers.by_slug(case.parent.name)
    assert parser is not None, f"no parser registered for fixture folder {case.parent.name!r}"
    origin = Origin(file=f"{case.parent.name}/{case.name}", command=parser.command)
    text = case.read_text(encoding="utf-8")
    expected_json = case.with_suffix(".json")
    expected_error = case.with_suffix(".error")
    assert expected_json.exists() != expected_error.exists() or UPDATE, (
        f"{case}: needs exactly one of {expected_json.name} or {expected_error.name}"
    )
    try:
        actual = records_to_json(parser.parse(text, origin=origin))
    except ParseError as exc:
        if UPDATE and not expected_json.exists():
            expected_error.write_text(str(exc) + "\n", encoding="utf-8")
        assert expected_error.exists(), f"{case}: unexpected parse error:\n{exc}"
        assert str(exc) + "\n" == expected_error.read_text(encoding="utf-8")
        return
    if UPDATE and not expected_error.exists():
        expected_json.write_text(actual, encoding="utf-8")
    assert expected_json.exists(), f"{case}: parsed, but an error was expected"
    assert actual == expected_json.read_text(encoding="utf-8")


def test_every_parser_has_an_empty_case_and_a_real_case() -> None:
    for parser in parsers.PARSERS:
        folder = FIXTURES / parser.slug
        names = {p.stem for p in folder.glob("*.txt")}
        assert "empty" in names, f"{parser.slug}: no empty-input case"
        assert any(n.startswith("published-") for n in names), f"{parser.slug}: no case from a published output"
