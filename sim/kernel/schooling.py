"""Public school seats for migrant children (随迁子女义务教育), finite by district.

Each district's public seats for non-hukou children are a SimPy ``Container``:
a seat is taken with ``get`` and given back with ``put``, so a district can
never hand out more seats than it has, and children who find none are the
``school_seat_shortage``, an outcome. At the start, non-hukou children aged
6-15 hold a public seat with probability ``public_school_share_pct`` (drawn
from the ``schools`` stream); each district has those seats plus
``spare_seat_pct``. Every school year (on 1 September, at noon, after the
month-end record) the seats of children who left, moved district, took a
Qingdao hukou or turned 16 are given back, then eligible children without a
seat apply in row order: under the 2020 rules a child is eligible when the
household's reference person holds a residence permit (居住证暂行条例 2016:
compulsory education is a service of the permit); levers may open schooling
to non-hukou children without a permit, in the share of households their
intensity gives (keyed, the ``school_access`` stream: all at intensity 1), and add
seats (``public_services``), which close again at the lever's end: the free ones
at once, the held ones as they are given back. Where services are allocated by residents
(``resident_based_services``), each round also opens the seats that rule adds (``services.py``
``compulsory_extra_seats``), and closes those it no longer gives in the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import simpy

from ..core.ages import SCHOOL_END_AGE, SCHOOL_START_AGE
from ..core.calendar import DAYS_PER_YEAR, NOON, Calendar
from ..core.codes import NONLOCAL, PRESENT
from ..core.districts import DISTRICTS
from ..core.streams import keyed_uniform_pair
from .residents import Residents

if TYPE_CHECKING:            # the levers sit above the kernel: it asks them through the policy set it is given
    from ..policy import PolicySet



def school_children(res, day: float) -> np.ndarray:
    """Present non-hukou children of compulsory-school age on ``day`` (a mask over rows)."""
    age = (day - res.view("birth_day")) / DAYS_PER_YEAR
    return ((res.view("status") == PRESENT) & (res.view("hukou") == NONLOCAL)
            & (age >= SCHOOL_START_AGE) & (age < SCHOOL_END_AGE))


class Schools:
    """The districts' seat containers, the yearly enrolment round and the shortage it leaves."""

    def __init__(self, env: simpy.Environment, res: Residents, calendar: Calendar, schooling,
                 policies: PolicySet, rng: np.random.Generator, access_key: int) -> None:
        self.env = env
        self.res = res
        self.calendar = calendar
        self.settings = s = schooling              # the scenario's behaviour.schooling
        self.policies = policies
        self.access_key = access_key                 # the ``school_access`` stream's key
        n = len(DISTRICTS)
        children = np.flatnonzero(school_children(res, 0.0))
        holders = children[rng.random(len(children)) < s.public_school_share_pct / 100.0]
        res.school_district[holders] = res.district[holders]
        held = np.bincount(res.district[holders], minlength=n)
        seats = np.ceil(held * (1.0 + s.spare_seat_pct / 100.0)).astype(np.int64)
        #: each seat-adding lever with the seats it adds when it switches on
        self.lever_seats = policies.school_seats(seats)
        self.extra = sum((added for _, added in self.lever_seats), np.zeros(n, np.int64))
        # unbounded: the seats open are ``capacity`` (held + free), which the allocation by residents may raise
        self.containers = [simpy.Container(env, capacity=float("inf"), init=int(seats[d] - held[d]))
                           for d in range(n)]
        self.capacity = seats.copy()                  # seats open now: held + free always equals this
        self.closing = np.zeros(n, np.int64)          # seats of levers that ended, still held by a child
        self.shortage = np.zeros(n, np.int64)
        #: the seats the allocation rule adds on a round day, by district (``services.compulsory_extra_seats``;
        #: None when no lever allocates by residents), and those it has added
        self.sizing: Callable[[float], np.ndarray] | None = None
        self.rule_seats = np.zeros(n, np.int64)

    def year_rounds(self):
        """A SimPy process: the enrolment round of every school year within the period."""
        env, cal = self.env, self.calendar
        for (first, _), day in zip(cal.month_spans, cal.month_starts[:-1], strict=False):
            if first.month != self.settings.enrolment_month:
                continue
            yield env.timeout(max(day + NOON - env.now, 0.0))
            yield from self._round(day + NOON)

    def open_seats(self, lever, extra: np.ndarray):
        """A SimPy process adding a lever's extra seats on its first switch day and taking them away on its
        last: the free ones at once, the others as their children give them back (``_round``)."""
        env = self.env
        opens, closes = lever.switch_days.tolist()
        if not np.isfinite(opens):
            return
        yield env.timeout(max(opens + NOON - env.now, 0.0))
        for d, k in enumerate(extra.tolist()):
            if k > 0:
                yield self.containers[d].put(k)
                self.capacity[d] += k
        if not np.isfinite(closes):
            return
        yield env.timeout(max(closes + NOON - env.now, 0.0))
        for d, k in enumerate(extra.tolist()):
            free = min(k, int(self.containers[d].level))
            if free > 0:
                yield self.containers[d].get(free)
                self.capacity[d] -= free
            self.closing[d] += k - free

    def _resize(self, target: np.ndarray):
        """Open or close the allocation rule's seats to ``target`` by district: new ones at once, closed ones
        at once if free, else as their children give them back (as a lever's that ends)."""
        for d, change in enumerate((target - self.rule_seats).tolist()):
            if change > 0:
                yield self.containers[d].put(change)
                self.capacity[d] += change
            elif change < 0:
                free = min(-change, int(self.containers[d].level))
                if free > 0:
                    yield self.containers[d].get(free)
                    self.capacity[d] -= free
                self.closing[d] += -change - free
        self.rule_seats = target.copy()

    def _round(self, day: float):
        """Give back, then hand out, the seats: one ``put`` and one ``get`` per district for all its
        children at once (the round is instantaneous: the same seats, in row order, as child by child).
        Seats that a lever opens on the day of a round count in that round."""
        res = self.res
        yield self.env.timeout(0.0)       # seats a lever opens at this instant (open_seats) land first
        n = len(DISTRICTS)
        children = school_children(res, day)
        seat = res.view("school_district")
        # give back the seats of those who no longer hold them as a child of this district
        leaving = np.flatnonzero((seat >= 0) & ~(children & (seat == res.view("district"))))
        returned = np.bincount(seat[leaving], minlength=n)
        seat[leaving] = -1
        for d in np.flatnonzero(returned).tolist():
            yield self.containers[d].put(int(returned[d]))     # never blocks: held + free == capacity
            closed = min(int(self.closing[d]), int(self.containers[d].level))
            if closed > 0:                                     # a seat of a lever that ended closes
                yield self.containers[d].get(closed)
                self.capacity[d] -= closed
                self.closing[d] -= closed
        if self.sizing is not None:
            yield from self._resize(self.sizing(day))
        open_share = self.policies.schools_open(n, day)
        heads = res.hh_head[res.view("hh")]
        permit = np.where(heads >= 0, res.permit[np.maximum(heads, 0)], False)
        if not self.settings.permit_required:
            permit = np.ones_like(permit)
        applying = children & (seat < 0)
        # without a permit, a lever admits its intensity's share of households (keyed by household and
        # day: the same households at a higher intensity, and all of them at intensity 1)
        if open_share.any():
            others = np.flatnonzero(applying & ~permit)
            admitted, _ = keyed_uniform_pair(self.access_key, res.hh[others], np.full(len(others), int(day)))
            permit[others] = admitted < open_share[res.district[others]]
        eligible = np.flatnonzero(applying & permit)
        district = res.district[eligible].astype(np.int64)
        # in row order within each district: the first applicants get the free seats, the others none
        seated = np.zeros(len(eligible), bool)
        for d, container in enumerate(self.containers):
            seated[np.flatnonzero(district == d)[:int(container.level)]] = True
        seat[eligible[seated]] = district[seated]
        taken = np.bincount(district[seated], minlength=n)
        self.shortage[:] = np.bincount(district[~seated], minlength=n)
        for d in np.flatnonzero(taken).tolist():
            yield self.containers[d].get(int(taken[d]))
