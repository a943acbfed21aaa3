"""Calibration of the behaviour to Qingdao's observed history, and back-tests on years the fit did not see.

- ``observations``: the census and yearly figures the model is compared with;
- ``spec``: the calibration file (which scenario, which settings, bounds);
- ``objective``: simulated against observed, under common random numbers;
- ``fit``: Nelder-Mead in the unit cube of the bounds, and the seed bootstrap;
- ``pipeline`` and ``plots``: run, write, draw.
"""
