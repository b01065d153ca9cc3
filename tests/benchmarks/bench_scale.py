"""Benchmark: the whole project at scale, N synthetic captures, today's code beside another checkout.

Run with ``make bench`` (N = 10 and 100; ``SCALE=1000 make bench`` adds 1000), or
``python -m tests.benchmarks.bench_scale [--counts 10 100 1000] [--against DIR]``.

For each N a scratch project is written to a temporary folder (never into the
repository): the hand-written ``docs/``, ``mkdocs.yml``, the real captures and their
comparisons, and N synthetic captures varied from the real ones
(:func:`tests.benchmarks.bench_loader.write_captures`: 30 to 110 pods each). It is a git
repository with one commit, as the MkDocs hook reads page dates from git. Then, each
as its own process, for this checkout and (``--against``) another one on the same files:

- ``check`` over every capture, and the floor: libyaml (``CSafeLoader``) composing them;
- the generator alone (``fieldguide site``): cold (no cache, no output), warm (nothing
  changed) and after editing one synthetic capture's title;
- ``make site`` (``python -m generator.publish``): cold and warm;
- a plain ``mkdocs build`` of the same generated pages with the hook off (the floor of
  what MkDocs costs);
- the largest capture page, the site and the search index, in bytes.

Each run reports wall time and the peak RSS of the process tree (``wait4``: the largest
single process, the generator or MkDocs). The machine is shared and noisy: the checkouts
run alternately on the same files, so their figures are side by side in one run, and the
ratios (1000/100, check/libyaml, warm/cold, generator/MkDocs) are what to read. ``check``
and libyaml run three times each, alternating, and the fastest of each is shown.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from generator import capture
from tests.benchmarks.bench_loader import COMPOSE, write_captures

ROOT = Path(__file__).resolve().parents[2]
CHECK_ROUNDS = 3


@dataclass(frozen=True)
class Run:
    wall: float
    rss_mb: float


def _run(cmd: list[str], cwd: Path, pythonpath: Path, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak RSS (the largest process of the tree, from wait4) of one command that must succeed."""
    full_env = {**os.environ, "PYTHONPATH": str(pythonpath), "NO_MKDOCS_2_WARNING": "1", **(env or {})}
    start = time.perf_counter()
    child = subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert child.stderr is not None
    errors = child.stderr.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(
            f"bench_scale: {' '.join(cmd)} failed ({child.returncode}):\n{errors.decode(errors='replace')}"
        )
    return Run(wall=wall, rss_mb=usage.ru_maxrss / 1024)


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


def _scratch(base: Path, count: int) -> tuple[Path, list[Path]]:
    """A project folder with the real captures and ``count`` synthetic ones, committed to git."""
    project = base / "project"
    shutil.copytree(ROOT / "captures", project / "captures")
    files = write_captures(project / "captures", count)
    shutil.copytree(ROOT / "docs", project / "docs", ignore=shutil.ignore_patterns("guide", "posts"))
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=project, check=True)
    subprocess.run([*git, "add", "-A"], cwd=project, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "bench", "--date", "2026-01-01T00:00:00Z"], cwd=project, check=True)
    return project, files


def _prepare(project: Path, checkout: Path) -> None:
    """Point the project at ``checkout`` (its mkdocs.yml and hook) and forget every output and cache."""
    shutil.copy(checkout / "mkdocs.yml", project / "mkdocs.yml")
    link = project / "generator"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(checkout / "generator")
    for stale in ("site", "site.plain", ".cache", "build", "docs/guide", "docs/blog/posts"):
        target = project / stale
        if target.exists():
            shutil.rmtree(target)


