"""The parser registry, and the matcher that reads a command as people publish it.

The registry is an explicit list of parsers, each with the spellings it reads. A
section's command is copied from an article or a terminal, so :func:`match` first
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

from generator.parsers._common import Elision, Origin, Record, records_to_json
from generator.parsers.matcher import CommandMatch, command_words, find, match, normalize, split_prompt
from generator.parsers.registry import PARSERS, Parser, by_command, by_slug

__all__ = [
    "PARSERS",
    "CommandMatch",
    "Elision",
    "Origin",
    "Parser",
    "Record",
    "by_command",
    "by_slug",
    "command_words",
    "find",
    "match",
    "normalize",
    "records_to_json",
    "split_prompt",
]
