"""The only MkDocs-specific code: regenerate the guide before each build, and put the matrix on the home page.

``mkdocs build`` and ``mkdocs serve`` both call :func:`on_pre_build`, which runs the
generator (files are rewritten only when their content changes, so ``serve`` does
not loop). A bad capture or a failed article claim stops the build with the
generator's located messages, before MkDocs cleans the old site. ``make site`` runs
the generator itself into a staging folder (``generator/publish.py``) and sets
``FIELDGUIDE_STAGED``: the pages are already there, so the hook only reads them.

The home page is hand-written; a line holding only :data:`MATRIX_MARKER` is replaced
by the generated matrix. This replaces a snippets include: the snippets extension
reads its syntax anywhere in a page, capture output included.

Where the site is published comes from :mod:`generator.published` (one place):
:func:`on_config` sets ``site_url``, ``repo_url`` and ``edit_uri`` from it, and
:func:`on_post_build` writes the blog's Atom feed from the posts' front matter.
"""

from __future__ import annotations

import html
import os
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority

from generator.errors import GeneratorError

MATRIX_MARKER = "<!-- fieldguide: matrix -->"
# generator.site.matrix.MATRIX_PARTIAL, spelled out: a staged build only reads it, and importing the
# generator (a third of a second) is then wasted.
MATRIX_PARTIAL = "guide/_partials/matrix.md"
HOME = "index.md"
POSTS = "blog/posts"
# Beside the blog index, so the index can link it as "feed.xml".
FEED = "blog/feed.xml"


def on_config(config: Any, **kwargs: Any) -> Any:
    from generator.published import SettingError, published

    try:
        where = published()
    except SettingError as exc:
        raise PluginError(f"where the site is published: {exc}") from None
    config.site_url = where.site_url
    config.repo_url = where.repo_url
    config.repo_name = where.repository
    config.edit_uri = where.edit_uri
    return config


def on_post_build(config: Any, **kwargs: Any) -> None:
    from generator.feed import atom, read_post

    posts_dir = Path(config.docs_dir) / POSTS
    if not posts_dir.is_dir():
        return
    try:
        posts = [read_post(p.name, p.read_text(encoding="utf-8")) for p in sorted(posts_dir.glob("*.md"))]
    except ValueError as exc:
        raise PluginError(f"the blog feed: {exc}") from None
    target = Path(config.site_dir) / FEED
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(atom(posts, site_url=config.site_url, site_name=config.site_name))


def _source_of(src: str) -> str | None:
    """The repository file a page is made from: the page itself, its article, or its capture."""
    if src.startswith(f"{POSTS}/"):
        return f"docs/articles/{src.removeprefix(f'{POSTS}/')}"
    if src.startswith("guide/captures/") and src.endswith(".md"):
        return f"captures/{src.removeprefix('guide/captures/').removesuffix('.md')}.yaml"
    if src.startswith("guide/"):
        return None  # made from several captures: no single history
    return f"docs/{src}"


def _last_commit_date(root: Path, source: str | None) -> str:
    """The date (YYYY-MM-DD) of the last commit that touched ``source``; '' outside git or for new files."""
    if source is None or not (root / source).is_file():
        return ""
    key = str(root.resolve())
    if key not in _History.dates:
        _History.dates[key] = _commit_dates(root)
    return _History.dates[key].get(source, "")


class _History:
    """Each file's last commit date, per project folder, read once per build (cleared in on_pre_build)."""

    dates: dict[str, dict[str, str]] = {}  # noqa: RUF012


def _commit_dates(root: Path) -> dict[str, str]:
    """Every file under ``root`` -> the date of the last commit that touched it, from one walk of the history.

    One ``git log`` for the whole site, not one per page: with a thousand capture pages that
    was a thousand processes, each walking the history. A merge counts for a file only
    when it changed the file against every parent (``--cc``), as ``git log -- file`` does.
    """
    try:
        done = subprocess.run(
            ["git", "log", "--format=format:%x01%cs", "--name-only", "--cc", "--no-renames", "--relative", "-z"],
            cwd=root,
            capture_output=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired):
        return {}
    if done.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    for commit in done.stdout.decode("utf-8", errors="surrogateescape").split("\x01")[1:]:
        date, _, names = commit.partition("\n")
        for name in names.split("\0"):
            if name:
                dates.setdefault(name, date)  # newest first: the first date seen is the last change
    return dates


