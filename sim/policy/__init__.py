"""The policy levers: a base class with every hook typed (``lever.py``), one subclass per lever in its own
module (mechanism, parameters, evidence in its docstring), the registry (``registry.py``: the plan's levers and
the levers of history that replay past rules in backcasts) and the policy set of a run (``policy_set.py``), the
only code that asks levers anything.
"""

from __future__ import annotations

from .lever import Lever, LeverContext, Places
from .policy_set import PolicySet
from .registry import HISTORY_LEVERS, LEVERS

__all__ = ["HISTORY_LEVERS", "LEVERS", "Lever", "LeverContext", "Places", "PolicySet"]
