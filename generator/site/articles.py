"""Articles: ``docs/articles/*.md`` are Jinja templates rendered, in a sandbox, into blog posts.

An article sees only the helpers of :class:`_Articles` (each binds prose to data and
fails loudly) and a few filters, includes only files of its own folder, and every
problem (a failed claim, hostile template code, bad front matter, code or HTML typed in)
names the article's file and line.
"""

from __future__ import annotations

import datetime
import inspect
import re
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

import jinja2
import jinja2.runtime
import yaml
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from generator import capture as capture_mod
from generator import compare, markdown
from generator.errors import GeneratorError, Location, Problem, ProblemCollector
from generator.facts import route_shape
from generator.pipeline import Analysis
from generator.feed import Post, read_post
from generator.site.data import Layout, Site, capture_page, diagram_file, relative, summary
from generator.site.pages import GENERATED_HEADER, figure, routes, section_markdown


class ArticleError(GeneratorError):
    """An article's claim does not hold, or the article uses the data wrongly."""


# --- the helpers ----------------------------------------------------------------------------------


class _Articles:
    """The functions article templates call. Each binds prose to data and fails loudly."""

    def __init__(self, site: Site, page: str) -> None:
        self.site = site
        self.page = page  # the post's path relative to docs/, for relative links

    NAMES = (
        "change",
        "changes",
        "claim",
        "comparison_link",
        "diagram",
        "link",
        "output",
        "pod_output",
        "routes",
        "value",
    )

    def functions(self) -> dict[str, Any]:
        """What an article template can call."""
        return {name: getattr(self, name) for name in self.NAMES}

    def _analysis(self, capture_id: str) -> Analysis:
        try:
            return self.site.get(capture_id)
        except KeyError:
            known = ", ".join(sorted(self.site.analyses))
            raise _ClaimError(f"no capture {capture_id!r} (known: {known})") from None

    def claim(self, capture_id: str, fact: str, equals: Any) -> Markup:
        """Assert a derived fact (mode, cni_bridge, host_veth_prefix, per_pod_routes, pod_mask, ...) and show it."""
        actual = self.value(capture_id, fact)
        if actual != equals:
            raise _ClaimError(
                f"the article says {fact} of {capture_id} is {equals!r}, but the capture shows {actual!r}"
            )
        return Markup(markdown.text(str(actual)))

    def value(self, capture_id: str, fact: str) -> Any:
        values = summary(self._analysis(capture_id))
        if fact not in values:
            raise _ClaimError(f"unknown fact {fact!r} (known: {', '.join(sorted(values))})")
        return values[fact]

    def output(self, capture_id: str, command: str, namespace: str = "host") -> Markup:
        """A section's output exactly as captured, with its annotated lines highlighted and notes below."""
        a = self._analysis(capture_id)
        section = next(
            (
                s
                for s in a.capture.sections
                if s.namespace == namespace and (s.parser == command or s.command == command)
            ),
            None,
        )
        if section is None:
            raise _ClaimError(f"{capture_id} has no {command!r} output in namespace {namespace!r}")
        return section_markdown(section, a.capture.path)

    def pod_output(self, capture_id: str, command: str = "ip addr") -> Markup:
        a = self._analysis(capture_id)
        pods = [p.name for p in a.model.pods]
        if len(pods) != 1:
            raise _ClaimError(f"{capture_id} has {len(pods)} pod namespaces; name one with output()")
        return self.output(capture_id, command, pods[0])

    def diagram(self, capture_id: str) -> Markup:
        a = self._analysis(capture_id)
        src = relative(self.page, f"guide/{diagram_file(capture_id)}")
        return figure(src, f"Topology of {capture_id}", f"{a.capture.title}: the node's interfaces, bridges and routes.")

    def link(self, capture_id: str, text: str | None = None) -> Markup:
        a = self._analysis(capture_id)
        target = relative(self.page, f"guide/{capture_page(capture_id)}")
        return Markup(f"[{markdown.text(text or a.capture.title)}]({target})")

    def comparison_link(self, comparison_id: str, text: str | None = None) -> Markup:
        declared = self._comparison(comparison_id)[0]
        target = relative(self.page, f"guide/compare/{comparison_id}.md")
        return Markup(f"[{markdown.text(text or declared.title)}]({target})")

    def _comparison(self, comparison_id: str) -> tuple[compare.Declared, compare.Comparison]:
        for declared, comparison in self.site.comparisons:
            if declared.id == comparison_id:
                return declared, comparison
        raise _ClaimError(f"no comparison {comparison_id!r} in captures/comparisons.yaml")

    def changes(self, comparison_id: str) -> Markup:
        """The structural changes of a declared comparison, as a table."""
        _, comparison = self._comparison(comparison_id)
        return Markup(markdown.render("_changes.md.j2", changes=comparison.changes))

    def change(self, comparison_id: str, group: str, subject: str, kind: str) -> Markup:
        """Assert that a comparison shows a change of this kind, and show its summary."""
        _, comparison = self._comparison(comparison_id)
        found = comparison.find(group, subject)
        if found is None or found.kind != kind:
            shown = found.kind if found else "no such change"
            raise _ClaimError(
                f"the article says {group}/{subject} is {kind!r} in {comparison_id}, but the diff shows {shown!r}"
            )
        return Markup(markdown.text(found.summary))

    def routes(self, capture_id: str, shape: str | None = None) -> Markup:
        a = self._analysis(capture_id)
        rows = [r for r in routes(a) if shape is None or route_shape(r["route"], a.facts) == shape]
        return Markup(markdown.render("_routes.md.j2", routes=rows))


