"""The matcher that reads a command as people publish it.

A section's command is copied from an article or a terminal, so :func:`match` first
reads it the way a shell would: it sets aside a pasted prompt (``root@node:/# ``,
``$ ``, a ``#`` glued to the command), a trailing ``# comment``, all but the last
command of a ``&&``/``||``/``;`` chain, and wrappers that do not change the output's
format (``sudo``, ``nsenter -t PID -n``, ``ip netns exec NAME``, ``kubectl exec POD --``,
``sh -c '...'``). A pipe into a line filter (``| grep azv``, ``| head -5``) and an
interface selection (``ip addr show dev eth0``) are recorded as the filter: the output
is parsed, but partial. A pipe that rewrites lines (``| jq``), a redirection to a file
or a control character keeps the section raw, with the reason.

What is left is compared with the spellings the way the tools compare their own
arguments (iproute2 takes any prefix of an object or option, getopt any order of
letters). A command no parser reads is a raw section; when it is one slip of a key
away from a spelling (``ip adr``), the match carries that spelling as a suggestion.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, replace

from generator.parsers.registry import PARSERS, Parser

# --- matching a command as people publish it ---------------------------------------------------


@dataclass(frozen=True)
class CommandMatch:
    """What a section's ``command:`` says about its output.

    ``command`` is the text as given. ``core`` is the command whose output is shown,
    as the matcher read it: the last command of a ``&&``/``||``/``;`` chain, without
    prompt, comment, wrappers or pipe (``ip addr``); empty when there is none.
    ``parser`` reads the output, or is ``None`` for a raw section. ``filter`` is what
    leaves lines out (``| grep azv``, ``dev eth0``): the output is parsed but partial.
    ``suggestion`` is the spelling the author most likely meant when the command is
    a slip of the keyboard (``ip adr`` -> ``ip addr``). ``reason`` says why a command
    that names a parsed command is still kept raw (``| jq``, a redirection, a control
    character).
    """

    command: str
    core: str
    parser: Parser | None = None
    filter: str | None = None
    suggestion: str | None = None
    reason: str | None = None


@functools.lru_cache(maxsize=4096)
def match(command: str) -> CommandMatch:
    """Read a command as published: prompt, comment, chain, wrappers, pipe, then the registry.

    Remembered: a capture names the same few commands once per namespace, and the
    result is frozen.
    """
    controls = sorted({ch for ch in command if unicodedata.category(ch) in _CONTROL_TO_TEXT})
    if controls:
        # Never matched: a control character means the text is not what was typed. The
        # command without it may still suggest what was meant.
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in controls)
        guess = match("".join(_CONTROL_TO_TEXT.get(unicodedata.category(ch), ch) for ch in command))
        return CommandMatch(
            command=command,
            core=guess.core,
            suggestion=guess.core if guess.parser is not None else guess.suggestion,
            reason=f"it holds the control character{'s' if len(controls) > 1 else ''} {shown}",
        )
    found = _match(command)
    if found.parser is not None or found.reason is not None:
        return found
    typographic = unicodedata.normalize("NFKC", command).translate(_TYPOGRAPHIC)
    if typographic != command:
        # Word processors turn '-n' into an en dash and quotes into curly ones; a shell would not run that.
        retyped = match(typographic)
        suggestion = retyped.core if retyped.parser is not None else retyped.suggestion
        if suggestion is not None:
            return replace(found, suggestion=suggestion)
    return replace(found, suggestion=_suggest(found.core))


def find(command: str) -> Parser | None:
    """The parser for a command as typed, or ``None`` when it is kept as raw text."""
    return match(command).parser


def normalize(command: str) -> str:
    """The command whose output is shown, as the matcher reads it.

    ``sudo nsenter -t 16315 -n ip addr`` -> ``ip addr``;
    ``root@node:/# ip netns exec pod1 route -n | grep cbr0`` -> ``route -n``.
    """
    return match(command).core


def split_prompt(line: str) -> tuple[str, str]:
    """A line pasted from a terminal as (prompt, command); the prompt is ``""`` when there is none.

    ``azureuser@host:~$ sudo brctl show`` -> (``azureuser@host:~$ ``, ``sudo brctl show``).
    """
    text = line.strip()
    command = _strip_prompt(text)
    return text[: len(text) - len(command)], command


def command_words(command: str) -> tuple[str, ...]:
    """The words of the command whose output is shown, wrappers kept: the last of a chain, before any pipe.

    ``$ sudo nsenter -t 42 -n ip addr | grep eth0`` -> ``sudo nsenter -t 42 -n ip addr``, split as
    a shell would; ``()`` when a shell would refuse the line (an unterminated quote).
    """
    try:
        last = _last_command(_tokens(_strip_prompt(command)))
    except _ShellSyntaxError:
        return ()
    words: list[str] = []
    redirected = False
    for token in last:
        if token.kind == "op" and token.text in _PIPE:
            break
        if token.kind == "word" and not redirected:
            words.append(token.text)
        # A redirection's target ('2>/dev/null') is not a word of the command.
        redirected = token.kind == "redirect"
    return tuple(words)


# Typographic look-alikes a word processor or a web page puts into a command.
_TYPOGRAPHIC = str.maketrans(
    {
        **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-"),
        **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032"), "'"),
        **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f\u2033"), '"'),
        **dict.fromkeys(
            map(ord, "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"), " "
        ),
    }
)

# Characters that are not what a person typed on a command line, and what may have stood
# in their place: a control character or a line/paragraph separator where a blank was, a
# format character (zero-width, bidirectional override) where nothing was.
_CONTROL_TO_TEXT = {"Cc": " ", "Zl": " ", "Zp": " ", "Cf": ""}

# Shell prompts copied with the command. Each must end where the command starts.
_PROMPTS = (
    re.compile(r"^(?:[\w.+-]+@)?[\w.-]+:[~/][^\s#$]*\s?[#$]\s*"),  # root@node:/# , user@host:~$
    re.compile(r"^\[[^\]]+\]\s?[#$]\s*"),  # [root@node ~]#
    re.compile(r"^(?:ba|z|da|a|)sh-\d+(?:\.\d+)*[#$]\s*"),  # bash-5.1#
    re.compile(r"^[~/][^\s#$]*\s[#$]\s+"),  # busybox: / # , ~ #
    re.compile(r"^PS [^>]*>\s*"),  # PowerShell, as in Azure Cloud Shell: PS /home/user>
    re.compile(r"^[$#%]\s+"),  # $ , # , %
)


def _strip_prompt(text: str) -> str:
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for pattern in _PROMPTS:
            stripped = pattern.sub("", text, count=1)
            if stripped != text:
                text, changed = stripped, True
    return text


def _match(command: str) -> CommandMatch:
    text = _strip_prompt(command)
    if text.startswith("#"):
        # '#brctl show': a command commented out, or a root prompt glued to it. Either
        # way the output below is that command's, when it is one we know.
        inner = _match(text[1:])
        if inner.parser is not None or _suggest(inner.core) is not None:
            return replace(inner, command=command)
        return CommandMatch(command=command, core="")
    try:
        pipeline = _pipeline(text)
    except _ShellSyntaxError as exc:
        return CommandMatch(command=command, core="", reason=str(exc))
    core = " ".join(pipeline.words)
    found = _lookup(pipeline.words)
    if found is None:
        return CommandMatch(command=command, core=core)
    if pipeline.reason is not None:
        return CommandMatch(command=command, core=core, reason=pipeline.reason)
    parser, selection = found
    parts = ([selection] if selection else []) + [f"| {f}" for f in pipeline.filters]
    return CommandMatch(command=command, core=core, parser=parser, filter=" ".join(parts) or None)


# --- the shell: words, operators, pipelines ------------------------------------------------------


class _ShellSyntaxError(ValueError):
    """A command the shell itself would not accept (an unterminated quote)."""


@dataclass(frozen=True)
class _Token:
    text: str
    raw: str
    kind: str  # "word", "op" or "redirect"


_CHAIN = frozenset({"&&", "||", ";", ";;", "&", "(", ")"})
_PIPE = frozenset({"|", "|&"})
_OPERATORS = ("&&", "||", "|&", ";;", "|", ";", "&", "(", ")")
_REDIRECT = re.compile(r"&>>|&>|\d*(?:>>|>&|>\||<<<|<<-|<<|<&|<>|>|<)")
_WORD_END = frozenset(" \t|&;()<>")
# Documentation writes what the reader fills in as <pod> or <PID>; a shell would read a
# redirection, but the command shown is the one with the value filled in.
_PLACEHOLDER = re.compile(r"<[A-Za-z_][\w.:/-]*>(?=[\s|&;()]|$)")


def _tokens(text: str) -> list[_Token]:
    """Split like a POSIX shell: quotes, escapes, $(...), operators, and '#' comments at a word start."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in " \t":
            pos += 1
            continue
        if char == "#":
            break
        placeholder = _PLACEHOLDER.match(text, pos)
        if placeholder is not None:
            tokens.append(_Token(placeholder.group(), placeholder.group(), "word"))
            pos = placeholder.end()
            continue
        redirect = _REDIRECT.match(text, pos)
        if redirect is not None:
            tokens.append(_Token(redirect.group(), redirect.group(), "redirect"))
            pos = redirect.end()
            continue
        operator = next((op for op in _OPERATORS if text.startswith(op, pos)), None)
        if operator is not None:
            tokens.append(_Token(operator, operator, "op"))
            pos += len(operator)
            continue
        value, end = _word(text, pos)
        tokens.append(_Token(value, text[pos:end], "word"))
        pos = end
    return tokens


