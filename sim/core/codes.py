"""The codes of the resident state, and the layout of the stock table's cells.

A stock cell is ``((district * 2 + urban) * 3 + hukou) * 2 + permit``: the zone (district, urban part) in its
high part, the (hukou, permit) pair in its low six values. ``cell_of`` and the helpers below are the only code
that knows this layout; they work on ints and on numpy arrays alike.
"""

from __future__ import annotations

# status (ARRIVING: created at a month start for a household that arrives later in that month)
PRESENT, DEAD, DEPARTED, ARRIVING = 0, 1, 2, 3
# hukou
LOCAL_URBAN, LOCAL_RURAL, NONLOCAL = 0, 1, 2
# homestead (per household)
NO_HOMESTEAD, OCCUPIED, IDLE, LEASED = 0, 1, 2, 3

#: (hukou, permit) pairs per zone, and so the cells of one zone
CELLS_PER_ZONE = 6
#: the offset along the table that makes a rural cell urban (same district, hukou and permit)
URBAN_OFFSET = CELLS_PER_ZONE


def cell_of(district, urban, hukou, permit):
    """Index of the stock-table cell (district, urban, hukou, permit), flattened."""
    return ((district * 2 + urban) * 3 + hukou) * 2 + permit


def zone_cell(district, urban):
    """The first cell of a zone (district, urban part)."""
    return (district * 2 + urban) * CELLS_PER_ZONE


def zone_part(cell):
    """The zone part of a cell (its first cell)."""
    return cell - cell % CELLS_PER_ZONE


def without_permit(cell):
    """The same zone and hukou, without a permit."""
    return cell & ~1


#: the (hukou, permit) part of an urban-hukou holder (no permit needed)
LOCAL_URBAN_PART = LOCAL_URBAN * 2