class _ClaimError(Exception):
    """Raised inside a template; turned into a located ArticleError by _render_article."""


# --- the sandbox ----------------------------------------------------------------------------------

# these filters only (no globals such as range or cycler, no |safe, no filter that can
# allocate without bound), and they can include only files of their own folder.
_ARTICLE_FILTERS = (
    "capitalize",
    "default",
    "first",
    "join",
    "last",
    "length",
    "lower",
    "sort",
    "title",
    "trim",
    "upper",
)
_ARTICLE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}\.md$")
# What a sandboxed template may build with * and **: enough for prose, not for a memory bomb.
_MAX_REPEAT = 10_000
_MAX_EXPONENT = 64
# Python frames an article may use: a dozen nested macros and includes, not a runaway recursion.
_MAX_FRAMES = 400
# Nested loops over strings need no range() to run for hours in CI: each article gets this long.
MAX_RENDER_SECONDS = 10.0


class _RenderTimeoutError(Exception):
    """The article took longer than MAX_RENDER_SECONDS to render."""


# String methods an article may call: none takes a size (center, ljust, zfill, format with a
# width and replace would allocate whatever the article asks for).
_STRING_METHODS = frozenset(
    {"capitalize", "endswith", "lower", "lstrip", "rstrip", "startswith", "strip", "title", "upper"}
)


class _ArticleEnvironment(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def wrap_str_format(self, value: Any) -> None:
        # The sandbox would hand out a checked str.format; a width in it still allocates at will.
        return None

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, str) and callable(value) and attr not in _STRING_METHODS:
            return False
        return bool(super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: jinja2.runtime.Context, operator: str, left: Any, right: Any) -> Any:
        sized = (str, list, tuple)
        if operator == "*" and (isinstance(left, sized) or isinstance(right, sized)):
            count = right if isinstance(left, sized) else left
            if isinstance(count, int) and count * len(left if isinstance(left, sized) else right) > _MAX_REPEAT:
                raise SecurityError(f"repetition longer than {_MAX_REPEAT} items")
        if operator == "**" and isinstance(right, int | float) and abs(right) > _MAX_EXPONENT:
            raise SecurityError(f"exponent larger than {_MAX_EXPONENT}")
        return super().call_binop(context, operator, left, right)


class _ArticleLoader(jinja2.BaseLoader):
    """Templates are the article folder's own files, read once; a name with a folder in it is never found."""

    def __init__(self, folder: Path, sources: dict[str, str]) -> None:
        self.folder = folder
        self.sources = sources

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if template not in self.sources:
            raise jinja2.TemplateNotFound(template)
        return self.sources[template], str(self.folder / template), lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


def _article_environment(folder: Path, sources: dict[str, str]) -> jinja2.Environment:
    env = _ArticleEnvironment(loader=_ArticleLoader(folder, sources), **markdown.ENVIRONMENT_OPTIONS)
    env.globals.clear()
    env.tests = {name: env.tests[name] for name in ("defined", "undefined", "none", "number", "string", "eq", "ne")}
    env.filters = {name: env.filters[name] for name in _ARTICLE_FILTERS}
    env.filters.update(markdown.ESCAPING_FILTERS)
    return env


