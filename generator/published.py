"""Where the guide is published: the one place its URLs come from.

GitHub Actions sets ``GITHUB_REPOSITORY`` (``owner/name``); the Pages URL of a project
site and the repository's URLs follow from it. ``FIELDGUIDE_SITE_URL`` overrides the site
URL (a custom domain: the Pages workflow passes what ``actions/configure-pages`` reports)
and ``FIELDGUIDE_REF`` the commit that source links point at (the workflow passes the
built commit, so "captures/x.yaml:41" opens the line that was built). The MkDocs hook
copies these into ``site_url``, ``repo_url`` and ``edit_uri``; the generator uses them
for links to capture files. Nothing here reads the clock.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from urllib.parse import quote

# Used outside GitHub Actions (local builds) until the repository's real name is set here.
DEFAULT_REPOSITORY = "aks-field-guide/aks-field-guide"
_REPOSITORY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$")
_REF = re.compile(r"^[A-Za-z0-9._/-]{1,200}$")


@dataclass(frozen=True)
class Published:
    repository: str  # owner/name on GitHub
    ref: str  # branch, tag or commit the source links point at
    site_url: str  # ends with '/'

    @property
    def repo_url(self) -> str:
        return f"https://github.com/{self.repository}"

    @property
    def edit_uri(self) -> str:
        return f"edit/{self.ref}/docs/"

    def source(self, path: str, line: int | None = None) -> str:
        """The URL of a repository file (at a line) as of :attr:`ref`."""
        anchor = f"#L{line}" if line is not None else ""
        return f"{self.repo_url}/blob/{quote(self.ref)}/{quote(path)}{anchor}"


class SettingError(ValueError):
    """An environment variable holds something that cannot be part of a URL."""


def published(environ: dict[str, str] | None = None) -> Published:
    env = dict(os.environ if environ is None else environ)
    repository = env.get("GITHUB_REPOSITORY") or DEFAULT_REPOSITORY
    if not _REPOSITORY.match(repository):
        raise SettingError(f"GITHUB_REPOSITORY: expected owner/name, found {repository!r}")
    ref = env.get("FIELDGUIDE_REF") or "main"
    if not _REF.match(ref) or ".." in ref:
        raise SettingError(f"FIELDGUIDE_REF: expected a branch, tag or commit, found {ref!r}")
    owner, name = repository.split("/")
    site_url = env.get("FIELDGUIDE_SITE_URL") or f"https://{owner.lower()}.github.io/{name}/"
    if not re.match(r"^https?://[^\s\"'<>]+$", site_url):
        raise SettingError(f"FIELDGUIDE_SITE_URL: expected an http(s) URL, found {site_url!r}")
    return Published(repository=repository, ref=ref, site_url=site_url.rstrip("/") + "/")
