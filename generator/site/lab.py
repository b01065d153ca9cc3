"""The "Reproduce it" page: the lab's captures, one heading per layout, with the code that built it.

Lab captures are ordinary captures whose ``lab.layout`` names the layout of the
network-namespace lab (``tests/lab/lab.sh``) that printed them; they are committed, because
building the lab needs root. Each layout's section shows the shell function that builds it,
read from the script at build time, so the page and the lab cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.site.data import Entry, Site

LAB_SCRIPT = "tests/lab/lab.sh"


@dataclass(frozen=True)
class LabLayout:
    name: str  # lab-kubenet-bridge
    nodes: tuple[Entry, ...]  # its captures' index entries (id, and row: title, node, layout)
    builder: str | None  # the layout's function in the lab script, verbatim; None when not found


LAYOUTS_MARK = "# --- layouts"


def _functions(lines: list[str]) -> dict[str, tuple[int, int]]:
    """Each shell function of the script: name -> (first line with its comments, closing line)."""
    found: dict[str, tuple[int, int]] = {}
    for start, line in enumerate(lines):
        head = line.split("(", 1)[0]
        if not line.startswith(f"{head}() {{") or not head.replace("_", "").isalnum():
            continue
        # One-line functions (``check() { ...; }``) close on their own line.
        end = (
            start
            if line.rstrip().endswith("}")
            else next((i for i in range(start + 1, len(lines)) if lines[i] == "}"), None)
        )
        if end is None:
            continue
        first = start
        while first > 0 and lines[first - 1].startswith("#") and not lines[first - 1].startswith("# ---"):
            first -= 1
        found[head] = (first, end)
    return found


def function_source(script: str, layout: str) -> str | None:
    """The shell code that builds ``layout`` (``lab-azure-cni-bridge`` -> ``layout_azure_cni_bridge``).

    A function runs from its ``name() {`` line to the first line that is only ``}``, as the
    script writes them, with the comment lines right above it (they say why). The layout
    helpers it calls (functions of the script's layouts part, such as ``transparent_node``)
    come first; the building blocks above that part (``node``, ``pod``, ``q``) are not repeated.
    """
    lines = script.splitlines()
    functions = _functions(lines)
    name = "layout_" + layout.removeprefix("lab-").replace("-", "_")
    if name not in functions:
        return None
    mark = next((i for i, line in enumerate(lines) if line.startswith(LAYOUTS_MARK)), len(lines))
    first, end = functions[name]
    called = {word for line in lines[first : end + 1] for word in line.split()}
    helpers = sorted(
        (span for helper, span in functions.items() if helper != name and helper in called and span[0] > mark),
    )
    parts = ["\n".join(lines[a : b + 1]) for a, b in [*helpers, (first, end)]]
    return "\n\n".join(parts) + "\n"


def layouts(site: Site, root: Path) -> list[LabLayout]:
    """Every lab layout the site has captures of, by name; ``root`` holds the lab script."""
    script_path = root / LAB_SCRIPT
    script = script_path.read_text(encoding="utf-8") if script_path.is_file() else ""
    by_layout: dict[str, list[Entry]] = {}
    # The index entries hold all the page shows: no capture is analysed again for it.
    for cid in sorted(site.entries):
        entry = site.entries[cid]
        if entry.row["lab_layout"] is not None:
            by_layout.setdefault(entry.row["lab_layout"], []).append(entry)
    return [
        LabLayout(name, tuple(found), function_source(script, name)) for name, found in sorted(by_layout.items())
    ]
