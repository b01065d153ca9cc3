"""Benchmark: ``check`` and the capture loader against libyaml composing the same files.

Run with ``python -m tests.benchmarks.bench_loader [N ...]`` (default: 10 100).
For each N it writes N synthetic captures into a temporary folder (never into the
repository) and prints:

- the wall time of ``python -m generator check`` as a process, and of a process
  that only runs ``yaml.compose(..., Loader=yaml.CSafeLoader)`` over the same
  files (both pay interpreter start-up and imports);
- in-process times per stage (read into the positioned tree, schema validation,
  whole load with parsers, the whole pipeline) next to libyaml composing alone.

The machine is shared and noisy, so each time is CPU time (user + system, of the
child process or of this one), the least of a few runs, and the ratios are what to read. ``--pythonpath DIR`` runs ``check`` from another checkout
(e.g. the code before a change) on the same files.

The synthetic captures vary the real ones under ``captures/``: each gets 30 to 110
pods, a host veth (copied from the capture's last interface block, renamed and
renumbered) per pod, a bridge port or a per-pod route for each when the capture
has them, and a copy of the capture's first pod section for every third pod.
They exist only to be timed; no output in them is a published one.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from generator import capture, pipeline

ROOT = Path(__file__).resolve().parents[2]
REPEAT = 3


def _emit(value: Any, indent: int, out: list[str]) -> None:
    """Plain data as block YAML: strings quoted as JSON, outputs as block literals."""
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and "\n" in item:
                chomp = (
                    ""
                    if item.endswith("\n") and not item.endswith("\n\n")
                    else ("-" if not item.endswith("\n") else "+")
                )
                indicator = "2" if item.startswith(" ") else ""
                out.append(f"{pad}{key}: |{indicator}{chomp}")
                out.extend(
                    f"{pad}  {line}" if line else "" for line in item.split("\n")[: -1 if item.endswith("\n") else None]
                )
            elif isinstance(item, dict | list) and item:
                out.append(f"{pad}{key}:")
                _emit(item, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {_scalar(item)}")
    else:
        for item in value:
            start = len(out)
            if isinstance(item, dict | list):
                _emit(item, indent + 2, out)
                out[start] = f"{pad}- {out[start][indent + 2 :]}"
            else:
                out.append(f"{pad}- {_scalar(item)}")


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


_HEADER = re.compile(r"^(\d+): ([a-z]+?)[0-9a-f]{6,}(@if\d+)?:", re.MULTILINE)


def _host(sections: list[dict[str, Any]], command: str) -> dict[str, Any] | None:
    return next((s for s in sections if s["namespace"] == "host" and s["command"].endswith(command)), None)


def _vary(data: dict[str, Any], seed: int) -> dict[str, Any]:
    data = json.loads(json.dumps(data))
    pods = 30 + (seed * 37) % 81
    sections = data["sections"]
    ip_addr = _host(sections, "ip addr")
    assert ip_addr is not None
    last = list(_HEADER.finditer(ip_addr["output"]))[-1]
    template = ip_addr["output"][last.start() :].split("\n.\n")[0].rstrip("\n") + "\n"
    prefix = last.group(2)
    pod_section = next((s for s in sections if s["namespace"].startswith("pod/")), None)
    first_pod = data["pods"][0]
    subnet = first_pod["ip"].rsplit(".", 1)[0]
    # New pods take addresses no output of the base node uses.
    used = {int(n) for section in sections for n in re.findall(rf"\b{re.escape(subnet)}\.(\d+)\b", section["output"])}
    free = [n for n in range(100, 255) if n not in used][:pods]
    pods = len(free)
    names = []
    for i in range(pods):
        name = f"{prefix}{seed:02x}{i:06x}"
        names.append(name)
        ip_addr["output"] += f"{2000 + i}: {name}{last.group(3) or ''}:" + template[len(last.group(0)) :]
        pod = {"name": f"bench-{seed}-{i}", "ip": f"{subnet}.{free[i]}"}
        data["pods"].append(pod)
        if pod_section is not None and i % 3 == 0:
            # The pod's eth0 carries its own address and names its own host veth.
            output = pod_section["output"].replace(f"{first_pod['ip']}/", f"{pod['ip']}/")
            output = re.sub(r"@if\d+:", f"@if{2000 + i}:", output)
            sections.append({"namespace": f"pod/{pod['name']}", "command": pod_section["command"], "output": output})
    brctl = _host(sections, "brctl show")
    if brctl is not None:
        last_line = brctl["output"].rstrip("\n").split("\n")[-1]
        if last_line.startswith(" "):
            column = len(last_line) - len(last_line.lstrip())
            brctl["output"] += "".join(f"{' ' * column}{n}\n" for n in names)
    route = _host(sections, "route -n")
    if route is not None and any(
        " UH " in line and line.split()[-1].startswith(prefix) for line in route["output"].split("\n")
    ):
        route["output"] += "".join(
            f"{f'{subnet}.{free[i]}':<16}{'0.0.0.0':<16}255.255.255.255 UH    0      0        0 {n}\n"
            for i, n in enumerate(names)
        )
    return data


def _variable(data: dict[str, Any]) -> bool:
    """A published node with pods and a host ``ip addr`` to add veths to (lab captures hold JSON
    outputs this does not grow, and a part of a node has nothing to vary)."""
    ip_addr = _host(data["sections"], "ip addr")
    return (
        "lab" not in data and bool(data.get("pods")) and ip_addr is not None and bool(_HEADER.search(ip_addr["output"]))
    )


def write_captures(folder: Path, count: int) -> list[Path]:
    found = [(p.parent.name, capture.read_yaml(p, p.name).data) for p in capture.discover([ROOT / "captures"])]
    bases = [(plugin, data) for plugin, data in found if _variable(data)]
    written = []
    for seed in range(count):
        plugin, data = bases[seed % len(bases)]
        out: list[str] = []
        _emit(_vary(data, seed), 0, out)
        target = folder / plugin / f"bench-{seed:03d}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("\n".join(out) + "\n", encoding="utf-8")
        written.append(target)
    return written


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _best(fn: Callable[[], object], clock: Callable[[], float] = time.process_time) -> float:
    """The least CPU time of a few runs: the machine is shared, and CPU time is what contention disturbs least."""
    times = []
    for _ in range(REPEAT):
        start = clock()
        fn()
        times.append(clock() - start)
    return min(times)


COMPOSE = (
    "import sys, yaml\n"
    "for f in sys.argv[1:]:\n"
    "    with open(f, encoding='utf-8') as h:\n"
    "        yaml.compose(h.read(), Loader=yaml.CSafeLoader)\n"
)


def bench(count: int, pythonpath: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = write_captures(folder, count)
        lines = sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files)
        # Run from the temporary folder: "python -m" puts the working directory first on the path.
        env = dict(os.environ, PYTHONPATH=str(pythonpath))
        check_cmd = [sys.executable, "-m", "generator", "check", "--root", str(folder), str(folder)]
        for f in files:
            capture.load(f, folder)  # a synthetic capture that does not load would time the wrong thing
        t_check = _best(
            lambda: subprocess.run(check_cmd, capture_output=True, env=env, cwd=folder, check=False), _children_cpu
        )
        compose_cmd = [sys.executable, "-c", COMPOSE, *map(str, files)]
        t_compose_proc = _best(lambda: subprocess.run(compose_cmd, capture_output=True, check=True), _children_cpu)
        texts = [f.read_text(encoding="utf-8") for f in files]
        t_compose = _best(lambda: [yaml.compose(t, Loader=yaml.CSafeLoader) for t in texts])
        t_read = _best(lambda: [capture.read_yaml(f, f.name) for f in files])
        docs = [capture.read_yaml(f, f.name) for f in files]
        t_validate = _best(lambda: [capture.validate(d, "capture") for d in docs])
        t_load = _best(lambda: [capture.load(f, folder) for f in files])
        t_analyse = _best(lambda: [pipeline.analyse(f, folder) for f in files])
    print(f"{count} synthetic captures, {lines} lines ({lines // count} per file)")
    print(f"  check (process CPU)       : {t_check:.3f} s")
    print(f"  libyaml compose (proc CPU): {t_compose_proc:.3f} s   ratio {t_check / t_compose_proc:.1f}x")
    print(f"  libyaml compose (in-proc) : {t_compose:.3f} s   ({1000 * t_compose / count:.2f} ms/capture)")
    print(f"  read into positioned tree : {t_read:.3f} s   ratio {t_read / t_compose:.2f}x")
    print(f"  schema validation         : {t_validate:.3f} s   ratio {t_validate / t_compose:.2f}x")
    print(f"  load (tree+schema+parsers): {t_load:.3f} s   ratio {t_load / t_compose:.2f}x")
    print(f"  whole pipeline (in-proc)  : {t_analyse:.3f} s   ratio {t_analyse / t_compose:.2f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("counts", nargs="*", type=int, default=[10, 100])
    parser.add_argument("--pythonpath", type=Path, default=ROOT, help="checkout whose generator 'check' runs")
    args = parser.parse_args()
    for count in args.counts:
        bench(count, args.pythonpath)
    return 0


if __name__ == "__main__":
    sys.exit(main())