def _read_articles(folder: Path, problems: ProblemCollector) -> dict[str, str]:
    """The folder's regular files as text; a symlink, a bad name or bad UTF-8 is a located problem."""
    sources: dict[str, str] = {}
    for path in sorted(folder.iterdir()):
        # Not display_path(path): that resolves a symlink and would name its target.
        display = f"{capture_mod.display_path(folder)}/{path.name}"
        if path.is_symlink():
            problems.add(Problem(location=Location(display, 1), message="an article must be a file in docs/articles, not a symlink"))
            continue
        if not path.is_file():
            continue
        if path.suffix == ".md" and not _ARTICLE_NAME.match(path.name):
            problems.add(
                Problem(
                    location=Location(display, 1),
                    message="an article's file name must be a lower-case slug of at most 80 characters, such as part-4-cilium.md",
                )
            )
            continue
        raw = path.read_bytes()
        try:
            sources[path.name] = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            problems.add(Problem(location=Location(display, line), message="file is not valid UTF-8 text"))
    return sources


def render_articles(site: Site, layout: Layout) -> dict[str, bytes]:
    """Render ``docs/articles/*.md`` (Jinja) into blog posts; every problem names the article and line."""
    files: dict[str, bytes] = {}
    if not layout.articles_dir.is_dir():
        return files
    problems = ProblemCollector()
    sources = _read_articles(layout.articles_dir, problems)
    env = _article_environment(layout.articles_dir, sources)
    rendered: dict[str, str] = {}
    for name in sorted(n for n in sources if n.endswith(".md")):
        source = layout.articles_dir / name
        page = f"{layout.posts}/{name}"
        helpers = _Articles(site, page)
        try:
            text = _render_sandboxed(env, name, helpers.functions())
        except Exception as exc:
            problems.add(_article_problem(exc, source, layout.articles_dir, sources))
            continue
        problem = _check_article(source, sources[name], text)
        if problem is not None:
            problems.add(problem)
            continue
        rendered[name] = text
    problems.raise_if_any(ArticleError)
    posts = {name: read_post(name, text) for name, text in rendered.items()}
    series = sorted((p for p in posts.values() if p.part is not None), key=lambda p: (p.part or 0, p.name))
    for name, text in rendered.items():
        files[f"{layout.posts}/{name}"] = _publish(text, posts[name], series).encode("utf-8")
    return files


def _render_sandboxed(env: jinja2.Environment, name: str, helpers: dict[str, Any]) -> str:
    # A macro calling itself would run to Python's recursion limit (and the traceback Jinja
    # rewrites would be thousands of frames deep); a ceiling a little above the current
    # depth fails fast, and the innermost article line is still found.
    limit = sys.getrecursionlimit()
    depth = len(inspect.stack(0))
    # The timer needs the main thread (signals); elsewhere (a library caller's thread) it is not set.
    timed = threading.current_thread() is threading.main_thread()
    if timed:
        previous = signal.signal(signal.SIGALRM, _on_timeout)
        signal.setitimer(signal.ITIMER_REAL, MAX_RENDER_SECONDS)
    sys.setrecursionlimit(depth + _MAX_FRAMES)
    try:
        return str(env.get_template(name).render(**helpers))
    finally:
        sys.setrecursionlimit(limit)
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _on_timeout(signum: int, frame: FrameType | None) -> None:
    raise _RenderTimeoutError


def _article_problem(exc: Exception, source: Path, folder: Path, sources: dict[str, str]) -> Problem:
    """An exception from rendering an article, as a problem at the innermost article line involved."""
    file, line = source, None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        file, line = Path(exc.filename), exc.lineno
    else:
        known = {str(folder / n) for n in sources}
        tb = exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename in known:
                file, line = Path(tb.tb_frame.f_code.co_filename), tb.tb_lineno
            tb = tb.tb_next
    if isinstance(exc, _ClaimError):
        message = str(exc)
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"template syntax: {exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"no file {exc.name!r} to include: an article can include only files of docs/articles"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"template: {exc.message} (articles can call only {', '.join(_Articles.NAMES)})"
    elif isinstance(exc, SecurityError):
        message = f"not allowed in an article: {exc}"
    elif isinstance(exc, _RenderTimeoutError):
        message = f"rendering took longer than {MAX_RENDER_SECONDS:g} s: a loop runs too long"
    elif isinstance(exc, RecursionError):
        message = "recursion too deep: a macro or include calls itself without end"
    elif isinstance(exc, TypeError):
        message = f"wrong call: {str(exc).replace('_Articles.', '')}"
    else:
        message = f"{type(exc).__name__}: {exc}"
    text = sources.get(file.name) if file.parent == folder else None
    lines = text.splitlines() if text is not None else []
    quoted = lines[line - 1] if line is not None and 0 < line <= len(lines) else None
    return Problem(location=Location(capture_mod.display_path(file), line or 1), message=message, source=quoted)


