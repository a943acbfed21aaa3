"""The quadratic emulator's terms: one place for the point fit (``fit.py``) and the posterior (``posterior.py``).

A quantity's simulated value over the design is fitted by least squares on
these terms of the unit-cube point; the same terms give the emulated value
and the leverage of any other point.
"""

from __future__ import annotations

import numpy as np


def features(u: np.ndarray) -> np.ndarray:
    """Quadratic polynomial terms of unit-cube points (rows): 1, u_i, u_i * u_j (i <= j)."""
    u = np.atleast_2d(u)
    d = u.shape[1]
    cross = [u[:, i] * u[:, j] for i in range(d) for j in range(i, d)]
    return np.column_stack([np.ones(len(u)), u, *cross])
