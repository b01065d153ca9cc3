"""The collector as shipped, and ``fieldguide collect`` failing in one clear line.

The collector's real runs are in tests/lab/test_collect_import.py (every lab node) and
tests/test_import.py (an empty namespace); here: that the package ships it, that it is
POSIX sh, and what ``collect`` says when kubectl cannot reach a node. kubectl is the
real one; the clusters it is pointed at do not exist.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generator import collect
from tests.conftest import ROOT, run_cli

NEEDS_KUBECTL = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed here")


def test_collect_script_prints_the_shipped_collector() -> None:
    assert run_cli("collect-script") == (0, (ROOT / "generator" / "collect.sh").read_text(encoding="utf-8"), "")


@pytest.mark.parametrize("shell", ["sh", "dash", "bash", "busybox"])
def test_the_collector_is_valid_posix_sh(shell: str) -> None:
    found = shutil.which(shell)
    if found is None:
        pytest.skip(f"{shell} is not installed here")
    argv = {"busybox": [found, "sh", "-n"], "bash": [found, "--posix", "-n"]}.get(shell, [found, "-n"])
    result = subprocess.run([*argv, str(ROOT / "generator" / "collect.sh")], capture_output=True, text=True)
    assert (result.returncode, result.stderr) == (0, "")


def test_without_kubectl_collect_says_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert run_cli("collect", "--node", "aks-nodepool1-12345678-vmss000000") == (
        1,
        "",
        "fieldguide collect: kubectl is not on PATH: install it (az aks install-cli), or print the collector with "
        "'fieldguide collect-script' and run it on the node yourself\n",
    )


def _kubeconfig(tmp_path: Path) -> Path:
    """A context whose API server is a closed port on this machine."""
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\n"
        'clusters:\n- cluster: {server: "https://127.0.0.1:9"}\n  name: nowhere\n'
        "contexts:\n- context: {cluster: nowhere, user: nobody}\n  name: nowhere\n"
        "current-context: nowhere\nusers:\n- name: nobody\n  user: {token: x}\n",
        encoding="utf-8",
    )
    return path


@NEEDS_KUBECTL
def test_without_a_context_collect_says_how_to_get_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "empty").write_text("apiVersion: v1\nkind: Config\n", encoding="utf-8")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "empty"))
    assert run_cli("collect", "--node", "n") == (
        1,
        "",
        "fieldguide collect: kubectl has no context: run 'az aks get-credentials --resource-group RG --name CLUSTER' "
        "first\n",
    )
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path)))
    assert run_cli("collect", "--node", "n", "--context", "other") == (
        1,
        "",
        "fieldguide collect: kubectl has no context named 'other': run 'az aks get-credentials --resource-group RG "
        "--name CLUSTER' first\n",
    )


@NEEDS_KUBECTL
def test_an_unreachable_cluster_is_one_line_with_kubectls_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KUBECONFIG", str(_kubeconfig(tmp_path)))
    code, out, err = run_cli("collect", "--node", "n")
    assert (code, out) == (1, "")
    assert err == (
        "fieldguide collect: kubectl debug node/n failed (exit 1): The connection to the server 127.0.0.1:9 was "
        "refused - did you specify the right host or port?\n"
    )


def test_the_transcript_header_names_this_version() -> None:
    assert f"printf '{collect.MAGIC} {collect.VERSION} boundary %s\\n'" in collect.script()
