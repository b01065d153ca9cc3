"""What a capture holds of its node, and what it does not: the part a published source gave.

A source often publishes one output of a node (an ``ip route`` in a blog post, a FAQ's
excerpt). The capture page says so plainly, per namespace and per kind of output the guide
reads, so a reader knows which facts rest on which commands and which could not be derived.
The kinds follow the parsers' canonical commands; a test keeps every parser in one kind.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.capture import Capture, Section

# What each parser's output shows the guide. ``ip -j -d link`` names a link's kind and its
# bridge, so it counts for both interfaces and bridges.
KINDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("interfaces", frozenset({"ip addr", "ip -j addr", "ip -j -d link"})),
    ("IPv4 routes", frozenset({"ip route", "ip -j route", "route -n"})),
    ("bridges", frozenset({"brctl show", "bridge link", "ip -j -d link"})),
)


@dataclass(frozen=True)
class Row:
    namespace: str  # "host", "pod/<name>", or "pods" when no pod's namespace was captured
    cells: tuple[str, ...]  # per kind: the commands that show it, or "not captured"


@dataclass(frozen=True)
class Coverage:
    kinds: tuple[str, ...]
    rows: tuple[Row, ...]
    missing: tuple[str, ...]  # "the host's bridges", "any pod's namespace", ...

    @property
    def partial(self) -> bool:
        return bool(self.missing)


def _shows(section: Section, commands: frozenset[str]) -> bool:
    # `ip -6 route` is read by the ip route parser, but shows no IPv4 route.
    return section.parser in commands and not (section.parser == "ip route" and " -6" in f" {section.command}")


def _cell(sections: list[Section], commands: frozenset[str]) -> str:
    found = sorted({s.command + (f" (filtered: {s.filter})" if s.filter else "") for s in sections if _shows(s, commands)})
    return ", ".join(found) if found else "not captured"


def coverage(capture: Capture) -> Coverage:
    """The commands ``capture`` holds per namespace and kind, and the kinds it lacks."""
    kinds = tuple(name for name, _ in KINDS)
    by_namespace: dict[str, list[Section]] = {}
    for section in capture.sections:
        by_namespace.setdefault(section.namespace, []).append(section)
    rows: list[Row] = []
    missing: list[str] = []
    host = by_namespace.get("host", [])
    rows.append(Row("host", tuple(_cell(host, commands) for _, commands in KINDS)))
    missing += [f"the host's {name}" for (name, _), cell in zip(KINDS, rows[0].cells, strict=True) if cell == "not captured"]
    pods = sorted(ns for ns in by_namespace if ns != "host")
    for ns in pods:
        # Pods have no bridges of their own: only interfaces and routes matter there.
        rows.append(Row(ns, tuple(_cell(by_namespace[ns], commands) if name != "bridges" else "" for name, commands in KINDS)))
    if not pods:
        rows.append(Row("pods", tuple("not captured" if name != "bridges" else "" for name, _ in KINDS)))
        missing.append("any pod's namespace")
    return Coverage(kinds, tuple(rows), tuple(missing))
