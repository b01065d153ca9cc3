"""Benchmark: diagram rendering, one dot per graph (serial, parallel) vs one batch vs the cache.

Run with ``make bench``. The site renders one ``dot`` per graph, in parallel: a batched
``dot -Tsvg -O a.dot b.dot ...`` is faster but orders clusters differently from run to
run, so the site would not be reproducible. This prints what that choice costs, as
ratios measured in one run (the machine is shared and noisy; absolute times drift).
The graphs are the series diagrams, each copied under distinct graph ids so every one
is a separate SVG.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generator import capture, diagrams, pipeline

ROOT = Path(__file__).resolve().parents[2]
COPIES = 25  # 4 captures x 25 = 100 graphs


def _sources() -> dict[str, str]:
    captures = ROOT / "captures"
    base = {
        p.parent.name: diagrams.dot_source(diagrams.node_graph(pipeline.analyse(p, captures)))
        for p in capture.discover([captures])
    }
    return {
        f"{name}-{i:03d}": source.replace("fg-", f"fg{i:03d}-") for i in range(COPIES) for name, source in base.items()
    }


def _batched(sources: dict[str, str], work: Path) -> None:
    """What the site did before: every graph in one dot process (not reproducible)."""
    dot = diagrams.find_dot()
    paths = []
    for name, source in sorted(sources.items()):
        path = work / f"{name}.dot"
        path.write_text(source, encoding="utf-8")
        paths.append(str(path))
    subprocess.run([dot, "-Tsvg", "-O", *paths], check=True)


def _time(fn: Callable[[], None], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    sources = _sources()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        counter = iter(range(1000))

        def fresh() -> Path:
            path = base / f"run-{next(counter)}"
            path.mkdir()
            return path

        def serial() -> None:
            work = fresh()
            diagrams.render(sources, work / "out", work / "cache", workers=1)

        def parallel() -> None:
            work = fresh()
            diagrams.render(sources, work / "out", work / "cache")

        def batched() -> None:
            _batched(sources, fresh())

        warm = base / "warm-cache"
        diagrams.render(sources, base / "warm-out", warm)

        def cached() -> None:
            diagrams.render(sources, fresh() / "out", warm)

        t_serial = _time(serial)
        t_parallel = _time(parallel)
        t_batch = _time(batched)
        t_cached = _time(cached)
    n = len(sources)
    print(f"{n} graphs, {os.cpu_count()} cores (median of 3 runs each)")
    print(f"  one dot per graph, serial   : {t_serial:.3f} s ({1000 * t_serial / n:.1f} ms/graph)")
    print(f"  one dot per graph, parallel : {t_parallel:.3f} s  <- what the site does")
    print(f"  one batched dot             : {t_batch:.3f} s  (not reproducible)")
    print(f"  cached (no dot)             : {t_cached:.3f} s")
    print(f"  serial / parallel  : {t_serial / t_parallel:.2f}x")
    print(f"  parallel / batched : {t_parallel / t_batch:.2f}x (the price of reproducible clusters)")
    print(f"  parallel / cached  : {t_parallel / t_cached:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
