#!/usr/bin/env python3
"""Entry point: ``python run_sim.py [run|validate|compare|report|sweep|calibrate|backtest] ...`` (``--help``)."""

import sys

try:
    from sim.cli import main
except KeyboardInterrupt:       # Ctrl-C while the simulator imports, before main can say it (exit 130)
    print("interrupted: nothing was written", file=sys.stderr)
    sys.exit(130)

if __name__ == "__main__":
    sys.exit(main())
