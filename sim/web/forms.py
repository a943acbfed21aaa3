"""What the page's form says, as the scenario YAML experts edit: the levers chosen (intensity, dates, districts),
replications and scale, written as a small file that extends the baseline (``what_if_yaml``).

The file's name is the hash of its settings, so the same choices give the same file and the same scenario name,
and a stored run of it is reused (``output/reuse.py``). Nothing here validates beyond the form's shape: the
scenario loader does, with the CLI's one-line messages.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..core.districts import DISTRICTS
from ..policy import LEVERS

ROOT = Path(__file__).resolve().parents[2]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
#: the page's bounds on the run's size (the CLI has none: a planner's page should answer in seconds)
MAX_REPLICATIONS = 50
SCALES = (100, 200, 500, 1000, 2000)


class FormError(ValueError):
    """A form field the page cannot read: ``field`` is the form's name, the message says what is allowed."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


@dataclass(frozen=True)
class LeverChoice:
    name: str
    intensity: float
    start: str
    end: str
    districts: tuple[str, ...]


@dataclass(frozen=True)
class WhatIf:
    levers: tuple[LeverChoice, ...]
    replications: int
    scale: int

    def settings(self) -> dict:
        """The scenario's own settings (the rest from the baseline it extends)."""
        policies = {}
        for lever in self.levers:
            policies[lever.name] = {"intensity": lever.intensity, "start": lever.start,
                                    **({"end": lever.end} if lever.end else {}),
                                    "districts": list(lever.districts) if len(lever.districts) < len(DISTRICTS)
                                    else "all"}
        return {"replications": self.replications, "population": {"scale": self.scale}, "policies": policies}

    def name(self) -> str:
        digest = hashlib.sha256(yaml.safe_dump(self.settings(), sort_keys=True).encode()).hexdigest()[:10]
        return f"whatif-{digest}"


def read_form(form: Mapping[str, str], districts_of: Mapping[str, list[str]]) -> WhatIf:
    """The what-if of the page's fields: ``lever.<name>`` (on), ``intensity.<name>``, ``start.<name>``,
    ``end.<name>``, ``districts.<name>`` (the list ``districts_of[name]``), ``replications``, ``scale``."""
    levers = []
    for name in LEVERS:
        if form.get(f"lever.{name}") != "on":
            continue
        intensity = _number(form.get(f"intensity.{name}", "1"), f"intensity.{name}", 0.0, 1.0)
        chosen = tuple(d for d in DISTRICTS if d in districts_of.get(name, []))
        if not chosen:
            raise FormError("choose at least one district", f"districts.{name}")
        levers.append(LeverChoice(name, intensity, form.get(f"start.{name}", "").strip() or "2021-01-01",
                                  form.get(f"end.{name}", "").strip(), chosen))
    replications = int(_number(form.get("replications", "1"), "replications", 1, MAX_REPLICATIONS, whole=True))
    scale = int(_number(form.get("scale", "100"), "scale", min(SCALES), max(SCALES), whole=True))
    return WhatIf(tuple(levers), replications, scale)


def _number(text: str, field: str, low: float, high: float, whole: bool = False) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise FormError(f"expected a number from {low:g} to {high:g}, got {text!r}", field) from None
    if not low <= value <= high or value != value or (whole and value != int(value)):
        kind = "a whole number" if whole else "a number"
        raise FormError(f"expected {kind} from {low:g} to {high:g}, got {text}", field)
    return value


def what_if_yaml(what_if: WhatIf) -> str:
    """The scenario file of ``what_if``: it extends the baseline and sets only what the page chose."""
    header = ("# Written by the what-if page (python run_sim.py serve): the baseline with the levers chosen there.\n"
              "# The same YAML as any scenario: run it with python run_sim.py run <this file>.\n")
    body = {"extends": str(BASELINE), "name": what_if.name(),
            "description": "What-if from the page: " + (", ".join(f"{lever.name} at {lever.intensity:g}"
                                                                 for lever in what_if.levers) or "no lever"),
            **what_if.settings()}
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True)


def save(what_if: WhatIf, folder: Path, check: Callable[[Path], object] | None = None) -> Path:
    """Write the what-if's scenario file into ``folder`` (the same choices, the same file); with ``check`` (the
    scenario loader) the file is checked first under a temporary name and written only if it passes, so a bad
    choice leaves nothing behind."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{what_if.name()}.yaml"
    text = what_if_yaml(what_if)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return path
    tmp = folder / f".{what_if.name()}-{secrets.token_hex(4)}.yaml"
    tmp.write_text(text, encoding="utf-8")
    try:
        if check is not None:
            check(tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


