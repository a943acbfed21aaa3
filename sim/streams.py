"""Named random streams, one set per replication, all from one root seed.

Every draw in the model comes from one of these generators. Stream ``k`` of
replication ``r`` is seeded by ``SeedSequence(seed, spawn_key=(r, k))`` with
``k`` the position of the name in ``STREAM_NAMES``, so adding a stream at the
end never changes the others, and the same replication index in two scenarios
shares its streams (common random numbers for paired comparisons).
"""

from __future__ import annotations

import numpy as np

#: fixed order: the index is part of the seed, so only append to this tuple
STREAM_NAMES: tuple[str, ...] = (
    "population",  # building the synthetic population
    "timing",      # monthly waiting-time draws of the residents' competing risks
    "choice",      # which of the competing events happens, destinations
    "arrivals",    # arrivals from outside Qingdao and their attributes
    "births",      # newborns' attributes
)


class Streams:
    """The generators of one replication, looked up by name."""

    def __init__(self, seed: int, replication: int) -> None:
        self.seed = int(seed)
        self.replication = int(replication)
        self._generators = {
            name: np.random.Generator(np.random.PCG64(
                np.random.SeedSequence(self.seed, spawn_key=(self.replication, index))))
            for index, name in enumerate(STREAM_NAMES)
        }

    def __getitem__(self, name: str) -> np.random.Generator:
        try:
            return self._generators[name]
        except KeyError:
            raise KeyError(f"no random stream {name!r}; streams are {', '.join(STREAM_NAMES)}") from None
