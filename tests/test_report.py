"""Output formats of check: GitHub annotations are escaped, JSON is stable."""

from __future__ import annotations

import json

from generator import report

ITEM = report.Item(
    file="captures/a,b/x:y.yaml",
    line=7,
    severity="error",
    rule="FG004",
    name="bridge-ports-agree",
    message="100% wrong\nsecond line",
    evidence=((7, "veth0 <script>"),),
)


def test_github_annotation_escapes_data_and_properties() -> None:
    assert report.github([ITEM]) == (
        "::error file=captures/a%2Cb/x%3Ay.yaml,line=7,title=FG004 bridge-ports-agree::100%25 wrong%0Asecond line\n"
    )


def test_waived_items_become_notices() -> None:
    waived = report.Item(**{**ITEM.__dict__, "waived": "known"})
    assert report.github([waived]).startswith("::notice ")


def test_json_is_sorted_and_complete() -> None:
    other = report.Item(**{**ITEM.__dict__, "file": "captures/a.yaml", "line": 1})
    data = json.loads(report.as_json([ITEM, other], files=2))
    assert data["files"] == 2
    # Sorted by file name as bytes: "," sorts before ".".
    assert [i["file"] for i in data["items"]] == ["captures/a,b/x:y.yaml", "captures/a.yaml"]
    assert data["items"][0]["evidence"] == [{"line": 7, "text": "veth0 <script>"}]


def test_text_groups_per_file_and_shows_control_characters() -> None:
    item = report.Item(**{**ITEM.__dict__, "evidence": ((7, "a\x1b[31mb"),), "message": "m"})
    assert report.text([item]) == (
        "captures/a,b/x:y.yaml\n  captures/a,b/x:y.yaml:7: error FG004 bridge-ports-agree: m\n        7 | a\\x1b[31mb\n"
    )


HOSTILE = "cali\x1b]0;owned\x07\x1b[2J\rx"


def test_text_escapes_control_characters_in_every_field() -> None:
    item = report.Item(
        file=f"captures/{HOSTILE}.yaml",
        line=3,
        severity="warning",
        rule="FG002",
        name="n",
        message=f"interface {HOSTILE}",
        context=f"host: {HOSTILE}",
        waived=f"because {HOSTILE}",
    )
    shown = "cali\\x1b]0;owned\\x07\\x1b[2J\\x0dx"
    assert report.text([item]) == (
        f"captures/{shown}.yaml\n"
        f"  captures/{shown}.yaml:3 [host: {shown}]: warning FG002 n (waived): interface {shown}\n"
        f"    waiver: because {shown}\n"
    )


def test_github_annotations_escape_control_characters() -> None:
    item = report.Item(**{**ITEM.__dict__, "file": f"captures/{HOSTILE}.yaml", "message": f"x {HOSTILE}\n"})
    assert report.github([item]) == (
        "::error file=captures/cali\\x1b]0;owned\\x07\\x1b[2J%0Dx.yaml,line=7,title=FG004 bridge-ports-agree"
        "::x cali\\x1b]0;owned\\x07\\x1b[2J%0Dx%0A\n"
    )