def _word(text: str, pos: int) -> tuple[str, int]:
    value: list[str] = []
    while pos < len(text) and text[pos] not in _WORD_END:
        char = text[pos]
        if char == "\\":
            value.append(text[pos + 1 : pos + 2] or "\\")
            pos += 2
        elif char == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                raise _ShellSyntaxError("it has an unterminated ' quote")
            value.append(text[pos + 1 : end])
            pos = end + 1
        elif char == '"':
            pos += 1
            while True:
                if pos >= len(text):
                    raise _ShellSyntaxError('it has an unterminated " quote')
                if text[pos] == '"':
                    pos += 1
                    break
                if text[pos] == "\\" and text[pos + 1 : pos + 2] in ('"', "\\", "$", "`"):
                    value.append(text[pos + 1])
                    pos += 2
                elif text.startswith("$(", pos) or text[pos] == "`":
                    end = _substitution_end(text, pos)
                    value.append(text[pos:end])
                    pos = end
                else:
                    value.append(text[pos])
                    pos += 1
        elif text.startswith("$(", pos) or char == "`":
            end = _substitution_end(text, pos)
            value.append(text[pos:end])
            pos = end
        else:
            value.append(char)
            pos += 1
    return "".join(value), pos


def _substitution_end(text: str, pos: int) -> int:
    """The index after a ``$(...)`` or backquoted substitution starting at ``pos``."""
    if text[pos] == "`":
        end = text.find("`", pos + 1)
        if end < 0:
            raise _ShellSyntaxError("it has an unterminated ` substitution")
        return end + 1
    depth, index = 0, pos + 1
    while index < len(text):
        char = text[index]
        if char in "'\"":
            end = text.find(char, index + 1)
            if end < 0:
                raise _ShellSyntaxError(f"it has an unterminated {char} quote")
            index = end
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise _ShellSyntaxError("it has an unterminated $( substitution")


