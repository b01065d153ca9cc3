"""The only MkDocs-specific code: regenerate the guide before each build.

``mkdocs build`` and ``mkdocs serve`` both call :func:`on_pre_build`, which runs the
generator (files are rewritten only when their content changes, so ``serve`` does
not loop). A bad capture or a failed article claim stops the build with the
generator's located messages, before MkDocs cleans the old site.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

from generator.errors import GeneratorError
from generator.site import main_build


def on_pre_build(config: Any, **kwargs: Any) -> None:
    root = Path(config.config_file_path).parent
    try:
        main_build(root / "captures", Path(config.docs_dir), root / ".cache" / "diagrams")
    except GeneratorError as exc:
        raise PluginError(f"the generator refused to build the guide:\n{exc}") from None
