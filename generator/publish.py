"""``make site``: build everything in a staging folder, then swap it in, or change nothing.

``python -m generator.publish`` (run from the project root):

1. removes what an interrupted build left (``build/stage``, ``site.new``);
2. copies the hand-written ``docs/`` into ``build/stage/docs`` and writes the generated
   guide and blog posts there (the generator's own checks run here);
3. runs the real ``mkdocs build --strict`` on the staged docs into ``site.new``;
4. only when both succeeded, swaps ``docs/guide``, ``docs/blog/posts`` and ``site`` for
   the new ones, with SIGINT and SIGTERM held off so a swap is never half done.

Any failure or interruption before step 4 leaves the last good output untouched and
removes the staging folders. MkDocs runs as a child process; SIGINT or SIGTERM to us is
passed on to it as SIGINT (its Ctrl-C), and we wait for it before cleaning up. GNU make, sent SIGINT alone (not the terminal's whole process group),
forwards nothing and waits for its children; ``--follow-parent`` watches the parent's
signal dispositions in ``/proc`` (make resets its handler before waiting) and stops the
build when the parent is interrupted or gone.

MkDocs names blog posts by their generated path; each such message also names the
article it comes from. Exit status: 0 built, 1 bad input, 3 internal error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from generator import site
from generator.capture import display_path
from generator.errors import GeneratorError, Location, Problem
from generator.report import visible

EXIT_OK, EXIT_BAD_DATA, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 3, 130
STAGE = Path("build") / "stage"
SITE, SITE_NEW = Path("site"), Path("site.new")
# Generated folders under docs/, replaced as a whole on success.
GENERATED = (Path("guide"), Path("blog") / "posts")
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class BuildInterruptedError(Exception):
    """SIGINT or SIGTERM arrived (to us, or to the make that runs us)."""


def _ignore_generated(docs: Path) -> Callable[[str, list[str]], set[str]]:
    generated = {str(docs / g) for g in GENERATED}

    def ignore(folder: str, names: list[str]) -> set[str]:
        return {n for n in names if str(Path(folder) / n) in generated}

    return ignore


def stage_docs(docs: Path, staged: Path) -> None:
    """The hand-written docs, without the generated folders.

    A symlink is refused: MkDocs would publish whatever it points to (mkdocs.yml, a file
    outside the project), and it arrives in a pull request looking like a page.
    """
    generated = [docs / g for g in GENERATED]
    links = sorted(
        p for p in docs.rglob("*") if p.is_symlink() and not any(p == g or g in p.parents for g in generated)
    )
    if links:
        raise GeneratorError(
            [
                Problem(
                    location=Location(display_path(p.parent) + "/" + p.name, 1),
                    message="a symlink; docs/ holds files only",
                )
                for p in links
            ]
        )
    shutil.copytree(docs, staged, ignore=_ignore_generated(docs))


def _config(root: Path, staged_docs: Path, site_dir: Path) -> str:
    # INHERIT keeps mkdocs.yml the one source of settings; only the folders (and the hook's
    # path, which MkDocs resolves against the inheriting file) change.
    return (
        f"INHERIT: {_quoted(root / 'mkdocs.yml')}\n"
        f"docs_dir: {_quoted(staged_docs)}\n"
        f"site_dir: {_quoted(site_dir)}\n"
        f"hooks:\n  - {_quoted(root / 'generator' / 'mkdocs_hook.py')}\n"
        "watch: []\n"
    )


def _quoted(path: Path) -> str:
    return "'" + str(path.resolve()).replace("'", "''") + "'"


_POST = re.compile(r"blog/posts/([A-Za-z0-9._-]+\.md)")


def _explain(line: str, root: Path, stage: Path) -> str:
    """A MkDocs log line with staging paths made project paths, and each post tied to its article."""
    line = line.replace(f"{(stage / 'docs').resolve()}/", "docs/").replace(f"{stage.resolve()}/", "")
    line = line.replace(f"{root.resolve()}/", "")
    return _POST.sub(lambda m: f"{m.group(0)} (from docs/articles/{m.group(1)})", line)


def _mkdocs(config: Path, root: Path, stage: Path, stop: threading.Event) -> int:
    """Run ``mkdocs build --strict``; forward its log; pass a stop request on as SIGINT."""
    env = {**os.environ, "FIELDGUIDE_STAGED": "1", "NO_MKDOCS_2_WARNING": "1"}
    child = subprocess.Popen(
        # Not --quiet: it drops warnings before --strict counts them, so strict would pass.
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config)],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert child.stdout is not None
    reader = threading.Thread(target=_forward, args=(child.stdout, root, stage), daemon=True)
    reader.start()
    try:
        while child.poll() is None:
            if stop.wait(0.05):
                raise BuildInterruptedError
        reader.join()
        return child.returncode
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _forward(stream: object, root: Path, stage: Path) -> None:
    for line in stream:  # type: ignore[attr-defined]
        if line.startswith("INFO"):
            continue
        sys.stderr.write(visible(_explain(line.rstrip("\n"), root, stage)) + "\n")


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT/SIGTERM wait until the block is done: a swap is never left half done."""
    old = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def swap(root: Path, stage: Path) -> None:
    """Put the staged generated folders and the new site in place of the old ones (signals held by the caller)."""
    pairs = [(stage / "docs" / g, root / "docs" / g) for g in GENERATED] + [(root / SITE_NEW, root / SITE)]
    old = stage / "old"
    old.mkdir(parents=True, exist_ok=True)
    for i, (new, target) in enumerate(pairs):
        if target.exists() or target.is_symlink():
            target.rename(old / str(i))
        target.parent.mkdir(parents=True, exist_ok=True)
        if new.exists():
            new.rename(target)


