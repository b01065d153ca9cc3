"""Benchmark: diagram rendering, one dot process per graph vs one batch vs the cache.

Run with ``make bench``. Prints absolute times and, because the machine is shared
and noisy, the ratios that matter. The graphs are the four series diagrams, each
copied under distinct graph ids so every one is a separate SVG.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generator import capture, diagrams, pipeline

ROOT = Path(__file__).resolve().parents[2]
COPIES = 50  # 4 captures x 50 = 200 graphs


def _sources() -> dict[str, str]:
    captures = ROOT / "captures"
    base = {
        p.parent.name: diagrams.dot_source(diagrams.node_graph(pipeline.analyse(p, captures)))
        for p in capture.discover([captures])
    }
    return {
        f"{name}-{i:03d}": source.replace("fg-", f"fg{i:03d}-") for i in range(COPIES) for name, source in base.items()
    }


def _one_process_per_graph(sources: dict[str, str], work: Path) -> None:
    dot = diagrams.find_dot()
    for name, source in sources.items():
        path = work / f"{name}.dot"
        path.write_text(source, encoding="utf-8")
        subprocess.run([dot, "-Tsvg", "-o", str(work / f"{name}.svg"), str(path)], check=True)


def _time(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    sources = _sources()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        counter = iter(range(1000))

        def per_graph() -> None:
            work = base / f"single-{next(counter)}"
            work.mkdir()
            _one_process_per_graph(sources, work)

        def batched() -> None:
            n = next(counter)
            diagrams.render(sources, base / f"out-{n}", base / f"cache-{n}")

        warm = base / "warm-cache"
        diagrams.render(sources, base / "warm-out", warm)

        def cached() -> None:
            diagrams.render(sources, base / f"cached-{next(counter)}", warm)

        t_single = _time(per_graph)
        t_batch = _time(batched)
        t_cached = _time(cached)
    n = len(sources)
    print(f"{n} graphs")
    print(f"  one dot per graph : {t_single:.3f} s ({1000 * t_single / n:.1f} ms/graph)")
    print(f"  one batched dot   : {t_batch:.3f} s")
    print(f"  cached (no dot)   : {t_cached:.3f} s")
    print(f"  ratio per-graph / batched : {t_single / t_batch:.1f}x")
    print(f"  ratio batched / cached    : {t_batch / t_cached:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
