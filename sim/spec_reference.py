"""Render the sweep and calibration spec schemas as a Markdown reference.

Generated like the scenario reference, never written by hand, so that it cannot
drift from the specs' schemas: ``python -m sim.spec_reference > docs/spec-reference.md``
(a test compares the two).
"""

from __future__ import annotations

import sys

from .calibration.spec import CALIBRATION_SPEC
from .experiment.spec import SWEEP_SPEC
from .scenario.docs import render_schema

INTRO = (
    "This reference is generated from `sim/experiment/spec.py` and `sim/calibration/spec.py` by "
    "`python -m sim.spec_reference > docs/spec-reference.md`; do not edit it by hand. "
    "A spec is checked like a scenario, by the same validator: a mistake stops the command before anything "
    "runs, with one line naming the file and the setting's dotted path (exit code 2). Keys given as dotted "
    "paths (`set`, `parameters`, a policy's settings) name scenario settings (docs/scenario-reference.md). "
    "Worked examples: docs/experiments.md (sweeps) and docs/calibration.md (calibration and back-tests)."
)


def render_markdown() -> str:
    """Both spec schemas as Markdown: one heading and one table per section."""
    lines = ["# Spec reference: sweeps and calibration", "", INTRO, ""]
    render_schema(SWEEP_SPEC, lines, "Sweep spec")
    render_schema(CALIBRATION_SPEC, lines, "Calibration spec")
    return "\n".join(lines).rstrip("\n") + "\n"


if __name__ == "__main__":
    sys.stdout.write(render_markdown())
