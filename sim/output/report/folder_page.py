"""A report page for a sweep's or a calibration's folder: its tables and plots on one self-contained page, with
the bilingual summary lines the caller gives (issue 17 item 4: sweeps and calibrations get a report too).

Built from the files the folder already holds (its CSV tables, ``plots/*.png``, ``manifest.json``), as the run
report is: every cell through the templates' autoescape, the pictures inline, the Chinese font's glyphs
embedded. A long table shows its first ``MAX_ROWS`` rows and says how many it has.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

from ..atomic import inside, write_atomic
from ..formats import unguard_cell
from .page import ENV, Image, Line, with_font

REPORT = "report.html"
#: rows of a table shown on the page (all of them are in the CSV file)
MAX_ROWS = 60


@dataclass(frozen=True)
class Table:
    file: str
    caption: str
    columns: list[str]
    rows: list[list[str]]
    total: int


def read_table(folder: Path, name: str, caption: str) -> Table | None:
    path = folder / name
    if not path.is_file():
        return None
    with path.open(newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        columns = next(reader, [])
        rows = [[unguard_cell(c) for c in row] for row in reader]
    return Table(name, caption, columns, rows[:MAX_ROWS], len(rows))


def build_folder_report(folder: str | Path, title: str, tables: list[tuple[str, str]],
                        summary: list[Line] | None = None) -> Path:
    """Write ``folder/report.html`` from the folder's ``tables`` (file, caption) that exist and its plots; return
    its path."""
    folder = Path(folder)
    page = inside(folder, REPORT)
    found = [t for t in (read_table(folder, name, caption) for name, caption in tables) if t is not None]
    images = [Image(p.name, p.stem.replace("_", " "), p.read_bytes())
              for p in sorted((folder / "plots").glob("*.png"))] if (folder / "plots").is_dir() else []
    manifest_path = folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    html = ENV.get_template("folder.html.j2").render(title=title, tables=found, images=images,
                                                      summary=summary or [], manifest=manifest)
    return write_atomic(page, with_font(html).encode("utf-8"))
