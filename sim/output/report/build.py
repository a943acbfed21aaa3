"""Building a folder's plots and report.html from its saved files, each file replaced atomically.

Nothing here depends on the folder's name (the caller may build in a
temporary folder before renaming it). A plot the data no longer supports is
removed rather than left stale.
"""

from __future__ import annotations

from pathlib import Path

from ..atomic import inside, write_atomic
from . import charts
from .page import Image, comparison_page, run_page
from .tables import load_comparison, load_run

PLOTS = "plots"
REPORT = "report.html"


def _draw(folder: Path, plans) -> list[Image]:
    """Render each (file, caption, chart, args); write the PNGs into ``folder/plots``."""
    images = []
    for file, caption, chart, args in plans:
        path = inside(folder, PLOTS, file)            # before drawing: a planted link fails at once
        png = charts.render(chart, *args)
        if png is None:
            path.unlink(missing_ok=True)
            continue
        write_atomic(path, png)
        images.append(Image(file, caption, png))
    return images


def build_run_report(folder: str | Path) -> Path:
    """Rewrite ``folder/plots/*.png`` and ``folder/report.html`` of a run folder; return the report's path."""
    run = load_run(folder)
    images = _draw(run.folder, [
        ("fan_urbanization.png", "Urbanization rates of Qingdao: median and 5-95% band over replications, "
         "with the plan's targets", charts.fan_urbanization, (run,)),
        ("scorecard.png", "The plan's targets: simulated mean and 5-95% as percent of the target, by status",
         charts.scorecard, (run.scorecard, None, run.scenario.get("name", ""))),
        ("districts.png", "Districts: population and urban share at the start and the end",
         charts.districts, (run,)),
        ("flows.png", "Flows of residents by type and year, Qingdao", charts.flows, (run,)),
    ])
    return write_atomic(inside(run.folder, REPORT), run_page(run, images).encode("utf-8"))


def build_comparison_report(folder: str | Path) -> Path:
    """Rewrite ``folder/plots/*.png`` and ``folder/report.html`` of a comparison folder; return the report's path."""
    comp = load_comparison(folder)
    name, base = comp.scenario.get("name", ""), comp.against.get("name", "")
    images = _draw(comp.folder, [
        ("comparison.png", "Scenario minus against for Qingdao in the last year, with 90% intervals",
         charts.comparison, (comp,)),
        ("scorecard.png", "The plan's targets in both scenarios (hollow markers: the base)",
         charts.scorecard, (comp.scorecard, comp.scorecard_against, name, base)),
    ])
    return write_atomic(inside(comp.folder, REPORT), comparison_page(comp, images).encode("utf-8"))
