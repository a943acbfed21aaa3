"""The premises of the events, each written once for one resident (Python scalars) and for arrays alike.

The hazards ask them to decide who is at risk, the levers to decide whom they open an event to, and the
handlers (one by one and vectorised) to decide whether an event still holds when its time comes. Written with
``==``, ``!=`` and ``&`` only, so that the same expression is right for ``bool``/``int`` and for numpy arrays
(``~`` and ``not`` would each be wrong for one of them).
"""

from __future__ import annotations

from ..core.codes import NONLOCAL


def may_take_permit(hukou, permit):
    """A residence permit is for non-local residents who hold none yet."""
    return (hukou == NONLOCAL) & (permit == 0)


def may_enrol_in_pension(pension, employed):
    """Pension enrolment is for workers not yet enrolled."""
    return (pension == 0) & (employed != 0)


def may_enrol_in_medical(medical):
    """Medical enrolment is for residents without a Qingdao medical insurance."""
    return medical == 0
