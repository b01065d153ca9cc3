"""Benchmark: our strict parsers against jc 1.26.1 on the same large inputs, in-process.

Run with ``make bench`` or ``python -m tests.benchmarks.bench_parsers``. The inputs are
built from real fixture lines (``tests/fixtures/``) repeated with varied addresses, so
every row is well-formed output a kernel could print: 20,000 rows of ``route -n``,
20,000 lines of ``ip route``, as many of ``ip -6 route`` and 2,000 interfaces of ``ip addr`` (jc has no parser for
the last one, so only ours is timed). Each round runs ours then jc's on the same text,
alternating, and the medians of their CPU times are compared, because the machine is
shared and noisy.

jc is not a project dependency: ``make bench`` installs the pinned version into a scratch
folder (``.bench/jc-1.26.1``) and points ``$JC_PATH`` at it. Run alone, the benchmark
looks for jc on the normal import path, then in ``$JC_PATH`` (default ``/tmp/jc``),
appended last so the project's own packages keep precedence; a jc of another version is
named in the report.
"""

from __future__ import annotations

import functools
import gc
import importlib
import ipaddress
import os
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from generator.parsers import Origin, ip_addr, ip_route, route_n

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ROUTE_ROWS = 20_000
IP_ROUTE_LINES = 20_000
INTERFACES = 2_000
ROUNDS = 11
JC_VERSION = "1.26.1"
_HEADER = re.compile(r"^(\d+): ([^:@ ]+)")
JC_HINT = f"jc not found: make bench installs it, or pip install --target /tmp/jc jc=={JC_VERSION} (or set JC_PATH)"


def _fixture_lines(slug: str, case: str) -> list[str]:
    return (FIXTURES / slug / f"{case}.txt").read_text(encoding="utf-8").splitlines()


def _varied(index: int, prefix_length: int, base: int) -> str:
    """The ``index``-th network of length ``prefix_length`` counted up from ``base``."""
    host_bits = 32 - prefix_length
    return str(ipaddress.IPv4Address((base + (index << host_bits)) & 0xFFFFFFFF))


def route_n_input(rows: int = ROUTE_ROWS) -> str:
    """``route -n`` of a Calico node, its rows repeated with the destinations varied."""
    lines = _fixture_lines("route-n", "published-kubenet-calico")
    header, templates = lines[:2], lines[2:]
    out = list(header)
    for index in range(rows):
        template = templates[index % len(templates)]
        tokens = template.split()
        prefix_length = bin(int(ipaddress.IPv4Address(tokens[2]))).count("1")
        destination = "0.0.0.0" if prefix_length == 0 else _varied(index, prefix_length, 10 << 24)
        # Keep the printer's column layout: the destination column is 15 wide plus a blank.
        out.append(f"{destination:<15} {template[16:]}")
    return "\n".join(out) + "\n"


def ip_route_input(count: int = IP_ROUTE_LINES) -> str:
    """``ip route`` lines from two real outputs, destinations varied, other words kept."""
    templates = _fixture_lines("ip-route", "calico-node") + _fixture_lines("ip-route", "published-jc-centos77")
    out = []
    for index in range(count):
        tokens = templates[index % len(templates)].split(" ")
        at = 1 if tokens[0] == "blackhole" else 0
        destination = tokens[at]
        if destination != "default":
            _address, _, length = destination.partition("/")
            prefix_length = int(length) if length else 32
            varied = _varied(index, prefix_length, 10 << 24)
            tokens[at] = f"{varied}/{length}" if length else varied
        out.append(" ".join(tokens))
    return "\n".join(out) + "\n"


def ip6_route_input(count: int = IP_ROUTE_LINES) -> str:
    """``ip -6 route`` lines of a real output, destinations varied in 2001:db8::/32, other words kept."""
    templates = _fixture_lines("ip-route", "ipv6")
    base = 0x2001_0DB8 << 96
    out = []
    for index in range(count):
        tokens = templates[index % len(templates)].split(" ")
        at = 1 if tokens[0] in ip_route.ROUTE_TYPES else 0
        destination = tokens[at]
        if destination != "default":
            _address, slash, length = destination.partition("/")
            prefix_length = int(length) if slash else 128
            network = (base + (index << (128 - prefix_length))) & ~((1 << (128 - prefix_length)) - 1)
            varied = ipaddress.IPv6Network((network & ((1 << 128) - 1), prefix_length))
            tokens[at] = varied.with_prefixlen if slash else str(varied.network_address)
        out.append(" ".join(tokens))
    return "\n".join(out) + "\n"


