"""The report page of a sweep's or a calibration's folder (issue 17 item 4): its tables (text escaped, guarded
cells read back, long tables cut with a note), its plots inline, the summary lines in both languages."""

from __future__ import annotations

import json

from sim.output.formats import csv_table
from sim.output.report import Line, build_folder_report
from sim.output.report.folder_page import MAX_ROWS

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 16


def test_a_folder_report_shows_its_tables_plots_and_summary(tmp_path):
    (tmp_path / "sensitivity.csv").write_text(csv_table(("output", "parameter", "value"), [
        ("<script>alert(1)</script>", "=cmd|' /C calc'!A0", "0.5"),
        *[("rate", f"p{k}", str(k)) for k in range(MAX_ROWS + 5)]]), encoding="utf-8")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "sensitivity.png").write_bytes(PNG)
    (tmp_path / "manifest.json").write_text(json.dumps({"sweep": "toy", "points": 4}), encoding="utf-8")
    page = build_folder_report(tmp_path, "A <b>title</b>", [("sensitivity.csv", "Sensitivity indices"),
                                                             ("missing.csv", "Not there")],
                               [Line("设计: sobol", "Design: sobol")]).read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "A &lt;b&gt;title&lt;/b&gt;" in page
    assert "<td>=cmd|&#39; /C calc&#39;!A0</td>" in page            # the guard's ' removed, the text escaped
    assert f"the first {MAX_ROWS} of its {MAX_ROWS + 6} rows" in page
    assert "Not there" not in page and page.count("data:image/png;base64,") == 1
    assert "设计: sobol" in page and "Design: sobol" in page and "@font-face" in page
    assert "<code>sweep</code>" in page                               # the manifest's provenance
