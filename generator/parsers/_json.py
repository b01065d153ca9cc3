"""The one JSON reader of the ``ip -j`` parsers: every value knows the offset it came from.

iproute2's JSON (``ip -j addr``, ``ip -j -d link``, ``ip -j route``) is a top-level array
of objects. The records and the error messages need the capture line of every object
and of every key, which :mod:`json` does not keep, so this reader walks the text itself:

* objects are :class:`JsonObject` (a ``dict`` with ``pos``, the offset of its ``{``, and
  ``key_pos``, the offset of each key), arrays are :class:`JsonArray` (a ``list`` with
  ``pos`` and ``item_pos``); strings, numbers, ``true``, ``false`` and ``null`` are the
  plain Python values :func:`json.loads` gives;
* it is iterative, with a depth limit (:data:`MAX_DEPTH`), so a hostile input nested
  100,000 deep gets a located message instead of a ``RecursionError``;
* it is strict RFC 8259 JSON (no ``NaN``, no trailing commas, no duplicate keys), and
  every complaint names the line, the column, the found character, the place in the
  document (``an address object in 'addr_info' of an interface object``) and what was
  expected there, in one wording for all three commands;
* the author's elision lines (``.``/``...``) are recorded as
  :class:`~generator.parsers._common.Elision` records. Where they may stand is the
  parser's choice (:class:`ElisionRule`): ``BETWEEN_ITEMS`` allows them only between
  the top-level objects (a ``,`` dangling next to one is forgiven; inside an object
  they are an error, since the object would be silently incomplete); ``AS_BLANK``
  reads them as blank lines anywhere, so the JSON around them must be valid without
  them.
"""

from __future__ import annotations

import bisect
import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NoReturn

from generator.parsers._common import Elision, Origin, is_elision

# iproute2 nests a few levels (ip -j -d link: the array, an interface, vfinfo_list, a VF,
# its vlan_list, a VLAN: six); this leaves room for any real output and stops hostile nesting.
MAX_DEPTH = 32
# CPython refuses to convert longer digit strings to int (sys.get_int_max_str_digits).
MAX_DIGITS = 4300

_BLANKS = " \t\r\n"
_SIMPLE_STRING = re.compile(r'"([^"\\\x00-\x1f]*)"')
_STRING_BODY = re.compile(r'(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*')
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))
_VALUE = "a JSON value (a string, number, object, array, true, false or null)"


class JsonObject(dict[str, Any]):
    """A JSON object. ``pos`` is the offset of its ``{``; ``key_pos`` maps each key to its offset."""

    __slots__ = ("key_pos", "pos")

    def __init__(self, pos: int) -> None:
        super().__init__()
        self.pos = pos
        self.key_pos: dict[str, int] = {}


class JsonArray(list[Any]):
    """A JSON array. ``pos`` is the offset of its ``[``; ``item_pos`` holds each item's offset."""

    __slots__ = ("item_pos", "pos")

    def __init__(self, pos: int) -> None:
        super().__init__()
        self.pos = pos
        self.item_pos: list[int] = []


class ElisionRule(enum.Enum):
    """Where an author's ``.``/``...`` line may stand in the JSON."""

    BETWEEN_ITEMS = "between the top-level objects only"
    AS_BLANK = "anywhere, read as a blank line"


@dataclass
class JsonDocument:
    """A read ``ip -j`` output: its top-level objects, its elisions and offset-to-line mapping."""

    text: str
    origin: Origin
    items: list[JsonObject] = field(default_factory=list)
    elisions: list[Elision] = field(default_factory=list)
    line_starts: list[int] = field(default_factory=list)
    text_end: int = 0  # the offset after the last character that is not blank

    def __post_init__(self) -> None:
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at >= 0:
            starts.append(at + 1)
            at = find("\n", at + 1)
        self.line_starts = starts
        self.text_end = len(self.text.rstrip())

    def index_of(self, pos: int) -> int:
        """The 0-based output line holding offset ``pos``."""
        # An error at the very end points at the last line that has text.
        end = self.text_end
        pos = max(0, min(pos, end - 1)) if end else 0
        return bisect.bisect_right(self.line_starts, pos) - 1

    def line_of(self, pos: int) -> int:
        """The file line of offset ``pos``."""
        return self.origin.line_of(self.index_of(pos))

    def source(self, index: int) -> str:
        start = self.line_starts[index]
        end = self.line_starts[index + 1] - 1 if index + 1 < len(self.line_starts) else len(self.text)
        return self.text[start:end].removesuffix("\r")

    def column(self, pos: int) -> int:
        return pos - self.line_starts[self.index_of(pos)] + 1

    def fail(self, pos: int, message: str) -> NoReturn:
        """Raise a located ParseError for offset ``pos``, showing its line."""
        index = self.index_of(pos)
        self.origin.fail(index, message, self.source(index))


