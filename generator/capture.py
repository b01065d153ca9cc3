"""Load a capture file: one libyaml pass into a positioned tree, schema validation, parsed sections.

A capture is ``captures/<plugin>-<policy>/<node>.yaml``; its id is that path under
``captures/`` without ``.yaml``. Loading never executes anything from the file: the
YAML is read as a stream of libyaml events and turned into plain data by this module
alone, so tags, anchors, aliases, merge keys and deep nesting are refused in that
same pass, before anything is built from them (which also rules out alias bombs).
Plain scalars are typed by narrow rules of our own: ``true``/``false``, ``null``
and decimal integers; every other plain scalar stays the text it is, except the ones
YAML tools would read as numbers (``1.20`` is 1.2 to them), which are kept as
:class:`Misread` so the schema refuses them with a message saying to quote them.

Every mapping, list and value keeps the file line it came from, so every complaint
(YAML, schema or content) points at it. The schema is the JSON Schema shipped in
:mod:`generator.schema`, applied with ``jsonschema``; its errors are mapped back to
lines. All problems of a file are collected and raised together as one
:class:`~generator.errors.CaptureError`.
"""

from __future__ import annotations

import calendar
import ipaddress
import itertools
import json
import os
import re
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from yaml import events

from generator import parsers
from generator.errors import CaptureError, Location, ParseError, Problem, ProblemCollector, printable
from generator.parsers import Origin, Record
from generator.parsers._common import is_ipv4, is_ipv6

try:
    from yaml._yaml import CParser as _EventSource
except ImportError:  # pragma: no cover - PyYAML without libyaml: the same events, slower
    from yaml import SafeLoader as _EventSource  # type: ignore[assignment]

MAX_BYTES = 1_048_576
MAX_DEPTH = 12
MAX_PROBLEMS = 200
# Each part of an id becomes a file and folder name of the site (page, diagram);
# file systems stop at 255 bytes, so a longer name would fail the build much later.
MAX_ID_PART = 100
CAPTURE_ID_PART = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

# A key path into a loaded document: ("sections", 2, "output").
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Annotation:
    """A note on one output line; ``line`` counts from the output's first line."""

    line: int
    note: str
    file_line: int


@dataclass(frozen=True)
class Section:
    """One command run in one namespace, with its output and what the parser made of it.

    ``parser`` is the canonical command (``route -n``) or ``None`` for a raw section
    (a command no parser reads, kept verbatim). ``output_line`` is the file line of
    the output's first line. ``filter`` is what left lines out of a parsed output
    (``| grep azv``); ``suggestion`` the command a raw section's most likely meant
    (``ip adr`` -> ``ip addr``); ``unparsed`` why a command a parser knows stays raw
    (``| jq``, or a filter that left out lines the parser needs). See
    :func:`generator.parsers.match`.
    """

    index: int
    line: int
    namespace: str
    command: str
    parser: str | None
    output: str
    output_line: int
    annotations: tuple[Annotation, ...]
    records: tuple[Record, ...]
    source: str | None = None
    transcribed: bool = False
    note: str | None = None
    command_line: int = 0
    filter: str | None = None
    suggestion: str | None = None
    unparsed: str | None = None

    @property
    def label(self) -> str:
        return f"{self.namespace}: {self.command}"


@dataclass(frozen=True)
class Waiver:
    """The author's visible, reasoned exception to one rule for this capture."""

    rule: str
    reason: str
    line: int


@dataclass(frozen=True)
class Pod:
    name: str
    ip: str
    line: int


@dataclass(frozen=True)
class Capture:
    """A loaded, validated capture. ``meta`` holds the metadata mappings as plain data."""

    id: str
    path: str
    title: str
    network_plugin: str
    network_policy: str
    node: str | None
    meta: dict[str, Any]
    pods: tuple[Pod, ...]
    sections: tuple[Section, ...]
    expect: dict[str, Any]
    lines: dict[str, int]
    text_lines: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    network_plugin_mode: str | None = None
    network_dataplane: str | None = None
    pod_subnet: bool = False
    lab_layout: str | None = None  # the lab layout that built it: a reproduction, not an AKS node

    @property
    def offering(self) -> str | None:
        """The way AKS gives this cluster's pods their network (a row of the AKS matrix), if stated."""
        return offering(self.network_plugin, self.network_plugin_mode, self.network_dataplane, self.pod_subnet)

    def source_line(self, line: int | None) -> str | None:
        """The capture file's text at ``line`` (1-based), for quoting evidence."""
        return self.text_lines[line - 1] if line is not None and 0 < line <= len(self.text_lines) else None

    def line_of(self, key: str) -> int | None:
        """The file line of a metadata key path such as ``expect.mode``."""
        return self.lines.get(key)

    def namespaces(self) -> tuple[str, ...]:
        return tuple(sorted({s.namespace for s in self.sections}))


@dataclass(frozen=True)
class Source:
    """The file being loaded: its display name and its lines, for located problems.

    ``lines`` are split where YAML breaks lines (``\\n``, ``\\r\\n``, ``\\r``), so line
    numbers from libyaml and the quoted text always agree.
    """

    display: str
    lines: tuple[str, ...]

    def text(self, line: int | None) -> str | None:
        return self.lines[line - 1] if line is not None and 0 < line <= len(self.lines) else None

    def problem(self, line: int | None, message: str) -> Problem:
        return Problem(location=Location(self.display, line), message=message, source=self.text(line))


