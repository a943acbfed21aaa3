"""The stock-cell layout's helpers agree with ``cell_of`` on every cell, and each premise gives the same answer
for one resident (Python scalars, as the handlers read them) and for arrays (as the hazards and the vectorised
path read them)."""

import itertools

import numpy as np

from sim.core.codes import (
    CELLS_PER_ZONE,
    LOCAL_URBAN,
    LOCAL_URBAN_PART,
    NONLOCAL,
    URBAN_OFFSET,
    cell_of,
    without_permit,
    zone_cell,
    zone_part,
)
from sim.core.districts import DISTRICTS
from sim.kernel.premises import may_enrol_in_medical, may_enrol_in_pension, may_take_permit

CELLS = list(itertools.product(range(len(DISTRICTS)), (0, 1), range(3), (0, 1)))


def test_every_cell_decodes_to_its_zone_and_parts():
    assert sorted(cell_of(*c) for c in CELLS) == list(range(len(CELLS)))
    for district, urban, hukou, permit in CELLS:
        cell = cell_of(district, urban, hukou, permit)
        assert zone_part(cell) == zone_cell(district, urban)
        assert zone_cell(district, urban) <= cell < zone_cell(district, urban) + CELLS_PER_ZONE
        assert without_permit(cell) == cell_of(district, urban, hukou, 0)
        assert zone_part(cell) + LOCAL_URBAN_PART == cell_of(district, urban, LOCAL_URBAN, 0)
        if not urban:
            assert cell + URBAN_OFFSET == cell_of(district, 1, hukou, permit)


def test_premises_agree_for_scalars_and_arrays():
    combos = list(itertools.product(range(3), (False, True), (False, True)))
    hukou = np.array([c[0] for c in combos], np.int8)
    flag_a = np.array([c[1] for c in combos])
    flag_b = np.array([c[2] for c in combos])
    for premise, args in ((may_take_permit, (hukou, flag_a)), (may_enrol_in_pension, (flag_a, flag_b)),
                          (may_enrol_in_medical, (flag_a,))):
        vector = premise(*args)
        assert vector.dtype == bool
        assert [bool(premise(*(int(a[k]) if a.dtype != bool else bool(a[k]) for a in args)))
                for k in range(len(combos))] == vector.tolist()
    assert may_take_permit(NONLOCAL, False) and not may_take_permit(NONLOCAL, True)
    assert not may_take_permit(LOCAL_URBAN, False)
    assert may_enrol_in_pension(False, True) and not may_enrol_in_pension(True, True)
    assert not may_enrol_in_pension(False, False)
    assert may_enrol_in_medical(False) and not may_enrol_in_medical(True)
