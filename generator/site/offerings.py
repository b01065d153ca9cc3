"""The AKS matrix: what AKS offers today (plugins by policy engines), each cell with its captures.

Rows and columns come from :mod:`generator.aks`; a capture lands in the cell its metadata
names (``capture.offering`` and ``network_policy``). Lab reproductions are listed apart in
each cell, never counted as AKS nodes. Captures whose metadata fits no cell (a plugin not
stated, bring-your-own CNI) are listed below the matrix with what the guide derives.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator import aks
from generator.site.data import Site, capture_page, combination_page

# A cell names at most this many captures; the rest are counted and reached from their folder's page.
CELL_LIMIT = 3


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    layout: str  # the derived facts in words
    link: str
    lab_layout: str | None = None


@dataclass
class MatrixCell:
    offering: aks.Offering
    policy: aks.Policy
    rule: aks.Cell | None  # None: the catalogue has no statement (a test keeps every cell covered)
    captures: list[Entry] = field(default_factory=list)
    lab: list[Entry] = field(default_factory=list)
    everything: str = ""  # the page listing all of the cell's captures (where "and N more" leads)

    @property
    def shown(self) -> list[Entry]:
        return self.captures[:CELL_LIMIT]

    @property
    def more(self) -> int:
        return max(0, len(self.captures) - CELL_LIMIT)


@dataclass(frozen=True)
class Matrix:
    rows: list[tuple[aks.Offering, list[MatrixCell]]]
    others: list[Entry]  # AKS captures the matrix has no cell for
    policies: tuple[aks.Policy, ...] = aks.POLICIES


def build(site: Site, prefix: str) -> Matrix:
    """The matrix with links starting at ``prefix`` (the path from the showing page to the guide).

    It reads each capture's index entry (:attr:`Site.entries`), never its analysis, so a
    thousand captures are not analysed again to fill twenty cells.
    """
    cells = {
        (o.key, p.key): MatrixCell(o, p, aks.CELLS.get((o.key, p.key))) for o in aks.OFFERINGS for p in aks.POLICIES
    }
    others: list[Entry] = []
    for cid in sorted(site.entries):
        row = site.entries[cid].row
        offering, lab_layout = row["offering"], row["lab_layout"]
        entry = Entry(cid, row["title"], row["layout"], f"{prefix}{capture_page(cid)}", lab_layout)
        cell = cells.get((offering, row["policy"])) if offering is not None else None
        if cell is None:
            if lab_layout is None:
                others.append(entry)
        elif lab_layout is not None:
            # One link per lab layout: its other nodes are a click away, on the lab page.
            if lab_layout not in {e.lab_layout for e in cell.lab}:
                cell.lab.append(entry)
        else:
            cell.captures.append(entry)
    for cell in cells.values():
        if cell.captures:
            # A cell's captures share one folder (it names the cell), and its page lists them all.
            cell.everything = f"{prefix}{combination_page(cell.captures[0].id.split('/', 1)[0])}"
    rows = [(o, [cells[o.key, p.key] for p in aks.POLICIES]) for o in aks.OFFERINGS]
    return Matrix(rows=rows, others=others)
