"""The node-side collector (``collect.sh``, shipped in the package) and what its transcripts look like.

The script runs on a node with nothing but a POSIX shell and iproute2 and prints one
transcript; :mod:`generator.importer` turns a transcript into a capture. The format is
described at the top of the script, the one place both sides read it from.
"""

from __future__ import annotations

from importlib import resources

SCRIPT = "collect.sh"
# The transcript's first line: 'fieldguide-transcript <version> boundary <token>'.
MAGIC = "fieldguide-transcript"
VERSION = "1"


def script() -> str:
    """The collector's source, as shipped."""
    return resources.files("generator").joinpath(SCRIPT).read_text(encoding="utf-8")
