"""Semantic diff of two captures: what changed in structure, not which bytes differ.

Volatile identities (interface indexes, MACs, the hash suffix of veth names, pod
addresses) are normalised away first, so two nodes of the same kind compare equal
and a mode change shows as a handful of structural changes:

- **mode**: bridge -> transparent;
- **interfaces by role**: the CNI bridge removed, host veths counted with their prefix;
- **routes by shape**: "connected subnet through a bridge" removed, "per-pod host
  route to a veth" +9, ...;
- **pod side**: the eth0 mask (/24 -> /32).

Each change keeps counts, a few examples and the capture lines behind it. The raw
unified diff of matching command sections is kept as a secondary view.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from generator import facts as facts_mod
from generator.capture import Capture, display_path, read_yaml, validate
from generator.errors import ProblemCollector
from generator.facts import Facts
from generator.model import Namespace, NodeModel, Route
from generator.pipeline import Analysis

EXAMPLES = 3


@dataclass(frozen=True)
class Side:
    """One side of a change: how many, a few examples, and the capture lines behind them."""

    count: int
    examples: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()

    @property
    def text(self) -> str:
        return ", ".join(self.examples) + (", ..." if self.count > len(self.examples) else "")


@dataclass(frozen=True)
class Change:
    """``kind`` is added, removed, changed, same, unclear (one side's listing is abbreviated),
    or not-captured (one side never captured what would show it).

    ``group`` is mode, interfaces, routes or pod.
    """

    group: str
    subject: str
    kind: str
    summary: str
    before: Side
    after: Side


@dataclass(frozen=True)
class RawDiff:
    namespace: str
    command: str
    diff: str


@dataclass(frozen=True)
class Comparison:
    before: str
    after: str
    before_path: str
    after_path: str
    changes: tuple[Change, ...]
    raw: tuple[RawDiff, ...]

    def changed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.kind != "same")

    def find(self, group: str, subject: str) -> Change | None:
        return next((c for c in self.changes if c.group == group and c.subject == subject), None)


def _route_text(route: Route) -> str:
    via = f" via {route.gateway}" if route.gateway else ""
    dev = f" dev {route.device}" if route.device else ""
    return f"{route.destination}{via}{dev}"


def _routes_by_shape(model: NodeModel, facts: Facts) -> dict[str, list[Route]]:
    shapes: dict[str, list[Route]] = {}
    host = model.host
    for route in host.routes if host else ():
        shapes.setdefault(facts_mod.route_shape(route, facts), []).append(route)
    return shapes


def _side(items: list[tuple[str, int]]) -> Side:
    return Side(len(items), tuple(t for t, _ in items[:EXAMPLES]), tuple(ln for _, ln in items))


def compare(a: Analysis, b: Analysis) -> Comparison:
    changes: list[Change] = []
    fa, fb = a.facts, b.facts

    def add(group: str, subject: str, before: Side, after: Side, summary: str, kind: str | None = None) -> None:
        if kind is None:
            if before.count == 0 and after.count:
                kind = "added"
            elif after.count == 0 and before.count:
                kind = "removed"
            elif before.examples != after.examples or before.count != after.count:
                kind = "changed"
            else:
                kind = "same"
        changes.append(Change(group=group, subject=subject, kind=kind, summary=summary, before=before, after=after))

    for subject, fact_a, fact_b in (
        ("mode", fa.mode, fb.mode),
        ("datapath", fa.datapath, fb.datapath),
        ("encapsulation", fa.encapsulation, fb.encapsulation),
        ("pod network", fa.pod_network, fb.pod_network),
    ):
        add(
            "mode",
            subject,
            Side(1, (fact_a.value,), fact_a.lines),
            Side(1, (fact_b.value,), fact_b.lines),
            f"{subject}: {fact_a.value} -> {fact_b.value}"
            if fact_a.value != fact_b.value
            else f"{subject}: {fact_a.value}",
            "changed" if fact_a.value != fact_b.value else "same",
        )
    for label, pick in (
        ("CNI bridge", lambda f: f.cni_bridges),
        ("Docker bridge", lambda f: (f.docker_bridge,) if f.docker_bridge else ()),
    ):
        before = [(n, _bridge_line(a, n)) for n in pick(fa)]
        after = [(n, _bridge_line(b, n)) for n in pick(fb)]
        sa, sb = _side(before), _side(after)
        missing = _missing_side(a, b, _shows_devices)
        if missing and not (sa.count and sb.count):
            add("interfaces", label, sa, sb, f"{label}: {missing}", "not-captured")
        else:
            add("interfaces", label, sa, sb, _presence(label, sa, sb))

    sa, sb = _side(list(fa.veth_evidence)), _side(list(fb.veth_evidence))
    prefix_a = f"{fa.host_veth_prefix}*" if fa.host_veth_prefix else "none"
    prefix_b = f"{fb.host_veth_prefix}*" if fb.host_veth_prefix else "none"
    add(
        "interfaces",
        "host veths",
        sa,
        sb,
        f"{sa.count} {prefix_a} -> {sb.count} {prefix_b}",
        "changed" if (fa.host_veth_prefix != fb.host_veth_prefix or sa.count != sb.count) else "same",
    )
    if fa.host_veth_prefix != fb.host_veth_prefix:
        add(
            "interfaces",
            "veth prefix",
            Side(1, (prefix_a,)),
            Side(1, (prefix_b,)),
            f"veth prefix {prefix_a} -> {prefix_b}",
            "changed",
        )

    for role in (facts_mod.UPLINK, facts_mod.VF, facts_mod.TUNNEL):
        ra = [(r.interface, r.lines[0]) for r in fa.roles if r.role == role and r.namespace == "host"]
        rb = [(r.interface, r.lines[0]) for r in fb.roles if r.role == role and r.namespace == "host"]
        if not (ra or rb):
            continue
        sa, sb = _side(ra), _side(rb)
        if ra and rb:
            add(
                "interfaces",
                role,
                sa,
                sb,
                f"{role}: {sa.text} -> {sb.text}",
                "same" if sa.count == sb.count else "changed",
            )
        elif _abbreviated(a if not ra else b):
            # Absent from a listing the author cut short is unknown, not removed.
            shown, side = (sb, "after") if rb else (sa, "before")
            add(
                "interfaces",
                role,
                sa,
                sb,
                f"{role} {shown.text}: shown only {side} (the other ip addr is abbreviated)",
                "unclear",
            )
        else:
            add("interfaces", role, sa, sb, _presence(role, sa, sb))

    shapes_a = _routes_by_shape(a.model, fa)
    shapes_b = _routes_by_shape(b.model, fb)
    routes_missing = _missing_side(a, b, lambda h: h.has_routes)
    routes_partial = _missing_side(a, b, lambda h: not h.partial_routes, "only part of the routes captured")
    for shape, title in facts_mod.ROUTE_SHAPES:
        ra = [(_route_text(r), r.line) for r in shapes_a.get(shape, [])]
        rb = [(_route_text(r), r.line) for r in shapes_b.get(shape, [])]
        if not ra and not rb:
            continue
        sa, sb = _side(ra), _side(rb)
        delta = sb.count - sa.count
        if routes_missing:
            # One side never listed its routes: what it lacks was not removed, it was not looked at.
            add("routes", shape, sa, sb, f"{title}: {routes_missing}", "not-captured")
            continue
        if routes_partial and not (sa.count and sb.count):
            add("routes", shape, sa, sb, f"{title}: {routes_partial}", "unclear")
            continue
        if sa.count and sb.count:
            summary = f"{title}: {sa.count} -> {sb.count}" if delta else f"{title}: {sa.count}"
            kind = "changed" if delta else "same"
        else:
            # One side is empty (both empty was skipped above), so delta is never 0 here.
            summary = f"{title}: {'+' if delta > 0 else ''}{delta}"
            kind = None
        add("routes", shape, sa, sb, summary, kind)

    masks_a = [(f"/{m}", line) for m, line in fa.pod_masks]
    masks_b = [(f"/{m}", line) for m, line in fb.pod_masks]
    if masks_a and masks_b:
        sa, sb = _side(masks_a), _side(masks_b)
        same = sorted({m for m, _ in masks_a}) == sorted({m for m, _ in masks_b})
        add(
            "pod",
            "eth0 mask",
            sa,
            sb,
            f"pod eth0 mask {mask_text(sa)} -> {mask_text(sb)}" if not same else f"pod eth0 mask {mask_text(sa)}",
            "same" if same else "changed",
        )
    elif masks_a or masks_b:
        sa, sb = _side(masks_a), _side(masks_b)
        side = "after" if masks_a else "before"
        mask = mask_text(sa if masks_a else sb)
        add("pod", "eth0 mask", sa, sb, f"pod eth0 mask {mask}; no pod address captured {side}", "not-captured")

    return Comparison(
        before=a.capture.id,
        after=b.capture.id,
        before_path=a.capture.path,
        after_path=b.capture.path,
        changes=tuple(changes),
        raw=tuple(raw_diffs(a.capture, b.capture)),
    )


def mask_text(side: Side) -> str:
    """``/24``, or ``/24 and /32`` when pods differ."""
    return " and ".join(sorted(set(side.examples), key=lambda e: int(e.lstrip("/"))))


def _shows_devices(host: Namespace) -> bool:
    return host.has_interfaces or host.has_bridges


def _missing_side(a: Analysis, b: Analysis, shows: Callable[[Namespace], bool], what: str = "not captured") -> str:
    """Which side lacks what ``shows`` asks for: ``not captured before``, ``... after``, ``... on either side``, or ''."""
    missing = [side for side, x in (("before", a), ("after", b)) if x.model.host is None or not shows(x.model.host)]
    if not missing:
        return ""
    return f"{what} {missing[0]}" if len(missing) == 1 else f"{what} on either side"


def _presence(label: str, before: Side, after: Side) -> str:
    if before.count and not after.count:
        return f"{label} {before.text}: removed"
    if after.count and not before.count:
        return f"{label} {after.text}: added"
    if not before.count:
        return f"{label}: none on either side"
    if before.examples == after.examples:
        return f"{label} {before.text}: on both"
    return f"{label} {before.text} -> {after.text}"


def _abbreviated(analysis: Analysis) -> bool:
    host = analysis.model.host
    return host is None or not host.has_interfaces or bool(host.elided) or host.partial_interfaces


def _bridge_line(analysis: Analysis, name: str) -> int:
    host = analysis.model.host
    if host is None:
        return 0
    bridge = next((b for b in host.bridges if b.name == name), None)
    if bridge is not None:
        return bridge.line
    iface = host.interface(name)
    return iface.line if iface else 0


def _section_key(namespace: str, parser: str | None, command: str) -> tuple[str, str]:
    kind = "host" if namespace == "host" else "pod"
    return kind, parser or command


def raw_diffs(a: Capture, b: Capture) -> Iterable[RawDiff]:
    """Unified diffs of sections run with the same command in the same kind of namespace."""
    sections_b = {_section_key(s.namespace, s.parser, s.command): s for s in b.sections}
    for section in a.sections:
        key = _section_key(section.namespace, section.parser, section.command)
        other = sections_b.get(key)
        if other is None:
            continue
        diff = "".join(
            difflib.unified_diff(
                section.output.splitlines(keepends=True),
                other.output.splitlines(keepends=True),
                fromfile=f"{a.id} ({section.namespace}: {section.command})",
                tofile=f"{b.id} ({other.namespace}: {other.command})",
                n=2,
            )
        )
        yield RawDiff(key[0], key[1], diff)


# --- declared comparisons ------------------------------------------------------------------------

COMPARISONS_FILE = "comparisons.yaml"


@dataclass(frozen=True)
class Declared:
    id: str
    title: str
    before: str
    after: str
    line: int


def load_declared(root: Path) -> tuple[Declared, ...]:
    """``captures/comparisons.yaml``: which pairs are worth publishing, with a title each."""
    path = root / COMPARISONS_FILE
    if not path.exists():
        return ()
    doc = read_yaml(path, display_path(path), "comparisons.yaml")
    src = doc.src
    problems = ProblemCollector()
    problems.extend(validate(doc, "comparisons"))
    problems.raise_if_any()
    declared: list[Declared] = []
    seen: set[str] = set()
    for index, item in enumerate(doc.data["comparisons"]):
        line = doc.line("comparisons", index)
        cid = str(item["id"])
        if cid in seen:
            problems.add(src.problem(line, f"comparison id {cid!r} is used twice"))
        seen.add(cid)
        for key in ("before", "after"):
            target = str(item[key])
            target_path = root / f"{target}.yaml"
            if target_path.is_symlink():
                # A capture is published under its own id only: an alias would name a page never written.
                problems.add(
                    src.problem(
                        doc.line("comparisons", index, key),
                        f"comparisons[{index}].{key} names {target!r}, which is a symlink; name the capture it points to",
                    )
                )
            elif not target_path.is_file():
                problems.add(
                    src.problem(
                        doc.line("comparisons", index, key),
                        f"comparisons[{index}].{key} names {target!r}, but there is no {src.display.rsplit('/', 1)[0]}/{target}.yaml",
                    )
                )
        declared.append(
            Declared(id=cid, title=str(item["title"]), before=str(item["before"]), after=str(item["after"]), line=line)
        )
    problems.raise_if_any()
    return tuple(declared)


# --- rendering ----------------------------------------------------------------------------------


def to_markdown(comparison: Comparison) -> str:
    """A plain-Markdown rendering of the structural changes: the site's table under a heading."""
    # Imported here: Jinja is a fifth of the start-up of check, which reads comparisons
    # but never renders them.
    from generator import markdown

    heading = f"# {markdown.cell(comparison.before)} -> {markdown.cell(comparison.after)}\n\n"
    return heading + markdown.render("_changes.md.j2", changes=comparison.changes)


def to_text(comparison: Comparison) -> str:
    out = [f"{comparison.before} -> {comparison.after}"]
    for group in ("mode", "interfaces", "routes", "pod"):
        items = [c for c in comparison.changes if c.group == group and c.kind != "same"]
        if not items:
            continue
        out.append(f"\n{group}")
        for change in items:
            out.append(f"  [{change.kind}] {change.summary}")
            if change.before.count and change.kind in ("removed", "changed"):
                out.append(
                    f"      before: {change.before.text}  ({_lines(comparison.before_path, change.before.lines)})"
                )
            if change.after.count and change.kind in ("added", "changed"):
                out.append(f"      after:  {change.after.text}  ({_lines(comparison.after_path, change.after.lines)})")
    return "\n".join(out) + "\n"


def _lines(path: str, lines: tuple[int, ...]) -> str:
    shown = [str(ln) for ln in lines[:EXAMPLES] if ln]
    if not shown:
        return path
    more = ", ..." if len([ln for ln in lines if ln]) > EXAMPLES else ""
    return f"{path}:{', '.join(shown)}{more}"
