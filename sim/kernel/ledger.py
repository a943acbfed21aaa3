"""The city's books: the stock table, the month's flows, the homestead counts and the idle-homestead index.

The handlers keep these in step with the resident arrays event by event, so that a month end needs no pass
over the city to count them; ``check`` recounts everything from the arrays and fails on any difference (the
invariant checks of tests and ``--check``). Hot path: the stock and the flows are plain Python lists (one
cell updated in ~30 ns) whose identity never changes, so the handlers may hold them.
"""

from __future__ import annotations

import numpy as np

from ..core.catalogue import FLOWS
from ..core.codes import IDLE, LEASED, PRESENT, cell_of
from ..core.districts import DISTRICTS
from .residents import Residents

#: the stock table's shape: (district, urban 0/1, hukou class, permit 0/1)
STOCK_SHAPE = (len(DISTRICTS), 2, 3, 2)


def add_counts(counts: list[int], indices: np.ndarray, sign: int = 1) -> None:
    """Add ``sign`` to ``counts[i]`` (a plain list: the stock or a flow's row) once for each ``i`` in
    ``indices``: the vectorised paths' update of the running counts the handlers keep one by one."""
    tally = np.bincount(indices, minlength=len(counts))
    for i in np.flatnonzero(tally).tolist():
        counts[i] += sign * int(tally[i])


def recount_stock(res: Residents) -> np.ndarray:
    """Present agents by (district, urban, hukou, permit), counted from the arrays."""
    present = res.view("status") == PRESENT
    key = cell_of(res.view("district")[present].astype(np.int64), res.view("urban")[present],
                  res.view("hukou")[present], res.view("permit")[present])
    return np.bincount(key, minlength=int(np.prod(STOCK_SHAPE))).reshape(STOCK_SHAPE)


def homestead_counts(res: Residents, begin: int = 0) -> dict[str, np.ndarray]:
    """Idle and leased Qingdao homesteads by district, counted over the households from ``begin`` on."""
    where = res.hh_homestead_district[begin: res.n_households]
    status = res.hh_homestead[begin: res.n_households]
    n = len(DISTRICTS)

    def by_district(state: int) -> np.ndarray:      # district -1 (no Qingdao homestead) falls in bin 0
        return np.bincount(where[status == state] + 1, minlength=n + 1)[1:]

    return {"homesteads_idle": by_district(IDLE), "homesteads_leased": by_district(LEASED)}


class Ledger:
    """The running counts of one replication, kept in step with ``res`` by the handlers."""

    def __init__(self, res: Residents) -> None:
        self.res = res
        #: present agents by stock cell (``core.codes.cell_of``), flat
        self.stock: list[int] = recount_stock(res).ravel().tolist()
        #: agents by (flow, district) since the last month end
        self.flows: list[list[int]] = [[0] * len(DISTRICTS) for _ in FLOWS]
        #: idle and leased Qingdao homesteads by district
        self.homesteads_idle = [0] * len(DISTRICTS)
        self.homesteads_leased = [0] * len(DISTRICTS)
        #: idle homesteads by district, built when a lease first needs one (``take_idle_homestead``)
        self.idle_index: list[list[int]] | None = None
        self.count_homesteads(0)

    def stock_table(self) -> np.ndarray:
        """Present agents by (district, urban, hukou, permit)."""
        return np.array(self.stock, dtype=np.int64).reshape(STOCK_SHAPE)

    def agents(self) -> int:
        return sum(self.stock)

    def take_flows(self) -> np.ndarray:
        """The month's flows by (flow, district), reset to zero in place."""
        flows = np.array(self.flows, np.int64)
        for row in self.flows:
            row[:] = [0] * len(row)
        return flows

    def homestead_stocks(self) -> dict[str, np.ndarray]:
        """Idle and leased Qingdao homesteads by district, as ``homestead_counts`` counts them."""
        return {"homesteads_idle": np.array(self.homesteads_idle, np.int64),
                "homesteads_leased": np.array(self.homesteads_leased, np.int64)}

    def count_homesteads(self, begin: int) -> None:
        """Add the homesteads of the households from ``begin`` on (new ones) to the running counts."""
        counted = homestead_counts(self.res, begin)
        for running, new in ((self.homesteads_idle, counted["homesteads_idle"]),
                             (self.homesteads_leased, counted["homesteads_leased"])):
            for d, count in enumerate(new.tolist()):
                running[d] += count

    def move_cells(self, rows: np.ndarray, offset: int) -> None:
        """Move ``rows`` (distinct residents) ``offset`` cells along the stock table, in their cached
        ``cell`` and in the table's counts."""
        cells = self.res.cell[rows]
        add_counts(self.stock, cells, -1)
        add_counts(self.stock, cells + offset)
        self.res.cell[rows] = cells + offset

    def homestead_vacated(self, household: int, district: int) -> None:
        """A household's homestead in ``district`` became idle."""
        self.homesteads_idle[district] += 1
        if self.idle_index is not None:
            self.idle_index[district].append(household)

    def take_idle_homestead(self, district: int) -> int:
        """An idle Qingdao homestead in ``district`` (the most recently vacated first), or -1.

        The per-district index is built on first use and kept lazily: entries whose homestead is no
        longer idle are skipped when they come up.
        """
        res = self.res
        if self.idle_index is None:
            status = res.hh_homestead[: res.n_households]
            where = res.hh_homestead_district[: res.n_households]
            self.idle_index = [np.flatnonzero((status == IDLE) & (where == d)).tolist()
                               for d in range(len(DISTRICTS))]
        stack = self.idle_index[district]
        mv = res.mv
        while stack:
            h = stack.pop()
            if mv.hh_homestead[h] == IDLE and mv.hh_homestead_district[h] == district:
                return h
        return -1

    def check(self) -> None:
        """Recount the stock, the homesteads and the cached cells from the arrays; raise on any difference."""
        res = self.res
        if not np.array_equal(self.stock_table(), recount_stock(res)):
            raise AssertionError("stock table differs from a recount of the resident arrays")
        counted, recount = self.homestead_stocks(), homestead_counts(res)
        if any(not np.array_equal(counted[k], recount[k]) for k in recount):
            raise AssertionError("homestead counts differ from a recount of the households")
        if min(self.stock) < 0:
            raise AssertionError("negative stock")
        if not np.array_equal(res.view("cell"), cell_of(res.view("district").astype(np.int16), res.view("urban"),
                                                        res.view("hukou"), res.view("permit"))):
            raise AssertionError("cached stock cells out of step with the resident attributes")