def ip_addr_input(count: int = INTERFACES) -> str:
    """``ip addr`` of a node with ``count`` interfaces: the real eth0 and veth blocks, renumbered."""
    lines = _fixture_lines("ip-addr", "published-kubenet-calico-host")
    blocks: list[list[str]] = []
    for line in lines:
        if _HEADER.match(line):
            blocks.append([line])
        elif blocks and line[:1].isspace():
            blocks[-1].append(line)
    templates = [b for b in blocks if _HEADER.match(b[0])[2] != "lo"]  # type: ignore[index]
    out = []
    for index in range(count):
        block = templates[index % len(templates)]
        match = _HEADER.match(block[0])
        assert match is not None
        name = f"{match[2]}{index}"
        out.append(f"{index + 2}: {name}{block[0][match.end(2) :]}")
        for line in block[1:]:
            tokens = line.split(" ")
            if "inet" in tokens:
                at = tokens.index("inet") + 1
                length = tokens[at].split("/")[1]
                tokens[at] = f"{_varied(index, 32, 10 << 24)}/{length}"
                if "brd" in tokens:
                    tokens[tokens.index("brd") + 1] = "10.255.255.255"
                if match[2] in tokens:
                    tokens[tokens.index(match[2])] = name
            out.append(" ".join(tokens))
    return "\n".join(out) + "\n"


def _load_jc() -> ModuleType | None:
    # Imported by name: jc is optional and never a project dependency.
    try:
        return importlib.import_module("jc")
    except ImportError:
        sys.path.append(os.environ.get("JC_PATH", "/tmp/jc"))
    try:
        return importlib.import_module("jc")
    except ImportError:
        return None


def _once(fn: Callable[[], object]) -> float:
    """CPU seconds of one call: on a shared machine, time spent waiting for a core is not the parser's."""
    gc.collect()
    start = time.process_time()
    fn()
    return time.process_time() - start


def _rounds(ours: Callable[[], object], theirs: Callable[[], object] | None) -> tuple[float, float | None]:
    mine: list[float] = []
    jcs: list[float] = []
    for _ in range(ROUNDS):
        mine.append(_once(ours))
        if theirs is not None:
            jcs.append(_once(theirs))
    return statistics.median(mine), statistics.median(jcs) if jcs else None


def main() -> int:
    jc = _load_jc()
    cases: list[tuple[str, str, Callable[..., object], str | None]] = [
        ("route -n", route_n_input(), route_n.parse, "route"),
        ("ip route", ip_route_input(), ip_route.parse_text, "ip_route"),
        ("ip -6 route", ip6_route_input(), ip_route.parse_text, "ip_route"),
        ("ip addr", ip_addr_input(), ip_addr.parse, None),
    ]
    if jc is None:
        print(JC_HINT)
    else:
        found = f"jc {jc.__version__} from {Path(str(jc.__file__)).parent.parent}"
        print(found if jc.__version__ == JC_VERSION else f"{found} (not the pinned {JC_VERSION}: ratios may differ)")
    print(f"CPU time, medians of {ROUNDS} alternating rounds, in-process")
    print(f"  {'command':<9} {'lines':>6} {'ours':>9} {'jc':>9} {'ours/jc':>8} {'us/line':>8}")
    for command, text, parse, jc_name in cases:
        origin = Origin(file="bench.txt", command=command)
        count = text.count("\n")
        parse(text, origin=origin)  # warm caches and check the input is valid
        theirs = None
        if jc is not None and jc_name is not None:
            theirs = functools.partial(jc.parse, jc_name, text, quiet=True)
        ours_s, jc_s = _rounds(functools.partial(parse, text, origin=origin), theirs)
        jc_text = f"{1000 * jc_s:7.1f}ms" if jc_s is not None else f"{'-':>9}"
        ratio = f"{ours_s / jc_s:7.2f}x" if jc_s is not None else f"{'-':>8}"
        print(f"  {command:<9} {count:>6} {1000 * ours_s:7.1f}ms {jc_text} {ratio} {1e6 * ours_s / count:8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
