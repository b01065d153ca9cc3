"""The node-side collector (``collect.sh``, shipped in the package) and what its transcripts look like.

The script runs on a node with nothing but a POSIX shell and iproute2 and prints one
transcript; :mod:`generator.importer` turns a transcript into a capture. The format is
described at the top of the script, the one place both sides read it from.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from importlib import resources

from generator.errors import GeneratorError, Location, Problem

SCRIPT = "collect.sh"
# The transcript's first line: 'fieldguide-transcript <version> boundary <token>'.
MAGIC = "fieldguide-transcript"
VERSION = "1"


def script() -> str:
    """The collector's source, as shipped."""
    return resources.files("generator").joinpath(SCRIPT).read_text(encoding="utf-8")


IMAGE = "mcr.microsoft.com/azurelinux/busybox:1.36"
_WHERE = Location("fieldguide collect")
# kubectl debug names the pod it creates on stderr; it stays behind unless deleted.
_DEBUG_POD = re.compile(r"^Creating debugging pod (\S+) with container")


def on_node(node: str, *, context: str | None = None, image: str = IMAGE, timeout: float = 600) -> str:
    """The transcript of ``collect.sh`` run on ``node`` through ``kubectl debug`` (a privileged pod on the node).

    Fails with one line when kubectl, a context or the node is missing; the debug pod is
    deleted afterwards, as ``kubectl debug node/...`` leaves it running.
    """
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise GeneratorError(
            Problem(
                _WHERE,
                "kubectl is not on PATH: install it (az aks install-cli), or print the collector with "
                "'fieldguide collect-script' and run it on the node yourself",
            )
        )
    base = [kubectl, *(["--context", context] if context else [])]
    if context:
        known = subprocess.run([kubectl, "config", "get-contexts", "-o", "name"], capture_output=True, text=True)
        found = known.returncode == 0 and context in known.stdout.split()
    else:
        found = subprocess.run([kubectl, "config", "current-context"], capture_output=True).returncode == 0
    if not found:
        raise GeneratorError(
            Problem(
                _WHERE,
                f"kubectl has no context{f' named {context!r}' if context else ''}: run "
                "'az aks get-credentials --resource-group RG --name CLUSTER' first",
            )
        )
    debug = [*base, "debug", f"node/{node}", "-i", "--profile=sysadmin", f"--image={image}"]
    try:
        done = subprocess.run(
            [*debug, "--", "chroot", "/host", "sh", "-s"],
            input=script(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GeneratorError(Problem(_WHERE, f"kubectl debug node/{node} did not finish in {timeout:.0f} s")) from None
    pods = [m.group(1) for line in done.stderr.splitlines() if (m := _DEBUG_POD.match(line))]
    for pod in pods:
        subprocess.run([*base, "delete", "pod", pod, "--wait=false"], capture_output=True, check=False)
    if done.returncode != 0 or MAGIC not in done.stdout:
        # kubectl's last line says what went wrong; the ones before are its retries.
        said = next((ln for ln in reversed(done.stderr.splitlines()) if ln.strip() and not _DEBUG_POD.match(ln)), "")
        raise GeneratorError(
            Problem(_WHERE, f"kubectl debug node/{node} failed (exit {done.returncode}): {said or 'no transcript'}")
        )
    return done.stdout
