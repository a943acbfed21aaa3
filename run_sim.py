#!/usr/bin/env python3
"""Entry point: ``python run_sim.py [run|validate|compare|report|sweep|calibrate|backtest] ...`` (``--help``)."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