@dataclass(frozen=True)
class _Pipeline:
    """The last command of a chain: its words without wrappers, its line filters, or why it is not read."""

    words: tuple[str, ...]
    filters: tuple[str, ...] = ()
    reason: str | None = None


def _last_command(tokens: list[_Token]) -> list[_Token]:
    """The last command of a ``&&``/``||``/``;`` chain: the output shown under a chain is its."""
    commands: list[list[_Token]] = [[]]
    for token in tokens:
        if token.kind == "op" and token.text in _CHAIN:
            commands.append([])
        else:
            commands[-1].append(token)
    return next((c for c in reversed(commands) if c), [])


def _pipeline(text: str) -> _Pipeline:
    last = _last_command(_tokens(text))
    stages: list[list[_Token]] = [[]]
    for token in last:
        if token.kind == "op" and token.text in _PIPE:
            stages.append([])
        else:
            stages[-1].append(token)
    reason: str | None = None
    cleaned: list[list[_Token]] = []
    for stage in stages:
        kept, redirected = _without_redirections(stage)
        reason = reason or redirected
        cleaned.append(kept)
    words, script = _unwrap([t.text for t in cleaned[0]])
    filters: list[str] = []
    if script is not None:
        inner = _pipeline(script)
        words, filters, reason = list(inner.words), list(inner.filters), reason or inner.reason
    for stage in cleaned[1:]:
        if not stage:
            raise _ShellSyntaxError("it has a pipe '|' with no command after it")
        verdict = _filter_kind(stage)
        raw = " ".join(t.raw for t in stage)
        if verdict == "filter":
            filters.append(raw)
        elif verdict == "changes":
            reason = reason or f"its output is piped into '{raw}', which does not keep the lines as printed"
    return _Pipeline(tuple(words), tuple(filters), reason)


