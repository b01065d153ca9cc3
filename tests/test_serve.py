"""``make serve`` with a broken capture: the page shows the located error, and the next good save recovers.

A real ``mkdocs serve`` on a copy of the project, a real capture broken and fixed on
disk, the pages fetched over HTTP as a browser would.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CAPTURE = Path("captures/kubenet-none/aks-nodepool1-27511634-vmss000000.yaml")
BANNER = "The generator refused to build the guide"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    if shutil.which("dot") is None:
        pytest.skip("needs Graphviz (dot): make graphviz installs it")
    project = tmp_path / "project"
    project.mkdir()
    for name in ("docs", "captures", "generator"):
        shutil.copytree(ROOT / name, project / name, ignore=shutil.ignore_patterns("__pycache__", "guide", "posts"))
    shutil.copy(ROOT / "mkdocs.yml", project / "mkdocs.yml")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(project), "NO_MKDOCS_2_WARNING": "1", "HOME": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.log").open("w"),
    )
    try:
        yield project, f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def _until(url: str, ok: Callable[[str], bool], timeout: float = 90) -> str:
    """The page at ``url`` once ``ok`` holds for it (the server rebuilds in the background)."""
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                page = response.read().decode("utf-8")
        except OSError:
            page = ""
        if page and ok(page):
            return page
        time.sleep(0.3)
    raise AssertionError(f"{url} never reached the expected state; last page:\n{page[:2000]}")


def test_a_broken_capture_is_shown_on_the_page_located_and_a_good_save_recovers(served: tuple[Path, str]) -> None:
    project, url = served
    _until(url, lambda page: "AKS networking field guide" in page and BANNER not in page)
    capture = project / CAPTURE
    good = capture.read_text(encoding="utf-8")
    capture.write_text(good.replace("network_policy: none", "network_policy: <b>nonsense</b>"), encoding="utf-8")
    page = _until(url, lambda page: BANNER in page)
    assert (
        f"{CAPTURE.as_posix()}:6: error: cluster.network_policy is &#x27;&lt;b&gt;nonsense&lt;/b&gt;&#x27;; "
        "expected one of &#x27;none&#x27;, &#x27;azure&#x27;, &#x27;calico&#x27;, &#x27;cilium&#x27;, &#x27;not stated&#x27;"
    ) in page
    assert "    6 |   network_policy: &lt;b&gt;nonsense&lt;/b&gt;" in page
    assert "<b>nonsense" not in page
    capture.write_text(good, encoding="utf-8")
    _until(url, lambda page: BANNER not in page)
