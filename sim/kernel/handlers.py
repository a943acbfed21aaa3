"""State transitions: what each event does to the residents, the stock table, the homestead counts and the
flows.

A mixin of ``Model``: the handlers run at an event's exact time on one resident or
household. Hot path: plain Python lists for the stock and flows, each resident's
cached stock ``cell``, and only scalar reads and writes through memoryviews. Each
handler returns the persons it affected, or 0 when its premise no longer holds
(the event is dropped). ``urbanize_in_place`` changes a place (new-town upgrades).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import numpy as np

from ..core.catalogue import FLOW_INDEX, FLOWS
from ..core.codes import DEAD, DEPARTED, IDLE, LEASED, LOCAL_RURAL, LOCAL_URBAN, NONLOCAL, OCCUPIED, PRESENT
from ..core.districts import DISTRICTS
from ..core.streams import keyed_uniform_pair_one
from .hazards import EVENT_NAMES

INF = float("inf")
NONLOCAL_NO_PERMIT = NONLOCAL * 2        # (hukou, permit) part of a stock cell: cell % 6 (see residents.cell_of)
(BIRTHS, DEATHS, IN_MIGRATION, OUT_MIGRATION, RURAL_TO_URBAN, URBAN_TO_RURAL, HUKOU_CONVERSIONS, MOVES_IN,
 MOVES_OUT, IN_SITU, CONVERSIONS_NONLOCAL, CONVERSIONS_LOCAL_RURAL) = (FLOW_INDEX[name]
                                                                    for name in FLOWS)


#: events that change their own resident alone, and neither its zone nor a flow (see ``apply_own_events``)
OWN_EVENTS = tuple(EVENT_NAMES.index(name) for name in ("residence_permit", "pension_enrolment",
                                                         "medical_enrolment"))
PERMIT, PENSION, MEDICAL = OWN_EVENTS


class Transitions:
    """Event handlers and place changes; expects the attributes ``Model`` sets up."""

    # -- changes to places ---------------------------------------------------------------
    def urbanize_in_place(self, district: int, share: float, day: float) -> int:
        """Make about ``share`` of ``district``'s rural residents urban where they live, by whole households
        taken in random order (the ``levers`` stream) until the persons reclassified reach the share;
        return them.

        A household lives in one zone, so its present members are the district's present rural residents
        of that household.
        """
        res = self.res
        rural = np.flatnonzero((res.view("status") == PRESENT) & ~res.view("urban")
                               & (res.view("district") == district))
        heads = rural[res.is_head[rural]]
        if len(heads) == 0 or share <= 0:
            return 0
        heads = heads[self._lever_stream.permutation(len(heads))]
        target = share * len(rural)
        household = res.hh[rural]
        persons = np.bincount(household, minlength=res.n_households)[res.hh[heads]]
        before = np.cumsum(persons) - persons              # persons reclassified before each household
        chosen = np.zeros(res.n_households, bool)
        chosen[res.hh[heads[: np.searchsorted(before, target, side="left")]]] = True
        rows = rural[chosen[household]]
        self._move_cells(rows, 6)                # same district, hukou and permit; urban
        res.urban[rows] = True
        res.new_town[rows] = True
        res.review_day[rows] = day
        self._flows[IN_SITU][district] += len(rows)
        return len(rows)

    def _move_cells(self, rows: np.ndarray, offset: int) -> None:
        """Move ``rows`` (distinct residents) ``offset`` cells along the stock table, in their cached
        ``cell`` and in the table's counts."""
        cells = self.res.cell[rows]
        stock = self._stock
        for cell, count in enumerate(np.bincount(cells, minlength=len(stock)).tolist()):
            if count:
                stock[cell] -= count
                stock[cell + offset] += count
        self.res.cell[rows] = cells + offset

    # -- events applied together ----------------------------------------------------------
    def apply_own_events(self, rows: np.ndarray, kinds: np.ndarray) -> dict[int, int]:
        """Apply ``OWN_EVENTS`` of ``rows`` at once; return the events applied by kind.

        The premises and effects of ``_on_residence_permit``, ``_on_pension_enrolment`` and
        ``_on_medical_enrolment``, vectorised. The engine passes only events whose household has no other
        event in the month and that fall between the same two steps of the other processes: then
        nothing else reads or writes what they read or write (a permit moves its resident between two
        cells of the same zone, and only a zone's total is read during a month), so they commute with
        every other event, and applying them together gives what applying them one by one in time
        order gives (``test_model`` compares the two).
        """
        res = self.res
        present = res.status[rows] == PRESENT
        permits = rows[(kinds == PERMIT) & present]
        cells = res.cell[permits]
        needed = cells % 6 == NONLOCAL_NO_PERMIT
        permits = permits[needed]
        self._move_cells(permits, 1)              # same zone and hukou; with a permit
        res.permit[permits] = True
        pensions = rows[(kinds == PENSION) & present]
        pensions = pensions[~res.pension[pensions] & res.employed[pensions]]
        res.pension[pensions] = True
        medicals = rows[(kinds == MEDICAL) & present]
        medicals = medicals[~res.medical[medicals]]
        res.medical[medicals] = True
        return {PERMIT: len(permits), PENSION: len(pensions), MEDICAL: len(medicals)}

    # -- event handlers: one resident or household at its exact time ---------------
    def event_uniforms(self, i: int) -> tuple[float, float]:
        """Resident ``i``'s pair of uniforms from the ``events`` stream for its current draw: the month's
        batch when the engine drew it (``Model._event_uniform_pairs``), else computed here."""
        pair = self._event_uniforms.get(i)
        return pair if pair is not None else keyed_uniform_pair_one(self._event_key, i, self.res.mv.draws[i])


    def _on_death(self, i: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[i] != PRESENT:
            return 0
        self._stock[mv.cell[i]] -= 1
        mv.status[i] = DEAD
        mv.review_day[i] = INF
        self._flows[DEATHS][mv.district[i]] += 1
        if mv.is_head[i]:
            head = self.res.reassign_head(mv.hh[i])
            if head >= 0:
                mv.review_day[head] = t        # a new reference person: new hazards
        return 1

    def _on_birth(self, mother: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[mother] != PRESENT:
            return 0
        boy = self.event_uniforms(mother)[0] < self._male_share
        cell = mv.cell[mother] & ~1            # the mother's zone and hukou, no permit
        district = mv.district[mother]
        self.res.add_child(
            mv.hh[mother], district=district, urban=mv.urban[mother], hukou=mv.hukou[mother],
            hukou_district=mv.hukou_district[mother], female=not boy, birth_day=t, cell=cell,
            medical=mv.hukou[mother] != NONLOCAL, new_town=mv.new_town[mother])
        self._stock[cell] += 1
        self._flows[BIRTHS][district] += 1
        return 1

    def _on_departure(self, head: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[head] != PRESENT or not mv.is_head[head]:
            return 0
        members = self.res.members(mv.hh[head])
        stock, out = self._stock, self._flows[OUT_MIGRATION]
        for i in members:
            stock[mv.cell[i]] -= 1
            mv.status[i] = DEPARTED
            mv.next_day[i] = INF
            mv.review_day[i] = INF
            out[mv.district[i]] += 1
        return len(members)

    def _relocate(self, head: int, to_district: int, to_urban: bool, flow: int, t: float) -> int:
        """Move a whole household to (district, urban); count the flow in the district left."""
        mv = self.res.mv
        members = self.res.members(mv.hh[head])
        origin = mv.district[head]
        stock = self._stock
        zone_cells = (to_district * 2 + int(to_urban)) * 6
        for i in members:
            old = mv.cell[i]
            stock[old] -= 1
            new = zone_cells + old % 6           # same hukou and permit, new zone
            stock[new] += 1
            mv.cell[i] = new
            mv.district[i] = to_district
            mv.urban[i] = to_urban
            mv.new_town[i] = False              # a household that moves leaves its new town
            mv.review_day[i] = t
        k = len(members)
        self._flows[flow][origin] += k
        if to_district != origin:
            self._flows[MOVES_OUT][origin] += k
            self._flows[MOVES_IN][to_district] += k
        return k

    def _on_rural_to_urban(self, head: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[head] != PRESENT or not mv.is_head[head] or mv.urban[head]:
            return 0
        origin = mv.district[head]
        destination = origin
        stay, where = self.event_uniforms(head)
        if stay >= self._same_district_share:       # another district, in proportion to its urban residents
            stock = self._stock                     # cells ((district * 2 + urban) * 3 + hukou) * 2 + permit
            cumulative = list(accumulate(0 if d == origin else sum(stock[(2 * d + 1) * 6:(2 * d + 2) * 6])
                                         for d in range(len(DISTRICTS))))
            if cumulative[-1] > 0:                  # integer sums: exact, as the float sums they replace
                destination = bisect_right(cumulative, where * cumulative[-1])
        h = mv.hh[head]
        if mv.hh_homestead[h] == OCCUPIED:
            mv.hh_homestead[h] = IDLE
            where = mv.hh_homestead_district[h]
            if where >= 0:
                self._homesteads_idle[where] += 1
                if self._idle_homesteads is not None:
                    self._idle_homesteads[where].append(h)
        return self._relocate(head, destination, True, RURAL_TO_URBAN, t)

    def _on_urban_to_rural(self, head: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[head] != PRESENT or not mv.is_head[head] or not mv.urban[head]:
            return 0
        returning = mv.hukou[head] == LOCAL_RURAL and mv.hukou_district[head] >= 0
        destination = mv.hukou_district[head] if returning else mv.district[head]
        if not self._rural_part[destination]:
            return 0                 # a fully urban district has no rural part to move to
        h = mv.hh[head]
        if returning and mv.hh_homestead[h] == IDLE:
            mv.hh_homestead[h] = OCCUPIED
            where = mv.hh_homestead_district[h]
            if where >= 0:
                self._homesteads_idle[where] -= 1
        return self._relocate(head, destination, False, URBAN_TO_RURAL, t)

    def _on_hukou_conversion(self, head: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[head] != PRESENT or not mv.is_head[head] or not mv.urban[head] \
                or mv.hukou[head] == LOCAL_URBAN:
            return 0
        converted = 0
        stock, flows = self._stock, self._flows
        conversions = flows[HUKOU_CONVERSIONS]
        for i in self.res.members(mv.hh[head]):
            mv.review_day[i] = t
            hukou = mv.hukou[i]
            if hukou == LOCAL_URBAN:
                continue
            old = mv.cell[i]
            stock[old] -= 1
            new = old - old % 6 + LOCAL_URBAN * 2          # urban hukou, no permit needed
            stock[new] += 1
            mv.cell[i] = new
            district = mv.district[i]
            flows[CONVERSIONS_NONLOCAL if hukou == NONLOCAL else CONVERSIONS_LOCAL_RURAL][district] += 1
            mv.hukou[i] = LOCAL_URBAN
            mv.hukou_district[i] = district
            mv.permit[i] = False
            mv.medical[i] = True                # residents' medical insurance comes with the hukou
            if mv.employed[i]:
                mv.pension[i] = True            # an urban hukou lets flexible workers enrol too
            conversions[district] += 1
            converted += 1
        return converted

    def _on_residence_permit(self, i: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[i] != PRESENT:
            return 0
        old = mv.cell[i]
        if old % 6 != NONLOCAL_NO_PERMIT:         # the cell holds hukou and permit: one read for both
            return 0
        stock = self._stock
        stock[old] -= 1
        stock[old + 1] += 1
        mv.cell[i] = old + 1
        mv.permit[i] = True
        return 1

    def _on_homestead_lease(self, head: int, t: float) -> int:
        """An urban household rents an idle homestead in its district's countryside (homestead reform).

        The idle stock is finite: with none left the event is dropped (unmet demand).
        """
        mv = self.res.mv
        if mv.status[head] != PRESENT or not mv.is_head[head] or not mv.urban[head]:
            return 0
        district = mv.district[head]
        if not self._rural_part[district]:
            return 0
        home = self._take_idle_homestead(district)
        if home < 0:
            return 0
        mv.hh_homestead[home] = LEASED
        self._homesteads_idle[district] -= 1
        self._homesteads_leased[district] += 1
        return self._relocate(head, district, False, URBAN_TO_RURAL, t)

    def _take_idle_homestead(self, district: int) -> int:
        """An idle Qingdao homestead in ``district`` (the most recently vacated first), or -1.

        The per-district index is built on first use and kept lazily: entries whose homestead is no
        longer idle are skipped when they come up.
        """
        if self._idle_homesteads is None:
            res = self.res
            status = res.hh_homestead[: res.n_households]
            where = res.hh_homestead_district[: res.n_households]
            self._idle_homesteads = [np.flatnonzero((status == IDLE) & (where == d)).tolist()
                                     for d in range(len(DISTRICTS))]
        stack = self._idle_homesteads[district]
        mv = self.res.mv
        while stack:
            h = stack.pop()
            if mv.hh_homestead[h] == IDLE and mv.hh_homestead_district[h] == district:
                return h
        return -1

    def _on_pension_enrolment(self, i: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[i] != PRESENT or mv.pension[i] or not mv.employed[i]:
            return 0
        mv.pension[i] = True
        return 1

    def _on_medical_enrolment(self, i: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[i] != PRESENT or mv.medical[i]:
            return 0
        mv.medical[i] = True
        return 1

    def _on_arrival(self, first: int, t: float) -> int:
        mv = self.res.mv
        stock, inflow = self._stock, self._flows[IN_MIGRATION]
        i, persons = first, 0
        while i >= 0:
            mv.status[i] = PRESENT
            stock[mv.cell[i]] += 1
            inflow[mv.district[i]] += 1
            persons += 1
            i = mv.next_member[i]
        return persons
