"""Load a capture file: safe YAML with positions, schema validation, parsed sections.

A capture is ``captures/<plugin>-<policy>/<node>.yaml``; its id is that path under
``captures/`` without ``.yaml``. Loading never executes anything from the file:
YAML tags, anchors and aliases are refused before any object is built (which also
rules out alias bombs), files over :data:`MAX_BYTES` are refused unread, and every
mapping and sequence keeps the line it came from so every complaint can point at
it. All problems of a file are collected and raised together as one
:class:`~generator.errors.CaptureError`.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent, CollectionStartEvent, NodeEvent, ScalarEvent
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.scalarstring import LiteralScalarString

from generator import parsers
from generator.errors import CaptureError, Location, ParseError, Problem, ProblemCollector
from generator.parsers import Origin, Record

MAX_BYTES = 1_048_576
MAX_DEPTH = 12
CAPTURE_ID_PART = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


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
    """The capture file being loaded: its display name and its lines, for located problems."""

    display: str
    lines: tuple[str, ...]

    def text(self, line: int | None) -> str | None:
        return self.lines[line - 1] if line is not None and 0 < line <= len(self.lines) else None

    def problem(self, line: int | None, message: str) -> Problem:
        return Problem(Location(self.display, line), message, self.text(line))


@cache
def schema() -> dict[str, Any]:
    """The capture JSON Schema shipped in the package (also used by editors)."""
    text = resources.files("generator.schema").joinpath("capture.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def capture_id(path: Path, root: Path) -> str:
    """``captures/kubenet-none/node0.yaml`` -> ``kubenet-none/node0``; refuses unsafe paths.

    The id becomes output file names, so it must never climb out of the output
    folder or carry characters a URL or a shell would treat specially.
    """
    display = display_path(path)
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        raise CaptureError(
            Problem(Location(display), f"capture is not under the captures folder {display_path(root)}")
        ) from None
    parts = relative.with_suffix("").parts if relative.suffix == ".yaml" else ()
    if relative.suffix != ".yaml":
        raise CaptureError(Problem(Location(display), "capture file names must end in .yaml"))
    for part in parts:
        if not CAPTURE_ID_PART.match(part) or ".." in part:
            raise CaptureError(
                Problem(
                    Location(display),
                    f"capture path part {part!r} has characters outside [a-z0-9._-] "
                    "(expected captures/<plugin>-<policy>/<node>.yaml in lower case)",
                )
            )
    if len(parts) != 2:
        raise CaptureError(Problem(Location(display), "expected the layout captures/<plugin>-<policy>/<node>.yaml"))
    return "/".join(parts)


def display_path(path: Path) -> str:
    """Paths in messages: relative to the working directory when possible, always with ``/``."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def load(path: Path, root: Path) -> Capture:
    """Load, validate and parse one capture; raise CaptureError listing every problem."""
    display = display_path(path)
    cid = capture_id(path, root)
    data, src = read_yaml(path, display)
    problems = ProblemCollector()
    validate(data, schema(), "", src, problems, data)
    problems.raise_if_any()
    capture = _build(cid, src, data, problems)
    problems.raise_if_any()
    return capture


# Files under captures/ that are not captures (read by generator.compare).
NOT_CAPTURES = frozenset({"comparisons.yaml"})


def discover(paths: list[Path]) -> list[Path]:
    """Every capture (``*.yaml``) under the given files or folders, sorted, without duplicates."""
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                p
                for p in path.rglob("*")
                if p.suffix in (".yaml", ".yml") and p.is_file() and p.name not in NOT_CAPTURES
            )
        else:
            found.add(path)
    return sorted(found)


# --- YAML -----------------------------------------------------------------------------


