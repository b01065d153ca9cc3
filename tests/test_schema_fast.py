"""The fast schema check says "valid" only where jsonschema finds no error (then jsonschema's messages are used)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import capture
from generator.errors import GeneratorError
from tests.conftest import ROOT

FILES = sorted(
    p
    for folder in ("captures", "tests/captures", "tests/adversarial", "tests/fixtures")
    for p in (ROOT / folder).rglob("*.yaml")
)


def _schema_of(path: Path) -> str:
    return "comparisons" if path.name == "comparisons.yaml" else "capture"


def _agree(data: Any, name: str) -> None:
    fast = capture._fast_check(name)
    assert fast is not None
    slow_valid = next(capture._validator(name).iter_errors(data), None) is None
    assert fast(data) == slow_valid


def test_both_shipped_schemas_compile() -> None:
    assert capture._fast_check("capture") is not None
    assert capture._fast_check("comparisons") is not None


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_of_the_repository_gets_the_same_answer(path: Path) -> None:
    try:
        doc = capture.read_yaml(path, path.name)
    except GeneratorError:
        pytest.skip("not YAML data: the schema is never asked")
    _agree(doc.data, _schema_of(path))


def test_a_keyword_the_compiler_does_not_know_leaves_jsonschema_alone() -> None:
    with pytest.raises(capture._NotCompiledError):
        capture._compile({"type": "object", "properties": {"a": {"$ref": "#/$defs/b"}}})
    with pytest.raises(capture._NotCompiledError):
        capture._compile({"enum": [["a list"]]})


_BASE = capture.read_yaml(ROOT / "captures" / "azure-calico" / "node-10.220.2.4.yaml", "base").data
_ODD: st.SearchStrategy[Any] = st.sampled_from(
    [None, True, False, 0, 1, -1, 1.0, 2.5, "", " ", "x" * 300, "2020-02-30", "2020-13", "azure", "1", [], {}, ["a"]]
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value[:3]):
            found += _paths(item, (*path, i))
    return found


_ALL = _paths(_BASE)[1:]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_ALL), st.sampled_from(["set", "drop", "add"]), _ODD), max_size=3))
def test_mutated_captures_get_the_same_answer(edits: list[tuple[tuple[Any, ...], str, Any]]) -> None:
    data = copy.deepcopy(_BASE)
    for path, how, value in edits:
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            if how == "set":
                parent[path[-1]] = copy.deepcopy(value)
            elif how == "drop":
                del parent[path[-1]]
            elif isinstance(parent, dict):
                parent["unknown_key"] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this path
    _agree(data, "capture")
