"""How ``check`` prints what it found: text for people, GitHub annotations for CI, JSON for tools.

Load problems (the capture could not be read) and rule findings (it was read, and a
rule does not hold) become the same :class:`Item`, so every format treats them alike.
Items are grouped per file and sorted by line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

from generator.errors import Problem, printable
from generator.rules import Finding

FORMATS = ("text", "github", "json")


@dataclass(frozen=True)
class Item:
    file: str
    line: int | None
    severity: str
    rule: str
    name: str
    message: str
    evidence: tuple[tuple[int, str | None], ...] = ()
    context: str | None = None
    waived: str | None = None

    @property
    def counts(self) -> bool:
        return self.waived is None


def from_problem(problem: Problem) -> Item:
    evidence = (
        ((problem.location.line, problem.source),) if problem.location.line and problem.source is not None else ()
    )
    return Item(
        file=problem.location.file,
        line=problem.location.line,
        severity=problem.severity,
        rule="capture",
        name="capture-format",
        message=problem.message,
        evidence=evidence,
        context=problem.context,
    )


def from_finding(finding: Finding) -> Item:
    return Item(
        file=finding.file,
        line=finding.line,
        severity=finding.severity,
        rule=finding.rule,
        name=finding.name,
        message=finding.message,
        evidence=tuple((e.line, e.text) for e in finding.evidence),
        context=None,
        waived=finding.waived,
    )


def visible(value: str, keep: str = "") -> str:
    """``value`` with every non-printable character (except those in ``keep``) shown as an escape.

    Data reaches a terminal or a CI log through these formats: an ESC, BEL or CR from a
    capture would otherwise retitle, clear or overwrite the reader's screen.
    """
    if value.isprintable():
        return value
    out = []
    for ch in value:
        if ch.isprintable() or ch in keep:
            out.append(ch)
        elif ch == "\t":
            out.append("\\t")
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
    return "".join(out)


def _sorted(items: Iterable[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.file, i.line or 0, i.rule, i.message))


# SGR codes for a terminal; the caller decides whether it is one (see cli.colour_wanted).
_COLOURS = {"file": "1", "error": "1;31", "warning": "1;33", "info": "1;36", "waived": "2", "gutter": "2"}


def _paint(value: str, role: str, colour: bool) -> str:
    return f"\x1b[{_COLOURS[role]}m{value}\x1b[0m" if colour and role in _COLOURS else value


def text(items: Iterable[Item], colour: bool = False) -> str:
    """Grouped per file; each item as ``file:line: severity RULE name: message`` with quoted lines.

    ``colour`` adds terminal colours to the file names, severities and gutters only:
    every piece of data is escaped first, so the only escape codes are ours.
    """
    out: list[str] = []
    current = None
    for item in _sorted(items):
        if item.file != current:
            if current is not None:
                out.append("")
            out.append(_paint(visible(item.file), "file", colour))
            current = item.file
        where = visible(item.file) if item.line is None else f"{visible(item.file)}:{item.line}"
        if item.context:
            where += f" [{visible(item.context)}]"
        severity = _paint(item.severity, "waived" if item.waived else item.severity, colour)
        label = severity if item.rule == "capture" else f"{severity} {item.rule} {item.name}"
        waived = _paint(" (waived)", "waived", colour) if item.waived else ""
        out.append(f"  {where}: {label}{waived}: {visible(item.message)}")
        for line, source in item.evidence:
            if source is not None:
                out.append(f"    {_paint(f'{line:>5} |', 'gutter', colour)} {printable(source)}")
        if item.waived:
            out.append(f"    waiver: {visible(item.waived)}")
    return "\n".join(out) + ("\n" if out else "")


def _escape_data(value: str) -> str:
    # CR and LF are the annotation's own escapes (%0D, %0A); every other control character is made visible.
    return visible(value, keep="\r\n").replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(items: Iterable[Item]) -> str:
    """GitHub Actions workflow commands: one ``::error``/``::warning`` annotation per item."""
    out = []
    for item in _sorted(items):
        level = "notice" if item.waived else item.severity
        props = [f"file={_escape_property(item.file)}"]
        if item.line is not None:
            props.append(f"line={item.line}")
        title = "capture format" if item.rule == "capture" else f"{item.rule} {item.name}"
        props.append(f"title={_escape_property(title)}")
        message = item.message + (f" (waived: {item.waived})" if item.waived else "")
        out.append(f"::{level} {','.join(props)}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


def as_json(items: Iterable[Item], files: int) -> str:
    data = {
        "files": files,
        "items": [{**asdict(i), "evidence": [{"line": ln, "text": t} for ln, t in i.evidence]} for i in _sorted(items)],
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