_STDOUT_TO_FILE = re.compile(r"^(?:1?(?:>|>>|>\|)|&>|&>>)$")
_TERMINALS = frozenset({"/dev/stdout", "/dev/tty", "/dev/fd/1"})


def _without_redirections(stage: list[_Token]) -> tuple[list[_Token], str | None]:
    """Drop redirections; say so when the output went to a file instead of the screen."""
    kept: list[_Token] = []
    reason: str | None = None
    index = 0
    while index < len(stage):
        token = stage[index]
        if token.kind != "redirect":
            kept.append(token)
            index += 1
            continue
        target = stage[index + 1] if index + 1 < len(stage) and stage[index + 1].kind == "word" else None
        if target is None:
            reason = reason or f"its redirection '{token.text}' has no target"
        elif _STDOUT_TO_FILE.match(token.text) and target.text not in _TERMINALS:
            reason = reason or f"its output is redirected to {target.text!r}, not shown"
        index += 2
    return kept, reason


_SUDO_VALUES = frozenset({"-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t", "-D", "-R", "-T", "--user", "--group"})
_NSENTER_VALUES = frozenset({"-t", "--target", "-S", "--setuid", "-G", "--setgid", "-N", "--net-socket"})
_NSENTER_FLAG = re.compile(r"^-[a-zA-Z]+$|^--[a-z-]+(=.*)?$|^-t\d+$")
_KUBECTL_VALUES = frozenset(
    {"-n", "--namespace", "-c", "--container", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server"}
)
_EXEC_VALUES = frozenset({"-u", "--user", "-e", "--env", "-w", "--workdir", "--env-file", "--detach-keys"})
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _unwrap(words: list[str]) -> tuple[list[str], str | None]:
    """Drop what runs a command without changing its output's format; a ``sh -c`` script is returned apart."""
    while words:
        if words[0].startswith("/"):
            words = [words[0].rsplit("/", 1)[1], *words[1:]]
        head = words[0]
        if _ASSIGNMENT.match(head):
            words = words[1:]
        elif head == "sudo":
            words = _drop_options(words[1:], takes_value=_SUDO_VALUES)
        elif head == "nsenter":
            words = _drop_options(words[1:], takes_value=_NSENTER_VALUES, flag_pattern=_NSENTER_FLAG)
        elif head in ("env", "command", "exec", "time", "nohup", "busybox"):
            words = _drop_options(words[1:], takes_value={"-u", "--unset"} if head == "env" else set())
        elif words[:3] == ["ip", "netns", "exec"] and len(words) > 3:
            words = words[4:]
        elif head == "kubectl":
            rest = _drop_options(words[1:], takes_value=_KUBECTL_VALUES)
            if rest[:1] != ["exec"]:
                return words, None
            if "--" in rest:
                words = rest[rest.index("--") + 1 :]
            else:
                words = _drop_options(rest[1:], takes_value=_KUBECTL_VALUES)[1:]
        elif head in ("docker", "crictl", "nerdctl", "podman") and words[1:2] == ["exec"]:
            words = _drop_options(words[2:], takes_value=_EXEC_VALUES)[1:]
        elif head == "chroot":
            words = _drop_options(words[1:], takes_value={"--userspec", "--groups"})[1:]
        elif head in _SHELLS:
            # sh -c 'ip route | grep cali': the script is a command line of its own.
            pos = 1
            while pos < len(words) and words[pos].startswith("-") and "c" not in words[pos]:
                pos += 1
            if pos + 1 < len(words) and re.fullmatch(r"-[a-z]*c[a-z]*", words[pos]):
                return [], words[pos + 1]
            return words, None
        else:
            return words, None
    return words, None


def _drop_options(
    words: list[str], takes_value: set[str] | frozenset[str], flag_pattern: re.Pattern[str] | None = None
) -> list[str]:
    pattern = flag_pattern or re.compile(r"^-")
    pos = 0
    while pos < len(words) and pattern.match(words[pos]):
        if words[pos] == "--":
            return words[pos + 1 :]
        pos += 2 if words[pos] in takes_value else 1
    return words[pos:]


# Pipe stages: ones that pass the output through, ones that keep some of its lines as
# printed (the output is still parsed, but partial), and the rest, which change it.
_PASS_THROUGH = frozenset({"tee", "less", "more", "cat"})
_LINE_FILTERS = frozenset(
    {"grep", "egrep", "fgrep", "rg", "head", "tail", "sort", "uniq", "awk", "gawk", "mawk", "nawk", "sed"}
)
# Options that make a line filter print something else than the lines it keeps.
_REWRITING_SHORT = {"grep": "clLnobHqZ", "rg": "clnobHqZ", "head": "c", "tail": "c", "uniq": "c"}
_REWRITING_LONG = frozenset(
    {
        "--count",
        "--files-with-matches",
        "--files-without-match",
        "--line-number",
        "--only-matching",
        "--byte-offset",
        "--with-filename",
        "--quiet",
        "--silent",
        "--null",
        "--bytes",
    }
)
_GREP_VALUES = "efmABCdD"


def _filter_kind(stage: list[_Token]) -> str:
    """``pass``, ``filter`` (keeps some lines as printed) or ``changes``."""
    words, script = _unwrap([t.text for t in stage])
    if script is not None or not words:
        return "changes"
    program = words[0]
    family = "grep" if program in ("egrep", "fgrep") else program
    options = words[1:]
    if program == "cat":
        return "pass" if all(o == "-" for o in options) else "changes"
    if program in _PASS_THROUGH:
        return "pass"
    if program not in _LINE_FILTERS:
        return "changes"
    if program == "sed":
        return "filter" if _sed_selects_lines(options) else "changes"
    rewriting = _REWRITING_SHORT.get(family, "")
    for option in options:
        if option == "--":
            break
        if option.startswith("--"):
            if option.split("=", 1)[0] in _REWRITING_LONG:
                return "changes"
        elif option.startswith("-") and not option[1:].isdigit():
            for letter in option[1:]:
                if letter in rewriting:
                    return "changes"
                if family in ("grep", "rg") and letter in _GREP_VALUES:
                    break
    return "filter"


# A sed command that only selects lines: an optional address or range, then p, d or q.
_SED_ADDRESS = r"(?:\d+|\$|/(?:[^/\\]|\\.)*/I?)"
_SED_SELECT = re.compile(rf"^\s*(?:{_SED_ADDRESS}(?:\s*,\s*{_SED_ADDRESS})?)?\s*!?\s*[pdq]?\s*$")


def _sed_selects_lines(options: list[str]) -> bool:
    """True when every sed command prints or drops lines as they are (``sed -n '2,5p'``), never rewrites them."""
    scripts: list[str] = []
    pos = 0
    while pos < len(options):
        word = options[pos]
        if word in ("-e", "--expression"):
            scripts.append(options[pos + 1] if pos + 1 < len(options) else "")
            pos += 2
            continue
        if word.startswith("--expression="):
            scripts.append(word.split("=", 1)[1])
        elif word.startswith("-") and word != "-":
            if any(letter in "fi" for letter in word[1:]):
                # A script file or an in-place edit: nothing here says what it does.
                return False
        elif not scripts:
            scripts.append(word)
        pos += 1
    commands = [c for script in scripts for c in re.split(r"[;\n]", script)]
    return bool(commands) and all(_SED_SELECT.match(c) for c in commands)


# --- the registry's own vocabulary: how iproute2, net-tools and bridge-utils read words ---------

# iproute2 accepts any prefix of an option or object name and takes the first that
# fits, in the order its sources list them (ip/ip.c, bridge/bridge.c).
_IP_OPTIONS = (
    "-loops",
    "-family",
    "-4",
    "-6",
    "-0",
    "-M",
    "-B",
    "-human",
    "-human-readable",
    "-iec",
    "-stats",
    "-statistics",
    "-details",
    "-resolve",
    "-oneline",
    "-timestamp",
    "-tshort",
    "-Version",
    "-force",
    "-batch",
    "-rcvbuf",
    "-color",
    "-help",
    "-netns",
    "-Numeric",
    "-all",
    "-echo",
    "-json",
    "-pretty",
    "-brief",
)
_IP_EXACT = frozenset({"-4", "-6", "-0", "-M", "-B"})
_IP_OBJECTS = (
    "address",
    "addrlabel",
    "maddress",
    "route",
    "rule",
    "neighbor",
    "neighbour",
    "ntable",
    "ntbl",
    "link",
    "l2tp",
    "fou",
    "ila",
    "macsec",
    "tunnel",
    "tuntap",
    "tap",
    "token",
    "tcpmetrics",
    "tcp_metrics",
    "monitor",
    "xfrm",
    "mroute",
    "mrule",
    "netns",
    "netconf",
    "vrf",
    "sr",
    "nexthop",
    "mptcp",
    "ioam",
    "help",
    "stats",
)
_BRIDGE_OPTIONS = (
    "-help",
    "-Version",
    "-stats",
    "-statistics",
    "-details",
    "-oneline",
    "-timestamp",
    "-family",
    "-4",
    "-6",
    "-netns",
    "-compressvlans",
    "-force",
    "-json",
    "-pretty",
    "-batch",
    "-color",
)
_BRIDGE_OBJECTS = ("link", "fdb", "mdb", "vlan", "vni", "monitor", "help")
_OPTION_VALUES = frozenset({"-loops", "-family", "-batch", "-rcvbuf", "-netns"})
# Verbs each object checks before 'list'/'show'/'lst', so that 'ip addr a' is add, not show.
_VERBS_BEFORE_SHOW = {
    "address": ("add", "change", "chg", "replace", "delete"),
    "link": ("add", "set", "change", "chg", "replace", "delete"),
    "route": ("add", "change", "chg", "replace", "prepend", "append", "test", "delete"),
}
_IP_VERBS: tuple[str, ...] = (
    *("add", "change", "chg", "replace", "prepend", "append", "test", "delete", "del", "list", "show", "lst"),
    *("get", "flush", "save", "restore", "showdump", "set", "exec", "identify", "pids", "monitor"),
)
_NET_TOOLS_LETTERS = {"route": "AeCFhnNVv46", "netstat": "ACFMacdeghilnNoprsStuUvVWw2fx64Z"}
_NET_TOOLS_NEUTRAL = {"route": "vF", "netstat": "v"}
_BRCTL_COMMANDS = frozenset(
    {
        "addbr",
        "delbr",
        "addif",
        "delif",
        "hairpin",
        "setageing",
        "setbridgeprio",
        "setfd",
        "setgcint",
        "sethello",
        "setmaxage",
        "setpathcost",
        "setportprio",
        "show",
        "showmacs",
        "showstp",
        "showvlans",
        "stp",
    }
)
# Words after 'ip addr show' / 'ip link show' / 'bridge link show' that select some
# interfaces; the listing keeps its format.
_SELECTOR_VALUES = frozenset({"dev", "scope", "to", "label", "master", "type", "vrf", "group"})
_SELECTOR_FLAGS = frozenset(
    {
        "up",
        "nomaster",
        "permanent",
        "dynamic",
        "secondary",
        "primary",
        "tentative",
        "-tentative",
        "deprecated",
        "-deprecated",
        "dadfailed",
        "-dadfailed",
        "temporary",
    }
)
_IFNAME = re.compile(r"^[^\s/|;&<>'\"]{1,15}$")


def _prefix_of(word: str, names: tuple[str, ...]) -> str | None:
    """iproute2's ``matches()``: the first name that ``word`` is a prefix of."""
    return next((n for n in names if word and n.startswith(word)), None)


@dataclass(frozen=True)
class _Key:
    """A command reduced to what decides its output's format, plus the words that only select lines."""

    words: tuple[str, ...]
    selection: tuple[str, ...] = ()


def _key(words: tuple[str, ...]) -> _Key | None:
    if not words:
        return None
    if words[0] in ("ip", "bridge"):
        return _iproute2_key(words)
    if words[0] in _NET_TOOLS_LETTERS and len(words) > 1:
        # getopt: '-rn', '-nr', '-r -n' and '-rnn' are one request; '-v' (verbose) and
        # route's '-F' (the default table) leave the table's format as it is.
        letters = _NET_TOOLS_LETTERS[words[0]]
        if all(re.fullmatch(f"-[{letters}]+", w) for w in words[1:]):
            asked = set("".join(w[1:] for w in words[1:])) - set(_NET_TOOLS_NEUTRAL[words[0]])
            return _Key((words[0], "-" + "".join(sorted(asked))))
        return None
    if words[:2] == ("brctl", "show") and len(words) > 2:
        if all(_IFNAME.match(w) for w in words[2:]):
            return _Key(words[:2], words[2:])
        return None
    return _Key(words)


def _iproute2_key(words: tuple[str, ...]) -> _Key | None:
    program = words[0]
    names = _IP_OPTIONS if program == "ip" else _BRIDGE_OPTIONS
    objects = _IP_OBJECTS if program == "ip" else _BRIDGE_OBJECTS
    options: set[str] = set()
    family: list[str] = []
    pos = 1
    while pos < len(words) and words[pos].startswith("-"):
        word = words[pos][1:] if words[pos].startswith("--") else words[pos]
        name = word if word in _IP_EXACT else _prefix_of(word.split("=", 1)[0], names)
        if name is None or (name in _IP_EXACT and word != name):
            return None
        if name in _OPTION_VALUES:
            if pos + 1 >= len(words):
                return None
            if name == "-family":
                family.append({"inet": "-4", "inet6": "-6"}.get(words[pos + 1], "-family " + words[pos + 1]))
            pos += 2
            continue
        if name in ("-4", "-6"):
            family.append(name)
        elif name != "-color":
            # Colours never reach a capture: a terminal copies text without them, and the
            # loader refuses the escape codes a redirected 'ip -c' would write.
            options.add({"-statistics": "-stats", "-human-readable": "-human"}.get(name, name))
        pos += 1
    if pos >= len(words):
        return None
    obj = _prefix_of(words[pos], objects)
    if obj is None:
        return None
    rest = words[pos + 1 :]
    verb: tuple[str, ...] = ()
    if obj in _VERBS_BEFORE_SHOW or program == "bridge":
        before = _VERBS_BEFORE_SHOW.get(obj, ())
        if not rest:
            verb = ("show",)
        elif not _prefix_of(rest[0], before) and _prefix_of(rest[0], ("list", "show", "lst")):
            verb, rest = ("show",), rest[1:]
    selection: tuple[str, ...] = ()
    if obj in ("address", "link") and verb and rest:
        selection = _selectors(rest)
        if not selection:
            return None
        rest = ()
    if family and obj in ("address", "link"):
        selection = (*family, *selection)
        family = []
    head = (program, *sorted(options), *family)
    return _Key((*head, obj, *verb, *rest), selection)


def _selectors(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words of an interface selection (``dev eth0``, ``type veth``), or () when they are something else."""
    pos, seen = 0, set()
    while pos < len(words):
        word = words[pos]
        if word in _SELECTOR_VALUES:
            key, pos = word, pos + 2
            if pos > len(words):
                return ()
        elif word in _SELECTOR_FLAGS:
            key, pos = word, pos + 1
        elif _IFNAME.match(word):
            # A bare word names the device, as 'dev NAME' does.
            key, pos = "dev", pos + 1
        else:
            return ()
        if key in seen:
            return ()
        seen.add(key)
    return words


def _index(registry: tuple[Parser, ...]) -> dict[tuple[str, ...], Parser]:
    """Each spelling's key -> its parser; a spelling that reduces to nothing, or to another parser's key, is a bug."""
    index: dict[tuple[str, ...], Parser] = {}
    for parser in registry:
        for spelling in parser.spellings:
            key = _key(tuple(spelling.split()))
            if key is None or key.selection:
                raise AssertionError(f"spelling {spelling!r} of {parser.command!r} does not reduce to a key")
            if index.setdefault(key.words, parser) is not parser:
                raise AssertionError(f"spelling {spelling!r} is claimed by two parsers")
    return index


_BY_KEY = _index(PARSERS)
_SPELLINGS: tuple[tuple[Parser, str], ...] = tuple((p, s) for p in PARSERS for s in p.spellings)


def _lookup(words: tuple[str, ...]) -> tuple[Parser, str] | None:
    """The parser for a command's words, and the selection (``dev eth0``) that leaves interfaces out."""
    key = _key(words)
    if key is None:
        return None
    parser = _BY_KEY.get(key.words)
    if parser is None:
        return None
    return parser, " ".join(key.selection)


# --- suggestions --------------------------------------------------------------------------------

_KEYBOARD = ("1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./")


def _neighbours() -> dict[str, frozenset[str]]:
    """Keys next to each key on a QWERTY keyboard (rows are staggered by half a key)."""
    out: dict[str, set[str]] = {}
    for row, keys in enumerate(_KEYBOARD):
        for col, key in enumerate(keys):
            near = out.setdefault(key, set())
            for r, cols in ((row, (col - 1, col + 1)), (row - 1, (col, col + 1)), (row + 1, (col - 1, col))):
                if 0 <= r < len(_KEYBOARD):
                    near.update(_KEYBOARD[r][c] for c in cols if 0 <= c < len(_KEYBOARD[r]))
    return {k: frozenset(v) for k, v in out.items()}


_NEAR_KEYS = _neighbours()


def _one_slip(typed: str, wanted: str) -> bool:
    """True when one slip of a finger turns ``wanted`` into ``typed``.

    A slip is a neighbouring key or the other case, two letters swapped, one letter
    doubled or left out, or a missing/extra option dash. Nothing touches a word's first
    letter: people rarely mistype it, and a different first letter usually makes a
    different word (``ip maddr`` is not ``ip addr``).
    """
    if typed == wanted:
        return False
    if typed == wanted.lstrip("-") or wanted == typed.lstrip("-"):
        return wanted.startswith("-") != typed.startswith("-")
    if len(typed) == len(wanted):
        diffs = [i for i, (a, b) in enumerate(zip(typed, wanted, strict=True)) if a != b]
        if diffs[0] == 0:
            return False
        if len(diffs) == 1:
            a, b = typed[diffs[0]], wanted[diffs[0]]
            return a.lower() == b.lower() or a.lower() in _NEAR_KEYS.get(b.lower(), frozenset())
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and typed[diffs[0]] == wanted[diffs[1]]
            and typed[diffs[1]] == wanted[diffs[0]]
        )
    longer, shorter = (typed, wanted) if len(typed) > len(wanted) else (wanted, typed)
    if len(longer) != len(shorter) + 1:
        return False
    return any(longer[:i] + longer[i + 1 :] == shorter for i in range(1, len(longer)))


def _known_word(program: str, word: str) -> bool:
    """True when ``word`` means something to ``program``: then it is another command, not a slip."""
    if program in ("ip", "bridge"):
        names = _IP_OPTIONS if program == "ip" else _BRIDGE_OPTIONS
        objects = _IP_OBJECTS if program == "ip" else _BRIDGE_OBJECTS
        bare = word[1:] if word.startswith("--") else word
        if bare.startswith("-"):
            return bare in _IP_EXACT or _prefix_of(bare.split("=", 1)[0], names) is not None
        return _prefix_of(word, objects) is not None or _prefix_of(word, _IP_VERBS) is not None
    if program in _NET_TOOLS_LETTERS:
        return re.fullmatch(f"-[{_NET_TOOLS_LETTERS[program]}]+|--[a-z-]+", word) is not None
    if program == "brctl":
        return word in _BRCTL_COMMANDS
    return False


def _suggest(core: str) -> str | None:
    """The spelling ``core`` is one slip away from, if exactly one word differs; else None.

    Commands that are valid but different (``ip rule``, ``ip -6 addr``, ``netstat -tn``)
    never get a suggestion: a word the program knows is not a slip.
    """
    words = tuple(core.split())
    if not words:
        return None
    lowered = tuple(w.lower() for w in words)
    if lowered != words and _lookup(lowered) is not None:
        return " ".join(lowered)
    squeezed = "".join(words)
    candidates: dict[Parser, str] = {}
    for parser, spelling in _SPELLINGS:
        wanted = tuple(spelling.split())
        if "".join(wanted) == squeezed:
            return spelling
        if len(wanted) != len(words):
            continue
        differing = [i for i, (a, b) in enumerate(zip(words, wanted, strict=True)) if a != b]
        if len(differing) != 1:
            continue
        index = differing[0]
        if index > 0 and _known_word(words[0], words[index]):
            continue
        if _one_slip(words[index], wanted[index]):
            candidates.setdefault(parser, spelling)
    # One slip away from two commands: no telling which was meant.
    return next(iter(candidates.values())) if len(candidates) == 1 else None
