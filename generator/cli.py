"""Command line: ``python -m generator parse|show|check``.

Exit status: 0 clean, 1 bad data (a located message per problem), 2 bad usage.
No traceback reaches the user: expected failures are GeneratorErrors with
locations; anything else is reported in one line as an internal error (exit 3,
``FIELDGUIDE_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import traceback
from collections.abc import Sequence
from dataclasses import asdict, fields, is_dataclass
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

from generator import (
    __version__,
    collect,
    compare,
    diagrams,
    migrate,
    parsers,
    pipeline,
    report,
    rules,
    workers,
)
from generator import capture as capture_mod
from generator.errors import GeneratorError, Location, Problem, UsageError, printable
from generator.parsers import Origin, Record, records_to_json

EXIT_OK, EXIT_BAD_DATA, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
DEFAULT_CAPTURES = Path("captures")


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting, so main() owns every exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}\n{self.format_usage().strip()}")


class _VersionRequested(Exception):  # noqa: N818 - a request carried to main(), not an error
    """--version was given: main() prints the version to its own stdout and exits 0."""


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        raise _VersionRequested


class _Deprecated(argparse.Action):
    """An old spelling that still works: it sets ``--format`` and says which spelling to use."""

    def __init__(self, option_strings: Sequence[str], dest: str, *, value: str, **kwargs: Any) -> None:
        self.value = value
        super().__init__(option_strings, dest, nargs=0, help=f"deprecated: use --format {value}")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, *args: Any) -> None:
        namespace.format = self.value
        namespace.deprecated = [*getattr(namespace, "deprecated", []), f"{self.option_strings[0]}"]


def _formats(p: argparse.ArgumentParser, choices: tuple[str, ...], what: str) -> None:
    """``--format`` (the one spelling, as ruff and mypy have it), and the old ``--json``/``--markdown`` as aliases."""
    p.add_argument("--format", choices=choices, default="text", help=f"{what}: {', '.join(choices)} (default: text)")
    for value in choices:
        if value in ("json", "markdown"):
            p.add_argument(f"--{value}", action=_Deprecated, value=value, dest="format_alias", default=None)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="fieldguide", description="AKS networking field guide generator")
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="verb", required=True, parser_class=_Parser)
    root_help = "the captures folder (default: captures/, or the folder two levels above a capture elsewhere)"

    p = sub.add_parser("parse", help="parse one command's raw output file")
    p.add_argument("command", help='the command that printed it, e.g. "route -n" or "ip addr"')
    p.add_argument("file", help="a file holding the output (- for standard input)")
    _formats(p, ("text", "json"), "how to print the records")

    s = sub.add_parser("show", help="show a capture's node model")
    s.add_argument("capture", help="a capture file or id (e.g. kubenet-none/aks-nodepool1-27511634-vmss000000)")
    _formats(s, ("text", "json"), "how to print the model")
    s.add_argument("--root", type=Path, help=root_help)

    d = sub.add_parser("diff", help="what changes in structure between two captures")
    d.add_argument("before", help="a capture file or id (e.g. kubenet-none/aks-nodepool1-27511634-vmss000000)")
    d.add_argument("after", help="a capture file or id")
    d.add_argument("--root", type=Path, help=root_help)
    _formats(d, ("text", "json", "markdown"), "how to print the comparison")
    d.add_argument("--raw", action="store_true", help="also print the raw unified diff of matching sections")
    d.add_argument("--svg", type=Path, metavar="FILE", help="also render both topologies in one diagram (runs dot)")

    g = sub.add_parser("diagram", help="the topology diagram of a capture, as DOT or SVG")
    g.add_argument("capture", help="a capture file or id")
    g.add_argument("--root", type=Path, help=root_help)
    g.add_argument(
        "--svg", type=Path, metavar="FILE", help="render to this SVG file (runs dot) instead of printing DOT"
    )

    w = sub.add_parser("site", help="write the generated pages and diagrams under docs/ (no MkDocs needed)")
    w.add_argument("--root", type=Path, default=DEFAULT_CAPTURES, help="the captures folder (default: captures)")
    w.add_argument("--docs", type=Path, default=Path("docs"), help="the docs folder (default: docs)")
    w.add_argument(
        "--cache", type=Path, default=Path(".cache/diagrams"), help="the SVG cache (default: .cache/diagrams)"
    )

    k = sub.add_parser("collect", help="run the collector on a node through kubectl debug; prints the transcript")
    k.add_argument("--node", required=True, help="the node's name, as kubectl get nodes shows it")
    k.add_argument("--context", help="the kubectl context (default: the current one)")
    k.add_argument("--image", default=collect.IMAGE, help=f"the debug pod's image (default: {collect.IMAGE})")
    k.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the transcript here (default: stdout)")

    sub.add_parser(
        "collect-script", help="print the node-side collector (POSIX sh): run it on a node, then import its transcript"
    )

    i = sub.add_parser("import", help="turn a collector transcript or a pasted terminal session into a capture")
    i.add_argument("transcript", help="the transcript or session file (- for standard input)")
    schema_props = capture_mod.schema()["properties"]["cluster"]["properties"]
    i.add_argument(
        "--plugin",
        required=True,
        choices=schema_props["network_plugin"]["enum"],
        help="--network-plugin, or 'not stated'",
    )
    i.add_argument("--plugin-mode", choices=schema_props["network_plugin_mode"]["enum"], help="--network-plugin-mode")
    i.add_argument("--dataplane", choices=schema_props["network_dataplane"]["enum"], help="--network-dataplane")
    i.add_argument("--pod-subnet", action="store_true", help="the cluster was created with --pod-subnet-id")
    i.add_argument(
        "--policy",
        required=True,
        choices=schema_props["network_policy"]["enum"],
        help="--network-policy, or 'not stated'",
    )
    i.add_argument("--node", help="the node's name (default: from the transcript or the prompts)")
    i.add_argument("--source", help="where the outputs come from (a URL, or how they were recorded)")
    i.add_argument("--date", help="YYYY-MM-DD the outputs were recorded (default: the transcript's)")
    i.add_argument("-o", "--output", type=Path, metavar="FILE", help="write the capture here (default: stdout)")

    m = sub.add_parser(
        "migrate", help="upgrade captures written for an older schema, in place (outputs and comments kept)"
    )
    m.add_argument("paths", nargs="+", help="capture files or folders")

    r = sub.add_parser("rules", help="print the rules catalogue")
    _formats(r, ("text", "json"), "how to print the catalogue")

    c = sub.add_parser("check", help="validate every capture under the paths and run the rules")
    c.add_argument("paths", nargs="*", help="capture files, folders or ids (default: captures/)")
    c.add_argument("--root", type=Path, help=root_help)
    _formats(c, report.FORMATS, "how to print the findings")
    c.add_argument("--strict", action="store_true", help="warnings fail the check too")
    c.add_argument("-v", "--verbose", action="store_true", help="also print waived findings in full")
    return parser


class _Visible(io.TextIOBase):
    """A text stream that shows control characters as escapes (see :func:`report.visible`).

    Every verb prints capture text (names, titles, waiver reasons, file names, raw
    diffs); escaping at the stream covers them all. Newlines and tabs pass: the
    formats use them, and the report functions already escape those inside data.
    """

    def __init__(self, target: TextIO) -> None:
        self._target = target

    def write(self, s: str) -> int:
        self._target.write(report.visible(s, keep="\n\t"))
        return len(s)

    def write_trusted(self, s: str) -> None:
        """Text whose data is already escaped (:mod:`generator.report`), possibly with colour codes of ours."""
        self._target.write(s)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()


def colour_wanted(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set to anything (https://no-color.org)."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = cast(TextIO, _Visible(out or sys.stdout))
    err = cast(TextIO, _Visible(err or sys.stderr))
    try:
        args = build_parser().parse_args(argv)
        for old in getattr(args, "deprecated", []):
            print(f"note: {old} is deprecated; use --format {args.format}", file=err)
        if args.verb == "parse":
            return _parse(args, out)
        if args.verb == "show":
            return _show(args, out)
        if args.verb == "rules":
            return _rules(args, out)
        if args.verb == "diff":
            return _diff(args, out)
        if args.verb == "diagram":
            return _diagram(args, out)
        if args.verb == "import":
            return _import(args, out, err)
        if args.verb == "collect":
            transcript = collect.on_node(args.node, context=args.context, image=args.image)
            if args.output is None:
                out.write(transcript)
            else:
                args.output.write_text(transcript, encoding="utf-8")
                print(f"wrote {capture_mod.display_path(args.output)}", file=err)
            return EXIT_OK
        if args.verb == "collect-script":
            out.write(collect.script())
            return EXIT_OK
        if args.verb == "migrate":
            return _migrate(args, out, err)
        if args.verb == "site":
            # Imported for this verb only: the site's modules (Jinja, feeds, articles) are
            # a sixth of the start-up every check would otherwise pay.
            from generator import site

            site.main_build(args.root, args.docs, args.cache)
            return EXIT_OK
        return _check(args, out, err)
    except _VersionRequested:
        out.write(f"fieldguide {__version__}\n")
        return EXIT_OK
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
    text, name = _read_input(args.file)
    records = parser.parse(text, origin=Origin(file=name, command=parser.command))
    if args.format == "json":
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


def _show(args: argparse.Namespace, out: TextIO) -> int:
    analysis = _analyse(args.capture, args.root)
    capture, model, facts, result = analysis.capture, analysis.model, analysis.facts, analysis.result
    if args.format == "json":
        data = {"model": _jsonable(model), "facts": _jsonable(facts), "rules": _jsonable(result)}
        out.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
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
        for section in capture.sections:
            if section.namespace != ns.name:
                continue
            if section.parser is not None and section.filter:
                out.write(f"  partial ({printable(section.filter)}): {printable(section.command)}\n")
            elif section.parser is None:
                why = section.unparsed or (f"did you mean {section.suggestion!r}?" if section.suggestion else "")
                suffix = f" ({printable(why)})" if why else ""
                out.write(f"  raw output kept verbatim: {printable(section.command)}{suffix}\n")
    out.write("\nderived facts\n")
    for name, fact in (
        ("mode", facts.mode),
        ("datapath", facts.datapath),
        ("encapsulation", facts.encapsulation),
        ("pod network", facts.pod_network),
    ):
        out.write(f"  {name}: {fact.value} ({printable(fact.reason)})\n")
    out.write(f"  uplink: {facts.uplink or 'not found'}, node address {facts.node_address or 'not found'}\n")
    out.write(
        f"  CNI bridge: {', '.join(facts.cni_bridges) or 'none'}; Docker bridge: {facts.docker_bridge or 'none'}\n"
    )
    out.write(f"  host veth prefix: {facts.host_veth_prefix or 'none visible'}\n")
    for role in facts.roles:
        out.write(f"  role {role.namespace} {printable(role.interface)}: {role.role}\n")
    for pair in facts.pairs:
        host_end = pair.host_interface or f"index {pair.host_ifindex} (not shown)"
        out.write(f"  veth pair {pair.pod} {pair.pod_interface} <-> host {printable(host_end)}: {pair.status}\n")
    for path in facts.paths:
        out.write(f"  path {path.pod}: {path.via} ({path.reason})\n")
    out.write("\nrules\n")
    out.write(f"  passed: {', '.join(result.passed) or 'none'}\n")
    out.write(f"  not applicable: {', '.join(result.not_applicable) or 'none'}\n")
    for rule_id, missing in result.not_checked:
        out.write(f"  not checked: {rule_id}: {printable(missing)}\n")
    if result.findings:
        out.write(report.text(report.from_finding(f) for f in result.findings))
    return EXIT_OK


def _jsonable(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _jsonable(v) for k, v in asdict(value).items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _capture_path(given: str, root: Path | None) -> Path:
    """A capture named by its file or by its id under the captures folder."""
    path = Path(given)
    if not path.is_file() and path.suffix != ".yaml":
        path = (root or DEFAULT_CAPTURES) / f"{given}.yaml"
    if not path.is_file():
        raise UsageError(f"no such capture: {given}")
    return path


def _root_of(path: Path, given: Path | None, folder: bool = False) -> Path:
    """The captures folder a capture's id is read under.

    ``--root`` when given; ``captures/`` for what is inside it; otherwise a folder named
    on the command line is a captures folder of its own, and a file is taken to sit in
    ``<root>/<plugin>-<policy>/<node>.yaml``, so a draft anywhere can be checked.
    """
    if given is not None:
        return given
    if path.resolve().is_relative_to(DEFAULT_CAPTURES.resolve()):
        return DEFAULT_CAPTURES
    return path if folder else path.parent.parent


def _analyse(given: str, root: Path | None) -> pipeline.Analysis:
    path = _capture_path(given, root)
    return pipeline.analyse(path, _root_of(path, root))


def _diff(args: argparse.Namespace, out: TextIO) -> int:
    before = _analyse(args.before, args.root)
    after = _analyse(args.after, args.root)
    comparison = compare.compare(before, after)
    if args.format == "json":
        out.write(json.dumps(_jsonable(comparison), indent=2, sort_keys=True) + "\n")
    elif args.format == "markdown":
        out.write(compare.to_markdown(comparison))
    else:
        out.write(compare.to_text(comparison))
    if args.raw and args.format != "json":
        for raw in comparison.raw:
            out.write(raw.diff or f"(no difference in {raw.namespace}: {raw.command})\n")
    if args.svg is not None:
        graph = diagrams.comparison_graph(before, after, name=f"{before.capture.id}--{after.capture.id}")
        _write_svg(diagrams.dot_source(graph), args.svg)
        print(f"wrote {args.svg}", file=sys.stderr)
    return EXIT_OK


def _write_svg(source: str, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        diagrams.render({"diagram": source}, Path(tmp) / "out", Path(tmp) / "cache")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(Path(tmp) / "out" / "diagram.svg", target)


def _diagram(args: argparse.Namespace, out: TextIO) -> int:
    analysis = _analyse(args.capture, args.root)
    source = diagrams.dot_source(diagrams.node_graph(analysis))
    if args.svg is None:
        out.write(source)
        return EXIT_OK
    _write_svg(source, args.svg)
    out.write(f"wrote {args.svg}\n")
    return EXIT_OK


def _read_input(given: str) -> tuple[str, str]:
    """(text, name) of a file named on the command line, or of standard input for ``-``."""
    if given == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(given)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"no such file: {given}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {given}: {exc.strerror}") from None
    name = capture_mod.display_path(path)
    try:
        return raw.decode("utf-8"), name
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GeneratorError(Problem(Location(name, line), "file is not valid UTF-8 text")) from None


def _import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from generator import importer  # for this verb only, as generator.site is

    text, name = _read_input(args.transcript)
    target = capture_mod.display_path(args.output) if args.output else "<stdout>"
    options = importer.Options(
        args.plugin,
        args.policy,
        args.node,
        args.source,
        args.date,
        plugin_mode=args.plugin_mode,
        dataplane=args.dataplane,
        pod_subnet=args.pod_subnet,
    )
    result = importer.run(text, name, options, target)
    if result.problems:
        err.write(report.text(report.from_problem(p) for p in result.problems))
    if args.output is None:
        out.write(result.text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(result.text, encoding="utf-8")
    if result.failed:
        print(f"{target}: written, but it does not pass check yet (see above)", file=err)
        return EXIT_BAD_DATA
    print(f"{target}: {result.summary}", file=err)
    return EXIT_OK


def _rules(args: argparse.Namespace, out: TextIO) -> int:
    catalogue = [
        {
            "id": r.id,
            "name": r.name,
            "severity": r.severity,
            "statement": r.statement,
            "applies_when": r.applies_when,
            "explanation": r.explanation,
        }
        for r in rules.RULES
    ]
    if args.format == "json":
        out.write(json.dumps(catalogue, indent=2, sort_keys=True) + "\n")
        return EXIT_OK
    for entry in catalogue:
        out.write(f"{entry['id']} {entry['name']} ({entry['severity']})\n")
        out.write(f"  {entry['statement']}\n")
        out.write(f"  applies when {entry['applies_when']}\n")
        out.write(f"  why: {entry['explanation']}\n\n")
    return EXIT_OK


def _check_targets(args: argparse.Namespace) -> list[tuple[Path, Path]]:
    """(path, its captures folder) for each file or folder named, or captures/ when none is."""
    targets: list[tuple[Path, Path]] = []
    for given in args.paths or [str(args.root or DEFAULT_CAPTURES)]:
        path = Path(given)
        if not path.exists():
            by_id = (args.root or DEFAULT_CAPTURES) / f"{given}.yaml"
            if not by_id.is_file():
                raise UsageError(f"no such file or folder: {given}")
            path = by_id
        targets.append((path, _root_of(path, args.root, folder=path.is_dir())))
    return targets


def _migrate(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    files: list[Path] = []
    for given in args.paths:
        path = Path(given)
        if not path.exists():
            raise UsageError(f"no such file or folder: {given}")
        files.extend(capture_mod.discover([path]))
    problems: list[Problem] = []
    changed = failed = 0
    for path in sorted(set(files)):
        try:
            result = migrate.migrate_file(path)
        except GeneratorError as exc:
            problems.extend(exc.problems)
            failed += 1
            continue
        if not result.changes:
            continue
        changed += 1
        out.write(f"{result.path}: {'; '.join(result.changes)}\n")
        if result.move_to is not None:
            out.write(f"{result.path}: now belongs in {result.move_to}/ (move it with git mv)\n")
    if problems:
        out.write(report.text([report.from_problem(p) for p in problems]).rstrip("\n") + "\n")
    noun = "capture" if len(files) == 1 else "captures"
    summary = f"{len(files)} {noun} read: {changed} migrated, {len(files) - changed - failed} already current"
    if failed:
        summary += f", {failed} could not be migrated (left untouched)"
    print(summary, file=err)
    return EXIT_BAD_DATA if problems else EXIT_OK


def _check_one(path: Path, root: Path) -> tuple[list[report.Item], set[str]]:
    """One capture's findings, and its file when it does not load."""
    try:
        analysis = pipeline.analyse(path, root)
    except GeneratorError as exc:
        return [report.from_problem(p) for p in exc.problems], {p.location.file for p in exc.problems}
    items = [report.from_finding(f) for f in analysis.result.findings]
    # The site draws every capture: a name its diagram cannot show fails here, not in make site.
    items.extend(report.from_problem(p) for p in diagrams.problems(analysis))
    return items, set()


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    targets = _check_targets(args)
    files: dict[Path, Path] = {}
    for path, root in targets:
        for found in capture_mod.discover([path]):
            files.setdefault(found, root)
    items: list[report.Item] = []
    bad_files: set[str] = set()
    for file_items, bad in workers.map_in_order(_check_one, sorted(files.items())):
        items.extend(file_items)
        bad_files.update(bad)
    for path, _ in targets:
        if path.is_dir() and (path / compare.COMPARISONS_FILE).is_file():
            try:
                compare.load_declared(path)
            except GeneratorError as exc:
                items.extend(report.from_problem(p) for p in exc.problems)
                bad_files.update(p.location.file for p in exc.problems)
    failing = [i for i in items if i.counts and (i.severity == "error" or args.strict)]
    bad_files.update(i.file for i in failing)
    warnings = sum(1 for i in items if i.counts and i.severity == "warning")
    noun = "capture" if len(files) == 1 else "captures"
    summary = f"{len(files)} {noun} checked: "
    summary += f"{len(bad_files)} with problems" if bad_files else "all clean"
    if warnings:
        summary += f", {warnings} warning{'s' if warnings != 1 else ''}"
    waived = sum(1 for i in items if i.waived)
    if waived:
        summary += f", {waived} waived" + ("" if args.verbose else " (--verbose shows them)")
    # As ruff and mypy: results on stdout, the summary on stderr. A waived finding is a
    # known, explained one: shown only when asked for, so a clean run prints one line.
    shown = [i for i in items if i.counts or args.verbose]
    if args.format == "json":
        out.write(report.as_json(items, len(files)))
    elif args.format == "github":
        out.write(report.github(shown))
    else:
        colour = colour_wanted(out)
        text = report.text(shown, colour=colour)
        if colour and isinstance(out, _Visible):
            out.write_trusted(text)
        else:
            out.write(text)
    print(summary, file=err)
    return EXIT_BAD_DATA if bad_files else EXIT_OK
