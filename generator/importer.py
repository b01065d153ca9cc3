"""``fieldguide import``: a collector transcript or a pasted terminal session -> a capture.

Two inputs, one result. A transcript from ``collect.sh`` says where each output starts
and ends (its boundary lines, see the script's header); a terminal session pasted by
hand is split at its prompts, which the command matcher of :mod:`generator.parsers`
recognises (``root@node:/# ``, ``$ ``, ``azureuser@host:~$ ``). Either way each output is
kept byte for byte, its namespace is read from the wrapper that entered it
(``ip netns exec NAME``, ``nsenter -t PID -n``, ``kubectl exec POD --``), pods are
declared from their sections with the address of their ``eth0``, and the draft is run
through the same pipeline as ``check``: the facts it derives are proposed as an
``expect:`` block, commented out for the author to confirm.

Nothing is dropped silently: text that belongs to no command, commands that do not
print a node's network state, failed commands and outputs a capture cannot hold are
reported with the input line they start on.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator import capture as capture_mod
from generator import collect, parsers, pipeline
from generator.errors import CaptureError, Location, Problem

# Commands whose output is not the node's network state: they open, leave or steer a
# session, or ask the cluster rather than the node.
SESSION_COMMANDS = frozenset(
    {"exit", "logout", "cd", "clear", "ssh", "su", "sudo", "chroot", "export", "history", "tmux", "screen"}
    | {"sh", "bash", "dash", "ash", "zsh", "kubectl", "az"}
)
# A bare '# ' or '% ' starts a root prompt, but also an author's note or iptables-save's
# header: it is read as a prompt only before a command we know to be one.
_PROMPT_PROGRAMS = frozenset(
    {"ip", "route", "brctl", "bridge", "netstat", "iptables", "ip6tables", "iptables-save", "nft", "ss", "arp"}
    | {"ifconfig", "cat", "hostname", "uname", "crictl", "nsenter", "sudo", "kubectl", "docker", "tc", "conntrack"}
)
_HOST_IN_PROMPT = (
    re.compile(r"^(?:[\w.+-]+@)?([\w.-]+):[~/]"),  # root@node:/# , user@host:~$
    re.compile(r"^\[[\w.+-]+@([\w.-]+)[\s\]]"),  # [root@node ~]#
)
_NAME = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
# What an output line in a capture cannot hold: the complement of what the loader reads
# (generator.capture._NOT_ALLOWED, less the line breaks we split at), and a byte-order mark.
_UNKEEPABLE = re.compile("[^\t\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
FACTS = ("mode", "datapath", "encapsulation", "pod_network")


@dataclass(frozen=True)
class Block:
    """One command's output: where it ran (``host`` or ``pod/<name>``), as typed, from which input line."""

    namespace: str
    command: str
    output: str
    line: int


@dataclass
class Session:
    """What an input holds: its blocks, what it says about the node, and what could not be placed."""

    blocks: list[Block] = field(default_factory=list)
    node: str | None = None
    date: str | None = None
    kernel: str | None = None
    os_image: str | None = None
    tools: list[str] = field(default_factory=list)
    kind: str = "terminal session"
    problems: list[Problem] = field(default_factory=list)
    hosts: dict[str, int] = field(default_factory=dict)


def _plugin_words(options: Options) -> str:
    words = [options.plugin]
    if options.plugin_mode:
        words.append(options.plugin_mode)
    if options.dataplane:
        words.append(f"{options.dataplane} dataplane")
    if options.pod_subnet:
        words.append("pod subnet")
    return " ".join(words)


@dataclass(frozen=True)
class Options:
    plugin: str
    policy: str
    node: str | None = None
    source: str | None = None
    date: str | None = None
    plugin_mode: str | None = None
    dataplane: str | None = None
    pod_subnet: bool = False


@dataclass(frozen=True)
class Result:
    """The capture's text, the problems found (errors make the import fail), and a one-line summary."""

    text: str
    problems: tuple[Problem, ...]
    summary: str

    @property
    def failed(self) -> bool:
        return any(p.severity == "error" for p in self.problems)


