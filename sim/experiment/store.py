"""The sweep's store: one small file per finished run, written atomically, keyed by what determines it.

A run's key is a hash of the resolved scenario, the replication and the code
version (a hash of the ``sim`` package's source and data), so a rerun of the
same sweep skips what is done, and a change of code or settings runs anew.
Each run file appears whole or not at all (written beside, flushed, then
renamed), so a sweep killed at any moment leaves only whole runs behind.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from ..output.atomic import write_atomic

RUNS = "runs"


#: code that only reads or presents results, never what a run computes: left out of the code version so
#: that improving a plot or the sensitivity analysis does not rerun a sweep
PRESENTATION = ("output", "experiment", "cli.py", "spec_reference.py")
#: but these extract a run's stored outputs, and count
EXTRACTING = (("experiment", "sweep.py"), ("output", "yearly.py"))


def _counts(path: Path, root: Path) -> bool:
    parts = path.relative_to(root).parts
    return parts in EXTRACTING or parts[0] not in PRESENTATION


@cache
def code_version() -> str:
    """SHA-256 of the simulator's files that decide a run's numbers (``sim/**/*.py`` and its data but the
    presentation code), independent of git, so an uncommitted edit of the model counts too."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(p for p in [*root.rglob("*.py"), *root.rglob("*.yaml")] if _counts(p, root)):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def key_text(scenario_dict: dict, replication: Any) -> str:
    return json.dumps({"scenario": scenario_dict, "replication": replication, "code": code_version()},
                      sort_keys=True, ensure_ascii=False, default=str)


def run_key(scenario_dict: dict, replication: int) -> str:
    """The key of one run: hash of the resolved scenario, the replication and the code version."""
    return hashlib.sha256(key_text(scenario_dict, replication).encode()).hexdigest()


class Store:
    """``<folder>/runs/<key>.json`` for each finished run."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.runs = self.folder / RUNS

    def open(self) -> None:
        """Create the folders and remove what a killed sweep may have left half-written."""
        self.runs.mkdir(parents=True, exist_ok=True)
        for leftover in self.runs.glob(".tmp-*"):
            leftover.unlink(missing_ok=True)

    def done(self) -> set[str]:
        return {p.stem for p in self.runs.glob("*.json")} if self.runs.exists() else set()

    def get(self, key: str) -> dict:
        return json.loads((self.runs / f"{key}.json").read_text(encoding="utf-8"))

    def put(self, key: str, record: dict) -> None:
        write_atomic(self.runs / f"{key}.json", json.dumps(record, sort_keys=True).encode())
