"""Calibration of the behaviour to Qingdao's observed history, and back-tests on years the fit did not see.

- ``observations``: the census and yearly figures the model is compared with;
- ``spec``: the calibration file (which scenario, which settings, bounds);
- ``objective``: simulated against observed, under common random numbers;
- ``fit``: the quadratic emulator's estimate in the unit cube of the bounds, and its bootstrap spread;
- ``emulator``: the quadratic's terms, shared by the fit and the posterior;
- ``posterior``: emcee on the emulator, the draws of ``posterior.csv``;
- ``pipeline`` and ``plots``: run, write, draw.
"""
