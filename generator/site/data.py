"""The site's data: every capture analysed and every declared comparison, where pages go,
and the few values a page, the matrix and an article show about one capture.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import capture as capture_mod
from generator import compare, diagrams, pipeline
from generator.errors import GeneratorError, Location, Problem, ProblemCollector
from generator.pipeline import Analysis

@dataclass(frozen=True)
class Layout:
    """Where things go, relative to the docs folder."""

    docs: Path
    guide: str = "guide"
    posts: str = "blog/posts"
    articles: str = "articles"

    @property
    def guide_dir(self) -> Path:
        return self.docs / self.guide

    @property
    def posts_dir(self) -> Path:
        return self.docs / self.posts

    @property
    def articles_dir(self) -> Path:
        return self.docs / self.articles


@dataclass(frozen=True)
class Site:
    analyses: dict[str, Analysis]
    comparisons: tuple[tuple[compare.Declared, compare.Comparison], ...]

    def get(self, capture_id: str) -> Analysis:
        """The analysis of ``capture_id``; KeyError when the site has no such capture."""
        return self.analyses[capture_id]


def capture_page(capture_id: str) -> str:
    """Path of a capture's page inside the guide (the id is already restricted to [a-z0-9._-]/)."""
    return f"captures/{capture_id}.md"


def combination_page(folder: str) -> str:
    """Path of the page listing one plugin-policy folder's captures (``azure-calico``) inside the guide."""
    return f"nodes/{folder}.md"


def diagram_file(name: str) -> str:
    return f"diagrams/{name}.svg"


def relative(from_page: str, to: str) -> str:
    return os.path.relpath(to, Path(from_page).parent.as_posix()).replace(os.sep, "/")


def status(analysis: Analysis) -> str:
    result = analysis.result
    if result.errors:
        return f"{len(result.errors)} failing"
    waived = sum(1 for f in result.findings if f.waived)
    warnings = len(result.warnings)
    parts = [f"{len(result.passed)} passed"]
    if result.not_checked:
        parts.append(f"{len(result.not_checked)} not checked")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings > 1 else ''}")
    if waived:
        parts.append(f"{waived} waived")
    return ", ".join(parts)


def pod_masks(analysis: Analysis) -> str:
    masks = sorted({m for m, _ in analysis.facts.pod_masks})
    return ", ".join(f"/{m}" for m in masks) or "not captured"


def summary(analysis: Analysis) -> dict[str, Any]:
    """A capture in a few values: what articles claim (``claim``, ``value``) and the home matrix shows."""
    f = analysis.facts
    host = analysis.model.host
    return {
        "mode": f.mode.value,
        "datapath": f.datapath.value,
        "encapsulation": f.encapsulation.value,
        "pod_network": f.pod_network.value,
        "cni_bridge": ", ".join(f.cni_bridges) or "none",
        "docker_bridge": f.docker_bridge or "none",
        "host_veth_prefix": f.host_veth_prefix or "none",
        "per_pod_routes": len(f.per_pod_routes),
        "host_routes": len(host.routes) if host else 0,
        "pod_mask": pod_masks(analysis),
        "uplink": f.uplink or "none",
        "node_address": f.node_address or "none",
        "pods": len(analysis.model.pods),
        "rules_passed": len(analysis.result.passed),
        "rules_failing": len(analysis.result.errors),
    }


def load_site(captures_root: Path) -> Site:
    """Analyse every capture and declared comparison; fail with every problem at once."""
    problems = ProblemCollector()
    analyses: dict[str, Analysis] = {}
    for path in capture_mod.discover([captures_root]):
        try:
            analysis = pipeline.analyse(path, captures_root)
        except GeneratorError as exc:
            problems.extend(exc.problems)
            continue
        for finding in analysis.result.errors:
            problems.add(
                Problem(
                    location=Location(finding.file, finding.line),
                    message=f"{finding.rule} {finding.name}: {finding.message}",
                    source=analysis.capture.source_line(finding.line),
                )
            )
        problems.extend(diagrams.problems(analysis))
        analyses[analysis.capture.id] = analysis
    declared: tuple[compare.Declared, ...] = ()
    try:
        declared = compare.load_declared(captures_root)
    except GeneratorError as exc:
        problems.extend(exc.problems)
    for d in declared:
        for side in (d.before, d.after):
            if side not in analyses and not problems:
                problems.add(
                    Problem(
                        location=Location(capture_mod.display_path(captures_root / compare.COMPARISONS_FILE), d.line),
                        message=f"comparison {d.id!r} names {side!r}, which is not a capture the site publishes",
                    )
                )
    problems.raise_if_any(GeneratorError)
    comparisons = tuple((d, compare.compare(analyses[d.before], analyses[d.after])) for d in declared)
    return Site(analyses=dict(sorted(analyses.items())), comparisons=comparisons)