# Jinja expressions, statements and comments: removing them leaves what the author typed.
_HELPER_CALLS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
# The Markdown the site uses, for checking what an article typed (toc and highlight change nothing here).
_ARTICLE_MARKDOWN: dict[str, Any] = {
    "extensions": [
        "admonition",
        "attr_list",
        "def_list",
        "md_in_html",
        "tables",
        "pymdownx.details",
        "pymdownx.superfences",
        "pymdownx.tabbed",
    ],
    "extension_configs": {"pymdownx.tabbed": {"alternate_style": True}},
}


def _check_article(source: Path, template: str, text: str) -> Problem | None:
    """A rendered article: front matter with a real date, no code typed in, no active HTML."""
    display = capture_mod.display_path(source)
    lines = template.splitlines()

    def at(line: int, message: str) -> Problem:
        return Problem(location=Location(display, line), message=message, source=lines[line - 1] if 0 < line <= len(lines) else None)

    if not text.strip():
        return at(1, "the article is empty: it needs front matter with a date, a title and some prose")
    problem = _front_matter_problem(text, at)
    if problem is not None:
        return problem
    # Expressions removed, line breaks kept, so a line found here is a line of the source.
    typed = _HELPER_CALLS.sub(lambda m: "\n" * m.group().count("\n"), template)
    typed_lines = typed.splitlines(keepends=True)
    first = _first_line_where(typed_lines, lambda html: "<pre" in html)
    if first is not None:
        return at(first, "a code block typed into the article; outputs come from captures: use output(...)")
    first = _first_line_where(typed_lines, lambda html: bool(markdown.unsafe_html(html)))
    if first is not None:
        found = markdown.unsafe_html(_markdown_html("".join(typed_lines[:first])))
        return at(first, f"{found[0]} typed into the article; articles hold prose, links and helper calls only")
    # The helpers escape what they bring in; this catches what an expression built around them.
    found = markdown.unsafe_html(_markdown_html(_without_front_matter(text)))
    if found:
        return at(1, f"the rendered article holds {found[0]}; articles hold prose, links and helper calls only")
    return None