def read(
    text: str, origin: Origin, *, command: str, element: str, nouns: dict[str, str], elisions: ElisionRule
) -> JsonDocument:
    """Read the whole top-level array of ``element`` objects that ``command`` prints.

    ``nouns`` names the objects inside the arrays of some keys, for messages:
    ``{"addr_info": "address"}`` makes them ``an address object in 'addr_info' of ...``.
    A syntax error anywhere is raised before the caller sees any object.
    """
    doc, objects = read_each(text, origin, command=command, element=element, nouns=nouns, elisions=elisions)
    for _ in objects:
        pass
    return doc


def read_each(
    text: str, origin: Origin, *, command: str, element: str, nouns: dict[str, str], elisions: ElisionRule
) -> tuple[JsonDocument, Iterator[JsonObject]]:
    """As :func:`read`, but yielding each top-level object as soon as it is read.

    A caller that checks each object as it comes reports the first problem in document
    order, whether it is one of syntax or of content. ``doc.items`` and ``doc.elisions``
    fill up as the iterator runs.
    """
    reader = _Reader(text, origin, command, element, nouns, elisions)
    return reader.doc, reader.objects()


def article(noun: str) -> str:
    return f"an {noun}" if noun[:1] in "aeiou" else f"a {noun}"


@dataclass
class _Frame:
    """An open container: the value being filled, where it is (for messages), its pending key."""

    value: JsonObject | JsonArray
    where: str
    noun: str = ""
    key: str = ""