@dataclass(frozen=True)
class Misread:
    """A plain scalar that YAML tools read as a number although it looks like text (``1.20``).

    It is neither a string nor a number to the schema, so wherever a string is
    expected the message can say what YAML makes of it and to quote it.
    """

    text: str
    reading: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Document:
    """A YAML file as plain data, with the line of every node.

    ``lines[path]`` is where a value is reported: the line of its key in a mapping,
    of its item in a list. ``starts[path]`` is the first line of a mapping or list
    itself. ``literals[path]`` is the line of the ``|`` of each block literal.
    """

    data: dict[str, Any]
    src: Source
    lines: dict[KeyPath, int] = field(default_factory=dict)
    starts: dict[KeyPath, int] = field(default_factory=dict)
    literals: dict[KeyPath, int] = field(default_factory=dict)
    # Lines that ended a block scalar early while looking like a key: a problem there is that.
    block_ends: dict[int, _BlockEnd] = field(default_factory=dict)

    def line(self, *path: str | int) -> int:
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)

    def start(self, *path: str | int) -> int:
        return self.starts.get(path) or self.line(*path)

    def key_lines(self) -> dict[str, int]:
        """Dotted paths of keys reached through mappings only (``expect.mode``) -> line."""
        # A path through a list holds an int; ``int not in map(type, p)`` asks that in C.
        return {".".join(map(str, p)): line for p, line in self.lines.items() if p and int not in map(type, p)}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in :mod:`generator.schema` (``capture``, ``comparisons``)."""
    text = resources.files("generator.schema").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def schema() -> dict[str, Any]:
    """The capture JSON Schema (also used by editors)."""
    return load_schema("capture")


def capture_id(path: Path, root: Path) -> str:
    """``captures/kubenet-none/node0.yaml`` -> ``kubenet-none/node0``; refuses unsafe paths.

    The id becomes output file names, so it must never climb out of the output
    folder, carry characters a URL or a shell would treat specially, or be too long
    for a file system. It is taken from the path as written, never through a
    symbolic link, so one file has one id.
    """
    display = display_path(path)

    def refused(message: str, where: str = display) -> CaptureError:
        return CaptureError(Problem(location=Location(where), message=message))

    relative = Path(os.path.relpath(path, root))
    if relative.parts[:1] == ("..",) or not relative.name:
        raise refused(f"capture is not under the captures folder {display_path(root)}")
    for depth in range(1, len(relative.parts) + 1):
        link = Path(root, *relative.parts[:depth])
        if link.is_symlink():
            kind = "capture" if depth == len(relative.parts) and not link.is_dir() else "folder"
            raise refused(
                f"{kind} is a symbolic link (to {link.readlink().as_posix()!r}); captures and their folders must be "
                "real files and folders, so each capture has one id (copy the file instead)",
                display_path(link),
            )
    if relative.suffix != ".yaml":
        found = f" (found {relative.suffix!r})" if relative.suffix else ""
        raise refused(f"capture file names must end in .yaml{found}")
    if relative.name in NOT_CAPTURES and len(relative.parts) > 1:
        raise refused(
            f"{relative.name} belongs directly in the captures folder ({display_path(root)}/{relative.name}); "
            "in a plugin folder it would be read as a capture"
        )
    parts = relative.with_suffix("").parts
    for part in parts:
        if len(part) > MAX_ID_PART:
            raise refused(
                f"capture path part {_short(part, 40)!r} is {len(part)} characters long; at most {MAX_ID_PART} "
                "are allowed (the id becomes file names of the site)"
            )
        if not CAPTURE_ID_PART.match(part) or ".." in part:
            raise refused(
                f"capture path part {part!r} has characters outside [a-z0-9._-] "
                "(expected captures/<plugin>-<policy>/<node>.yaml in lower case)"
            )
    if len(parts) != 2:
        raise refused("expected the layout captures/<plugin>-<policy>/<node>.yaml")
    return "/".join(parts)


SCHEMA_VERSION = 2


def _outdated(doc: Document) -> Problem | None:
    """A capture written for an older format: say how to upgrade it, not every key that changed."""
    version = doc.data.get("schema")
    if isinstance(version, int) and not isinstance(version, bool) and 0 < version < SCHEMA_VERSION:
        return doc.src.problem(
            doc.line("schema"),
            f"schema {version} is an older capture format; upgrade the file in place with "
            f"'fieldguide migrate {doc.src.display}' (it keeps every output and comment)",
        )
    return None


def offering(plugin: str, mode: str | None, dataplane: str | None, pod_subnet: bool) -> str | None:
    """The AKS matrix row of a cluster: how AKS gives its pods their network (None: not stated, or no AKS CNI)."""
    if plugin == "kubenet":
        return "kubenet"
    if plugin != "azure":
        return None
    if dataplane == "cilium":
        return "azure-cilium"
    if mode == "overlay":
        return "azure-overlay"
    return "azure-pod-subnet" if pod_subnet else "azure-node-subnet"


# The folder a capture sits in names its row and its column: captures/<plugin part>-<policy part>/.
_FOLDER_PLUGIN = {
    "kubenet": "kubenet",
    "azure-node-subnet": "azure",
    "azure-pod-subnet": "azure-podsubnet",
    "azure-overlay": "azure-overlay",
    "azure-cilium": "azure-cilium",
}
NOT_STATED = "not stated"


def folder_slug(plugin: str, mode: str | None, dataplane: str | None, pod_subnet: bool, policy: str) -> str:
    """``captures/<this>/``: ``kubenet-calico``, ``azure-overlay-none``, ``unstated-unstated``, ..."""
    row = offering(plugin, mode, dataplane, pod_subnet)
    plugin_part = _FOLDER_PLUGIN[row] if row is not None else ("unstated" if plugin == NOT_STATED else plugin)
    return f"{plugin_part}-{'unstated' if policy == NOT_STATED else policy}"


def display_path(path: Path) -> str:
    """Paths in messages: relative to the working directory when possible, always with ``/``.

    A file name is input too: one holding terminal escapes is shown escaped.
    """
    try:
        shown = Path(os.path.normpath(path.absolute())).relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = path.as_posix()
    return shown if shown.isprintable() else printable(shown, limit=8 * len(shown))


def load(path: Path, root: Path) -> Capture:
    """Load, validate and parse one capture; raise CaptureError listing every problem."""
    display = display_path(path)
    cid = capture_id(path, root)
    doc = read_yaml(path, display)
    problems = ProblemCollector()
    outdated = _outdated(doc)
    if outdated is not None:
        raise CaptureError(outdated)
    problems.extend(validate(doc, "capture"))
    problems.raise_if_any()
    capture = _build(cid, doc, problems)
    problems.raise_if_any()
    return capture


# Files under captures/ that are not captures (read by generator.compare), at the top only.
NOT_CAPTURES = frozenset({"comparisons.yaml"})


def discover(paths: list[Path]) -> list[Path]:
    """Every capture candidate under the given files or folders, sorted, without duplicates.

    Anything whose name ends in ``.yaml`` or ``.yml`` in any case is a candidate, and
    so is a symbolic link to a folder: :func:`load` then refuses what is not a
    capture with a message, where skipping it would hide it. Only
    ``comparisons.yaml`` directly in a given folder is left out.
    """
    found: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            found.add(path)
            continue
        for folder, dirs, files in os.walk(path):
            here = Path(folder)
            for name in dirs:
                if (here / name).is_symlink():
                    found.add(here / name)
            for name in files:
                if name.lower().endswith((".yaml", ".yml")) and not (here == path and name in NOT_CAPTURES):
                    found.add(here / name)
    return sorted(found)


# --- reading the file ------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n?|\n")
# Characters YAML refuses (it reads printable characters only), and the three it
# accepts but counts as line breaks where nothing else does: allowing those would
# make output lines and file lines disagree.
_NOT_ALLOWED = re.compile("[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The ASCII characters YAML reads: for an ASCII file (nearly every capture), deleting them
# from its bytes in C says whether any other is there, far faster than the search above.
_ASCII_ALLOWED = bytes([9, 10, 13, *range(0x20, 0x7F)])
_INVISIBLE_BREAKS = {
    "\x85": "U+0085 (NEXT LINE)",
    "\u2028": "U+2028 (LINE SEPARATOR)",
    "\u2029": "U+2029 (PARAGRAPH SEPARATOR)",
}


def split_lines(text: str) -> tuple[str, ...]:
    """The lines of ``text`` as YAML counts them (``str.splitlines`` breaks at more characters)."""
    lines = text.split("\n") if "\r" not in text else _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(lines)


def _read_text(path: Path, display: str, what: str) -> str:
    try:
        info = path.lstat()
    except OSError as exc:
        raise CaptureError(
            Problem(location=Location(display), message=f"cannot read the file: {exc.strerror}")
        ) from None
    if not stat.S_ISREG(info.st_mode):
        kind = _file_kind(info.st_mode)
        raise CaptureError(
            Problem(location=Location(display), message=f"{what} must be a regular file, but this is {kind}")
        )
    if info.st_size > MAX_BYTES:
        raise CaptureError(
            Problem(
                location=Location(display),
                message=f"file is {info.st_size} bytes; captures are limited to {MAX_BYTES} bytes (1 MiB)",
            )
        )
    try:
        # O_NONBLOCK and O_NOFOLLOW: if the file was swapped for a FIFO or a link since
        # lstat, opening fails or returns at once instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        raise CaptureError(
            Problem(location=Location(display), message=f"cannot read the file: {exc.strerror}")
        ) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise CaptureError(Problem(location=Location(display), message=f"{what} must be a regular file"))
        raw = handle.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise CaptureError(
            Problem(
                location=Location(display),
                message=f"file is over {MAX_BYTES} bytes; captures are limited to {MAX_BYTES} bytes (1 MiB)",
            )
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = len(split_lines(raw[: exc.start].decode("utf-8", "replace") + "x"))
        raise CaptureError(Problem(location=Location(display, line), message="file is not valid UTF-8")) from None


def _file_kind(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def read_yaml(path: Path, display: str, what: str = "a capture") -> Document:
    """Read ``path`` into a :class:`Document`; raise CaptureError for anything that is not plain YAML data."""
    text = _read_text(path, display, what)
    src = Source(display, split_lines(text))
    clean = text.isascii() and not text.encode("ascii").translate(None, _ASCII_ALLOWED)
    bad = None if clean else _NOT_ALLOWED.search(text)
    if bad is not None:
        char = bad.group()
        line = len(split_lines(text[: bad.start()] + "x"))
        if char in _INVISIBLE_BREAKS:
            message = (
                f"character {_INVISIBLE_BREAKS[char]} is a line break to YAML but not to editors, so line "
                "numbers after it would disagree (remove it)"
            )
        else:
            message = f"character {char!r} is not allowed in YAML (remove terminal escape codes)"
        raise CaptureError(src.problem(line, message))
    return _Builder(text, src).document()


# --- the one pass: libyaml events -> plain data with lines ----------------------------------------

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\Z")
# What YAML 1.1 (PyYAML) or 1.2 (ruamel, editors) read as a number, beyond plain decimals.
_NUMBER_LIKE = re.compile(
    r"""[-+]?(?:
        [0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?   # 1.20 1e3 1_000 017 08
      | \.[0-9_]+(?:[eE][-+]?[0-9]+)?                  # .5
      | 0x[0-9a-fA-F_]+ | 0o[0-7_]+ | 0b[01_]+          # 0x1F 0o17 0b101
      | [1-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?     # 1:20 (base 60 in YAML 1.1)
      | \.(?:inf|Inf|INF)
    )\Z|\.(?:nan|NaN|NAN)\Z""",
    re.VERBOSE,
)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _number_reading(text: str) -> str:
    """What YAML makes of a number-like plain scalar, for the message."""
    bare = text.replace("_", "")
    unsigned = bare.lstrip("+-").lower()
    if unsigned == ".nan":
        return "not-a-number"
    if unsigned == ".inf":
        return "minus infinity" if bare.startswith("-") else "infinity"
    try:
        if ":" in bare:
            total = 0.0
            for part in unsigned.split(":"):
                total = total * 60 + float(part)
            return f"the base-60 number {-total if bare.startswith('-') else total:g}"
        if unsigned[:2] in ("0x", "0o", "0b"):
            return f"the number {int(bare, 0)}"
        if re.fullmatch(r"[-+]?0[0-7]+", bare):
            return f"the octal number {int(bare, 8)}"
        number = float(bare)
    except ValueError:
        return "a number"
    whole = number.is_integer() and "." not in bare and "e" not in unsigned
    return f"the number {int(number) if whole else number!r}"


def plain_value(text: str) -> Any:
    """A plain (unquoted) scalar typed by our rules: null, true/false, decimal ints, else text."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    first = text[0]
    if first in "0123456789+-.":
        if _DECIMAL.match(text):
            return int(text)
        if _NUMBER_LIKE.match(text):
            return Misread(text, _number_reading(text))
    return text


class _Frame:
    """An open mapping or list while the events are read."""

    __slots__ = ("container", "is_map", "key", "key_column", "key_line", "path")

    def __init__(self, container: dict[str, Any] | list[Any], path: KeyPath) -> None:
        self.container = container
        self.is_map = isinstance(container, dict)
        self.path = path
        self.key: str | None = None
        self.key_line = 0
        self.key_column = 0


# A line that can follow a block scalar: a key, a list item, a comment or a document marker.
_KEY_LIKE = re.compile(
    r" *(?:-(?: |$)|#|\?(?: |$)|---|\.\.\."
    r"""|"(?:[^"\\]|\\.)*" *:(?: |$)|'(?:[^']|'')*' *:(?: |$)"""
    r"""|[^\s#'"\-?:,\[\]{}&*!|>%@`][^#]*? *:(?: |$))"""
)
_BLOCK_HEADER = re.compile(r"[|>]([1-9])?[-+]?([1-9])?")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


@dataclass(frozen=True)
class _BlockEnd:
    """Where a block scalar (``output: |``) stopped, to explain a YAML error that follows."""

    path: KeyPath
    last_line: int
    ended_by: int
    indent: int
    has_content: bool
    # The first line is indented past the usual two spaces: perhaps YAML took the
    # output's own leading spaces for the block's indentation.
    deep_first_line: bool = False


def _dedent_problem(src: Source, end: _BlockEnd) -> Problem:
    why = "is indented less than its first line" if end.has_content else "is not indented more than its key"
    return src.problem(
        end.ended_by,
        f"{path_text(end.path)} ends at line {end.last_line}, because line {end.ended_by} {why}; "
        f"indent every line of the block by at least {end.indent} spaces"
        + (
            ", or, if its first line starts with spaces of its own, write '|2' so YAML counts the "
            "indentation from the key"
            if end.deep_first_line
            else ""
        ),
    )


class _Builder:
    """Reads the libyaml events of one document into a :class:`Document`, refusing what captures never need."""

    def __init__(self, text: str, src: Source) -> None:
        self.text = text
        self.src = src
        self.doc = Document(data={}, src=src)
        self.problems: list[Problem] = []
        self.stack: list[_Frame] = []
        self.block_end: _BlockEnd | None = None
        self.last_value: tuple[KeyPath, int, int] | None = None

    def fail(self, line: int, message: str) -> CaptureError:
        return CaptureError(self.src.problem(line, message))

    def document(self) -> Document:
        parser = _EventSource(self.text)
        try:
            root = self._read(parser)
        except yaml.MarkedYAMLError as exc:
            raise CaptureError(self._yaml_problem(exc)) from None
        except yaml.YAMLError as exc:
            raise CaptureError(Problem(location=Location(self.src.display), message=f"invalid YAML: {exc}")) from None
        finally:
            parser.dispose()
        if not isinstance(root, dict):
            raise self.fail(1, "expected a mapping at the top of the capture")
        if self.problems:
            raise CaptureError(sorted(self.problems, key=Problem.sort_key))
        self.doc.data = root
        return self.doc

    def _read(self, parser: Any) -> Any:
        get = parser.get_event
        scalar, map_start, seq_start = events.ScalarEvent, events.MappingStartEvent, events.SequenceStartEvent
        collection_end = (events.MappingEndEvent, events.SequenceEndEvent)
        root: Any = None
        documents = 0
        stack = self.stack
        while True:
            event = get()
            kind = type(event)
            if kind is scalar:
                if stack and stack[-1].is_map and stack[-1].key is None:
                    self._key(event, stack[-1])
                else:
                    self._value(event)
            elif kind is map_start or kind is seq_start:
                self._check_node(event)
                if stack and stack[-1].is_map and stack[-1].key is None:
                    raise self.fail(
                        event.start_mark.line + 1,
                        f"mapping keys must be plain text, found {'a mapping' if kind is map_start else 'a list'}",
                    )
                container: dict[str, Any] | list[Any] = {} if kind is map_start else []
                line = event.start_mark.line + 1
                if len(stack) >= MAX_DEPTH:
                    raise self.fail(line, f"nesting deeper than {MAX_DEPTH} levels")
                path = self._attach(container, line)
                self.doc.starts[path] = line
                if not stack:
                    root = container
                stack.append(_Frame(container, path))
            elif kind in collection_end:
                stack.pop()
                if stack and stack[-1].is_map:
                    stack[-1].key = None
            elif kind is events.AliasEvent:
                raise self.fail(
                    event.start_mark.line + 1,
                    "YAML anchors and aliases are not allowed in captures (write the value out)",
                )
            elif kind is events.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise self.fail(
                        event.start_mark.line + 1,
                        "a second YAML document starts here; a file holds one document (remove the '---' and what follows)",
                    )
            elif kind is events.StreamEndEvent:
                return root

    def _check_node(self, event: Any) -> None:
        line = event.start_mark.line + 1
        if event.anchor is not None:
            raise self.fail(line, "YAML anchors and aliases are not allowed in captures (write the value out)")
        if event.tag is not None:
            raise self.fail(line, f"YAML tag {event.tag!r} is not allowed in captures")

    def _attach(self, value: Any, line: int) -> KeyPath:
        """Put ``value`` into the open container; return its path, recording its line."""
        if not self.stack:
            self.doc.lines[()] = line
            return ()
        frame = self.stack[-1]
        if frame.is_map:
            key = frame.key
            assert key is not None
            mapping: dict[str, Any] = frame.container  # type: ignore[assignment]
            mapping[key] = value
            path = (*frame.path, key)
            self.doc.lines[path] = frame.key_line
        else:
            items: list[Any] = frame.container  # type: ignore[assignment]
            path = (*frame.path, len(items))
            items.append(value)
            self.doc.lines[path] = line
        return path

    def _key(self, event: Any, frame: _Frame) -> None:
        self._check_node(event)
        line = event.start_mark.line + 1
        key: str = event.value
        if key == "<<" and event.style == "":
            raise self.fail(line, "the YAML merge key '<<' is not allowed in captures (write the keys out)")
        mapping: dict[str, Any] = frame.container  # type: ignore[assignment]
        if key in mapping:
            first = self.doc.lines[(*frame.path, key)]
            raise self.fail(
                line,
                f"invalid YAML: duplicate key {key!r} (first on line {first}; each key may appear once in a mapping)",
            )
        frame.key = key
        frame.key_line = line
        frame.key_column = event.start_mark.column

    def _value(self, event: Any) -> None:
        self._check_node(event)
        line = event.start_mark.line + 1
        style = event.style
        text: str = event.value
        value = plain_value(text) if style == "" else text
        frame = self.stack[-1] if self.stack else None
        path = self._attach(value, line)
        self.last_value = (path, line, event.end_mark.line + 1)
        if style in ("|", ">"):
            if style == "|":
                self.doc.literals[path] = line
            if frame is not None and frame.is_map:
                self._check_block_end(event, path, frame.key_column)
        elif type(value) is str and (bad := _CONTROL.search(value)) is not None:
            if len(self.problems) == MAX_PROBLEMS:
                stop = Problem(
                    location=Location(self.src.display),
                    message=f"stopped after {MAX_PROBLEMS} problems; fix these first",
                )
                raise CaptureError(sorted([*self.problems, stop], key=Problem.sort_key))
            self.problems.append(
                self.src.problem(
                    self.doc.lines[path],
                    f"{path_text(path)} contains the control character {bad.group()!r}; a one-line value must be "
                    "plain text (remove it)",
                )
            )
        if frame is not None and frame.is_map:
            frame.key = None

    def _check_block_end(self, event: Any, path: KeyPath, key_column: int) -> None:
        """A block scalar ends at the first line indented less than its first line: say so if that looks unintended."""
        lines = self.src.lines
        header_line = event.start_mark.line  # 0-based index of the '|' line
        header = _BLOCK_HEADER.match(lines[header_line], event.start_mark.column)
        explicit = header and (header.group(1) or header.group(2))
        body = range(header_line + 1, min(event.end_mark.line, len(lines)))
        first = next((i for i in body if lines[i].strip()), None)
        last = next((i for i in reversed(body) if lines[i].strip()), None)
        if explicit:
            indent = key_column + int(explicit)
        elif first is not None:
            indent = _indent(lines[first])
            if indent == key_column + 1:
                others = min((_indent(lines[i]) for i in body if i > first and lines[i].strip()), default=indent)
                if others > indent:
                    # YAML takes the block's indentation from its first line: one space short
                    # there and every other line silently gains a leading space.
                    raise self.fail(
                        first + 1,
                        f"{path_text(path)}: its first line is indented {indent} spaces, less than the lines after "
                        f"it ({others}), so YAML would add a space to each of them; indent it like the others",
                    )
        else:
            # Empty: either meant so, or its first line is not indented past the key.
            indent = key_column + 2
        after = next((i for i in range(event.end_mark.line, len(lines)) if lines[i].strip()), None)
        if after is None:
            return
        next_line = lines[after]
        next_indent = _indent(next_line)
        if next_indent >= indent:
            return
        deep = first is not None and not explicit and indent > key_column + 2
        end = _BlockEnd(
            path=path,
            last_line=(last if last is not None else header_line) + 1,
            ended_by=after + 1,
            indent=indent,
            has_content=first is not None,
            deep_first_line=deep,
        )
        if first is not None and (next_indent > key_column or not _KEY_LIKE.match(next_line)):
            raise CaptureError(_dedent_problem(self.src, end))
        # It looks like the next key: if YAML or the schema trips over this very line,
        # the dedent was the cause.
        self.block_end = end
        self.doc.block_ends[end.ended_by] = end

    def _yaml_problem(self, exc: yaml.MarkedYAMLError) -> Problem:
        mark = exc.problem_mark or exc.context_mark
        # At the end of the file libyaml points one line past the last: show the last line instead.
        line = min(mark.line + 1, max(len(self.src.lines), 1)) if mark is not None else None
        context_line = exc.context_mark.line + 1 if exc.context_mark is not None else None
        text = self.src.text(line) or ""
        if "\t" in text[: len(text) - len(text.lstrip(" \t"))] or "tab" in (exc.problem or ""):
            return self.src.problem(
                line, "this line is indented with a tab; indent with spaces (YAML does not allow tabs in indentation)"
            )
        end = self.block_end
        if end is not None and end.ended_by in (line, context_line):
            return _dedent_problem(self.src, end)
        output = self._output_at(line)
        if output is not None:
            return self.src.problem(
                output[1],
                f"{path_text(output[0])} must be a block literal ('output: |' followed by the lines as printed), "
                "so every output line keeps its own line in the file",
            )
        what = (exc.problem or exc.context or "not valid").replace("did not find expected", "expected")
        what = what.replace("could not find expected", "expected")
        message = f"invalid YAML: {what}"
        if exc.context and exc.problem and context_line is not None and context_line != line:
            context = re.sub(r"^while (?:parsing|scanning) an? ", "", exc.context)
            message += f" (in the {context} that starts on line {context_line})"
        return self.src.problem(line, message)

    def _output_at(self, line: int | None) -> tuple[KeyPath, int] | None:
        """The ``sections[i].output`` (and the line of its key) a YAML error at ``line`` is inside, if any."""
        paths = [(*f.path, f.key) if f.is_map and f.key is not None else f.path for f in self.stack]
        if self.last_value is not None and line is not None and self.last_value[1] <= line <= self.last_value[2]:
            paths.append(self.last_value[0])
        for path in paths:
            if len(path) >= 3 and path[0] == "sections" and path[2] == "output":
                output = path[:3]
                if output in self.doc.lines:
                    return output, self.doc.lines[output]
                # The key was read but its value never was: the key is still pending in its mapping.
                return output, next(f.key_line for f in self.stack if f.path == output[:2])
        return None


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")


def path_text(path: Iterable[str | int]) -> str:
    """``("sections", 1, "command")`` -> ``sections[1].command``; odd keys quoted (they are input)."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _NAME.match(part):
            out += f".{part}" if out else part
        else:
            out += f"[{part!r}]"
    return out


# --- schema validation ------------------------------------------------------------------------


def _partial_date(value: object) -> bool:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` naming a day that exists."""
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?", value):
        return True  # the pattern reports the shape
    parts = [int(p) for p in value.split("-")]
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        raise ValueError(f"there is no month {parts[1]}")
    if len(parts) > 2:
        days = calendar.monthrange(parts[0], parts[1])[1]
        if not 1 <= parts[2] <= days:
            raise ValueError(f"{calendar.month_name[parts[1]]} {parts[0]} has {days} days")
    return True


# The formats the schemas use: each check returns True or raises ValueError saying why not.
_FORMAT_CHECKS: dict[str, Callable[[object], bool]] = {"partial-date": _partial_date}


def _format_ok(name: str, value: object) -> bool:
    try:
        return _FORMAT_CHECKS[name](value)
    except ValueError:
        return False


@cache
def _validator(name: str) -> Any:
    # Imported here: jsonschema is asked only about a document the fast check refuses, and
    # importing it is a sixth of check's start-up.
    import jsonschema

    formats = jsonschema.FormatChecker(formats=())
    for format_name, format_check in _FORMAT_CHECKS.items():
        formats.checks(format_name, raises=ValueError)(format_check)
    return jsonschema.Draft202012Validator(load_schema(name), format_checker=formats)


# --- a fast yes for valid documents ------------------------------------------------------------
#
# jsonschema walks every value of a valid capture through its generic machinery (a fifth of
# ``check``). Almost every document is valid, so the schema is also compiled into one plain
# Python function that only answers "valid?": when it says yes, that is the answer; when it
# says no, jsonschema runs as before and its errors are reported, so every message stays as
# it was. A keyword the compiler does not know makes the schema not compiled at all.
#
# The function is generated as source (as fastjsonschema does) rather than built from
# nested closures: a capture has hundreds of values, and a call per keyword per value cost
# as much as libyaml reading the file. Only the shipped schema goes into the source, and
# every value of it (names, patterns, options) is passed in as a constant, never spliced in.

_Check = Callable[[Any], bool]
_ANNOTATIONS = frozenset({"$schema", "$id", "title", "description", "$comment", "examples", "default"})
# Python tests of "v is of this JSON type", as source over the variable named by {v}.
_TYPE_TESTS: dict[str, str] = {
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
    "string": "type({v}) is str",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "integer": "(type({v}) is int or (type({v}) is float and {v}.is_integer()))",
    "number": "(type({v}) is int or type({v}) is float)",
}


class _NotCompiledError(Exception):
    """The schema uses something the fast check does not know: jsonschema alone decides."""


def _same(a: Any, b: Any) -> bool:
    # JSON Schema equality: true is not 1, and only plain scalars are compared here.
    if not all(isinstance(x, str | int | float | bool) or x is None for x in (a, b)):
        raise _NotCompiledError
    return type(a) is type(b) if isinstance(a, bool) or isinstance(b, bool) else bool(a == b)


def _safe_same(value: Any, expected: Any) -> bool:
    try:
        return _same(value, expected)
    except _NotCompiledError:
        return False  # a list or mapping where a scalar is expected: jsonschema says what is wrong


class _Compiler:
    """Writes the source of ``check(v0) -> bool`` for one schema.

    The documents checked are what :func:`read_yaml` makes: plain ``dict``, ``list``,
    ``str``, ``int``, ``bool``, ``None`` and :class:`Misread` (of no JSON type), so types
    are tested with ``type(x) is``, which also keeps ``True`` from passing for an integer.
    """

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, Any] = {"_safe_same": _safe_same, "_format_ok": _format_ok}
        self.variables = 0

    def constant(self, value: Any) -> str:
        name = f"C{len(self.constants)}"
        self.constants[name] = value
        return name

    def variable(self) -> str:
        self.variables += 1
        return f"v{self.variables}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * depth + line)

    def schema(self, schema: Any, v: str, depth: int) -> None:
        """Lines that ``return False`` when the value in variable ``v`` does not match ``schema``."""
        if schema is True:
            return
        if not isinstance(schema, dict):
            raise _NotCompiledError
        for key, value in schema.items():
            if key not in _ANNOTATIONS and key[:2] != "x-":
                self.keyword(key, value, schema, v, depth)

    def keyword(self, key: str, value: Any, schema: dict[str, Any], v: str, depth: int) -> None:
        # A value of a type the keyword does not apply to passes, as in JSON Schema.
        if key == "type":
            kinds = [value] if isinstance(value, str) else value
            if not isinstance(kinds, list) or any(k not in _TYPE_TESTS for k in kinds):
                raise _NotCompiledError
            self.emit(depth, f"if not ({' or '.join(_TYPE_TESTS[k].format(v=v) for k in kinds)}): return False")
        elif key == "properties":
            if not isinstance(value, dict):
                raise _NotCompiledError
            self.emit(depth, f"if type({v}) is dict:")
            self.emit(depth + 1, "pass")
            for name, sub in value.items():
                item = self.variable()
                self.emit(depth + 1, f"{item} = {v}.get({self.constant(name)}, _ABSENT)")
                self.emit(depth + 1, f"if {item} is not _ABSENT:")
                self.emit(depth + 2, "pass")
                self.schema(sub, item, depth + 2)
        elif key == "additionalProperties":
            known = self.constant(frozenset(schema.get("properties", {})))
            if value is False:
                self.emit(depth, f"if type({v}) is dict and not {v}.keys() <= {known}: return False")
            else:
                extra = self.variable()
                self.emit(depth, f"if type({v}) is dict:")
                self.emit(depth + 1, f"for {extra}k in {v}.keys() - {known}:")
                self.emit(depth + 2, f"{extra} = {v}[{extra}k]")
                self.schema(value, extra, depth + 2)
        elif key == "required":
            names = self.constant(tuple(value))
            self.emit(depth, f"if type({v}) is dict and not all(n in {v} for n in {names}): return False")
        elif key == "items":
            each = self.variable()
            self.emit(depth, f"if type({v}) is list:")
            self.emit(depth + 1, f"for {each} in {v}:")
            self.emit(depth + 2, "pass")
            self.schema(value, each, depth + 2)
        elif key in ("minItems", "minLength", "maxLength", "minimum"):
            bound = self.constant(value)
            test = {
                "minItems": f"type({v}) is list and len({v}) < {bound}",
                "minLength": f"type({v}) is str and len({v}) < {bound}",
                "maxLength": f"type({v}) is str and len({v}) > {bound}",
                "minimum": f"(type({v}) is int or type({v}) is float) and {v} < {bound}",
            }[key]
            self.emit(depth, f"if {test}: return False")
        elif key == "pattern":
            rx = self.constant(re.compile(value))
            self.emit(depth, f"if type({v}) is str and {rx}.search({v}) is None: return False")
        elif key in ("const", "enum"):
            options = (value,) if key == "const" else tuple(value)
            for option in options:
                _same(option, option)  # raises for a non-scalar option
            if all(type(option) is str for option in options):
                # Only a str equals a str option: a set lookup says it.
                self.emit(
                    depth, f"if not (type({v}) is str and {v} in {self.constant(frozenset(options))}): return False"
                )
            else:
                self.emit(depth, f"if not any(_safe_same({v}, o) for o in {self.constant(options)}): return False")
        elif key == "format":
            if value not in _FORMAT_CHECKS:
                raise _NotCompiledError
            self.emit(depth, f"if not _format_ok({self.constant(value)}, {v}): return False")
        else:
            raise _NotCompiledError


def _compile(schema: Any) -> _Check:
    compiler = _Compiler()
    compiler.emit(0, "def check(v0):")
    compiler.schema(schema, "v0", 1)
    compiler.emit(1, "return True")
    namespace: dict[str, Any] = {**compiler.constants, "_ABSENT": object()}
    exec(compile("\n".join(compiler.lines), "<capture schema check>", "exec"), namespace)
    check: _Check = namespace["check"]
    return check


@cache
def _fast_check(name: str) -> _Check | None:
    try:
        return _compile(load_schema(name))
    except _NotCompiledError:
        return None


_JSON_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
}
# For one value, only the first failing keyword in this order is reported.
_VALUE_KEYWORDS = ("const", "enum", "type", "minItems", "minLength", "maxLength", "pattern", "format", "minimum")
_WHOLE = {"capture": "the capture", "comparisons": "the file"}


