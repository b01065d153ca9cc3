"""Upgrade captures written for an older schema, in place, keeping every other byte.

A capture is text its author wrote: comments, quoting, key order and every output byte
are theirs. So a migration never re-dumps YAML: it reads the file once (for the lines of
the keys it changes) and edits only those lines. Whatever else is wrong with a draft
stays for ``check`` to report; migrating only changes what the new version renamed.

Schema 1 -> 2: ``schema: 1`` becomes ``schema: 2``; ``network_plugin: azure-overlay``
becomes ``network_plugin: azure`` with ``network_plugin_mode: overlay``, and
``network_plugin: cilium`` becomes ``network_plugin: azure`` with
``network_dataplane: cilium`` (how ``az aks create`` names them today).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from generator.capture import SCHEMA_VERSION, Document, display_path, folder_slug, read_yaml
from generator.errors import CaptureError

# Schema 1's plugin values that schema 2 spells as a plugin and one more key.
RENAMED_PLUGINS: dict[str, tuple[str, str]] = {
    "azure-overlay": ("network_plugin_mode", "overlay"),
    "cilium": ("network_dataplane", "cilium"),
}
_SCHEMA_LINE = re.compile(r"^(?P<head>schema[ \t]*:[ \t]*)(?P<value>1)(?P<tail>[ \t]*(#.*)?)$")


@dataclass(frozen=True)
class Migration:
    path: str
    changes: tuple[str, ...]  # what was changed, in words; empty when the file was current
    text: str  # the new text (the old one when nothing changed)
    move_to: str | None = None  # the folder the capture now belongs in, when that changed


def _value_pattern(key: str, value: str) -> re.Pattern[str]:
    # The value as written: bare, 'single' or "double" quoted; followed by the end, a comma,
    # a closing brace or a comment.
    return re.compile(rf"(?P<key>\b{key}[ \t]*:[ \t]*)(?P<q>['\"]?){re.escape(value)}(?P=q)(?=[ \t]*($|,|\}}|#))")


def migrate_text(text: str, doc: Document) -> tuple[str, list[str], str | None]:
    """The migrated text, what changed, and the folder it now belongs in (if it changed)."""
    version = doc.data.get("schema")
    if version == SCHEMA_VERSION:
        return text, [], None
    if version != 1:
        raise CaptureError(
            doc.src.problem(
                doc.line("schema"),
                f"cannot migrate: schema is {version!r}; fieldguide migrate upgrades schema 1 to {SCHEMA_VERSION}",
            )
        )
    lines = text.splitlines(keepends=True)
    changes: list[str] = []

    def edit(number: int, old: re.Pattern[str], new: str, what: str) -> None:
        body = lines[number - 1]
        stripped = body.rstrip("\r\n")
        replaced, count = old.subn(new, stripped, count=1)
        if count != 1:
            raise CaptureError(doc.src.problem(number, f"cannot migrate: expected {what} on this line"))
        lines[number - 1] = replaced + body[len(stripped) :]

    edit(doc.line("schema"), _SCHEMA_LINE, rf"\g<head>{SCHEMA_VERSION}\g<tail>", "'schema: 1'")
    changes.append(f"schema: 1 -> {SCHEMA_VERSION}")
    cluster = doc.data.get("cluster")
    plugin = cluster.get("network_plugin") if isinstance(cluster, dict) else None
    move_to = None
    if isinstance(plugin, str) and plugin in RENAMED_PLUGINS and isinstance(cluster, dict):
        key, value = RENAMED_PLUGINS[plugin]
        if key in cluster:
            raise CaptureError(
                doc.src.problem(doc.line("cluster", key), f"cannot migrate: cluster.{key} is already set")
            )
        number = doc.line("cluster", "network_plugin")
        body = lines[number - 1]
        pattern = _value_pattern("network_plugin", plugin)
        match = pattern.search(body.rstrip("\r\n"))
        if match is None:
            raise CaptureError(
                doc.src.problem(number, f"cannot migrate: expected network_plugin: {plugin} on this line")
            )
        before = body[: match.start()]
        if "{" in before:
            # Flow style ({network_plugin: cilium, ...}): the new key goes right after the value.
            edit(number, pattern, rf"\g<key>\g<q>azure\g<q>, {key}: {value}", f"network_plugin: {plugin}")
        else:
            edit(number, pattern, r"\g<key>\g<q>azure\g<q>", f"network_plugin: {plugin}")
            newline = body[len(body.rstrip("\r\n")) :] or "\n"
            lines.insert(number, f"{before}{key}: {value}{newline}")
        changes.append(f"network_plugin: {plugin} -> network_plugin: azure, {key}: {value}")
        policy = cluster.get("network_policy")
        if isinstance(policy, str):
            slug = folder_slug(
                "azure",
                value if key == "network_plugin_mode" else None,
                value if key == "network_dataplane" else None,
                False,
                policy,
            )
            if slug != f"{plugin}-{policy}":
                move_to = slug
    return "".join(lines), changes, move_to


def migrate_file(path: Path) -> Migration:
    """Migrate one capture file in place (written atomically); raise CaptureError, leaving it untouched."""
    display = display_path(path)
    doc = read_yaml(path, display)
    text = path.read_bytes().decode("utf-8")
    new, changes, move_to = migrate_text(text, doc)
    if new != text:
        _write_atomically(path, new)
    return Migration(display, tuple(changes), new, move_to)


def _write_atomically(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o7777
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".migrating", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
