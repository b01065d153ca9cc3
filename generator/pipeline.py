"""One capture through every stage: load -> model -> facts -> rules.

The stages are plain functions of the one before; this module only chains them so
the CLI, the site and the tests run exactly the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator import capture as capture_mod
from generator import facts as facts_mod
from generator import model as model_mod
from generator import rules as rules_mod


@dataclass(frozen=True)
class Analysis:
    capture: capture_mod.Capture
    model: model_mod.NodeModel
    facts: facts_mod.Facts
    result: rules_mod.Result


def analyse(path: Path, root: Path) -> Analysis:
    """Raise CaptureError when the file cannot be loaded; rule findings are data, not errors."""
    capture = capture_mod.load(path, root)
    model = model_mod.build(capture)
    facts = facts_mod.derive(model)
    return Analysis(capture=capture, model=model, facts=facts, result=rules_mod.evaluate(capture, model, facts))
