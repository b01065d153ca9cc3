"""The analysis store: each capture's page, diagram source and index values, kept by content.

A capture is analysed again only when its bytes, its path or the generator's own code
changed: the key is a SHA-256 over all of them (and over where the site is published,
which its page links to), so a hit can never be stale. Per key, ``.cache/analyses``
holds ``<key>.json`` (the capture's :class:`~generator.site.data.Entry`), ``<key>.md``
(its page) and ``<key>.dot`` (its diagram's DOT source, which the SVG cache renders).
Only a capture the site can publish is stored; one with problems is analysed every time,
so its messages are always those of today's code.

The captures that are not stored are analysed in worker processes when there are many
(one per core); results are taken in file order, so the output does not depend on which
worker finished first. A worker holds one analysis at a time: memory stays flat however
many captures there are.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

from generator import capture as capture_mod
from generator import pipeline, workers
from generator.errors import GeneratorError, Problem
from generator.published import published
from generator.site.data import Entry, entry, problems_of
from generator.site.pages import capture_files

_CODE = Path(__file__).resolve().parents[1]


@functools.cache
def code_fingerprint() -> str:
    """A digest of the generator's code, templates and schemas, and of the Python and Jinja running them."""
    versions = "\0".join([sys.version, *(metadata.version(name) for name in ("jinja2", "markupsafe"))])
    digest = hashlib.sha256(versions.encode("utf-8"))
    for path in sorted(_CODE.rglob("*")):
        if path.suffix in {".py", ".j2", ".json"} and path.is_file():
            digest.update(path.relative_to(_CODE).as_posix().encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    # Another build may read the same key: a file is either absent or whole.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


class Store:
    """The folder of stored captures (``.cache/analyses``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.analysed = 0  # captures analysed by the last call to entries (the others came from the store)
        self.keys: dict[str, str] = {}  # capture id -> key, of the captures the last call found publishable

    def key(self, path: Path, root: Path) -> str | None:
        """The capture's key, or None when it cannot be read (loading it says why, located)."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(code_fingerprint().encode("ascii"))
        digest.update(repr(published()).encode("utf-8") + b"\0")
        # The page shows the display path; the id comes from the path under the captures folder.
        where = (capture_mod.display_path(path), os.path.relpath(path, root))
        digest.update(json.dumps(where).encode("utf-8") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def page(self, key: str) -> Path:
        return self.folder / f"{key}.md"

    def dot(self, key: str) -> Path:
        return self.folder / f"{key}.dot"

    def get(self, key: str) -> Entry | None:
        try:
            stored = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (self.page(key).is_file() and self.dot(key).is_file()):
            return None
        return Entry(id=stored["id"], row=stored["row"], not_applicable=frozenset(stored["not_applicable"]))

    def put(self, key: str, found: Entry, page: str, dot: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        _write(self.page(key), page.encode("utf-8"))
        _write(self.dot(key), dot.encode("utf-8"))
        record = {"id": found.id, "row": found.row, "not_applicable": sorted(found.not_applicable)}
        _write(self.folder / f"{key}.json", json.dumps(record, sort_keys=True).encode("utf-8"))

    def entries(self, paths: list[Path], root: Path) -> tuple[dict[str, tuple[Entry, Path]], list[Problem]]:
        """Each publishable capture's entry (id -> entry, file) and every other capture's problems."""
        keys = {path: self.key(path, root) for path in paths}
        self.keys = {}
        found: dict[str, tuple[Entry, Path]] = {}
        todo: list[Path] = []
        for path in paths:
            key = keys[path]
            stored = self.get(key) if key is not None else None
            if key is None or stored is None:
                todo.append(path)
            else:
                found[stored.id] = (stored, path)
                self.keys[stored.id] = key
        problems: list[Problem] = []
        for path, (made, failed) in zip(todo, self._analyse(todo, root, keys), strict=True):
            problems.extend(failed)
            made_key = keys[path]
            if made is not None and made_key is not None:
                found[made.id] = (made, path)
                self.keys[made.id] = made_key
        self.analysed = len(todo)
        return found, problems

    def _analyse(
        self, todo: list[Path], root: Path, keys: dict[Path, str | None]
    ) -> list[tuple[Entry | None, list[Problem]]]:
        return workers.map_in_order(_analyse_one, [(path, root, self.folder, keys[path]) for path in todo])


def _analyse_one(path: Path, root: Path, folder: Path, key: str | None) -> tuple[Entry | None, list[Problem]]:
    """Analyse one capture; store its page, diagram source and entry when the site can publish it."""
    try:
        analysis = pipeline.analyse(path, root)
    except GeneratorError as exc:
        return None, list(exc.problems)
    problems = problems_of(analysis)
    if problems:
        return None, problems
    made = entry(analysis)
    if key is not None:
        page, dot = capture_files(analysis)
        Store(folder).put(key, made, page, dot)
    return made, []