# Under `mkdocs serve`, a capture saved half-edited must not stop the server: a failed
# build leaves livereload hanging every request ("the server will appear stuck") with the
# error only in the terminal. There, the error is shown on every page instead, located,
# and the next good save clears it. `mkdocs build` still fails.
class _Serve:
    serving = False
    broken = ""  # the error banner while the last build failed


def on_startup(*, command: str, dirty: bool) -> None:
    _Serve.serving = command == "serve"


def numbered(exc: GeneratorError) -> str:
    """The generator's problems as ``check`` prints them: grouped per file, each quoted line with its number."""
    from generator import report

    return report.text(report.from_problem(p) for p in exc.problems).rstrip("\n")


def error_banner(exc: GeneratorError) -> str:
    """The generator's problems as an HTML block for the top of a page, every line numbered and escaped."""
    # One line: Markdown leaves a raw HTML block alone only up to a blank line.
    body = html.escape(numbered(exc)).replace("\n", "&#10;")
    return (
        '<div class="admonition failure" role="alert"><p class="admonition-title">The generator refused to build '
        f"the guide: fix this and save, and the page reloads</p><pre>{body}</pre></div>\n\n"
    )


# MkDocs renders every page's HTML before it writes the first one, and keeps all of it to
# the end: with a thousand capture pages that alone was most of `make site`'s memory. A
# capture page's HTML is kept compressed (about a tenth) from when it is rendered until its
# turn to be written, and released once written. Only capture pages: the blog and the
# search plugin read other pages' content at other times.
CAPTURE_PAGES = "guide/captures/"


class _Held:
    pages: dict[str, bytes] = {}  # noqa: RUF012 - one build at a time, cleared before each


@event_priority(-100)  # after every other plugin has changed the HTML
def on_page_content(html: str, page: Any, **kwargs: Any) -> str | None:
    src = page.file.src_uri
    if not src.startswith(CAPTURE_PAGES):
        return html
    _Held.pages[src] = zlib.compress(html.encode("utf-8"), 1)
    page.markdown = ""  # the source is not needed again either
    return ""


@event_priority(100)  # before the search plugin indexes the page
def on_page_context(context: Any, page: Any, **kwargs: Any) -> Any:
    held = _Held.pages.pop(page.file.src_uri, None)
    if held is not None:
        page.content = zlib.decompress(held).decode("utf-8")
    return context


@event_priority(-100)
def on_post_page(output: str, page: Any, **kwargs: Any) -> str:
    if page.file.src_uri.startswith(CAPTURE_PAGES):
        page.content = ""  # written by MkDocs right after this event; nothing reads it again
    return output


def on_pre_build(config: Any, **kwargs: Any) -> None:
    _Held.pages.clear()
    _History.dates.clear()
    if os.environ.get("FIELDGUIDE_STAGED") == "1":
        return
    from generator.site import main_build

    root = Path(config.config_file_path).parent
    try:
        main_build(root / "captures", Path(config.docs_dir), root / ".cache" / "diagrams")
    except GeneratorError as exc:
        if not _Serve.serving:
            raise PluginError(f"the generator refused to build the guide:\n{exc}") from None
        _Serve.broken = error_banner(exc)
        print(
            f"fieldguide: the generator refused to build the guide (shown on every page):\n{numbered(exc)}",
            file=sys.stderr,
        )
        return
    _Serve.broken = ""


def on_page_markdown(markdown: str, page: Any, config: Any, **kwargs: Any) -> str:
    src = page.file.src_uri
    # Generated pages are not in the repository: a post is edited in its article, a guide page in captures.
    if src.startswith(f"{POSTS}/") and page.edit_url:
        page.edit_url = page.edit_url.replace(f"/docs/{POSTS}/", "/docs/articles/")
    elif src.startswith("guide/"):
        page.edit_url = None
    updated = _last_commit_date(Path.cwd(), _source_of(src))
    if updated:
        # Material shows it as "last update"; from git history, never the clock.
        page.meta["revision_date"] = updated
    if _Serve.broken:
        return _Serve.broken + markdown
    if src != HOME:
        return markdown
    lines = markdown.split("\n")
    if MATRIX_MARKER not in (line.strip() for line in lines):
        return markdown
    partial = Path(config.docs_dir) / MATRIX_PARTIAL
    if not partial.is_file():
        raise PluginError(f"docs/{HOME}: the matrix marker needs {partial}, which the generator writes")
    matrix = partial.read_text(encoding="utf-8").rstrip("\n")
    # Whole marker lines are replaced in one pass: the matrix text is never searched again.
    return "\n".join(matrix if line.strip() == MATRIX_MARKER else line for line in lines)
