"""What one replication produced: the month-end records and the run's counts (picklable, for workers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class RunResult:
    """What one replication produced."""

    dates: list[str]
    values: np.ndarray              # (dates, zones, indicators)
    events_processed: int
    events_by_type: dict[str, int]
    agents_start: int
    agents_end: int
    wall_seconds: float
    state_bytes: int
    log: list | None = field(default=None, repr=False)
    #: uncertainty mode: what the replication drew (``sim.scenario.uncertainty.Draws``); None without it
    draws: Any = None
    #: the plan's places' month-end indicators: (dates, places, ``kernel.places.PLACE_INDICATORS``); None without
    places: np.ndarray | None = None
