"""Experiments for researchers: parameter sweeps with replications, run locally or on Dask, resumable,
ending in one table and sensitivity indices.

- ``spec``: the sweep file (YAML), validated like a scenario;
- ``design``: grid, Latin hypercube, Sobol (Saltelli) and Morris designs;
- ``sweep``: the runs of a sweep, the pure ``run_task`` a worker executes, the tables;
- ``store``: one file per finished run, keyed by settings, replication and code version;
- ``executor``: in process, a local process pool, or Dask;
- ``sensitivity`` and ``sensitivity_plots``: SALib indices, warnings and plots;
- ``pipeline``: estimate, run, write.
"""