def _stat_mask(pid: int) -> int | None:
    """The signals ``pid`` catches (SigCgt), or None when it is gone or /proc is not there."""
    try:
        with Path(f"/proc/{pid}/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("SigCgt:"):
                    return int(line.split()[1], 16)
    except OSError:
        return None
    return None


def follow_parent(stop: threading.Event) -> Callable[[], bool]:
    """Set ``stop`` when the parent process is interrupted or exits (see the module docstring).

    Returns the check itself, so the last look before the swap does not wait for the poll.
    """
    parent = os.getppid()
    watched = sum(1 << (s - 1) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP))
    start = _stat_mask(parent)
    if start is None:
        return lambda: False
    caught = start & watched

    def interrupted() -> bool:
        mask = _stat_mask(parent)
        if os.getppid() != parent or mask is None or (mask & watched) != caught:
            stop.set()
        return stop.is_set()

    def watch() -> None:
        while not interrupted():
            time.sleep(0.1)

    threading.Thread(target=watch, daemon=True).start()
    return interrupted


def publish(root: Path, *, follow: bool = False) -> int:
    stage = root / STAGE
    stop = threading.Event()
    settled = threading.Event()  # swapped in, or given up: a late signal changes nothing

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        if not settled.is_set():
            raise BuildInterruptedError

    previous = {s: signal.signal(s, on_signal) for s in _STOP_SIGNALS}
    parent_interrupted = follow_parent(stop) if follow else stop.is_set
    try:
        for stale in (stage, root / SITE_NEW):
            _remove(stale)
        stage.mkdir(parents=True)
        staged_docs = stage / "docs"
        stage_docs(root / "docs", staged_docs)
        site.main_build(root / "captures", root / "docs", root / ".cache" / "diagrams", out=staged_docs)
        if stop.is_set():
            raise BuildInterruptedError
        config = stage / "mkdocs.yml"
        config.write_text(_config(root, staged_docs, root / SITE_NEW), encoding="utf-8")
        code = _mkdocs(config, root, stage, stop)
        if code != 0:
            print(
                f"make site: mkdocs failed (exit {code}); the last good site and guide are unchanged", file=sys.stderr
            )
            return EXIT_BAD_DATA
        with _signals_held():
            if parent_interrupted():
                raise BuildInterruptedError
            swap(root, stage)
            settled.set()
        return EXIT_OK
    except GeneratorError as exc:
        print(visible(str(exc), keep="\n"), file=sys.stderr)
        print("make site: nothing was changed", file=sys.stderr)
        return EXIT_BAD_DATA
    except (BuildInterruptedError, KeyboardInterrupt):
        print("make site: interrupted; the last good site and guide are unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        settled.set()
        # Cleaning up must not be cut short by a second Ctrl-C.
        with _signals_held():
            for leftover in (stage, root / SITE_NEW):
                _remove(leftover)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.publish", description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=Path(), help="the project folder (default: .)")
    parser.add_argument(
        "--follow-parent", action="store_true", help="stop when the parent (make) is interrupted or exits"
    )
    args = parser.parse_args(argv)
    try:
        return publish(args.root, follow=args.follow_parent)
    except Exception as exc:
        print(f"internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
