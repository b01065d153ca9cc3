"""The built site in a real browser: diagrams render, no console errors, capture text never runs.

Run by ``make e2e`` (after ``make site``). Screenshots of each page in the light and
dark schemes are kept in ``build/e2e/`` as build artifacts.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.e2e.conftest import ARTIFACTS, ROOT, serve

PAGES = {
    "home": "",
    "capture": "guide/captures/kubenet-none/aks-nodepool1-27511634-vmss000000/",
    "compare": "guide/compare/kubenet-network-policy/",
    "blog": "blog/",
    "part-3": "blog/part-3-network-policy/",
}
WIDTHS = {"desktop": 1280, "phone": 390}
SITE_NAME = "AKS networking field guide"


def _local(url: str) -> bool:
    return url.startswith("http://127.0.0.1:")


def _open(browser: Browser, url: str, scheme: str, width: int = 1280) -> tuple[Page, list[str]]:
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": 900})  # type: ignore[arg-type]
    # The machine is offline: the theme's one outside request (the repository's star count from
    # api.github.com) is refused here, and only failures of the site's own files count.
    context.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/])"), lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on(
        "console",
        lambda m: (
            errors.append(f"console {m.type}: {m.text}")
            if m.type == "error" and _local(m.location.get("url", "") or url) and "net::ERR_FAILED" not in m.text
            else None
        ),
    )
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: errors.append(f"request failed: {r.url}") if _local(r.url) else None)
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


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_renders_with_diagrams_and_no_errors(browser: Browser, name: str, scheme: str, width: str) -> None:
    base = serve(ROOT / "site")
    page, errors = _open(browser, base + PAGES[name], scheme, WIDTHS[width])
    try:
        expected = "slate" if scheme == "dark" else "default"
        assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        sizes = _diagram_sizes(page)
        if name not in ("home", "blog"):
            assert sizes, f"{name}: no diagram on the page"
        for src, natural, shown in sizes:
            assert natural > 0 and shown > 0, f"{name}: diagram {src} has no size"
        page.screenshot(path=str(ARTIFACTS / f"{name}-{scheme}-{width}.png"), full_page=True)
        assert errors == []
    finally:
        page.context.close()


def test_home_content_fits_at_1280_without_sideways_scrolling(browser: Browser) -> None:
    page, errors = _open(browser, serve(ROOT / "site"), "light")
    try:
        widths = page.evaluate(
            """() => [...document.querySelectorAll('.md-content, .md-typeset__scrollwrap, .md-typeset__table, .grid.cards')]
                .map(e => [e.className || e.tagName, e.scrollWidth, e.clientWidth])"""
        )
        assert widths and all(scroll <= client for _, scroll, client in widths), widths
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        # Every node the AKS matrix links is in view without scrolling.
        links = page.locator(".md-typeset table tbody tr td a")
        assert links.count() >= 8
        for index in range(links.count()):
            box = links.nth(index).bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1280, links.nth(index).inner_text()
        assert page.locator(".grid.cards > ul > li").count() == 4
        assert errors == []
    finally:
        page.context.close()


def test_each_post_title_is_its_heading_and_the_feed_lists_them(browser: Browser) -> None:
    base = serve(ROOT / "site")
    posts = sorted(
        p.parent.name for p in (ROOT / "site" / "blog").glob("*/index.html") if p.parent.name.startswith("part-")
    )
    assert posts, "no posts built"
    headings = {}
    for slug in posts:
        page, errors = _open(browser, f"{base}blog/{slug}/", "light")
        try:
            # The heading's own text, without the permalink sign toc adds.
            heading = page.locator("article h1").first.evaluate(
                "h => [...h.childNodes].filter(n => !n.classList?.contains('headerlink')).map(n => n.textContent).join('').trim()"
            )
            assert page.title() == f"{heading} - {SITE_NAME}"
            assert re.search(r"Part [0-9]+ of [0-9]+ of the series", page.inner_text("article"))
            headings[slug] = heading
            assert errors == []
        finally:
            page.context.close()
    page, errors = _open(browser, f"{base}blog/", "light")
    try:
        listed = [t.strip().rstrip("¶").strip() for t in page.locator("article h2").all_inner_texts()]
        assert sorted(listed) == sorted(headings.values()), "the blog index lists each post once, by its heading"
        response = page.request.get(f"{base}blog/feed.xml")
        assert response.ok
        feed = ET.fromstring(response.body())
        atom = "{http://www.w3.org/2005/Atom}"
        entries = {
            str(e.findtext(f"{atom}title")): str(e.find(f"{atom}link").get("href"))  # type: ignore[union-attr]
            for e in feed.iter(f"{atom}entry")
        }
        assert sorted(entries) == sorted(headings.values())
        assert all(
            href.endswith(f"/blog/{slug}/")
            for slug, href in zip(posts, (entries[headings[s]] for s in posts), strict=True)
        )
        assert errors == []
    finally:
        page.context.close()


@pytest.mark.parametrize("name", ["capture", "compare", "part-3"])
def test_every_diagram_can_be_enlarged_and_has_a_caption(browser: Browser, name: str) -> None:
    page, errors = _open(browser, serve(ROOT / "site") + PAGES[name], "dark")
    try:
        figures = page.locator("figure.fg-figure").all()
        assert figures
        for figure in figures:
            link = figure.locator("a.fg-enlarge")
            href = str(link.evaluate("a => a.href"))  # resolved against the page
            assert href.endswith(".svg") and figure.locator("img.fg-diagram").count() == 1
            assert page.request.get(href).ok
            assert figure.locator("figcaption").inner_text().strip()
        assert errors == []
    finally:
        page.context.close()


HOSTILE = """\
schema: 2
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
