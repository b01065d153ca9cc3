"""The site's data: every capture analysed and every declared comparison, where pages go,
and the few values a page, the matrix and an article show about one capture.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from generator import capture as capture_mod
from generator import aks, compare, diagrams, pipeline
from generator.capture import Capture
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
class Entry:
    """A capture in the few values the guide's index pages show (the matrix row, the rules it applies).

    Plain data: :mod:`generator.site.store` keeps it as JSON beside the capture's page,
    so an unchanged capture is not analysed again to list it.
    """

    id: str
    row: dict[str, Any]
    not_applicable: frozenset[str]


class Analyses(Mapping[str, Analysis]):
    """Every capture's analysis by id, made when first asked for; only the last few are kept.

    With a thousand captures, holding every analysis is most of the generator's memory;
    the index pages need only :class:`Entry` values, and articles and comparisons a few
    captures each.
    """

    def __init__(self, paths: Mapping[str, Path], root: Path) -> None:
        self._paths = dict(sorted(paths.items()))
        self._root = root
        self._get: Callable[[str], Analysis] = functools.lru_cache(maxsize=8)(self._analyse)

    def _analyse(self, capture_id: str) -> Analysis:
        return pipeline.analyse(self._paths[capture_id], self._root)

    def __getitem__(self, capture_id: str) -> Analysis:
        if capture_id not in self._paths:
            raise KeyError(capture_id)
        return self._get(capture_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)


@dataclass(frozen=True)
class Site:
    analyses: Mapping[str, Analysis]
    comparisons: tuple[tuple[compare.Declared, compare.Comparison], ...]
    entries: dict[str, Entry] = field(default_factory=dict)

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


def plugin_label(capture: Capture) -> str:
    """How AKS names the cluster's network plugin: its matrix row, or what the metadata says instead."""
    if capture.offering is not None:
        return aks.OFFERING_BY_KEY[capture.offering].name
    return "none (bring your own CNI)" if capture.network_plugin == "none" else "plugin not stated"


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


def entry(analysis: Analysis) -> Entry:
    """What the matrix and the rules catalogue show about one capture."""
    a = analysis
    values = summary(a)
    prefix_seen = a.facts.host_veth_prefix
    row = {
        "plugin": plugin_label(a.capture),
        "policy": a.capture.network_policy,
        # Where the AKS matrix puts it (generator.site.offerings), and how it names it.
        "offering": a.capture.offering,
        "lab_layout": a.capture.lab_layout,
        "title": a.capture.title,
        "node": a.capture.node,
        "layout": a.facts.summary,
        "bridge": values["cni_bridge"],
        "prefix": f"{prefix_seen}*" if prefix_seen else "none seen",
        "mask": values["pod_mask"],
        "routes": values["host_routes"],
        "per_pod": values["per_pod_routes"],
        "status": status(a),
    }
    return Entry(id=a.capture.id, row=row, not_applicable=frozenset(a.result.not_applicable))


def problems_of(analysis: Analysis) -> list[Problem]:
    """What stops the site from publishing a capture that loaded: failed rules, names its diagram cannot show."""
    problems = [
        Problem(
            location=Location(finding.file, finding.line),
            message=f"{finding.rule} {finding.name}: {finding.message}",
            source=analysis.capture.source_line(finding.line),
        )
        for finding in analysis.result.errors
    ]
    return problems + list(diagrams.problems(analysis))


class Captures(Protocol):
    """How :func:`load_site` gets every capture's :class:`Entry` (see :class:`generator.site.store.Store`)."""

    def entries(self, paths: list[Path], root: Path) -> tuple[dict[str, tuple[Entry, Path]], list[Problem]]:
        """Each capture that can be published (id -> its entry and file), and the problems of the others."""


def load_site(captures_root: Path, store: Captures | None = None) -> Site:
    """Analyse every capture and declared comparison; fail with every problem at once.

    With a ``store``, analyses are not kept: each capture's entry comes from the store,
    and an analysis is made again when a page asks for it (:class:`Analyses`).
    """
    problems = ProblemCollector()
    paths = capture_mod.discover([captures_root])
    analyses: Mapping[str, Analysis]
    if store is None:
        kept: dict[str, Analysis] = {}
        for path in paths:
            try:
                analysis = pipeline.analyse(path, captures_root)
            except GeneratorError as exc:
                problems.extend(exc.problems)
                continue
            problems.extend(problems_of(analysis))
            kept[analysis.capture.id] = analysis
        analyses = dict(sorted(kept.items()))
        entries = {cid: entry(a) for cid, a in analyses.items()}
    else:
        found, failed = store.entries(paths, captures_root)
        problems.extend(failed)
        entries = {cid: e for cid, (e, _) in sorted(found.items())}
        analyses = Analyses({cid: path for cid, (_, path) in found.items()}, captures_root)
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
    return Site(analyses=analyses, comparisons=comparisons, entries=entries)
