"""fieldguide migrate: schema 1 captures become schema 2 in place, every other byte kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import capture
from tests.conftest import run_cli

BODY = """node: {name: node0}   # the node
captured: {date: "2024-01-01", source: tests}
sections:
  - namespace: host
    command: route -n
    output: |
      Kernel IP routing table
      Destination     Gateway         Genmask         Flags Metric Ref    Use Iface
      0.0.0.0         10.224.0.1      0.0.0.0         UG    0      0        0 eth0\t
"""


def _write(root: Path, folder: str, head: str, body: str = BODY) -> Path:
    path = root / folder / "node0.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((head + body).encode("utf-8"))
    return path


def test_schema_1_becomes_2_and_nothing_else_changes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    head = "# a comment the author wrote\nschema: 1   # version\ntitle: t\ncluster:\n  network_plugin: kubenet\n  network_policy: none\n"
    path = _write(tmp_path, "kubenet-none", head)
    assert run_cli("migrate", "kubenet-none") == (
        0,
        "kubenet-none/node0.yaml: schema: 1 -> 2\n",
        "1 capture read: 1 migrated, 0 already current\n",
    )
    assert path.read_bytes() == (head.replace("schema: 1 ", "schema: 2 ") + BODY).encode("utf-8")
    capture.load(path, tmp_path)  # loads under schema 2
    # Idempotent: a current file is left alone and said to be current.
    assert run_cli("migrate", str(path)) == (0, "", "1 capture read: 0 migrated, 1 already current\n")


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (
            '  network_plugin: "azure-overlay"  # from the post\n  network_policy: none\n',
            '  network_plugin: "azure"  # from the post\n  network_plugin_mode: overlay\n  network_policy: none\n',
        ),
        (
            "  network_plugin: 'cilium'\r\n  network_policy: cilium\r\n",
            "  network_plugin: 'azure'\r\n  network_dataplane: cilium\r\n  network_policy: cilium\r\n",
        ),
    ],
)
def test_old_plugin_spellings_become_a_plugin_and_a_key(tmp_path: Path, written: str, expected: str) -> None:
    path = _write(tmp_path, "x", "schema: 1\ntitle: t\ncluster:\n" + written)
    code, out, _ = run_cli("migrate", str(path))
    assert code == 0
    assert path.read_bytes().decode("utf-8") == "schema: 2\ntitle: t\ncluster:\n" + expected + BODY
    if "cilium" in written:
        assert out.endswith(
            f"{capture.display_path(path)}: now belongs in azure-cilium-cilium/ (move it with git mv)\n"
        )


def test_a_flow_mapping_gets_the_new_key_inline(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "azure-overlay-none",
        "schema: 1\ntitle: t\ncluster: {network_plugin: azure-overlay, network_policy: none}\n",
    )
    run_cli("migrate", str(path))
    assert path.read_text(encoding="utf-8").splitlines()[2] == (
        "cluster: {network_plugin: azure, network_plugin_mode: overlay, network_policy: none}"
    )
    assert capture.load(path, tmp_path).offering == "azure-overlay"


def test_a_file_it_cannot_read_is_named_and_left_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    good = _write(
        tmp_path, "kubenet-none", "schema: 1\ntitle: t\ncluster: {network_plugin: kubenet, network_policy: none}\n"
    )
    bad = tmp_path / "kubenet-none" / "broken.yaml"
    bad.write_text("schema: 1\ntitle: [unclosed\n", encoding="utf-8")
    future = _write(tmp_path, "azure-none", "schema: 7\ntitle: t\n")
    before = bad.read_bytes(), future.read_bytes()
    code, out, err = run_cli("migrate", ".")
    assert code == 1
    assert out == (
        "kubenet-none/node0.yaml: schema: 1 -> 2\n"
        "azure-none/node0.yaml\n"
        "  azure-none/node0.yaml:1: error: cannot migrate: schema is 7; fieldguide migrate upgrades schema 1 to 2\n"
        "        1 | schema: 7\n"
        "\n"
        "kubenet-none/broken.yaml\n"
        "  kubenet-none/broken.yaml:2: error: invalid YAML: expected ',' or ']'\n"
        "        2 | title: [unclosed\n"
    )
    assert err == "3 captures read: 1 migrated, 0 already current, 2 could not be migrated (left untouched)\n"
    assert (bad.read_bytes(), future.read_bytes()) == before
    assert good.read_text(encoding="utf-8").startswith("schema: 2\n")


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    assert run_cli("migrate", str(tmp_path / "nope")) == (
        2,
        "",
        f"usage error: no such file or folder: {tmp_path / 'nope'}\n",
    )