def measure(project: Path, files: list[Path], checkout: Path) -> dict[str, float]:
    py = sys.executable
    out: dict[str, float] = {}
    _prepare(project, checkout)

    def record(name: str, run: Run) -> None:
        out[f"{name} s"] = run.wall
        out[f"{name} MB"] = run.rss_mb

    captures = project / "captures"
    check = [py, "-m", "generator", "check", "--root", str(captures), str(captures)]
    compose = [py, "-c", COMPOSE, *map(str, sorted(captures.rglob("*.yaml")))]
    # The ratio of these two is a goal: each runs CHECK_ROUNDS times, alternating, and the
    # fastest of each counts, so a burst of load on the shared machine does not decide it.
    checks, composes = [], []
    for _ in range(CHECK_ROUNDS):
        checks.append(_run(check, project, checkout))
        composes.append(_run(compose, project, checkout))
    record("check", min(checks, key=lambda run: run.wall))
    record("libyaml", min(composes, key=lambda run: run.wall))
    generator = [py, "-m", "generator", "site", "--root", "captures", "--docs", "docs", "--cache", ".cache/diagrams"]
    record("gen cold", _run(generator, project, checkout))
    record("gen warm", _run(generator, project, checkout))
    edited = files[len(files) // 2]
    original = edited.read_text(encoding="utf-8")
    edited.write_text(original.replace("\ntitle: ", "\ntitle: Edited ", 1), encoding="utf-8")
    try:
        record("gen 1 edit", _run(generator, project, checkout))
    finally:
        edited.write_text(original, encoding="utf-8")
    for stale in (".cache", "docs/guide", "docs/blog/posts"):
        shutil.rmtree(project / stale, ignore_errors=True)
    publish = [py, "-m", "generator.publish", "--root", "."]
    record("site cold", _run(publish, project, checkout))
    record("site warm", _run(publish, project, checkout))
    # The same generated pages (swapped into docs/ by the build above), MkDocs alone.
    plain = project / "mkdocs.plain.yml"
    plain.write_text("INHERIT: mkdocs.yml\nhooks: []\nsite_dir: site.plain\nstrict: false\n", encoding="utf-8")
    record("mkdocs plain", _run([py, "-m", "mkdocs", "build", "-q", "-f", str(plain)], project, checkout))
    pages = [p.stat().st_size for p in (project / "site" / "guide").rglob("*.html")]
    out["largest page KB"] = max(pages, default=0) / 1024
    out["site MB"] = _size(project / "site") / 2**20
    out["search index MB"] = _size(project / "site" / "search") / 2**20
    return out


ROWS = (
    "check s",
    "libyaml s",
    "check MB",
    "gen cold s",
    "gen cold MB",
    "gen warm s",
    "gen 1 edit s",
    "site cold s",
    "site cold MB",
    "site warm s",
    "mkdocs plain s",
    "mkdocs plain MB",
    "largest page KB",
    "site MB",
    "search index MB",
)


def _ratios(r: dict[str, float]) -> dict[str, float]:
    return {
        "check / libyaml": r["check s"] / r["libyaml s"],
        "gen warm / cold %": 100 * r["gen warm s"] / r["gen cold s"],
        "gen 1 edit / cold %": 100 * r["gen 1 edit s"] / r["gen cold s"],
        "gen cold / mkdocs plain %": 100 * r["gen cold s"] / r["mkdocs plain s"],
        "site warm / cold %": 100 * r["site warm s"] / r["site cold s"],
    }


GROWTH = ("check s", "gen cold s", "site cold s", "site cold MB", "site MB", "largest page KB", "search index MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    default = [10, 100] + ([1000] if os.environ.get("SCALE") == "1000" else [])
    parser.add_argument(
        "--counts", nargs="*", type=int, default=default, help="N (default: 10 100; SCALE=1000 adds 1000)"
    )
    parser.add_argument(
        "--against", type=Path, help="another checkout (e.g. a git worktree of main) measured alongside"
    )
    args = parser.parse_args()
    checkouts = {"this": ROOT} | ({"against": args.against.resolve()} if args.against else {})
    results: dict[tuple[str, int], dict[str, float]] = {}
    for count in args.counts:
        with tempfile.TemporaryDirectory(prefix="fg-scale-") as tmp:
            project, files = _scratch(Path(tmp), count)
            for name, checkout in checkouts.items():
                print(f"scale: N={count} {name} ...", file=sys.stderr, flush=True)
                results[(name, count)] = measure(project, files, checkout)
    columns = [(name, count) for count in args.counts for name in checkouts]
    header = "".join(f"{f'{n} N={c}':>16}" for n, c in columns)
    real = len(capture.discover([ROOT / "captures"]))
    print(
        f"Scale: N synthetic captures + the {real} real ones, {os.cpu_count()} cores, one run each (wall s, peak RSS MB)"
    )
    print(f"{'':26}{header}")
    for row in ROWS:
        print(f"{row:26}" + "".join(f"{results[c][row]:16.2f}" for c in columns))
    ratios = {c: _ratios(results[c]) for c in columns}
    for row in next(iter(ratios.values())):
        print(f"{row:26}" + "".join(f"{ratios[c][row]:16.2f}" for c in columns))
    for small, big in zip(args.counts, args.counts[1:], strict=False):
        for name in checkouts:
            growth = ", ".join(
                f"{row.removesuffix(' s')} {results[(name, big)][row] / results[(name, small)][row]:.2f}"
                for row in GROWTH
                if results[(name, small)][row]
            )
            print(f"{name} {big}/{small}: {growth}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
