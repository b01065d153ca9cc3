"""The built site in a real browser: diagrams render, no console errors, capture text never runs.

Run by ``make e2e`` (after ``make site``). Screenshots of each page in the light and
dark schemes are kept in ``build/e2e/`` as build artifacts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import ARTIFACTS, ROOT, serve

PAGES = {
    "home": "",
    "capture": "guide/captures/kubenet-none/aks-nodepool1-27511634-vmss000000/",
    "part-3": "blog/part-3-network-policy/",
}


def _open(browser: Browser, url: str, scheme: str) -> tuple[Page, list[str]]:
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})  # type: ignore[arg-type]
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}"))
    page.goto(url, wait_until="networkidle")
    return page, errors


def _diagram_sizes(page: Page) -> list[tuple[str, int, int]]:
    sizes = []
    for image in page.locator("img.fg-diagram").all():
        image.scroll_into_view_if_needed()
        image.evaluate("img => img.complete || new Promise(r => img.addEventListener('load', r, {once: true}))")
        box = image.bounding_box()
        natural = image.evaluate("img => img.naturalWidth")
        sizes.append((str(image.get_attribute("src")), int(natural), int(box["width"] if box else 0)))
    return sizes


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_with_diagrams_and_no_errors(browser: Browser, name: str, scheme: str) -> None:
    base = serve(ROOT / "site")
    page, errors = _open(browser, base + PAGES[name], scheme)
    try:
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        sizes = _diagram_sizes(page)
        if name != "home":
            assert sizes, f"{name}: no diagram on the page"
        for src, natural, shown in sizes:
            assert natural > 0 and shown > 0, f"{name}: diagram {src} has no size"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{scheme}.png"), full_page=True)
        assert errors == []
    finally:
        page.context.close()


HOSTILE = """\
schema: 1
title: "Hostile <script>window.__pwned = 'title'</script>"
cluster: {network_plugin: kubenet, network_policy: none}
node: {os_image: "<img src=x onerror=\\"window.__pwned = 'os'\\">"}
captured:
  date: "2024-01-01"
  source: "javascript:window.__pwned='source'"
  notes: "<svg onload=\\"window.__pwned = 'notes'\\"></svg> [link](javascript:window.__pwned='md')"
sections:
  - namespace: host
    command: "iptables -nvL </code><script>window.__pwned='command'</script>"
    annotations:
      - {line: 1, note: "<script>window.__pwned = 'note'</script>"}
    output: |
      <script>window.__pwned = 'output'</script>
      ```
      </pre><script>window.__pwned = 'fence'</script>
"""


@pytest.fixture(scope="module")
def planted_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project with one hostile capture added, built with the real mkdocs."""
    work = tmp_path_factory.mktemp("planted")
    for name in ("mkdocs.yml", "docs", "captures"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("guide", "posts"))
        else:
            shutil.copy(source, work / name)
    (work / "generator").symlink_to(ROOT / "generator")
    (work / "captures" / "kubenet-none" / "hostile.yaml").write_text(HOSTILE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        # Not -q: it drops the warnings --strict counts.
        [sys.executable, "-m", "mkdocs", "build", "--strict"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return work / "site"


def test_planted_script_in_a_capture_does_not_execute(browser: Browser, planted_site: Path) -> None:
    base = serve(planted_site)
    page, errors = _open(browser, base + "guide/captures/kubenet-none/hostile/", "light")
    try:
        # Open every tab so every output block is in the rendered, visible page.
        for tab in page.locator(".tabbed-labels label").all():
            tab.click()
        assert page.evaluate("typeof window.__pwned") == "undefined"
        text = page.inner_text("article")
        assert "<script>window.__pwned = 'title'</script>" in text
        assert "<script>window.__pwned = 'output'</script>" in text
        assert "<script>window.__pwned = 'note'</script>" in text
        assert page.locator("article script").count() == 0
        assert page.locator("article a[href^='javascript:']").count() == 0
        page.screenshot(path=str(ARTIFACTS / "planted-capture.png"), full_page=True)
        assert errors == []
    finally:
        page.context.close()
