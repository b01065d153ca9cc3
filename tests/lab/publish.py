"""Publish a lab run: its captures onto the site, its golden facts beside the tests.

usage: python -m tests.lab.publish ASSEMBLED [REPOSITORY]

``ASSEMBLED`` is what ``python -m tests.lab.assemble`` wrote (``<layout>/<folder>/<node>.yaml``
with ``<node>.facts.json`` beside it and ``<layout>/SOURCES.md``). Each capture goes to
``captures/<folder>/<layout>-<node's last part>.yaml`` (e.g. ``none-none/lab-cilium-vmss000000``),
where the site shows it as a lab reproduction; the expected facts and the provenance go to
``tests/fixtures/facts/<layout>/``, where the golden-facts tests pair them with the capture.
One copy of each capture: the tests read the site's.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

FACTS = Path("tests/fixtures/facts")
CAPTURES = Path("captures")


def site_name(layout: str, node: str) -> str:
    """``lab-cilium`` and ``aks-nodepool1-vmss000000`` -> ``lab-cilium-vmss000000.yaml``."""
    return f"{layout}-{node.rsplit('-', 1)[-1]}.yaml"


def published(facts_json: Path, root: Path) -> Path:
    """The site capture of a lab node, from its golden facts file ``<layout>/<folder>/<node>.facts.json``."""
    node = facts_json.name.removesuffix(".facts.json")
    return root / CAPTURES / facts_json.parent.name / site_name(facts_json.parent.parent.name, node)


def publish(assembled: Path, repository: Path) -> list[Path]:
    """Replace the repository's lab captures and lab facts with those of ``assembled``; return the captures."""
    for old in (repository / CAPTURES).glob("*/lab-*.yaml"):
        old.unlink()
    for old in (repository / FACTS).glob("lab-*"):
        shutil.rmtree(old)
    written = []
    for facts_json in sorted(assembled.glob("lab-*/*/*.facts.json")):
        layout_dir = facts_json.parent.parent
        target = repository / FACTS / layout_dir.name / facts_json.parent.name
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(facts_json, target / facts_json.name)
        shutil.copyfile(layout_dir / "SOURCES.md", repository / FACTS / layout_dir.name / "SOURCES.md")
        capture = published(facts_json, repository)
        capture.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(facts_json.with_name(facts_json.name.removesuffix(".facts.json") + ".yaml"), capture)
        written.append(capture)
    return written


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print("usage: python -m tests.lab.publish ASSEMBLED [REPOSITORY]", file=sys.stderr)
        return 2
    written = publish(Path(argv[1]), Path(argv[2]) if len(argv) == 3 else Path())
    print(f"lab: {len(written)} captures published under {CAPTURES}/ (facts under {FACTS}/)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
