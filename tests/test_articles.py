"""Articles are untrusted templates: a sandbox, their own folder only, and every error at its line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import markdown, site
from generator.site import articles
from tests.conftest import ROOT

FRONT = "---\ndate: 2026-11-26\n---\n\n# Title\n\n"
NODE = "kubenet-none/aks-nodepool1-27511634-vmss000000"


@pytest.fixture(scope="module")
def loaded() -> site.Site:
    return site.load_site(ROOT / "captures")


@pytest.fixture
def docs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "docs" / "articles").mkdir(parents=True)
    return tmp_path / "docs"


def render(loaded: site.Site, docs: Path, text: str | bytes, name: str = "post.md") -> dict[str, bytes]:
    path = docs / "articles" / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return site.render_articles(loaded, site.Layout(docs))


def error(loaded: site.Site, docs: Path, text: str | bytes, name: str = "post.md") -> str:
    with pytest.raises(site.ArticleError) as info:
        render(loaded, docs, text, name)
    message = str(info.value)
    assert "Traceback" not in message
    return message


def test_a_plain_article_renders(loaded: site.Site, docs: Path) -> None:
    files = render(loaded, docs, FRONT + f'Mode: {{{{ claim("{NODE}", "mode", "bridge") }}}}.\n')
    assert b"Mode: bridge." in files["blog/posts/post.md"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{{ cycler.__init__.__globals__.os.system('touch /tmp/fieldguide-pwned') }}",
            "not allowed in an article: access to attribute '__init__' of 'StrictUndefined' object is unsafe.",
        ),
        (
            "{{ claim.__func__.__globals__ }}",
            "not allowed in an article: access to attribute '__func__' of 'method' object is unsafe.",
        ),
        (
            '{{ claim("x", "y").__class__ }}',
            "wrong call: claim() missing 1 required positional argument: 'equals'",
        ),
        (
            "{% include '../../mkdocs.yml' %}",
            "no file '../../mkdocs.yml' to include: an article can include only files of docs/articles",
        ),
        (
            "{% include 'missing.md' %}",
            "no file 'missing.md' to include: an article can include only files of docs/articles",
        ),
        ("{{ 1/0 }}", "ZeroDivisionError: division by zero"),
        ("{{ 'x' * 100000000 }}", "not allowed in an article: repetition longer than 10000 items"),
        ("{{ 9 ** 999999999 }}", "not allowed in an article: exponent larger than 64"),
        ("{{ 'x'|center(1000000000) }}", "template syntax: No filter named 'center'."),
        (
            "{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}",
            "recursion too deep: a macro or include calls itself without end",
        ),
        ("{{ '<b>'|safe }}", "template syntax: No filter named 'safe'."),
        (
            "{{ 'x'.ljust(999999999) }}",
            "not allowed in an article: access to attribute 'ljust' of 'str' object is unsafe.",
        ),
        (
            "{{ '{0:>999999999}'.format(1) }}",
            "not allowed in an article: access to attribute 'format' of 'str' object is unsafe.",
        ),
        (
            "{% for x in range(3) %}{% endfor %}",
            "template: 'range' is undefined (articles can call only change, changes, claim, comparison_link, diagram, link, output, pod_output, routes, value)",
        ),
    ],
)
def test_hostile_template_code_is_refused_at_its_line(loaded: site.Site, docs: Path, body: str, message: str) -> None:
    line = FRONT.count("\n") + 2
    text = FRONT + "Some prose.\n" + body + "\n"
    assert error(loaded, docs, text) == f"docs/articles/post.md:{line}: {message}\n    | {body}"
    assert not Path("/tmp/fieldguide-pwned").exists()


def test_error_inside_an_included_partial_names_the_partial(loaded: site.Site, docs: Path) -> None:
    (docs / "articles" / "_part.j2").write_text("line one\n{{ 1/0 }}\n")
    assert error(loaded, docs, FRONT + "{% include '_part.j2' %}\n") == (
        "docs/articles/_part.j2:2: ZeroDivisionError: division by zero\n    | {{ 1/0 }}"
    )


def test_symlinked_article_is_refused(loaded: site.Site, docs: Path, tmp_path: Path) -> None:
    (tmp_path / "secret.md").write_text(FRONT)
    (docs / "articles" / "link.md").symlink_to(tmp_path / "secret.md")
    assert error(loaded, docs, FRONT) == (
        "docs/articles/link.md:1: an article must be a file in docs/articles, not a symlink"
    )


def test_non_utf8_article_is_located(loaded: site.Site, docs: Path) -> None:
    assert error(loaded, docs, FRONT.encode() + b"ok\n\xff\xfe bad\n") == (
        "docs/articles/post.md:8: file is not valid UTF-8 text"
    )


def test_syntax_error_is_located(loaded: site.Site, docs: Path) -> None:
    assert error(loaded, docs, FRONT + "{% if %}\n") == (
        "docs/articles/post.md:7: template syntax: Expected an expression, got 'end of statement block'\n    | {% if %}"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "docs/articles/post.md:1: the article is empty: it needs front matter with a date, a title and some prose",
        ),
        (
            "# No front matter\n",
            "docs/articles/post.md:1: an article starts with front matter: a '---' line, 'date: 2026-11-26', then '---'\n"
            "    | # No front matter",
        ),
        (
            "---\ndate: 2026-02-30\n---\n# Impossible\n",
            "docs/articles/post.md:2: front matter: day is out of range for month\n    | date: 2026-02-30",
        ),
        (
            "---\ntags: [a]\n---\n# No date\n",
            "docs/articles/post.md:2: the front matter needs a date such as 'date: 2026-11-26' (found None)\n"
            "    | tags: [a]",
        ),
        (
            "---\ndate: [\n---\n# Bad YAML\n",
            "docs/articles/post.md:2: front matter is not valid YAML: expected the node content, "
            "but found '<stream end>'\n    | date: [",
        ),
    ],
)
def test_front_matter_the_blog_cannot_read_is_located(loaded: site.Site, docs: Path, text: str, message: str) -> None:
    assert error(loaded, docs, text) == message


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (
            "    Kernel IP routing table\n    0.0.0.0 10.0.0.1\n",
            "a code block typed into the article; outputs come from captures: use output(...)",
        ),
        (
            "~~~\nKernel IP routing table\n~~~\n",
            "a code block typed into the article; outputs come from captures: use output(...)",
        ),
        (
            "<pre>Kernel IP routing table</pre>\n",
            "a code block typed into the article; outputs come from captures: use output(...)",
        ),
        (
            '<img src=x onerror="window.__pwned=1">\n',
            "an onerror= attribute on <img> typed into the article; articles hold prose, links and helper calls only",
        ),
        (
            "[click](javascript:window.__pwned=1)\n",
            "a javascript: link in href= on <a> typed into the article; articles hold prose, links and helper calls only",
        ),
        (
            "<script>window.__pwned=1</script>\n",
            "a <script> element typed into the article; articles hold prose, links and helper calls only",
        ),
    ],
)
def test_typed_code_and_active_html_are_refused(loaded: site.Site, docs: Path, typed: str, message: str) -> None:
    text = FRONT + "Prose first.\n\n" + typed
    line = FRONT.count("\n") + 3
    assert error(loaded, docs, text) == f"docs/articles/post.md:{line}: {message}\n    | {typed.splitlines()[0]}"


def test_markup_built_around_a_helper_is_escaped(loaded: site.Site, docs: Path) -> None:
    """Joining a helper's Markup with text gives plain text, which is escaped like any expression."""
    body = f'{{{{ claim("{NODE}", "mode", "bridge") ~ "[x](javascript:alert(1))<b>" }}}}\n'
    post = render(loaded, docs, FRONT + body)["blog/posts/post.md"].decode()
    assert "bridge&#91;x&#93;(javascript:alert(1))&#60;b>" in post
    assert markdown.unsafe_html(articles._markdown_html(post)) == []


