"""Check every internal link and anchor in a built site, including raw-HTML ones.

``mkdocs build --strict`` validates Markdown links; links written as raw HTML (or
produced by plugins and themes) are only visible in the built pages. This reads
every ``.html`` file under the site folder and checks each ``href``/``src`` that
points inside the site: the file must exist, and a ``#fragment`` must be an ``id``
(or ``name``) in the target page. External URLs are collected but not fetched
here; :func:`check_external` does that where the network allows.
"""

from __future__ import annotations

import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag, urlsplit

LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src", "iframe": "src"}


@dataclass(frozen=True)
class Broken:
    page: str
    line: int
    url: str
    reason: str

    def __str__(self) -> str:
        return f"{self.page}:{self.line}: {self.url}: {self.reason}"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if values.get(key):
                self.ids.add(str(values[key]))
        attribute = LINK_ATTRIBUTES.get(tag)
        if attribute and values.get(attribute):
            self.links.append((self.getpos()[0], str(values[attribute])))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8", errors="replace"))
    return page


def _is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme or parts.netloc)


def _target(site: Path, page: Path, url: str, base: str = "/") -> Path | None:
    """The file a link opens; ``None`` for a root-absolute link outside ``base`` (the site's path on its host)."""
    path = unquote(urlsplit(url).path)
    if path.startswith("/"):
        # A project site is served under /name/: "/assets/x" there is another site's file.
        if not path.startswith(base):
            return None
        path = "/" + path[len(base) :]
    folder = (
        PurePosixPath("/") if path.startswith("/") else PurePosixPath("/", page.parent.relative_to(site).as_posix())
    )
    resolved = PurePosixPath(*_normalise((folder / path).parts))
    target = site.joinpath(*resolved.parts[1:]) if len(resolved.parts) > 1 else site
    if target.is_dir() or path.endswith("/") or path == "":
        target = target / "index.html"
    return target


def _normalise(parts: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for part in parts:
        if part == "..":
            if len(out) > 1:
                out.pop()
        elif part not in (".", ""):
            out.append(part)
    return out


def check(site: Path, base: str | None = None) -> tuple[list[Broken], list[str]]:
    """Broken internal links/anchors, and the external URLs seen (sorted, unique).

    ``base`` is the site's path on its host (default: the path of the published site URL).
    """
    if base is None:
        from generator.published import published

        base = urlsplit(published().site_url).path
    base = base.rstrip("/") + "/"
    pages = {p: _parse(p) for p in sorted(site.rglob("*.html"))}
    broken: list[Broken] = []
    external: set[str] = set()
    for path, page in pages.items():
        name = path.relative_to(site).as_posix()
        for line, url in page.links:
            if url.startswith(("mailto:", "javascript:", "data:", "tel:")):
                continue
            if _is_external(url):
                external.add(urldefrag(url)[0])
                continue
            link, fragment = urldefrag(url)
            target = path if not link else _target(site, path, link, base)
            if target is None:
                broken.append(
                    Broken(page=name, line=line, url=url, reason=f"outside the site, which is served under {base}")
                )
                continue
            if not target.exists():
                broken.append(
                    Broken(
                        page=name,
                        line=line,
                        url=url,
                        reason=f"no such file {target.relative_to(site).as_posix() if target.is_relative_to(site) else target}",
                    )
                )
                continue
            if fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else _parse(target).ids
                if unquote(fragment) not in ids:
                    broken.append(
                        Broken(
                            page=name,
                            line=line,
                            url=url,
                            reason=f"no element with id {fragment!r} in {target.relative_to(site).as_posix()}",
                        )
                    )
    return broken, sorted(external)


def check_external(urls: list[str], timeout: float = 10.0) -> Iterator[tuple[str, str]]:
    """HEAD (then GET) each URL; yield the ones that fail with the reason."""
    for url in urls:
        request = urllib.request.Request(url, method="HEAD", headers={"User-Agent": "aks-field-guide-linkcheck"})
        try:
            urllib.request.urlopen(request, timeout=timeout).close()
        except urllib.error.HTTPError as exc:
            if exc.code in (403, 405):
                try:
                    urllib.request.urlopen(url, timeout=timeout).close()
                    continue
                except (urllib.error.URLError, OSError) as again:
                    yield url, str(again)
                    continue
            yield url, f"HTTP {exc.code}"
        except (urllib.error.URLError, OSError) as exc:
            yield url, str(exc)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    external = "--external" in args
    folders = [a for a in args if not a.startswith("--")] or ["site"]
    site = Path(folders[0])
    if not (site / "index.html").is_file():
        print(f"usage error: {site} holds no built site (run make site)", file=sys.stderr)
        return 2
    broken, urls = check(site)
    for item in broken:
        print(item, file=sys.stderr)
    pages = len(list(site.rglob("*.html")))
    if external:
        failures = list(check_external(urls))
        for url, reason in failures:
            print(f"external: {url}: {reason}", file=sys.stderr)
        print(f"{len(urls)} external links checked: {len(failures)} broken")
        if failures:
            return 1
    print(
        f"{pages} pages checked: {len(broken)} broken internal links or anchors ({len(urls)} external links not fetched)"
        if not external
        else f"{pages} pages checked: {len(broken)} broken internal links or anchors"
    )
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
