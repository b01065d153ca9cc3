"""The lab, built once per test session and shared by every test that needs a real kernel.

Where the machine cannot run it (not root, no unshare, no veth/bridge/vxlan, a tool
missing) the fixture skips with one line saying why.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.lab import assemble

LAB = Path(__file__).resolve().parent
COLLECTOR = LAB.parents[1] / "generator" / "collect.sh"
REQUIRED_TOOLS = ("unshare", "nsenter", "mount", "ip", "bridge", "ping", "sysctl")


def unavailable() -> str | None:
    """Why this machine cannot run the lab, or None when it can."""
    if sys.platform != "linux":
        return "the lab needs Linux network namespaces"
    if os.geteuid() != 0:
        return "the lab needs root (unshare --net, mounts in its sandbox)"
    missing = [tool for tool in REQUIRED_TOOLS if shutil.which(tool) is None]
    if missing:
        return f"the lab needs {', '.join(missing)} (make lab-deps installs them)"
    probe = (
        "ip link add lab0 type veth peer name lab1 && ip link add lab2 type bridge"
        " && ip link add lab3 type vxlan id 1 dstport 4789 && test -c /dev/net/tun"
    )
    try:
        result = subprocess.run(
            ["unshare", "--mount", "--net", "sh", "-c", probe], capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        return "probing for veth, bridge and vxlan timed out"
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no message"])[0]
        return f"this machine cannot make veth, bridge and vxlan devices in a new netns: {first}"
    return None


@dataclass(frozen=True)
class LabRun:
    raw: Path
    captures: Path
    summary: str


@pytest.fixture(scope="session")
def lab(tmp_path_factory: pytest.TempPathFactory) -> LabRun:
    reason = unavailable()
    if reason is not None:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("lab")
    raw, captures = base / "raw", base / "captures"
    result = subprocess.run(
        [str(LAB / "lab.sh"), str(raw)],
        capture_output=True,
        text=True,
        timeout=300,
        # The node-side collector runs in every node too: <layout>/<node>/transcript.txt.
        env={**os.environ, "LAB_PYTHON": sys.executable, "LAB_COLLECTOR": str(COLLECTOR)},
    )
    assert result.returncode == 0, f"lab.sh failed:\n{result.stdout}{result.stderr}"
    assemble.assemble(raw, captures, date="2000-01-01")
    return LabRun(raw, captures, result.stdout.strip())
