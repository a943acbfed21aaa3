"""Reports of a run or comparison folder, rebuilt from its saved files alone (no re-running).

    from sim.output.report import build_run_report
    build_run_report("results/baseline/20240101T000000Z-seed1")   # -> .../report.html

Both builders rewrite ``plots/*.png`` and a self-contained ``report.html``
(Jinja2 templates in ``templates/``; images and style inline, no script, no
network) and raise ``ReportError`` on a folder that is not a run (or
comparison) folder.
"""

from __future__ import annotations

from .build import EarlyReport, build_comparison_report, build_run_report
from .folder_page import build_folder_report
from .page import Line
from .tables import ReportError

__all__ = ["EarlyReport", "Line", "ReportError", "build_comparison_report", "build_folder_report", "build_run_report"]