def _front_matter_end(text: str) -> int | None:
    """Where the text after a closed front matter block starts; ``None`` without one."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return end + 5
    return None


def _without_front_matter(text: str) -> str:
    end = _front_matter_end(text)
    return text if end is None else "\n" * text[:end].count("\n") + text[end:]


def _markdown_html(text: str) -> str:
    import markdown as python_markdown  # the package, not generator.markdown

    return str(python_markdown.markdown(_without_front_matter(text), **_ARTICLE_MARKDOWN))


def _first_line_where(lines: list[str], bad: Callable[[str], bool]) -> int | None:
    """Where the first ``bad`` block of the article starts (1-based), found by bisection.

    First the shortest prefix that renders bad (it ends inside the first bad block,
    often on a closing fence), then the latest start from which that prefix still does.
    """
    if not bad(_markdown_html("".join(lines))):
        return None
    low, high = 1, len(lines)
    while low < high:
        middle = (low + high) // 2
        if bad(_markdown_html("".join(lines[:middle]))):
            high = middle
        else:
            low = middle + 1
    end = low
    low, high = 0, end - 1
    while low < high:
        middle = (low + high + 1) // 2
        if bad(_markdown_html("".join(lines[middle:end]))):
            low = middle
        else:
            high = middle - 1
    return low + 1


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
_FRONT_MATTER: dict[str, tuple[Callable[[Any], bool], str]] = {
    "date": (
        lambda v: isinstance(v, datetime.date) or (isinstance(v, dict) and set(v) <= {"created", "updated"}),
        "a date such as 2026-11-26",
    ),
    "categories": (_strings, "a list of names"),
    "tags": (_strings, "a list of names"),
    "title": (lambda v: isinstance(v, str) and bool(v.strip()), "text"),
    "description": (lambda v: isinstance(v, str), "text"),
    "slug": (lambda v: isinstance(v, str) and bool(_SLUG.match(v)), "a lower-case slug such as part-4-cilium"),
    "draft": (lambda v: isinstance(v, bool), "true or false"),
    "pin": (lambda v: isinstance(v, bool), "true or false"),
    "readtime": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v < 1000, "a number of minutes"),
}


def _front_matter_problem(text: str, at: Callable[[int, str], Problem]) -> Problem | None:
    """The blog needs front matter with a date MkDocs can read; say so at the article's line."""
    if not text.startswith("---\n"):
        return at(1, "an article starts with front matter: a '---' line, 'date: 2026-11-26', then '---'")
    end = _front_matter_end(text)
    if end is None:
        return at(1, "the front matter is not closed by a '---' line")
    block = text[4 : end - 5]

    def line_of(start: str, default: int) -> int:
        """The article line of the first front matter line starting with ``start``."""
        return next((i for i, t in enumerate(block.splitlines(), 2) if t.startswith(start)), default)

    try:
        meta = yaml.safe_load(block)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return at(2 + (mark.line if mark else 0), f"front matter is not valid YAML: {exc.problem}")
    except (yaml.YAMLError, ValueError) as exc:
        return at(line_of("date", 1), f"front matter: {exc}")
    if not isinstance(meta, dict):
        return at(2, "front matter must be a mapping such as 'date: 2026-11-26'")

    # What the blog plugin reads, with the shape it needs; anything else would fail (or be
    # silently ignored) only inside MkDocs, naming the generated post.
    for key, value in meta.items():
        expected = _FRONT_MATTER.get(str(key))
        if expected is None:
            known = ", ".join(sorted(_FRONT_MATTER))
            return at(line_of(f"{key}:", 2), f"front matter key {str(key)!r} is not one an article uses ({known})")
        kind, description = expected
        if not kind(value):
            return at(line_of(f"{key}:", 2), f"front matter {key} must be {description} (found {value!r})")
    date = meta.get("date")
    if isinstance(date, dict):
        date = date.get("created")
    if not isinstance(date, datetime.date):
        return at(line_of("date", 2), f"the front matter needs a date such as 'date: 2026-11-26' (found {date!r})")
    return None


_H1 = re.compile(r"^# +")


def _publish(text: str, post: Post, series: list[Post]) -> str:
    """The post as MkDocs reads it: the do-not-edit note inside the front matter, a stable slug, the series links.

    The note is a YAML comment: as an HTML comment before the H1 it hid the H1 from MkDocs,
    which then titled the post after its file name (in the blog index, ``<title>`` and search).
    The slug is the file name unless the article sets one, so a retitled post keeps its URL.
    """
    end = _front_matter_end(text) or 0
    block = text[4 : end - 4]
    note = "# " + GENERATED_HEADER.removeprefix("<!-- ").removesuffix(" -->\n") + "\n"
    if not any(line.startswith("slug:") for line in block.splitlines()):
        block += f"slug: {post.slug}\n"
    body = text[end:]
    if post.part is not None and post in series:
        body = _with_series(body, post, series)
    return f"---\n{note}{block}---\n{body}"


def _with_series(body: str, post: Post, series: list[Post]) -> str:
    """'Part N of M' under the H1, and links to the previous and next parts at the end."""
    index = series.index(post)
    where = f"*Part {index + 1} of {len(series)} of the series.*"
    lines = body.split("\n")
    h1 = next((i for i, line in enumerate(lines) if _H1.match(line)), None)
    if h1 is None:
        lines[:0] = [where, ""]
    else:
        lines[h1 + 1 : h1 + 1] = ["", where]
    around = []
    if index > 0:
        before = series[index - 1]
        around.append(f"[&larr; Previous: {before.title}]({before.name}){{ .md-button }}")
    if index + 1 < len(series):
        after = series[index + 1]
        around.append(f"[Next: {after.title} &rarr;]({after.name}){{ .md-button }}")
    text = "\n".join(lines).rstrip("\n") + "\n"
    if around:
        text += "\n---\n\n" + " ".join(around) + "\n"
    return text
