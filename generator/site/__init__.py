"""Write the generated part of the site: Markdown pages and SVG diagrams, from captures.

One module per job:

- :mod:`~generator.site.data`: the site's data (every analysis and comparison), where
  pages go, and the values shown about a capture;
- :mod:`~generator.site.pages`: what each generated page shows (templates in
  ``generator/templates``, one per page kind; tables in ``_*.md.j2`` partials);
- :mod:`~generator.site.matrix`: the home page's matrix;
- :mod:`~generator.site.articles`: the article helpers and the sandbox articles render in;
- :mod:`~generator.site.store`: the analysis store, each capture's page kept by content hash;
- :mod:`~generator.site.write`: the build, and syncing files into ``docs/``.

Nothing here imports MkDocs: the hook in ``generator/mkdocs_hook.py`` only calls
:func:`main_build`.
"""

from __future__ import annotations

from generator.site.articles import ArticleError, render_articles
from generator.site.data import Layout, Site, capture_page, diagram_file, load_site
from generator.site.matrix import MATRIX_PARTIAL
from generator.site.pages import GENERATED_HEADER, render_pages
from generator.site.write import BuildReport, build, main_build, sync

__all__ = [
    "GENERATED_HEADER",
    "MATRIX_PARTIAL",
    "ArticleError",
    "BuildReport",
    "Layout",
    "Site",
    "build",
    "capture_page",
    "diagram_file",
    "load_site",
    "main_build",
    "render_articles",
    "render_pages",
    "sync",
]
