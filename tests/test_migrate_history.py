"""fieldguide migrate on every capture the repository has ever held (tests/fixtures/migrate/).

Each version is migrated in a scratch captures root, in the folder it was committed in,
and must then load under today's schema with every output byte as it was.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from generator import capture, migrate
from tests.conftest import ROOT

HISTORY = ROOT / "tests" / "fixtures" / "migrate"
INDEX: dict[str, list[str]] = json.loads((HISTORY / "index.json").read_text(encoding="utf-8"))


def _outputs(path: Path) -> list[str]:
    return [str(s["output"]) for s in capture.read_yaml(path, path.name).data["sections"]]


@pytest.mark.parametrize("blob", sorted(INDEX), ids=lambda b: f"{b[:10]}:{INDEX[b][0]}")
def test_every_past_capture_migrates_and_loads(blob: str, tmp_path: Path) -> None:
    *_, folder, name = INDEX[blob][0].split("/")
    path = tmp_path / folder / name
    path.parent.mkdir()
    shutil.copyfile(HISTORY / f"{blob}.yaml", path)
    before = path.read_bytes()
    result = migrate.migrate_file(path)
    if result.move_to is not None:
        moved = tmp_path / result.move_to / name
        moved.parent.mkdir()
        path = path.replace(moved)
    loaded = capture.load(path, tmp_path)
    assert loaded.id == f"{path.parent.name}/{path.stem}"
    assert _outputs(path) == _outputs(HISTORY / f"{blob}.yaml")
    # Only the lines that name the version and the plugin changed; every other line is kept.
    old, new = before.decode("utf-8").splitlines(), path.read_text(encoding="utf-8").splitlines()
    changed = [line for line in new if line not in old]
    assert all(line.lstrip().startswith(("schema:", "network_plugin", "cluster:")) for line in changed), changed


def test_the_history_holds_every_capture_committed() -> None:
    """After a capture is added or changed, re-run tests/fixtures/migrate/collect_history.py."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    shallow = subprocess.run(
        ["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if shallow.stdout.strip() != "false":
        pytest.skip("a shallow clone does not hold the whole history")
    listed = subprocess.run(
        ["git", "ls-files", "-s", "--", "captures/", "tests/fixtures/facts/"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    committed = {
        line.split()[1]
        for line in listed.splitlines()
        if line.endswith(".yaml") and (line.split("\t")[1].count("/") in (2, 5))
    }
    missing = sorted(committed - INDEX.keys())
    assert missing == [], "run: python tests/fixtures/migrate/collect_history.py"