def validate(doc: Document, name: str) -> list[Problem]:
    """Problems of ``doc`` against the shipped schema ``name``, each at its line, in the project's words."""
    problems: list[Problem] = []
    done: set[tuple[KeyPath, str]] = set()
    reported: set[KeyPath] = set()

    def rank(error: Any) -> int:
        return _VALUE_KEYWORDS.index(error.validator) if error.validator in _VALUE_KEYWORDS else -1

    fast = _fast_check(name)
    if fast is not None and fast(doc.data):
        return problems
    errors = list(itertools.islice(_validator(name).iter_errors(doc.data), MAX_PROBLEMS + 1))
    if len(errors) > MAX_PROBLEMS:
        # A hostile file can hold hundreds of thousands of wrong values: report a screenful.
        errors.pop()
        problems.append(
            Problem(
                location=Location(doc.src.display), message=f"stopped after {MAX_PROBLEMS} problems; fix these first"
            )
        )
    for error in sorted(errors, key=rank):
        path: KeyPath = tuple(error.absolute_path)
        where = path_text(path) or _WHOLE.get(name, "the file")
        keyword = error.validator
        if (path, keyword) in done:
            continue
        done.add((path, keyword))
        if keyword == "required":
            for key in error.validator_value:
                if key not in error.instance:
                    problems.append(doc.src.problem(doc.start(*path), f"{where}: missing required key {key!r}"))
        elif keyword == "additionalProperties":
            known = list(error.schema.get("properties", {}))
            for key in error.instance:
                if key not in known:
                    line = doc.line(*path, key)
                    end = doc.block_ends.get(line)
                    problems.append(
                        _dedent_problem(doc.src, end)
                        if end is not None
                        else doc.src.problem(
                            line, f"unknown key {path_text((*path, key))!r} (expected one of: {', '.join(known)})"
                        )
                    )
        elif path not in reported:
            reported.add(path)
            problems.append(doc.src.problem(doc.line(*path), _value_message(where, error)))
    return problems


