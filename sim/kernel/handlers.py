"""What each event does to the residents and the ledger, at its exact time, one resident or household at a
time; and the vectorised path for the events of households with no other event in the month, which commute
with every other event (``apply_together``).

Hot path: plain Python lists for the stock and flows (the ledger's), each resident's cached stock ``cell``,
and only scalar reads and writes through memoryviews. Each handler returns the persons it affected, or 0 when
its premise no longer holds (the event is dropped). The premises shared with the hazards and the vectorised
path are ``premises.py``'s, written once for scalars and arrays. ``urbanize_in_place`` changes places
(reclassification, ``reclassification.py``).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

import numpy as np

from ..core.catalogue import FLOW_INDEX, FLOWS
from ..core.codes import (
    CELLS_PER_ZONE,
    DEAD,
    DEPARTED,
    IDLE,
    LEASED,
    LOCAL_RURAL,
    LOCAL_URBAN,
    LOCAL_URBAN_PART,
    NONLOCAL,
    OCCUPIED,
    PRESENT,
    URBAN_OFFSET,
    without_permit,
    zone_cell,
    zone_part,
)
from ..core.districts import DISTRICTS
from ..core.streams import keyed_uniform_pair, keyed_uniform_pair_one
from .hazards import EVENT_NAMES
from .ledger import Ledger, add_counts
from .places import PLACES, PlaceChoice
from .premises import may_enrol_in_medical, may_enrol_in_pension, may_take_permit
from .residents import Residents

INF = float("inf")
_NOTHING_AHEAD = [0] * len(DISTRICTS)
(BIRTHS, DEATHS, IN_MIGRATION, OUT_MIGRATION, RURAL_TO_URBAN, URBAN_TO_RURAL, HUKOU_CONVERSIONS, MOVES_IN,
 MOVES_OUT, IN_SITU, CONVERSIONS_NONLOCAL, CONVERSIONS_LOCAL_RURAL) = (FLOW_INDEX[name] for name in FLOWS)

#: every event the engine applies: the residents' competing events, then a household's arrival
ALL_EVENTS = (*EVENT_NAMES, "arrival")
ARRIVAL = len(EVENT_NAMES)
BIRTH = ALL_EVENTS.index("birth")
#: events whose handler draws from the ``events`` stream (the child's sex, the destination district)
USES_EVENT_UNIFORMS = [BIRTH, ALL_EVENTS.index("rural_to_urban")]
#: events that change their own resident alone, and neither its zone nor a flow (see ``apply_own_events``)
OWN_EVENTS = tuple(EVENT_NAMES.index(name) for name in ("residence_permit", "pension_enrolment",
                                                         "medical_enrolment"))
PERMIT, PENSION, MEDICAL = OWN_EVENTS
DEATH, DEPARTURE, CONVERSION, RURAL_TO_URBAN_EVENT = (
    EVENT_NAMES.index(name) for name in ("death", "departure", "hukou_conversion", "rural_to_urban"))
#: events applied together when their household has no other event in the month (``apply_together``): each
#: reads and writes its own household alone, besides the counts
TOGETHER_EVENTS = (*OWN_EVENTS, DEATH, DEPARTURE, CONVERSION, ARRIVAL)


class EventDraws:
    """The ``events`` stream's pair of uniforms for a resident's current draw (the child's sex, the
    destination district), computed for the month's residents at once where the engine can."""

    def __init__(self, res: Residents, key) -> None:
        self.res = res
        self.key = key
        self.month: dict[int, tuple[float, float]] = {}

    def prepare(self, rows: np.ndarray) -> None:
        """Draw the pairs of ``rows`` for the month at once.

        A resident acts at most once a month and its draw counter moves only at month starts, so these are
        exactly the numbers ``pair`` would compute for each by itself.
        """
        first, second = keyed_uniform_pair(self.key, rows, self.res.draws[rows])
        self.month = dict(zip(rows.tolist(), zip(first.tolist(), second.tolist(), strict=True), strict=True))

    def pair(self, i: int) -> tuple[float, float]:
        """Resident ``i``'s pair: the month's batch when it was drawn there, else computed here."""
        pair = self.month.get(i)
        return pair if pair is not None else keyed_uniform_pair_one(self.key, i, self.res.mv.draws[i])


