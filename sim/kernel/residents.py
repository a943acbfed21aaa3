"""Resident state as a structure of numpy arrays, grouped in households.

Residents are rows; each attribute is one array, so the monthly hazard pass is
a handful of vectorised operations and a resident who does nothing costs no
Python work. Rows are never reused: a resident who dies or leaves keeps its
row with ``status`` set, so indices stay valid for the whole run.

Households are singly linked lists through ``next_member`` starting at
``hh_first``; a household's decisions (moves, departure, hukou conversion) are
taken by its reference person ``hh_head``, the first present member.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..core.codes import NO_HOMESTEAD, PRESENT, cell_of

#: per-resident arrays and their dtypes
RESIDENT_FIELDS: dict[str, type] = {
    "status": np.int8,
    "district": np.int8,          # index into DISTRICTS
    "urban": np.bool_,            # lives in the district's urban part
    "hukou": np.int8,             # LOCAL_URBAN, LOCAL_RURAL or NONLOCAL
    "hukou_district": np.int8,    # registration district of local hukou holders
    "permit": np.bool_,           # holds a residence permit (non-local only)
    "female": np.bool_,
    # days on the model clock; float32 resolves them to minutes over a century and halves the memory
    "birth_day": np.float32,      # day of birth, days since the period start (negative: before)
    "arrival_day": np.float32,    # day of arrival in Qingdao (-inf: born here or long ago)
    "insurance_since_day": np.float32,  # employed: insured continuously from this day (see hazards)
    "employed": np.bool_,         # in insured employment (accrual stops at 60)
    "talent": np.bool_,           # tertiary education: eligible for talent settlement
    "flexible": np.bool_,         # a flexible worker (灵活就业): no employer to enrol them in social insurance
    "pension": np.bool_,          # enrolled in Qingdao's employees' basic pension (企业职工基本养老保险)
    "medical": np.bool_,          # enrolled in a Qingdao basic medical insurance
    "new_town": np.bool_,         # lives in the upgraded part of a new-town node or growth pole
    "place": np.int8,             # index into kernel.places.PLACES of the plan's place lived in, -1 none
    "school_district": np.int8,   # district whose public school seat the child holds, -1 none (schooling)
    "hh": np.int32,               # household id
    "next_member": np.int32,      # next resident of the same household, -1 at the end
    "is_head": np.bool_,          # reference person of the household
    # cached stock-table cell ((district * 2 + urban) * 3 + hukou) * 2 + permit, kept in step by the
    # engine's handlers so that an event updates the stock with one read (see cell_of)
    "cell": np.int16,
    # the engine's schedule (see model.py): each resident's next event and when to redraw it
    "next_day": np.float64,       # time of the next drawn event, inf if none before review_day
    "next_kind": np.int8,         # which event (index into hazards.EVENT_NAMES)
    "review_day": np.float32,     # hazards are constant until this month start; redrawn then (-inf: now)
    "draws": np.uint32,           # redraws so far: with the row, keys the resident's random numbers
}

#: values of attributes not given when residents are added (others are zero)
UNSET_DEFAULTS = {"arrival_day": -np.inf, "next_day": np.inf, "review_day": -np.inf, "school_district": -1, "place": -1}

HOUSEHOLD_FIELDS: dict[str, type] = {
    "hh_first": np.int32,
    "hh_head": np.int32,
    "hh_homestead": np.int8,
    "hh_homestead_district": np.int8,   # district of the household's Qingdao homestead, -1 none/elsewhere
    "hh_collective": np.bool_,
}


def _unused_rows(name: str, dtype, size: int) -> np.ndarray:
    """An array of rows not yet in use: zero, or the attribute's ``UNSET_DEFAULTS`` value (so that adding
    a resident need not write it)."""
    if name in UNSET_DEFAULTS:
        return np.full(size, UNSET_DEFAULTS[name], dtype=dtype)
    return np.zeros(size, dtype=dtype)


class Residents:
    """Growable arrays of residents and households.

    ``n`` rows are in use; arrays are over-allocated and grow by doubling, so
    births and arrivals append in amortised constant time. Read the live part
    through ``view(name)`` (a slice, no copy).
    """

    # the arrays, one per attribute of RESIDENT_FIELDS and HOUSEHOLD_FIELDS (set in __init__, grown by _grow)
    status: np.ndarray
    district: np.ndarray
    urban: np.ndarray
    hukou: np.ndarray
    hukou_district: np.ndarray
    permit: np.ndarray
    female: np.ndarray
    birth_day: np.ndarray
    arrival_day: np.ndarray
    insurance_since_day: np.ndarray
    employed: np.ndarray
    talent: np.ndarray
    flexible: np.ndarray
    pension: np.ndarray
    medical: np.ndarray
    new_town: np.ndarray
    place: np.ndarray
    school_district: np.ndarray
    hh: np.ndarray
    next_member: np.ndarray
    is_head: np.ndarray
    cell: np.ndarray
    next_day: np.ndarray
    next_kind: np.ndarray
    review_day: np.ndarray
    draws: np.ndarray
    hh_first: np.ndarray
    hh_head: np.ndarray
    hh_homestead: np.ndarray
    hh_homestead_district: np.ndarray
    hh_collective: np.ndarray
    #: memoryviews of the arrays, for the handlers' scalar reads and writes (refreshed when they grow)
    mv: SimpleNamespace

    def __init__(self, capacity: int = 1024, household_capacity: int = 512) -> None:
        self.n = 0
        self.n_households = 0
        self._cap = max(int(capacity), 16)
        self._hh_cap = max(int(household_capacity), 16)
        for name, dtype in RESIDENT_FIELDS.items():
            setattr(self, name, _unused_rows(name, dtype, self._cap))
        for name, dtype in HOUSEHOLD_FIELDS.items():
            setattr(self, name, np.zeros(self._hh_cap, dtype=dtype))
        self._refresh_views()

    @classmethod
    def reserved(cls, capacity: int, household_capacity: int) -> Residents:
        """An empty ``Residents`` whose arrays are already backed by memory.

        Every array is written with the value its unused rows hold (zero or ``UNSET_DEFAULTS``), which
        changes nothing but makes the OS map its pages now: on the VMs a first touch of fresh memory
        costs about 2 ms a MB, as much as drawing the population, so the build does this on a helper
        thread while it draws (numpy releases the GIL while it writes).
        """
        residents = cls(capacity, household_capacity)
        for name in (*RESIDENT_FIELDS, *HOUSEHOLD_FIELDS):
            getattr(residents, name)[...] = UNSET_DEFAULTS.get(name, 0)
        return residents

    # -- growth -----------------------------------------------------------------
    def _grow(self, fields: dict[str, type], needed: int, current: int) -> int:
        new_cap = current
        while new_cap < needed:
            new_cap = int(new_cap * 1.5) + 16     # gentler than doubling: at whole-city scale rows are large
        if new_cap != current:
            for name in fields:
                old = getattr(self, name)
                new = _unused_rows(name, old.dtype, new_cap)
                new[: len(old)] = old
                setattr(self, name, new)
            self._refresh_views()
        return new_cap

    def _refresh_views(self) -> None:
        """Memoryviews of every array, for the engine's scalar reads and writes.

        Indexing a memoryview costs a third of indexing a numpy array and yields
        plain Python numbers; views must be taken again whenever arrays grow, so
        callers fetch ``self.mv`` afresh after adding residents.
        """
        self.mv = SimpleNamespace(**{name: memoryview(getattr(self, name))
                                     for name in (*RESIDENT_FIELDS, *HOUSEHOLD_FIELDS)})

    def add_households(self, sizes: np.ndarray, collective: bool | np.ndarray = False,
                       homestead: int | np.ndarray = NO_HOMESTEAD, homestead_district: int | np.ndarray = -1,
                       **attributes) -> tuple[slice, slice]:
        """Append households of the given sizes with their members in contiguous rows.

        ``attributes`` are per-resident arrays (length ``sizes.sum()``) or scalars;
        those not given are zero (or as in ``UNSET_DEFAULTS``). The first
        member of each household is its reference person. Returns the new
        household ids and resident rows as slices.
        """
        sizes = np.asarray(sizes, dtype=np.int64)
        if sizes.size and sizes.min() < 1:
            raise ValueError("every household needs at least one member")
        h0, r0 = self.n_households, self.n
        n_new_hh, n_new = len(sizes), int(sizes.sum())
        self._hh_cap = self._grow(HOUSEHOLD_FIELDS, h0 + n_new_hh, self._hh_cap)
        self._cap = self._grow(RESIDENT_FIELDS, r0 + n_new, self._cap)
        hh_ids = slice(h0, h0 + n_new_hh)
        rows = slice(r0, r0 + n_new)           # contiguous: slices write without index arrays
        ends = np.cumsum(sizes)
        firsts = r0 + ends - sizes
        self.hh_first[hh_ids] = firsts
        self.hh_head[hh_ids] = firsts
        self.hh_collective[hh_ids] = collective
        self.hh_homestead[hh_ids] = homestead
        self.hh_homestead_district[hh_ids] = homestead_district
        for name in RESIDENT_FIELDS:
            if name in attributes:
                getattr(self, name)[rows] = attributes.pop(name)
            # others keep what unused rows hold (zero or ``UNSET_DEFAULTS``): rows past ``n`` are never
            # written before they are added
        if attributes:
            raise TypeError(f"unknown resident attributes: {sorted(attributes)}")
        self.status[rows] = PRESENT
        self.cell[rows] = cell_of(self.district[rows].astype(np.int16), self.urban[rows], self.hukou[rows],
                                  self.permit[rows])
        self.hh[rows] = np.repeat(np.arange(h0, h0 + n_new_hh, dtype=self.hh.dtype), sizes)
        nxt = self.next_member[rows]
        nxt[:] = np.arange(r0 + 1, r0 + n_new + 1, dtype=nxt.dtype)
        nxt[ends - 1] = -1                       # last member of each household
        self.is_head[firsts] = True
        self.n_households = h0 + n_new_hh
        self.n = r0 + n_new
        return hh_ids, rows

    def add_child(self, household: int, *, district: int, urban: bool, hukou: int, hukou_district: int,
                  female: bool, birth_day: float, cell: int, medical: bool, new_town: bool,
                  place: int = -1) -> int:
        """Append a newborn to an existing household; return its row.

        The caller passes ``cell`` consistent with the attributes it gives. A hot path (one call per
        birth): scalar writes through the memoryviews only; the attributes not given keep the values
        unused rows hold (zero, or as in ``UNSET_DEFAULTS``).
        """
        i = self.n
        if i >= self._cap:
            self._cap = self._grow(RESIDENT_FIELDS, i + 1, self._cap)
        mv = self.mv
        mv.status[i] = PRESENT
        mv.district[i] = district
        mv.urban[i] = urban
        mv.hukou[i] = hukou
        mv.hukou_district[i] = hukou_district
        mv.female[i] = female
        mv.birth_day[i] = birth_day
        mv.cell[i] = cell
        mv.medical[i] = medical
        mv.new_town[i] = new_town
        mv.place[i] = place
        mv.hh[i] = household
        first = mv.hh_first[household]
        mv.next_member[i] = mv.next_member[first]
        mv.next_member[first] = i
        self.n = i + 1
        return i

    # -- queries ----------------------------------------------------------------
    def view(self, name: str) -> np.ndarray:
        """The live part of a resident array (no copy)."""
        return getattr(self, name)[: self.n]

    def members(self, household: int) -> list[int]:
        """Present members of a household, in list order."""
        mv = self.mv
        status, nxt = mv.status, mv.next_member
        out = []
        i = mv.hh_first[household]
        while i >= 0:
            if status[i] == PRESENT:
                out.append(i)
            i = nxt[i]
        return out

    def linked_members(self, first_rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Every resident linked from each of ``first_rows`` on (its household's list from there), and for
        each the index of its first row in ``first_rows``: the vectorised walk of the lists."""
        rows, owner = [], []
        at, index = first_rows.astype(np.int64), np.arange(len(first_rows))
        while len(at):
            rows.append(at)
            owner.append(index)
            at = self.next_member[at].astype(np.int64)
            index = index[at >= 0]
            at = at[at >= 0]
        if not rows:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(rows), np.concatenate(owner)

    def present_members(self, households: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Present members of each of ``households`` (``members`` for many at once), and for each the index
        of its household in ``households``."""
        rows, owner = self.linked_members(self.hh_first[households])
        present = self.status[rows] == PRESENT
        return rows[present], owner[present]

    def reassign_heads(self, households: np.ndarray) -> np.ndarray:
        """``reassign_head`` for many distinct households at once; return their new reference persons."""
        old = self.hh_head[households]
        self.is_head[old[old >= 0]] = False
        rows, owner = self.present_members(households)
        owners, first = np.unique(owner, return_index=True)      # the walk goes depth by depth: list order
        head = np.full(len(households), -1, np.int64)
        head[owners] = rows[first]
        self.hh_head[households] = head
        self.is_head[rows[first]] = True
        return head

    def reassign_head(self, household: int) -> int:
        """Make the first present member the reference person; -1 if none is left."""
        mv = self.mv
        old = mv.hh_head[household]
        if old >= 0:
            mv.is_head[old] = False
        present = self.members(household)
        head = present[0] if present else -1
        mv.hh_head[household] = head
        if head >= 0:
            mv.is_head[head] = True
        return head

    def nbytes(self) -> int:
        """Bytes held by all arrays (allocated capacity, not just live rows)."""
        return sum(getattr(self, f).nbytes for f in (*RESIDENT_FIELDS, *HOUSEHOLD_FIELDS))
