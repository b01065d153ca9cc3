"""Many independent jobs on every core, results in the order given (so output never depends on timing).

``check`` and the site's analysis store both analyse captures one by one; a capture's
analysis depends on nothing else, so they are spread over worker processes when there
are enough of them to pay for starting the workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_all_start_methods, get_context
from typing import Any, TypeVar

T = TypeVar("T")

# Below this many jobs per worker, starting the workers costs more than it saves.
PER_WORKER = 24


def map_in_order(fn: Callable[..., T], jobs: Sequence[tuple[Any, ...]], *, per_worker: int | None = None) -> list[T]:
    """``[fn(*job) for job in jobs]``, in worker processes when there are many jobs.

    ``fn`` must be a module-level function, and its arguments and result picklable.
    """
    workers = min(os.cpu_count() or 1, len(jobs) // (per_worker or PER_WORKER))
    if workers < 2 or "fork" not in get_all_start_methods():
        return [fn(*job) for job in jobs]
    # fork, not spawn: spawn runs the caller's main script again in each worker (a script
    # that imports the generator without a __main__ guard would run twice). A worker only
    # analyses and writes its own files: it takes no lock another thread of the caller
    # (make site's parent watcher, mkdocs serve) could hold.
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(fn, *zip(*jobs, strict=True), chunksize=8))
