"""The home page's matrix: one row per capture, in plugin and policy order (``_matrix.md.j2``)."""

from __future__ import annotations

from typing import Any

from generator.site.data import Site, capture_page

# The matrix partial, relative to the docs folder; the MkDocs hook puts it at the home page's marker.
MATRIX_PARTIAL = "guide/_partials/matrix.md"


def short_labels(ids: list[str]) -> dict[str, str]:
    """A short label per capture id, unique within its plugin-policy folder.

    A node name's last part ("vmss000000" of "aks-nodepool1-27511634-vmss000000",
    "10.240.0.4" of "node-10.240.0.4") names it among its neighbours; the folder is in
    the plugin and policy columns. Names whose last part is shared keep their whole name.
    """
    last = {cid: cid.rsplit("/", 1)[-1].rsplit("-", 1)[-1] for cid in ids}
    seen: dict[tuple[str, str], int] = {}
    for cid in ids:
        key = (cid.rsplit("/", 1)[0], last[cid])
        seen[key] = seen.get(key, 0) + 1
    return {
        cid: last[cid] if seen[(cid.rsplit("/", 1)[0], last[cid])] == 1 and last[cid] else cid.rsplit("/", 1)[-1]
        for cid in ids
    }


def matrix_rows(site: Site, prefix: str) -> list[dict[str, Any]]:
    """The rows; ``prefix`` leads from the page showing the matrix to the guide's folder."""
    labels = short_labels(sorted(site.entries))
    rows = [
        {"id": cid, "label": labels[cid], **e.row, "link": f"{prefix}{capture_page(cid)}"}
        for cid, e in site.entries.items()
    ]
    return sorted(rows, key=lambda r: (r["plugin"], r["policy"] != "none", r["policy"], r["id"]))