def test_the_published_articles_still_render(
    loaded: site.Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    shutil.copytree(ROOT / "docs" / "articles", tmp_path / "docs" / "articles")
    files = site.render_articles(loaded, site.Layout(tmp_path / "docs"))
    assert sorted(files) == [f"blog/posts/{p.name}" for p in sorted((ROOT / "docs" / "articles").glob("*.md"))]


def test_a_loop_that_runs_too_long_is_stopped_at_its_line(
    loaded: site.Site, docs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(articles, "MAX_RENDER_SECONDS", 0.5)
    loops = "".join(f'{{% for {v} in "0123456789" %}}' for v in "abcdefghi") + "x" + "{% endfor %}" * 9
    message = error(loaded, docs, FRONT + loops + "\n")
    assert message.startswith("docs/articles/post.md:7: rendering took longer than 0.5 s: a loop runs too long\n")


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        (
            "authors: [x]",
            "front matter key 'authors' is not one an article uses (categories, date, description, "
            "draft, pin, readtime, slug, tags, title)",
        ),
        ("categories: {a: b}", "front matter categories must be a list of names (found {'a': 'b'})"),
        ("slug: ../../etc", "front matter slug must be a lower-case slug such as part-4-cilium (found '../../etc')"),
    ],
)
def test_front_matter_keys_the_blog_would_choke_on(loaded: site.Site, docs: Path, meta: str, message: str) -> None:
    text = f"---\ndate: 2026-11-26\n{meta}\n---\n# T\n"
    assert error(loaded, docs, text) == f"docs/articles/post.md:3: {message}\n    | {meta}"


def test_routes_helper_is_the_capture_page_table(loaded: site.Site, docs: Path) -> None:
    post = render(loaded, docs, FRONT + f'{{{{ routes("{NODE}", "default") }}}}\n')["blog/posts/post.md"].decode()
    assert post.split("# Title\n\n", 1)[1] == (
        "| destination | gateway | device | kind |\n"
        "| --- | --- | --- | --- |\n"
        "| `0.0.0.0/0` | `10.220.1.1` | `eth0` | default route via the gateway |\n\n"
    )
    page = site.render_pages(loaded, site.Layout(docs))[0][f"guide/captures/{NODE}.md"].decode()
    assert "| `0.0.0.0/0` | `10.220.1.1` | `eth0` | default route via the gateway |\n" in page
