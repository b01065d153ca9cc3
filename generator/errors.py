"""Errors that point at the input that caused them.

Every problem the generator reports carries a :class:`Location` (a file and, where
one exists, a line) and the text of the offending source line, so a contributor can
go straight to it. Problems are collected and reported together; nothing here ever
prints a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Location:
    """A place in an input file. ``line`` is 1-based; ``None`` means the whole file."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """One located complaint about an input.

    ``context`` narrows the location for humans, e.g. ``host: route -n, line 7``
    (the command section and the line inside its output). ``source`` is the
    offending line as written, shown under the message.
    """

    location: Location
    message: str
    source: str | None = None
    context: str | None = None
    severity: str = "error"

    def sort_key(self) -> tuple[str, int, str]:
        return (self.location.file, self.location.line or 0, self.message)

    def headline(self) -> str:
        where = str(self.location)
        if self.context:
            where = f"{where} [{self.context}]"
        return f"{where}: {self.message}"

    def format(self) -> str:
        text = self.headline()
        if self.source is not None:
            text += f"\n    | {printable(self.source)}"
        return text


class GeneratorError(Exception):
    """Root of every error the generator raises on purpose.

    It holds one or more problems; ``str()`` is the full human-readable report.
    """

    def __init__(self, problems: Sequence[Problem] | Problem) -> None:
        if isinstance(problems, Problem):
            problems = [problems]
        if not problems:
            raise ValueError("GeneratorError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(p.format() for p in self.problems))


class ParseError(GeneratorError):
    """A command's output does not have the shape its parser expects."""


class CaptureError(GeneratorError):
    """A capture file is malformed (YAML, schema, or a section's output)."""


class UsageError(Exception):
    """The command line was wrong (exit status 2)."""


@dataclass
class ProblemCollector:
    """Collects problems so a run can report all of them, then fail once."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self, cls: type[GeneratorError] = CaptureError) -> None:
        if self.problems:
            raise cls(sorted(self.problems, key=Problem.sort_key))


def printable(text: str, limit: int = 200) -> str:
    """Render an input line for a terminal: control characters made visible, long lines cut.

    Input is data, so a stray escape sequence in a capture must not repaint the
    contributor's terminal.
    """
    out = []
    # Only the shown part is rendered: a hostile line can be a megabyte long.
    for ch in text[: limit + 1]:
        if ch == "\t":
            out.append("\\t")
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
    rendered = "".join(out)
    if len(rendered) > limit:
        rendered = rendered[: limit - 3] + "..."
    return rendered