# --- reading the input ---------------------------------------------------------------------


def read(text: str, name: str) -> Session:
    """A transcript or a pasted session, split into blocks; ``name`` is the input's name in messages."""
    if "\r\n" in text and text.count("\r\n") == text.count("\n"):
        # Pasted on Windows: CRLF is the clipboard's line end, not the command's.
        text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    start = next((i for i, line in enumerate(lines) if line.startswith(collect.MAGIC + " ")), None)
    if start is not None:
        return _read_transcript(lines, start, name)
    return _read_session(lines, name)


def _span(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _warn(session: Session, name: str, line: int, message: str, source: str | None) -> None:
    session.problems.append(Problem(Location(name, line), message, source, severity="warning"))


def _read_transcript(lines: list[str], start: int, name: str) -> Session:
    session = Session(kind="collect.sh transcript")
    header = lines[start].split()
    if len(header) != 4 or header[1] != collect.VERSION or header[2] != "boundary":
        raise CaptureError(
            Problem(
                Location(name, start + 1),
                f"expected '{collect.MAGIC} {collect.VERSION} boundary TOKEN' (a transcript of this collector's "
                "version; print the current one with 'fieldguide collect-script')",
                lines[start],
            )
        )
    mark = header[3] + " "
    if any(line.strip() for line in lines[:start]):
        first = next(i for i, line in enumerate(lines[:start]) if line.strip())
        _warn(
            session,
            name,
            first + 1,
            f"{_span(first + 1, start)} before the transcript's first line: not collector output; left out",
            lines[first],
        )
    index = start + 1
    done = False
    while index < len(lines):
        line = lines[index]
        if not line.startswith(mark):
            if line or index != len(lines) - 1:
                _warn(session, name, index + 1, "this line is outside every output of the transcript; left out", line)
            index += 1
            continue
        kind, _, rest = line[len(mark) :].partition(" ")
        if kind == "meta":
            key, _, value = rest.partition(" ")
            _meta(session, key, value)
        elif kind in ("begin", "stderr"):
            index = _transcript_block(session, lines, index, mark, kind, rest, name)
        elif kind == "done":
            done = True
        elif kind != "failed":
            # 'failed' lines repeat what each block's end marker already says.
            _warn(session, name, index + 1, f"unknown transcript marker {kind!r}; left out", line)
        index += 1
    if not done:
        raise CaptureError(
            Problem(
                Location(name, len(lines)),
                f"the transcript ends without its '{mark}done' line: it was cut short; collect it again",
            )
        )
    return session


def _meta(session: Session, key: str, value: str) -> None:
    if key == "node":
        session.node = value
    elif key == "date":
        session.date = value[:10]
    elif key == "kernel":
        session.kernel = value
    elif key == "os":
        session.os_image = value
    elif key == "iproute2":
        session.tools.append(value)
    elif key == "missing":
        session.tools.append(f"{value} not installed")


def _transcript_block(
    session: Session, lines: list[str], index: int, mark: str, kind: str, rest: str, name: str
) -> int:
    """Read one block from its begin line; return the index of its end line."""
    ns, sep, command = rest.partition(" :: ")
    begin = index
    end = next((i for i in range(index + 1, len(lines)) if lines[i].startswith(mark)), None)
    if not sep or end is None or not lines[end].startswith(mark + "end "):
        raise CaptureError(
            Problem(
                Location(name, begin + 1),
                f"this output never ends (expected a '{mark}end exit=N newline=yes|no' line after it): "
                "the transcript was cut or edited; collect it again",
                lines[begin],
            )
        )
    fields = dict(part.partition("=")[::2] for part in lines[end][len(mark) + 4 :].split())
    body = "\n".join(lines[begin + 1 : end])
    output = body + "\n" if fields.get("newline") == "yes" and end > begin + 1 else body
    exit_status = fields.get("exit", "?")
    if kind == "stderr":
        first = output.splitlines()[0] if output.strip() else ""
        _warn(
            session,
            name,
            begin + 1,
            f"'{command}' wrote to stderr (exit {exit_status}): {first}; left out",
            lines[begin],
        )
        return end
    if exit_status != "0":
        _warn(
            session,
            name,
            begin + 1,
            f"'{command}' failed (exit {exit_status}); its output is left out",
            lines[begin],
        )
        return end
    namespace = _transcript_namespace(ns)
    if namespace is None:
        _warn(session, name, begin + 1, f"namespace {ns!r} names no pod this tool can name; left out", lines[begin])
        return end
    _add(session, Block(namespace, command, output, begin + 1), name, lines)
    return end


def _transcript_namespace(ns: str) -> str | None:
    if ns == "host":
        return "host"
    kind, _, value = ns.partition(":")
    pod = _pod_name({"netns": value, "pid": f"pid-{value}"}.get(kind, ""))
    return f"pod/{pod}" if pod else None


def _read_session(lines: list[str], name: str) -> Session:
    session = Session()
    if lines and lines[-1] == "":
        lines = lines[:-1]
    starts: list[tuple[int, str, str]] = []  # (index, prompt, command)
    for index, line in enumerate(lines):
        prompt, command = parsers.split_prompt(line)
        if not prompt:
            continue
        if prompt.strip() in ("#", "%") and not _known_command(command):
            continue
        starts.append((index, prompt, command))
    if not starts:
        raise CaptureError(
            Problem(
                Location(name, 1 if lines else None),
                "found no command: expected a collect.sh transcript, or a terminal session with prompts "
                "('root@node:/# ip addr', '$ route -n') before each command",
                lines[0] if lines else None,
            )
        )
    first = starts[0][0]
    if any(line.strip() for line in lines[:first]):
        at = next(i for i, line in enumerate(lines[:first]) if line.strip())
        _warn(
            session,
            name,
            at + 1,
            f"{_span(at + 1, first)} before the first prompt: no command's output; left out",
            lines[at],
        )
    for number, (index, prompt, command) in enumerate(starts):
        stop = starts[number + 1][0] if number + 1 < len(starts) else len(lines)
        body = lines[index + 1 : stop]
        host = _host(prompt)
        if host:
            session.hosts.setdefault(host, index + 1)
        if not command:
            if any(line.strip() for line in body):
                _warn(session, name, index + 2, "output under a prompt with no command; left out", body[0])
            continue
        core = parsers.normalize(command)
        head = core.split()[0] if core else ""
        if not core or head in SESSION_COMMANDS:
            shown = f" with its output ({_span(index + 2, stop)})" if any(s.strip() for s in body) else ""
            _warn(
                session,
                name,
                index + 1,
                f"'{command}' does not print the node's network state; left out{shown}",
                lines[index],
            )
            continue
        target = _namespace(parsers.command_words(command))
        namespace = "host" if target is None else f"pod/{target}"
        output = "\n".join(body) + "\n" if body else ""
        _add(session, Block(namespace, command, output, index + 1), name, lines)
    return session


def _known_command(command: str) -> bool:
    found = parsers.match(command)
    if found.parser is not None or found.suggestion is not None:
        return True
    words = parsers.command_words(command)
    return bool(words) and words[0].rsplit("/", 1)[-1] in _PROMPT_PROGRAMS


def _host(prompt: str) -> str | None:
    for pattern in _HOST_IN_PROMPT:
        found = pattern.match(prompt)
        if found:
            return found.group(1)
    return None


def _add(session: Session, block: Block, name: str, lines: list[str]) -> None:
    """Keep a block, unless its output holds a character no capture can keep (then say which line)."""
    for offset, text in enumerate(block.output.split("\n")):
        bad = _UNKEEPABLE.search(text)
        if bad:
            session.problems.append(
                Problem(
                    Location(name, block.line + 1 + offset),
                    f"the output of '{block.command}' holds the character {bad.group()!r} "
                    f"(U+{ord(bad.group()):04X}), which a capture cannot keep"
                    + (" (colour codes: run the command without -c)" if bad.group() == "\x1b" else "")
                    + "; this output is left out",
                    text,
                )
            )
            return
    session.blocks.append(block)


# --- namespaces --------------------------------------------------------------------------------

_NSENTER_NET = re.compile(r"^-[a-zA-Z]*[na][a-zA-Z]*$")


def _namespace(words: Sequence[str]) -> str | None:
    """The pod a command's wrappers enter, as a capture pod name; None for the host."""
    for index, raw in enumerate(words):
        word = raw.rsplit("/", 1)[-1]
        rest = list(words[index + 1 :])
        if word == "nsenter":
            return _nsenter(rest)
        if word == "ip":
            if rest[:2] == ["netns", "exec"] and len(rest) > 2:
                return _pod_name(rest[2])
            if len(rest) > 1 and rest[0] in ("-n", "-netns", "--netns"):
                return _pod_name(rest[1])
            return None
        if word == "kubectl" and "exec" in rest:
            return _pod_name(_first_operand(rest[rest.index("exec") + 1 :]).rsplit("/", 1)[-1])
        if word in ("docker", "crictl", "nerdctl", "podman") and rest[:1] == ["exec"]:
            container = _first_operand(rest[1:])
            return _pod_name(f"container-{container[:12]}") if container else None
    return None


def _nsenter(options: list[str]) -> str | None:
    pid = netns = None
    net = False
    index = 0
    while index < len(options) and options[index].startswith("-"):
        option = options[index]
        value = options[index + 1] if index + 1 < len(options) else ""
        if option in ("-t", "--target"):
            pid, index = value, index + 2
            continue
        if option.startswith("--target="):
            pid = option.split("=", 1)[1]
        elif re.fullmatch(r"-t\d+", option):
            pid = option[2:]
        elif option.startswith(("--net=", "-n/")):
            path = option.split("=", 1)[1] if "=" in option else option[2:]
            proc = re.fullmatch(r"/proc/(\d+)/ns/net", path)
            pid, netns, net = (proc.group(1), None, True) if proc else (pid, path.rsplit("/", 1)[-1], True)
        elif option == "--net" or _NSENTER_NET.match(option):
            net = True
        index += 1
    if netns:
        return _pod_name(netns)
    if net and pid and pid.isdigit():
        return _pod_name(f"pid-{pid}")
    return None


_VALUE_OPTIONS = frozenset({"-n", "--namespace", "-c", "--container", "--context", "--kubeconfig", "-u", "--user"})


def _first_operand(words: list[str]) -> str:
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return ""
        if word in _VALUE_OPTIONS:
            index += 2
        elif word.startswith("-"):
            index += 1
        else:
            return word
    return ""


def _pod_name(value: str) -> str | None:
    """A pod name the capture schema accepts (lower-case DNS), or None when nothing is left of it."""
    name = re.sub(r"[^a-z0-9.-]+", "-", value.lower()).strip("-.")[:253].strip("-.")
    return name if name and _NAME.match(name) else None


# --- writing the capture ---------------------------------------------------------------------


def _q(value: str) -> str:
    """A double-quoted YAML scalar (JSON's string syntax is YAML's)."""
    # ASCII only: a raw U+2028 or U+0085 would be a line break to YAML.
    return json.dumps(value, ensure_ascii=True)


def block_literal(key: str, text: str, indent: int) -> list[str]:
    """``key: |`` and ``text`` as a block literal that reads back byte for byte.

    Chomping says how many final newlines there are (``|-`` none, ``|`` one, ``|+``
    more), and an explicit indentation indicator is given when the first line starts
    with a blank, which YAML would otherwise take for indentation.
    """
    pad = " " * indent
    lines = text.split("\n")
    if text.endswith("\n"):
        lines.pop()
    trailing = len(text) - len(text.rstrip("\n"))
    chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
    first = next((line for line in lines if line.strip()), "")
    indicator = "2" if first[:1] in (" ", "\t") or lines[0][:1] in (" ", "\t") else ""
    head = f"{' ' * (indent - 2)}{key}: |{indicator}{chomp}"
    return [head] + [f"{pad}{line}" if line else "" for line in lines]


def render(
    session: Session,
    options: Options,
    node: str,
    pods: dict[str, str],
    facts: dict[str, tuple[str, str]] | None,
    origin: str,
) -> str:
    out = [
        "# yaml-language-server: $schema=../../generator/schema/capture.schema.json",
        f"# Imported by 'fieldguide import' from a {session.kind}. Check every value, then run 'fieldguide check'.",
        "schema: 2",
        f"title: {_q(f'{_plugin_words(options)} with network policy {options.policy}: {node}')}",
        "cluster:",
        f"  network_plugin: {_q(options.plugin)}",
        *([f"  network_plugin_mode: {options.plugin_mode}"] if options.plugin_mode else []),
        *([f"  network_dataplane: {options.dataplane}"] if options.dataplane else []),
        *(["  pod_subnet: true"] if options.pod_subnet else []),
        f"  network_policy: {_q(options.policy)}",
        "node:",
        f"  name: {_q(node)}",
    ]
    if session.os_image:
        out.append(f"  os_image: {_q(session.os_image)}")
    if session.kernel:
        out.append(f"  kernel: {_q(session.kernel)}")
    out += ["captured:", f"  date: {_q(options.date or session.date or '')}", f"  source: {_q(origin)}"]
    notes = f"Imported from a {session.kind}"
    if session.tools:
        notes += f" ({'; '.join(session.tools)})"
    out.append(f"  notes: {_q(notes + '.')}")
    declared = sorted({b.namespace.removeprefix("pod/") for b in session.blocks if b.namespace != "host"})
    if declared:
        out.append("pods:")
        for pod in declared:
            out += [f"  - name: {_q(pod)}", f"    ip: {_q(pods.get(pod, ''))}"]
    out.append("sections:")
    for block in session.blocks:
        out += [f"  - namespace: {block.namespace}", f"    command: {_q(block.command)}"]
        out += block_literal("output", block.output, 6)
    if facts:
        out.append("# Proposed from the facts derived from these outputs: confirm each, then uncomment.")
        out.append("# expect:")
        for name in FACTS:
            value, reason = facts[name]
            out.append(f"#   {name}: {value}" if value else f"#   ({name}: {reason})")
    return "\n".join(out) + "\n"


# --- the whole import ------------------------------------------------------------------------


def run(text: str, name: str, options: Options, output_name: str) -> Result:
    """Import ``text`` (named ``name`` in messages); ``output_name`` names the capture in messages."""
    session = read(text, name)
    problems = list(session.problems)
    node = options.node or session.node
    if node is None:
        if len(session.hosts) > 1:
            seen = ", ".join(f"{h} (line {n})" for h, n in sorted(session.hosts.items(), key=lambda i: i[1]))
            raise CaptureError(
                Problem(
                    Location(name),
                    f"the prompts name {len(session.hosts)} hosts: {seen}; say which is the node with --node NAME",
                )
            )
        node = next(iter(session.hosts), None)
    if node is None:
        raise CaptureError(Problem(Location(name), "no node name: the prompts carry no host name; pass --node NAME"))
    if not _NAME.match(node.lower()):
        raise CaptureError(
            Problem(
                Location(name),
                f"node name {node!r} is not a lower-case DNS name (expected e.g. aks-nodepool1-12345678-vmss000000); "
                "pass --node NAME",
            )
        )
    node = node.lower()
    if not (options.date or session.date):
        raise CaptureError(
            Problem(Location(name), "a pasted session carries no date: pass --date YYYY-MM-DD (when it was recorded)")
        )
    if not session.blocks:
        raise CaptureError(
            sorted(
                [*problems, Problem(Location(name), "nothing to import: no command output could be placed")],
                key=Problem.sort_key,
            )
        )
    origin = options.source or f"{Path(name).name}: {session.kind} imported with fieldguide"
    folder = capture_mod.folder_slug(
        options.plugin, options.plugin_mode, options.dataplane, options.pod_subnet, options.policy
    )
    with tempfile.TemporaryDirectory(prefix="fieldguide-import-") as tmp:
        root = Path(tmp)
        path = root / folder / f"{node}.yaml"
        path.parent.mkdir()

        def analyse(pods: dict[str, str], facts: dict[str, tuple[str, str]] | None) -> pipeline.Analysis | None:
            draft = render(session, options, node, pods, facts, origin)
            path.write_text(draft, encoding="utf-8")
            try:
                return pipeline.analyse(path, root)
            except CaptureError as exc:
                shown = capture_mod.display_path(path)
                problems.extend(
                    replace(p, location=Location(output_name, p.location.line)) if p.location.file == shown else p
                    for p in exc.problems
                )
                return None

        pods = {b.namespace.removeprefix("pod/"): "0.0.0.0" for b in session.blocks if b.namespace != "host"}
        first = analyse(pods, None)
        if first is None:
            return Result(render(session, options, node, {}, None, origin), tuple(problems), "")
        addresses = _pod_addresses(first)
        for pod in sorted(pods):
            if pod not in addresses:
                line = next(b.line for b in session.blocks if b.namespace == f"pod/{pod}")
                problems.append(
                    Problem(
                        Location(name, line),
                        f"pod {pod}: its outputs show no address on eth0 (or any interface but lo); "
                        f"fill in its ip under pods",
                    )
                )
        facts = {n: (_claim(n, getattr(first.facts, n).value), getattr(first.facts, n).reason) for n in FACTS}
        text = render(session, options, node, addresses, facts, origin)
        final = analyse(addresses, facts) if len(addresses) == len(pods) else None
        if final is not None:
            kept = [(s.namespace, s.command, s.output) for s in final.capture.sections]
            if kept != [(b.namespace, b.command, b.output) for b in session.blocks]:
                raise AssertionError("an output did not read back byte for byte from the capture written")
            # What check will say about the capture, said now: outputs that disagree are the
            # author's to explain (a waiver), never to edit.
            lines = text.split("\n")
            problems.extend(
                Problem(
                    Location(output_name, f.line),
                    f"{f.rule} {f.name}: {f.message}",
                    lines[f.line - 1] if f.line else None,
                    severity=f.severity,
                )
                for f in final.result.findings
            )
    pod_count = len({b.namespace for b in session.blocks if b.namespace != "host"})
    left = sum(1 for p in problems if p.severity == "warning" and p.location.file == name)
    warned = sum(1 for p in problems if p.severity == "warning" and p.location.file == output_name)
    summary = (
        f"imported {len(session.blocks)} output{'s' if len(session.blocks) != 1 else ''} "
        f"(host and {pod_count} pod{'s' if pod_count != 1 else ''}) for node {node}"
    )
    if left:
        summary += f"; {left} left out (see above)"
    if warned:
        summary += f"; {warned} warning{'s' if warned != 1 else ''} from the rules (see above)"
    summary += f"; proposed expect: {', '.join(f'{n}={v}' for n, (v, _) in facts.items() if v) or 'nothing decided'}"
    return Result(text, tuple(problems), summary)


def _claim(name: str, value: str) -> str:
    """The fact's value when the schema lets an author claim it and it says something; else ''."""
    allowed = capture_mod.schema()["properties"]["expect"]["properties"][name]["enum"]
    return value if value in allowed and value not in ("unknown", "not-captured") else ""


def _pod_addresses(analysis: pipeline.Analysis) -> dict[str, str]:
    """Each pod's address: its eth0's (else any interface's but lo), IPv4 first, link-local never."""
    found: dict[str, str] = {}
    for ns in analysis.model.namespaces:
        if not ns.name.startswith("pod/"):
            continue
        candidates = []
        for iface in ns.interfaces:
            if iface.name == "lo":
                continue
            for address in iface.addresses:
                ip = address.cidr.split("/", 1)[0]
                if address.scope == "link" or ip.startswith("fe80:"):
                    continue
                candidates.append((iface.name != "eth0", address.family != "inet", iface.ifindex, ip))
        if candidates:
            found[ns.name.removeprefix("pod/")] = min(candidates)[3]
    return found