def _value_message(where: str, error: Any) -> str:
    value, rule, keyword = error.instance, error.schema, error.validator
    if keyword == "const":
        return f"{where} must be {rule['const']!r}, found {_shown(value)}"
    if keyword == "enum":
        renamed = rule.get("x-renamed", {})
        if isinstance(value, str) and value in renamed:
            return f"{where} is {value!r}, an old spelling: write {renamed[value]} ('fieldguide migrate' does it)"
        return f"{where} is {_shown(value)}; expected one of {', '.join(repr(c) for c in rule['enum'])}"
    if keyword == "type":
        message = f"{where} must be {_JSON_TYPES[rule['type']]}, found {_type_name(value)}"
        if rule["type"] == "string" and not isinstance(value, dict | list) and value is not None:
            text = _shown(value)
            message += f'; quote it: YAML reads {text} as {_reading(value)} (write "{text}")'
        elif rule["type"] == "integer" and isinstance(value, Misread):
            message += f" ({value.text}, which YAML reads as {value.reading})"
        return message
    if keyword == "minItems":
        return f"{where} must have at least {rule['minItems']} item(s)"
    if keyword == "minLength":
        if rule["minLength"] == 1:
            return f"{where} must not be empty"
        return f"{where} is {len(value)} characters long; at least {rule['minLength']} are expected"
    if keyword == "maxLength":
        return f"{where} is {len(value)} characters long; at most {rule['maxLength']} are allowed"
    if keyword == "pattern":
        expected = rule.get("x-expected") or "a match for " + rule["pattern"]
        return f"{where} is {_short(value)!r}; expected {expected}"
    if keyword == "format":
        reason = str(error.cause) if error.cause is not None else f"not a valid {rule['format']}"
        return f"{where} is {_short(value)!r}: {reason} (expected {rule.get('x-expected', 'a ' + rule['format'])})"
    if keyword == "minimum":
        return f"{where} is {_shown(value)}; expected at least {rule['minimum']}"
    return f"{where}: {error.message}"