class Handlers:
    """The event handlers of one replication, over its residents and ledger.

    Parameters
    ----------
    res, ledger : the residents and their books, changed in step.
    draws : the ``events`` stream's uniforms.
    male_share : share of boys at birth.
    same_district_share : share of rural-to-urban moves that stay in their district.
    rural_part : per district, whether it has a rural part to move to.
    """

    def __init__(self, res: Residents, ledger: Ledger, draws: EventDraws, male_share: float,
                 same_district_share: float, rural_part: np.ndarray) -> None:
        self.res = res
        self.ledger = ledger
        self.draws = draws
        self._stock = ledger.stock
        self._flows = ledger.flows
        self._homesteads_idle = ledger.homesteads_idle
        self._homesteads_leased = ledger.homesteads_leased
        self._male_share = male_share
        self._same_district_share = same_district_share
        self._rural_part = rural_part
        #: where a household moving into a zone settles among its places (the model sets the scenario's)
        self.place_choice = PlaceChoice(np.zeros((len(PLACES), 2)))
        #: persons reclassified urban in each place since the last month end (``take_place_in_situ``)
        self.place_in_situ = np.zeros(len(PLACES), np.int64)
        #: each district's urban cells in the stock table
        self._urban_cells = [slice(zone_cell(d, 1), zone_cell(d, 1) + CELLS_PER_ZONE) for d in range(len(DISTRICTS))]
        #: per resident about to move from rural to urban: the persons the events applied ahead of their
        #: time (``apply_together``) added to each district's urban part; set by the engine for the segment
        self.urban_ahead: dict[int, list[int]] = {}
        #: per district, the multiplier on its weight as the destination of a rural-to-urban mover leaving its
        #: district (jobs and housing, ``district_economy``'s pull, set each month); None: urban residents alone
        self.destination_pull: list[float] | None = None
        #: the handler of each event code (``ALL_EVENTS``)
        self.by_kind = [getattr(self, f"_on_{name}") for name in ALL_EVENTS]

    # -- changes to places ---------------------------------------------------------------
    def urbanize_in_place(self, shares: np.ndarray, day: float, key: int,
                          base_shares: np.ndarray | None = None,
                          place_shares: np.ndarray | None = None) -> np.ndarray:
        """Reclassify about ``shares[d]`` of each district ``d``'s rural households as urban where they live;
        return the rows of the residents reclassified.

        Each rural household is reclassified when its uniform, keyed by (``key``, household, ``day``), falls
        below its district's share: a household is the unit (a village is reclassified whole), the expected
        persons are the share, and a household's draw depends on nothing else, so a scenario with more
        residents or another pace reclassifies the same households among those it shares (a faster pace a
        superset of them). Those between ``base_shares[d]`` and ``shares[d]`` (the part a new-town upgrade
        adds) are marked ``new_town``. With ``place_shares`` (one per place of ``kernel.places.PLACES``), a
        household living in a place takes its place's share instead of its district's (a new-town upgrade
        speeds up its place alone). A household lives in one zone, so its reference person's zone is its
        members'.
        """
        res = self.res
        if not (shares > 0).any():
            return np.zeros(0, np.int64)
        heads = np.flatnonzero((res.view("status") == PRESENT) & ~res.view("urban") & res.view("is_head"))
        households = res.hh[heads]
        draw, _ = keyed_uniform_pair(key, households, np.full(len(heads), int(day)))
        district = res.district[heads]
        share = shares[district]
        if place_shares is not None:
            place = res.place[heads]
            inside = place >= 0
            share[inside] = place_shares[place[inside]]
        taken = np.flatnonzero(draw < share)
        rows, owner = res.present_members(households[taken])     # a household lives in one zone: all rural
        order = np.argsort(rows)
        rows, owner = rows[order], owner[order]
        self.ledger.move_cells(rows, URBAN_OFFSET)          # same district, hukou and permit; urban
        res.urban[rows] = True
        res.review_day[rows] = day
        if base_shares is not None:
            town = draw[taken] >= base_shares[district[taken]]
            res.new_town[rows[town[owner]]] = True
        add_counts(self._flows[IN_SITU], res.district[rows])
        place = res.place[rows]
        self.place_in_situ += np.bincount(place[place >= 0], minlength=len(PLACES))
        return rows

    def take_place_in_situ(self) -> np.ndarray:
        """The persons reclassified urban in each place since the last call (then reset)."""
        taken, self.place_in_situ = self.place_in_situ, np.zeros(len(PLACES), np.int64)
        return taken

    # -- events applied together ----------------------------------------------------------
    def apply_together(self, times: np.ndarray, rows: np.ndarray, kinds: np.ndarray) -> tuple[dict[int, int],
                                                                                              np.ndarray]:
        """Apply the ``TOGETHER_EVENTS`` at ``times`` of ``rows`` at once; return the events applied by kind
        and, per event, the persons it added to the urban part of its district (negative: removed).

        The premises and effects of the handlers of those events, vectorised. The engine passes only
        events whose household has no other event in the month, between the same two steps of the other
        processes. Each reads and writes its own household alone, besides the stock and the flows, which
        only add up; the one read of the stock during a month (a rural-to-urban move's choice of another
        district, by its urban residents) is told what the events applied here ahead of their time added
        (``urban_ahead``). So applying them together gives what applying them one by one in time order gives
        (``test_model`` compares the two).
        """
        applied = self.apply_own_events(rows, kinds)
        urban_change = np.zeros(len(rows), np.int64)
        for kind, apply in ((DEATH, self._deaths), (DEPARTURE, self._departures),
                            (CONVERSION, self._conversions), (ARRIVAL, self._arrivals)):
            at = np.flatnonzero(kinds == kind)
            if len(at):
                applied[kind] = apply(times[at], rows[at], at, urban_change)
        return applied, urban_change

    def _deaths(self, times: np.ndarray, rows: np.ndarray, at: np.ndarray, urban_change: np.ndarray) -> int:
        """``_on_death`` of ``rows`` at once."""
        res = self.res
        live = res.status[rows] == PRESENT
        rows, times, at = rows[live], times[live], at[live]
        add_counts(self._stock, res.cell[rows], -1)
        res.status[rows] = DEAD
        res.review_day[rows] = INF
        add_counts(self._flows[DEATHS], res.district[rows])
        urban_change[at] = -res.urban[rows].astype(np.int64)
        heads = np.flatnonzero(res.is_head[rows])
        successor = res.reassign_heads(res.hh[rows[heads]])
        found = successor >= 0
        res.review_day[successor[found]] = times[heads][found]      # a new reference person: new hazards
        return len(rows)

    def _departures(self, times: np.ndarray, rows: np.ndarray, at: np.ndarray, urban_change: np.ndarray) -> int:
        """``_on_departure`` of the heads ``rows`` at once."""
        res = self.res
        heads = (res.status[rows] == PRESENT) & res.is_head[rows]
        rows, at = rows[heads], at[heads]
        members, owner = res.present_members(res.hh[rows])
        add_counts(self._stock, res.cell[members], -1)
        res.status[members] = DEPARTED
        res.next_day[members] = INF
        res.review_day[members] = INF
        add_counts(self._flows[OUT_MIGRATION], res.district[members])
        urban_change[at] = -np.bincount(owner, minlength=len(rows)) * res.urban[rows]
        return len(rows)

    def _conversions(self, times: np.ndarray, rows: np.ndarray, at: np.ndarray, urban_change: np.ndarray) -> int:
        """``_on_hukou_conversion`` of the heads ``rows`` at once (within the urban part: no urban change)."""
        res = self.res
        heads = (res.status[rows] == PRESENT) & res.is_head[rows] & res.urban[rows] & (res.hukou[rows] != LOCAL_URBAN)
        rows, times = rows[heads], times[heads]
        members, owner = res.present_members(res.hh[rows])
        res.review_day[members] = times[owner]
        hukou = res.hukou[members]
        members, hukou = members[hukou != LOCAL_URBAN], hukou[hukou != LOCAL_URBAN]
        old = res.cell[members]
        add_counts(self._stock, old, -1)
        new = zone_part(old) + LOCAL_URBAN_PART            # urban hukou, no permit needed
        add_counts(self._stock, new)
        res.cell[members] = new
        district = res.district[members]
        add_counts(self._flows[CONVERSIONS_NONLOCAL], district[hukou == NONLOCAL])
        add_counts(self._flows[CONVERSIONS_LOCAL_RURAL], district[hukou != NONLOCAL])
        add_counts(self._flows[HUKOU_CONVERSIONS], district)
        res.hukou[members] = LOCAL_URBAN
        res.hukou_district[members] = district
        res.permit[members] = False
        res.medical[members] = True
        res.pension[members] |= res.employed[members]
        return len(rows)

    def _arrivals(self, times: np.ndarray, rows: np.ndarray, at: np.ndarray, urban_change: np.ndarray) -> int:
        """``_on_arrival`` of the households whose first rows are ``rows`` at once."""
        res = self.res
        members, owner = res.linked_members(rows)
        res.status[members] = PRESENT
        add_counts(self._stock, res.cell[members])
        add_counts(self._flows[IN_MIGRATION], res.district[members])
        urban_change[at] = np.bincount(owner, minlength=len(rows)) * res.urban[rows]
        return len(rows)

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
        permits = permits[may_take_permit(res.hukou[permits], res.permit[permits])]
        self.ledger.move_cells(permits, 1)        # same zone and hukou; with a permit
        res.permit[permits] = True
        pensions = rows[(kinds == PENSION) & present]
        pensions = pensions[may_enrol_in_pension(res.pension[pensions], res.employed[pensions])]
        res.pension[pensions] = True
        medicals = rows[(kinds == MEDICAL) & present]
        medicals = medicals[may_enrol_in_medical(res.medical[medicals])]
        res.medical[medicals] = True
        return {PERMIT: len(permits), PENSION: len(pensions), MEDICAL: len(medicals)}

    # -- event handlers: one resident or household at its exact time ---------------
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
        boy = self.draws.pair(mother)[0] < self._male_share
        cell = without_permit(mv.cell[mother])            # the mother's zone and hukou
        district = mv.district[mother]
        self.res.add_child(
            mv.hh[mother], district=district, urban=mv.urban[mother], hukou=mv.hukou[mother],
            hukou_district=mv.hukou_district[mother], female=not boy, birth_day=t, cell=cell,
            medical=mv.hukou[mother] != NONLOCAL, new_town=mv.new_town[mother], place=mv.place[mother])
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

    def _relocate(self, head: int, to_district: int, to_urban: bool, flow: int, t: float, x: float) -> int:
        """Move a whole household to (district, urban); count the flow in the district left. It leaves its
        place and settles in one of the new zone's for the uniform ``x`` (``PlaceChoice.one``)."""
        mv = self.res.mv
        members = self.res.members(mv.hh[head])
        origin = mv.district[head]
        place = self.place_choice.one(to_district, int(to_urban), x)
        stock = self._stock
        zone_cells = zone_cell(to_district, int(to_urban))
        for i in members:
            old = mv.cell[i]
            stock[old] -= 1
            new = zone_cells + old % CELLS_PER_ZONE           # same hukou and permit, new zone
            stock[new] += 1
            mv.cell[i] = new
            mv.district[i] = to_district
            mv.urban[i] = to_urban
            mv.new_town[i] = False              # a household that moves leaves its new town
            mv.place[i] = place
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
        stay, where = self.draws.pair(head)
        x = where                                   # the place's uniform: ``where`` unless it chose a district
        if stay >= self._same_district_share:       # another district, in proportion to its urban residents
            stock = self._stock
            urban = self._urban_cells
            ahead = self.urban_ahead.get(head, _NOTHING_AHEAD)
            pull = self.destination_pull
            cumulative: list[float] | list[int]
            if pull is None:
                cumulative = list(accumulate(0 if d == origin else sum(stock[urban[d]]) - ahead[d]
                                             for d in range(len(DISTRICTS))))
            else:                                   # weighted by the month's pull (floats)
                cumulative = list(accumulate(0.0 if d == origin else (sum(stock[urban[d]]) - ahead[d]) * pull[d]
                                             for d in range(len(DISTRICTS))))
            if cumulative[-1] > 0:                  # integer sums: exact, as the float sums they replace
                destination = bisect_right(cumulative, where * cumulative[-1])
                low = cumulative[destination - 1] if destination else 0     # where in the district's bin:
                x = (where * cumulative[-1] - low) / (cumulative[destination] - low)   # uniform again
        h = mv.hh[head]
        if mv.hh_homestead[h] == OCCUPIED:
            mv.hh_homestead[h] = IDLE
            where = mv.hh_homestead_district[h]
            if where >= 0:
                self.ledger.homestead_vacated(h, where)
        return self._relocate(head, destination, True, RURAL_TO_URBAN, t, x)

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
        return self._relocate(head, destination, False, URBAN_TO_RURAL, t, self.draws.pair(head)[1])

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
            new = zone_part(old) + LOCAL_URBAN_PART          # urban hukou, no permit needed
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
        if not may_take_permit(mv.hukou[i], mv.permit[i]):
            return 0
        old = mv.cell[i]
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
        home = self.ledger.take_idle_homestead(district)
        if home < 0:
            return 0
        mv.hh_homestead[home] = LEASED
        self._homesteads_idle[district] -= 1
        self._homesteads_leased[district] += 1
        return self._relocate(head, district, False, URBAN_TO_RURAL, t, self.draws.pair(head)[1])

    def _on_pension_enrolment(self, i: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[i] != PRESENT or not may_enrol_in_pension(mv.pension[i], mv.employed[i]):
            return 0
        mv.pension[i] = True
        return 1

    def _on_medical_enrolment(self, i: int, t: float) -> int:
        mv = self.res.mv
        if mv.status[i] != PRESENT or not may_enrol_in_medical(mv.medical[i]):
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