class _Reader:
    def __init__(
        self, text: str, origin: Origin, command: str, element: str, nouns: dict[str, str], elisions: ElisionRule
    ) -> None:
        self.doc = JsonDocument(text=text, origin=origin)
        self.text = text
        self.end = len(text)
        self.command = command
        self.element = element
        self.nouns = nouns
        self.blank_elisions = elisions is ElisionRule.AS_BLANK

    # -- blanks, elisions and complaints ---------------------------------------------

    def skip(self, pos: int, *, elisions: bool = False) -> int:
        """Skip blanks; with ``elisions`` (or under AS_BLANK), also whole ``.``/``...`` lines, recording them."""
        text = self.text
        while pos < self.end:
            char = text[pos]
            if char in _BLANKS:
                pos += 1
                continue
            if char == "." and (elisions or self.blank_elisions):
                index = self.doc.index_of(pos)
                line = self.doc.source(index)
                if is_elision(line):
                    self.doc.elisions.append(Elision(line=self.doc.origin.line_of(index), text=line.strip()))
                    starts = self.doc.line_starts
                    pos = starts[index + 1] if index + 1 < len(starts) else self.end
                    continue
            break
        return pos

    def expected(self, pos: int, what: str, where: str) -> NoReturn:
        doc = self.doc
        if pos >= self.end:
            doc.fail(pos, f"the output ends inside {where}; expected {what}")
        if is_elision(doc.source(doc.index_of(pos))):
            doc.fail(pos, f"an elision inside {where}; expected elisions only between {self.element} objects")
        doc.fail(
            pos, f"not valid JSON: found {self.text[pos]!r} at column {doc.column(pos)} in {where}; expected {what}"
        )

    # -- the top-level array -----------------------------------------------------------

    def objects(self) -> Iterator[JsonObject]:
        doc, text = self.doc, self.text
        pos = self.skip(0, elisions=True)
        if pos >= self.end:
            return
        if text[pos] != "[":
            doc.fail(
                pos,
                f"found {text[pos]!r} where the JSON array should start; "
                f"expected '[' (this reads the JSON array '{self.command}' prints, not the text form)",
            )
        pos += 1
        noun = article(self.element)
        need_separator = False  # an object was read and no ',' yet
        comma_pending = False  # a ',' was read and no object yet
        while True:
            before = len(doc.elisions)
            pos = self.skip(pos, elisions=True)
            # An elision standing for whole objects excuses a missing or dangling ','.
            elided = not self.blank_elisions and len(doc.elisions) > before
            char = text[pos] if pos < self.end else ""
            if char == ",":
                if not need_separator:
                    doc.fail(pos, f"a ',' with no {self.element} object before it; expected '{{' or ']'")
                need_separator, comma_pending = False, True
                pos += 1
            elif char == "]":
                if comma_pending and not elided:
                    doc.fail(pos, f"a ',' right before ']'; expected another {self.element} object after it")
                pos += 1
                break
            elif char == "{":
                if need_separator and not elided:
                    doc.fail(pos, f"two {self.element} objects with no ',' between them; expected ','")
                value, pos = self.value(pos, f"{noun} object")
                doc.items.append(value)
                yield value
                need_separator, comma_pending = True, False
            elif not char:
                doc.fail(pos, f"the output ends inside the JSON array; expected ']' after the last {self.element}")
            else:
                doc.fail(
                    pos,
                    f"found {char!r} at column {doc.column(pos)} in the JSON array; "
                    f"expected {noun} object '{{', ',' or ']'",
                )
        pos = self.skip(pos, elisions=True)
        if pos < self.end:
            doc.fail(pos, f"found {text[pos]!r} after the end of the JSON array; expected nothing after ']'")

    # -- any value, iteratively ----------------------------------------------------------

    def value(self, pos: int, where: str) -> tuple[Any, int]:
        """Read the value at ``pos`` (described as ``where``); return it and the offset after it.

        Containers are kept on an explicit stack, not the Python call stack, and no
        deeper than MAX_DEPTH (the top-level array counts as one level).
        """
        text, end = self.text, self.end
        stack: list[_Frame] = []
        value: Any
        while True:
            # pos is at the start of a value described by where.
            char = text[pos] if pos < end else ""
            if char in ("{", "["):
                # The top-level array, the open containers, and this one.
                if len(stack) + 2 > MAX_DEPTH:
                    self.doc.fail(
                        pos,
                        f"JSON nested deeper than {MAX_DEPTH} levels at column {self.doc.column(pos)}; "
                        f"expected at most {MAX_DEPTH} (iproute2 nests a few levels)",
                    )
                container: JsonObject | JsonArray = JsonObject(pos) if char == "{" else JsonArray(pos)
                frame = _Frame(value=container, where=where, noun=self.nouns.get(stack[-1].key, "") if stack else "")
                pos = self.skip(pos + 1)
                closing = "}" if char == "{" else "]"
                if pos < end and text[pos] == closing:
                    value, pos = container, pos + 1
                else:
                    stack.append(frame)
                    if isinstance(container, JsonObject):
                        pos = self.key(frame, pos)
                        where = f"{frame.key!r} of {frame.where}"
                    else:
                        container.item_pos.append(pos)
                        where = self.item_where(frame, pos)
                    continue
            elif char == '"':
                value, pos = self.string(pos, where)
            elif char == "-" or "0" <= char <= "9":
                value, pos = self.number(pos, where)
            else:
                for word, literal in _LITERALS:
                    if text.startswith(word, pos):
                        value, pos = literal, pos + len(word)
                        break
                else:
                    self.expected(pos, _VALUE, where)
            # A value is complete: put it in its container and close containers that end.
            while True:
                if not stack:
                    return value, pos
                frame = stack[-1]
                container = frame.value
                pos = self.skip(pos)
                char = text[pos] if pos < end else ""
                if isinstance(container, JsonObject):
                    container[frame.key] = value
                    if char == ",":
                        pos = self.key(frame, self.skip(pos + 1))
                        where = f"{frame.key!r} of {frame.where}"
                        break
                    if char != "}":
                        self.expected(pos, "',' or '}'", frame.where)
                else:
                    container.append(value)
                    if char == ",":
                        pos = self.skip(pos + 1)
                        container.item_pos.append(pos)
                        where = self.item_where(frame, pos)
                        break
                    if char != "]":
                        self.expected(pos, "',' or ']'", frame.where)
                stack.pop()
                value, pos = container, pos + 1

    def item_where(self, frame: _Frame, pos: int) -> str:
        """How to name an array item in messages: ``an address object in 'addr_info' of ...``."""
        if pos < self.end and self.text[pos] == "{":
            return f"{article(frame.noun + ' object' if frame.noun else 'object')} in {frame.where}"
        if pos < self.end and self.text[pos] == "[":
            return f"an array in {frame.where}"
        return f"an item of {frame.where}"

    def key(self, frame: _Frame, pos: int) -> int:
        """Read ``"key":`` inside ``frame``'s object; set ``frame.key``; return the offset of the value."""
        text = self.text
        obj = frame.value
        assert isinstance(obj, JsonObject)
        if pos >= self.end or text[pos] != '"':
            self.expected(pos, "a key in double quotes", frame.where)
        key, after = self.string(pos, frame.where)
        if key in obj.key_pos:
            self.doc.fail(pos, f"key {key!r} appears twice in {frame.where}; expected each key once")
        obj.key_pos[key] = pos
        after = self.skip(after)
        if after >= self.end or text[after] != ":":
            self.expected(after, f"':' after key {key!r}", frame.where)
        frame.key = key
        return self.skip(after + 1)

    # -- scalars -------------------------------------------------------------------------

    def string(self, pos: int, where: str) -> tuple[str, int]:
        simple = _SIMPLE_STRING.match(self.text, pos)
        if simple:
            return simple[1], simple.end()
        body = _STRING_BODY.match(self.text, pos + 1)
        assert body is not None  # the pattern matches the empty string
        body_end = body.end()
        if body_end >= self.end or self.text[body_end] != '"':
            if body_end < self.end and self.text[body_end] == "\\":
                what = 'a JSON escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t or \\u and four hex digits)'
            else:
                what = "the closing '\"' of the string (control characters must be escaped)"
            self.expected(body_end, what, where)
        # Its escapes are valid (checked above), so json decodes it without complaint.
        decoded: str = json.loads(self.text[pos : body_end + 1])
        return decoded, body_end + 1

    def number(self, pos: int, where: str) -> tuple[int | float, int]:
        match = _NUMBER.match(self.text, pos)
        if not match:
            self.expected(pos, _VALUE, where)
        token = match[0]
        if match[1] or match[2]:
            return float(token), match.end()
        if len(token) > MAX_DIGITS:
            self.doc.fail(
                pos,
                f"a number of {len(token)} digits at column {self.doc.column(pos)} in {where}; "
                f"expected at most {MAX_DIGITS} digits",
            )
        return int(token), match.end()