def read_yaml(path: Path, display: str) -> tuple[CommentedMap, Source]:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise CaptureError(Problem(Location(display), f"cannot read the file: {exc.strerror}")) from None
    if size > MAX_BYTES:
        raise CaptureError(
            Problem(Location(display), f"file is {size} bytes; captures are limited to {MAX_BYTES} bytes (1 MiB)")
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaptureError(Problem(Location(display, line), "file is not valid UTF-8")) from None
    src = Source(display, tuple(text.splitlines()))
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        _scan_events(yaml, text, src)
        data = yaml.load(text)
    except CaptureError:
        raise
    except ReaderError as exc:
        # Raised for characters YAML forbids, e.g. a terminal escape pasted with the output.
        bad_line = text[: exc.position].count("\n") + 1
        raise CaptureError(
            src.problem(
                bad_line, f"character {chr(exc.character)!r} is not allowed in YAML (remove terminal escape codes)"
            )
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        mark_line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        message = f"invalid YAML: {what}"
        if "duplicate key" in str(exc):
            message = "invalid YAML: duplicate key (each key may appear once in a mapping)"
        raise CaptureError(src.problem(mark_line, message)) from None
    except YAMLError as exc:
        raise CaptureError(Problem(Location(display), f"invalid YAML: {exc}")) from None
    if not isinstance(data, CommentedMap):
        raise CaptureError(src.problem(1, "expected a mapping at the top of the capture"))
    return data, src


def _scan_events(yaml: YAML, text: str, src: Source) -> None:
    """Refuse anchors, aliases, tags and deep nesting before anything is constructed."""
    depth = 0
    for event in yaml.parse(text):
        line = event.start_mark.line + 1
        if isinstance(event, AliasEvent) or (isinstance(event, NodeEvent) and event.anchor):
            raise CaptureError(
                src.problem(line, "YAML anchors and aliases are not allowed in captures (write the value out)")
            )
        tag = getattr(event, "tag", None)
        if isinstance(event, ScalarEvent | CollectionStartEvent) and tag is not None and not _implicit(event):
            raise CaptureError(src.problem(line, f"YAML tag {tag!r} is not allowed in captures"))
        if isinstance(event, CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise CaptureError(src.problem(line, f"nesting deeper than {MAX_DEPTH} levels"))
        elif type(event).__name__ in ("MappingEndEvent", "SequenceEndEvent"):
            depth -= 1


def _implicit(event: Any) -> bool:
    implicit = getattr(event, "implicit", True)
    if isinstance(implicit, tuple):
        return any(implicit)
    return bool(implicit)


# --- schema validation ------------------------------------------------------------------


def _line(container: Any, key: str | int | None = None) -> int | None:
    """1-based line of a key's value inside a ruamel container, or of the container."""
    lc = getattr(container, "lc", None)
    if lc is None:
        return None
    try:
        if key is None:
            return int(lc.line) + 1
        if isinstance(container, CommentedMap):
            return int(lc.key(key)[0]) + 1
        return int(lc.item(key)[0]) + 1
    except (KeyError, IndexError, TypeError):
        return int(lc.line) + 1


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, CommentedMap | dict):
        return "a mapping"
    if isinstance(value, CommentedSeq | list):
        return "a list"
    return type(value).__name__


_JSON_TYPES = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "boolean": "true or false",
}


def validate(
    value: Any,
    rule: dict[str, Any],
    path: str,
    src: Source,
    problems: ProblemCollector,
    parent: Any,
    key: str | int | None = None,
) -> None:
    """Check ``value`` against the subset of JSON Schema the capture schema uses.

    A hand-written walker rather than a library so each message names the exact
    line and key; tests validate the same captures with jsonschema to keep the two
    in agreement.
    """
    line = _line(parent, key) if key is not None else _line(value)
    where = path or "the capture"

    def fail(message: str) -> None:
        problems.add(src.problem(line, message))

    if isinstance(value, dt.date) and rule.get("type") == "string":
        # An unquoted YAML date such as 2020-11-11 arrives as a date; it is what we want.
        value = value.isoformat()
    if "const" in rule and value != rule["const"]:
        fail(f"{where} must be {rule['const']!r}, found {value!r}")
        return
    if "enum" in rule and value not in rule["enum"]:
        choices = ", ".join(repr(c) for c in rule["enum"])
        fail(f"{where} is {value!r}; expected one of {choices}")
        return
    expected = rule.get("type")
    if expected is not None and not _has_type(value, expected):
        fail(f"{where} must be {_JSON_TYPES[expected]}, found {_type_name(value)}")
        return
    if expected == "object":
        props: dict[str, Any] = rule.get("properties", {})
        for name in value:
            if not isinstance(name, str):
                problems.add(src.problem(_line(value), f"{where}: keys must be strings, found {name!r}"))
            elif name not in props and rule.get("additionalProperties") is False:
                known = ", ".join(props)
                problems.add(
                    src.problem(_line(value, name), f"unknown key {_join(path, name)!r} (expected one of: {known})")
                )
        for name in rule.get("required", []):
            if name not in value:
                problems.add(src.problem(_line(value), f"{where}: missing required key {name!r}"))
        for name, sub in props.items():
            if name in value:
                validate(value[name], sub, _join(path, name), src, problems, value, name)
    elif expected == "array":
        if len(value) < rule.get("minItems", 0):
            fail(f"{where} must have at least {rule['minItems']} item(s)")
        for index, item in enumerate(value):
            validate(item, rule.get("items", {}), f"{path}[{index}]", src, problems, value, index)
    elif expected == "string":
        if len(value) < rule.get("minLength", 0):
            fail(f"{where} must not be empty")
        elif "maxLength" in rule and len(value) > rule["maxLength"]:
            fail(f"{where} is {len(value)} characters long; at most {rule['maxLength']} are allowed")
        elif "pattern" in rule and not re.search(rule["pattern"], value):
            fail(f"{where} is {_short(value)!r}; expected {rule.get('x-expected') or 'a match for ' + rule['pattern']}")
    elif expected == "integer" and "minimum" in rule and value < rule["minimum"]:
        fail(f"{where} is {value}; expected at least {rule['minimum']}")


def _has_type(value: Any, expected: str) -> bool:
    if expected == "object":
        return isinstance(value, dict)
    if expected == "array":
        return isinstance(value, list)
    if expected == "string":
        return isinstance(value, str)
    if expected == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if expected == "boolean":
        return isinstance(value, bool)
    raise ValueError(f"schema type {expected!r} is not supported by the capture validator")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


# --- building the capture ---------------------------------------------------------------------


def _build(cid: str, src: Source, data: CommentedMap, problems: ProblemCollector) -> Capture:
    cluster = data["cluster"]
    plugin, policy = str(cluster["network_plugin"]), str(cluster["network_policy"])
    folder = cid.split("/")[0]
    if folder != f"{plugin}-{policy}":
        problems.add(
            src.problem(
                _line(data, "cluster"),
                f"the capture sits in {folder}/ but declares network_plugin {plugin!r} and network_policy {policy!r} "
                f"(expected the folder {plugin}-{policy}/)",
            )
        )
    pods = _pods(data.get("pods", CommentedSeq()), src, problems)
    # Names of pods with a bad IP still count, so one mistake is reported once.
    pod_names = {str(p["name"]) for p in data.get("pods", [])}
    sections = tuple(
        section
        for index, item in enumerate(data["sections"])
        if (section := _section(index, item, data["sections"], src, pod_names, problems)) is not None
    )
    lines = dict(_key_lines(data, ""))
    meta = {k: _plain(data[k]) for k in ("cluster", "node", "captured") if k in data}
    return Capture(
        id=cid,
        path=src.display,
        title=str(data["title"]),
        network_plugin=plugin,
        network_policy=policy,
        node=str(data["node"]["name"]) if "name" in data["node"] else None,
        meta=meta,
        pods=pods,
        sections=sections,
        expect=_plain(data.get("expect", {})),
        lines=lines,
        text_lines=src.lines,
        waivers=tuple(
            Waiver(rule=str(w["rule"]), reason=str(w["reason"]), line=_line(data["waivers"], i) or 0)
            for i, w in enumerate(data.get("waivers", []))
        ),
    )


def _pods(items: CommentedSeq, src: Source, problems: ProblemCollector) -> tuple[Pod, ...]:
    pods: list[Pod] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        line = _line(items, index) or 0
        name, ip = str(item["name"]), str(item["ip"])
        if name in seen:
            problems.add(src.problem(line, f"pod {name!r} is declared twice (first on line {seen[name]})"))
            continue
        seen[name] = line
        try:
            ip = str(ipaddress.ip_address(ip))
        except ValueError:
            problems.add(
                src.problem(
                    _line(item, "ip"), f"pods[{index}].ip {ip!r} is not an IP address (expected e.g. 10.244.0.10)"
                )
            )
            continue
        pods.append(Pod(name=name, ip=ip, line=line))
    return tuple(pods)


def _section(
    index: int, item: CommentedMap, items: CommentedSeq, src: Source, pod_names: set[str], problems: ProblemCollector
) -> Section | None:
    line = _line(items, index) or 0
    namespace = str(item["namespace"])
    command = str(item["command"])
    where = f"sections[{index}]"
    ok = True
    if namespace != "host" and namespace.removeprefix("pod/") not in pod_names:
        known = ", ".join(sorted(f"pod/{n}" for n in pod_names)) or "none declared"
        problems.add(
            src.problem(
                _line(item, "namespace"),
                f"{where}.namespace {namespace!r} names a pod that is not under pods (declared: {known})",
            )
        )
        ok = False
    output = item["output"]
    if not isinstance(output, LiteralScalarString):
        problems.add(
            src.problem(
                _line(item, "output"),
                f"{where}.output must be a block literal ('output: |' followed by the lines as printed), "
                "so every output line keeps its own line in the file",
            )
        )
        return None
    # The value's mark sits on the '|' indicator; the text starts on the next line.
    output_line = (_line(item, "output") or 0) + 1
    text = str(output)
    output_lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    annotations: list[Annotation] = []
    for a_index, note in enumerate(item.get("annotations", [])):
        a_line = int(note["line"])
        file_line = _line(item["annotations"], a_index) or 0
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
        command_line=_line(item, "command") or line,
        filter=matched.filter,
        suggestion=matched.suggestion,
        unparsed=unparsed,
    )


def _key_lines(value: Any, path: str) -> Iterator[tuple[str, int]]:
    if isinstance(value, CommentedMap):
        for key in value:
            line = _line(value, key)
            full = _join(path, str(key))
            if line is not None:
                yield full, line
            yield from _key_lines(value[key], full)


def _plain(value: Any) -> Any:
    """ruamel containers -> plain dicts/lists/strings (dates as ISO strings)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    return value
