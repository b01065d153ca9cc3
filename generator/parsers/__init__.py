"""The parsers: one module per command, an explicit registry (:mod:`.registry`), and the
matcher that reads a command as people publish it (:mod:`.matcher`). Callers import from here.
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