def _shown(value: Any) -> str:
    """A value as the author wrote it: plain scalars bare, strings quoted."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(_short(value))
    return str(value)


def _reading(value: Any) -> str:
    if isinstance(value, Misread):
        return value.reading
    if isinstance(value, bool):
        return "a boolean"
    return f"the number {value}"


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float | Misread):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


# --- building the capture ---------------------------------------------------------------------


def _build(cid: str, doc: Document, problems: ProblemCollector) -> Capture:
    data, src = doc.data, doc.src
    cluster = data["cluster"]
    plugin, policy = str(cluster["network_plugin"]), str(cluster["network_policy"])
    mode, dataplane = cluster.get("network_plugin_mode"), cluster.get("network_dataplane")
    pod_subnet = bool(cluster.get("pod_subnet", False))
    for problem in _cluster_problems(doc, plugin, mode, dataplane, pod_subnet, policy):
        problems.add(problem)
    folder, expected = cid.split("/")[0], folder_slug(plugin, mode, dataplane, pod_subnet, policy)
    if folder != expected:
        parts = [
            f"{key} {value!r}"
            for key, value in (
                ("network_plugin", plugin),
                ("network_plugin_mode", mode),
                ("network_dataplane", dataplane),
                ("pod_subnet", True if pod_subnet else None),
                ("network_policy", policy),
            )
            if value is not None
        ]
        declared = ", ".join(parts[:-1]) + " and " + parts[-1]
        problems.add(
            src.problem(
                doc.line("cluster"),
                f"the capture sits in {folder}/ but declares {declared} (expected the folder {expected}/)",
            )
        )
    pod_items: list[dict[str, Any]] = data.get("pods", [])
    pods = _pods(pod_items, doc, problems)
    # Names of pods with a bad IP still count, so one mistake is reported once.
    pod_names = {str(p["name"]) for p in pod_items}
    sections = tuple(
        section
        for index, item in enumerate(data["sections"])
        if (section := _section(index, item, doc, pod_names, problems)) is not None
    )
    return Capture(
        id=cid,
        path=src.display,
        title=str(data["title"]),
        network_plugin=plugin,
        network_policy=policy,
        network_plugin_mode=mode,
        network_dataplane=dataplane,
        pod_subnet=pod_subnet,
        lab_layout=data["lab"]["layout"] if "lab" in data else None,
        node=str(data["node"]["name"]) if "name" in data["node"] else None,
        meta={k: data[k] for k in ("cluster", "node", "captured") if k in data},
        pods=pods,
        sections=sections,
        expect=data.get("expect", {}),
        lines=doc.key_lines(),
        text_lines=src.lines,
        waivers=tuple(
            Waiver(rule=str(w["rule"]), reason=str(w["reason"]), line=doc.line("waivers", i))
            for i, w in enumerate(data.get("waivers", []))
        ),
    )


def _cluster_problems(
    doc: Document, plugin: str, mode: str | None, dataplane: str | None, pod_subnet: bool, policy: str
) -> list[Problem]:
    """Combinations az aks create refuses, each at the key that cannot hold."""
    problems: list[Problem] = []

    def at(key: str, message: str) -> None:
        problems.append(doc.src.problem(doc.line("cluster", key), message))

    if mode is not None and plugin != "azure":
        at(
            "network_plugin_mode",
            f"cluster.network_plugin_mode {mode!r} needs network_plugin: azure (found {plugin!r})",
        )
    if dataplane is not None and plugin != "azure":
        at(
            "network_dataplane",
            f"cluster.network_dataplane {dataplane!r} needs network_plugin: azure (found {plugin!r})",
        )
    if pod_subnet and (plugin != "azure" or mode is not None):
        at("pod_subnet", "cluster.pod_subnet: true needs network_plugin: azure without network_plugin_mode")
    # A cluster that brings its own CNI (plugin none) may run Cilium as its policy engine.
    if policy == "cilium" and dataplane != "cilium" and plugin in ("azure", "kubenet"):
        at(
            "network_policy",
            "cluster.network_policy 'cilium' needs network_dataplane: cilium "
            "(AKS enforces Cilium policy only with the Cilium dataplane)",
        )
    if dataplane == "cilium" and policy in ("azure", "calico"):
        at(
            "network_policy",
            f"cluster.network_policy {policy!r} cannot go with network_dataplane: cilium, which enforces policy "
            "itself (expected 'cilium' or 'none')",
        )
    return problems


def _pods(items: list[dict[str, Any]], doc: Document, problems: ProblemCollector) -> tuple[Pod, ...]:
    pods: list[Pod] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = doc.line("pods", index)
        name, ip = str(item["name"]), str(item["ip"])
        if name in seen:
            problems.add(doc.src.problem(line, f"pod {name!r} is declared twice (first on line {seen[name]})"))
            continue
        seen[name] = line
        try:
            # An address written as ipaddress writes it needs no object to say so.
            ip = ip if is_ipv4(ip) or is_ipv6(ip) else str(ipaddress.ip_address(ip))
        except ValueError:
            problems.add(
                doc.src.problem(
                    doc.line("pods", index, "ip"),
                    f"pods[{index}].ip {ip!r} is not an IP address (expected e.g. 10.244.0.10)",
                )
            )
            continue
        pods.append(Pod(name=name, ip=ip, line=line))
    return tuple(pods)


def _section(
    index: int, item: dict[str, Any], doc: Document, pod_names: set[str], problems: ProblemCollector
) -> Section | None:
    src = doc.src
    line = doc.line("sections", index)
    namespace = str(item["namespace"])
    command = str(item["command"])
    where = f"sections[{index}]"
    ok = True
    if namespace != "host" and namespace.removeprefix("pod/") not in pod_names:
        known = ", ".join(sorted(f"pod/{n}" for n in pod_names)) or "none declared"
        problems.add(
            src.problem(
                doc.line("sections", index, "namespace"),
                f"{where}.namespace {namespace!r} names a pod that is not under pods (declared: {known})",
            )
        )
        ok = False
    indicator = doc.literals.get(("sections", index, "output"))
    if indicator is None:
        problems.add(
            src.problem(
                doc.line("sections", index, "output"),
                f"{where}.output must be a block literal ('output: |' followed by the lines as printed), "
                "so every output line keeps its own line in the file",
            )
        )
        return None
    # The '|' sits on the line before the text.
    output_line = indicator + 1
    text: str = item["output"]
    output_lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    annotations: list[Annotation] = []
    for a_index, note in enumerate(item.get("annotations", [])):
        a_line = int(note["line"])
        file_line = doc.line("sections", index, "annotations", a_index)
        if a_line > output_lines:
            problems.add(
                src.problem(
                    file_line,
                    f"{where}.annotations[{a_index}] points at output line {a_line}, "
                    f"but the output has {output_lines} line(s)",
                )
            )
            ok = False
            continue
        annotations.append(Annotation(line=a_line, note=str(note["note"]), file_line=file_line))
    matched = parsers.match(command)
    parser, unparsed = matched.parser, matched.reason
    records: tuple[Record, ...] = ()
    if parser is not None and ok:
        origin = Origin(
            file=src.display, command=parser.command, first_line=output_line, section=f"{namespace}: {command}"
        )
        try:
            records = tuple(parser.parse(text, origin=origin))
        except ParseError as exc:
            if matched.filter is None:
                problems.extend(exc.problems)
                ok = False
            else:
                # A filter may drop lines the parser needs (grep drops route -n's header): the
                # output stays as published, raw, and rule FG016 says why.
                first = exc.problems[0]
                unparsed = (
                    f"its filter '{matched.filter}' leaves out lines {parser.command} needs "
                    f"(line {first.location.line}: {first.message})"
                )
                parser = None
    if not ok:
        return None
    return Section(
        index=index,
        line=line,
        namespace=namespace,
        command=command,
        parser=parser.command if parser else None,
        output=text,
        output_line=output_line,
        annotations=tuple(annotations),
        records=records,
        source=str(item["source"]) if "source" in item else None,
        transcribed=bool(item.get("transcribed", False)),
        note=str(item["note"]) if "note" in item else None,
        command_line=doc.line("sections", index, "command") or line,
        filter=matched.filter,
        suggestion=matched.suggestion,
        unparsed=unparsed,
    )
