"""Command line: ``python -m generator parse|show|check``.

Exit status: 0 clean, 1 bad data (a located message per problem), 2 bad usage.
No traceback reaches the user: expected failures are GeneratorErrors with
locations; anything else is reported in one line as an internal error (exit 3,
``FIELDGUIDE_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO

from generator import capture as capture_mod
from generator import model as model_mod
from generator import parsers
from generator.errors import GeneratorError, Location, Problem, UsageError, printable
from generator.parsers import Origin, Record, records_to_json

EXIT_OK, EXIT_BAD_DATA, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_CAPTURES = Path("captures")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting, so main() owns every exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m generator", description="AKS networking field guide generator")
    sub = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    p = sub.add_parser("parse", help="parse one command's raw output file")
    p.add_argument("command", help='the command that printed it, e.g. "route -n" or "ip addr"')
    p.add_argument("file", type=Path, help="a file holding the output (- for standard input)")
    p.add_argument("--json", action="store_true", help="print records as JSON")

    s = sub.add_parser("show", help="show a capture's node model")
    s.add_argument("capture", type=Path)
    s.add_argument("--json", action="store_true", help="print the model as JSON")
    s.add_argument("--root", type=Path, default=DEFAULT_CAPTURES, help="the captures folder (default: captures)")

    c = sub.add_parser("check", help="validate every capture under the paths")
    c.add_argument("paths", nargs="*", type=Path, help="files or folders (default: captures/)")
    c.add_argument("--root", type=Path, default=DEFAULT_CAPTURES, help="the captures folder (default: captures)")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
        if args.verb == "parse":
            return _parse(args, out)
        if args.verb == "show":
            return _show(args, out)
        return _check(args, out, err)
    except UsageError as exc:
        print(f"usage error: {exc}", file=err)
        return EXIT_USAGE
    except GeneratorError as exc:
        print(str(exc), file=err)
        return EXIT_BAD_DATA
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (| head): not an error of ours. Silence the flush at exit too.
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115, PTH123
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("FIELDGUIDE_DEBUG"):
            traceback.print_exc(file=err)
        print(f"internal error: {type(exc).__name__}: {exc} (set FIELDGUIDE_DEBUG=1 for details)", file=err)
        return EXIT_INTERNAL


def _parse(args: argparse.Namespace, out: TextIO) -> int:
    parser = parsers.find(args.command)
    if parser is None:
        known = ", ".join(f'"{p.command}"' for p in parsers.PARSERS)
        raise UsageError(f"no parser for {args.command!r} (known: {known})")
    path: Path = args.file
    if str(path) == "-":
        text, name = sys.stdin.read(), "<stdin>"
    else:
        name = path.as_posix()
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise UsageError(f"no such file: {path}") from None
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise GeneratorError(Problem(Location(name, line), "file is not valid UTF-8 text")) from None
    records = parser.parse(text, origin=Origin(file=name, command=parser.command))
    if args.json:
        out.write(records_to_json(records))
    else:
        for record in records:
            out.write(_describe(record) + "\n")
    return EXIT_OK


def _describe(record: Record, indent: str = "") -> str:
    """One line per record: its line number, type and non-empty fields; nested records below."""
    parts: list[str] = []
    nested: list[str] = []
    for f in fields(record):
        value = getattr(record, f.name)
        if f.name == "line" or value is None or value is False or value in ((), ""):
            continue
        if isinstance(value, tuple) and value and all(isinstance(v, Record) for v in value):
            nested.extend(_describe(v, indent + "    ") for v in value)
            continue
        if isinstance(value, tuple):
            value = ",".join(str(v) for v in value)
        parts.append(f"{f.name}={printable(str(value))}")
    head = f"{indent}line {record.line:>4}  {record.record_type:<12} {' '.join(parts)}".rstrip()
    return "\n".join([head, *nested])


def _load(path: Path, root: Path) -> capture_mod.Capture:
    if not path.exists():
        raise UsageError(f"no such file: {path}")
    return capture_mod.load(path, root)


def _show(args: argparse.Namespace, out: TextIO) -> int:
    capture = _load(args.capture, args.root)
    model = model_mod.build(capture)
    if args.json:
        out.write(json.dumps(_jsonable(model), indent=2, sort_keys=True) + "\n")
        return EXIT_OK
    out.write(f"{capture.id}: {capture.title}\n")
    out.write(f"  network plugin {capture.network_plugin}, network policy {capture.network_policy}\n")
    for ns in model.namespaces:
        out.write(f"\n[{ns.name}]  commands: {', '.join(ns.commands) or 'none parsed'}\n")
        if ns.elided:
            out.write(f"  elided by the author at line(s) {', '.join(map(str, ns.elided))}\n")
        for iface in ns.interfaces:
            peer = f"@if{iface.peer_ifindex}" if iface.peer_ifindex is not None else ""
            master = f" master {iface.master}" if iface.master else ""
            addrs = " ".join(a.cidr for a in iface.addresses)
            out.write(f"  {iface.ifindex:>3}: {printable(iface.name)}{peer}{master} {addrs}".rstrip() + "\n")
        for bridge in ns.bridges:
            out.write(f"  bridge {printable(bridge.name)}: {', '.join(map(printable, bridge.ports)) or 'no ports'}\n")
        for route in ns.routes:
            via = f" via {route.gateway}" if route.gateway else ""
            dev = f" dev {printable(route.device)}" if route.device else ""
            kind = "" if route.type == "unicast" else f"{route.type} "
            out.write(f"  route {kind}{route.destination}{via}{dev}\n")
    return EXIT_OK


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    roots: list[Path] = args.paths or [args.root]
    for path in roots:
        if not path.exists():
            raise UsageError(f"no such file or folder: {path}")
    files = capture_mod.discover(roots)
    bad = 0
    for path in files:
        try:
            capture_mod.load(path, args.root)
        except GeneratorError as exc:
            bad += 1
            print(str(exc), file=err)
    noun = "capture" if len(files) == 1 else "captures"
    if bad:
        print(f"{len(files)} {noun} checked: {bad} with problems", file=err)
        return EXIT_BAD_DATA
    print(f"{len(files)} {noun} checked: all clean", file=out)
    return EXIT_OK
