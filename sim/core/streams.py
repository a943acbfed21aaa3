"""Random numbers: named streams and per-resident keyed draws, all from one root seed.

Two kinds, both seeded by ``SeedSequence(seed, spawn_key=(replication, k))``
with ``k`` the position of a name in ``STREAM_NAMES`` (append only: the index
is part of the seed):

- *streams* (``Streams[name]``, a numpy ``Generator``) for draws made once per
  run or per month in a fixed order: building the population, the month's
  arrivals;
- *keyed draws* (``keyed_uniform_pair``) for the residents' own randomness:
  the uniforms of resident ``row`` at its ``n``-th redraw are a hash of
  (key, row, n), whatever else is drawn. So in two scenarios with the same
  seed and replication, every resident whose history is the same draws the
  same numbers (common random numbers resident by resident), and redrawing
  more residents in one scenario changes nothing for the others.

The hash is splitmix64's finalizer applied twice (Steele, Lea and Flood 2014,
"Fast splittable pseudorandom number generators"): a bijective 64-bit mixer;
its output is split into two 32-bit uniforms on [0, 1).
"""

from __future__ import annotations

import numpy as np

#: fixed order: the index is part of the seed, so only append to this tuple
STREAM_NAMES: tuple[str, ...] = (
    "population",  # building the synthetic population (stream)
    "arrivals",    # the month's arrivals from outside Qingdao and their attributes (stream)
    "residents",   # key: each resident's waiting time and which competing event
    "events",      # key: draws inside an event (a newborn's sex, a move's destination)
    "levers",      # levers' own draws, such as talent attraction's graduate arrivals (stream)
    "schools",     # which migrant children hold a public school seat at the start (stream)
    "submodels",   # the city sub-models' draws: the weather's year-to-year factor on air quality (stream)
    "reclassification",  # key: whether a rural household's place is reclassified urban at a month start
    "uncertainty", # key: uncertainty mode's draws of the replication's posterior row and lever effect sizes
    "school_access",  # key: whether a lever opening schools at an intensity below 1 admits a household's children
    "places",      # the starting households' places (stream); key: the place an arriving household settles in
)

_MASK = 0xFFFFFFFFFFFFFFFF
_GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_U32 = 2.0 ** -32


class Streams:
    """The generators and keys of one replication, looked up by name."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self._sequences = {name: np.random.SeedSequence(self.seed, spawn_key=(self.replication, index))
                           for index, name in enumerate(STREAM_NAMES)}
        self._generators: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        if name not in self._generators:
            self._generators[name] = np.random.Generator(np.random.PCG64(self._sequence(name)))
        return self._generators[name]

    def key(self, name: str) -> int:
        """A 64-bit key for ``keyed_uniform_pair``."""
        return int(self._sequence(name).generate_state(1, dtype=np.uint64)[0])

    def _sequence(self, name: str) -> np.random.SeedSequence:
        try:
            return self._sequences[name]
        except KeyError:
            raise KeyError(f"no random stream {name!r}; streams are {', '.join(STREAM_NAMES)}") from None


def _mix(z: np.ndarray, tmp: np.ndarray) -> None:
    """splitmix64 finalizer, in place on a uint64 array."""
    np.right_shift(z, np.uint64(30), out=tmp)
    z ^= tmp
    z *= np.uint64(_M1)
    np.right_shift(z, np.uint64(27), out=tmp)
    z ^= tmp
    z *= np.uint64(_M2)
    np.right_shift(z, np.uint64(31), out=tmp)
    z ^= tmp


def keyed_uniform_pair(key: int, rows: np.ndarray, counters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two uniforms on [0, 1) for each (row, counter), determined by ``key`` alone."""
    with np.errstate(over="ignore"):
        z = np.asarray(rows).astype(np.uint64)
        z *= np.uint64(_GOLDEN)
        z ^= np.uint64(key)
        tmp = np.empty_like(z)
        _mix(z, tmp)
        np.multiply(np.asarray(counters).astype(np.uint64), np.uint64(_GOLDEN), out=tmp)
        z += tmp
        _mix(z, tmp)
    # in place where it can be: at whole-city scale every temporary is tens of megabytes
    np.right_shift(z, np.uint64(32), out=tmp)
    high = tmp.astype(np.float64)
    high *= _U32
    np.bitwise_and(z, np.uint64(0xFFFFFFFF), out=tmp)
    low = tmp.astype(np.float64)
    low *= _U32
    return high, low


def _mix_int(z: int) -> int:
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


def keyed_uniform_pair_one(key: int, row: int, counter: int) -> tuple[float, float]:
    """``keyed_uniform_pair`` for one resident, in plain Python (same numbers)."""
    z = _mix_int(((row * _GOLDEN) & _MASK) ^ key)
    z = _mix_int((z + counter * _GOLDEN) & _MASK)
    return (z >> 32) * _U32, (z & 0xFFFFFFFF) * _U32
