"""``results.xlsx``: a run's or a comparison's tables as one workbook with bilingual headers and units, for
planners who brief with Excel (issue 17 item 3).

Built from the CSV texts the folder is written with (one source of the numbers), so the workbook says
exactly what the CSV files say. Sheets of a run: the scorecard (记分卡), the city's yearly summary (全市) and
the districts' (各区); a comparison adds the paired differences (对比) and the settings that differ (设置差异).
Indicators carry their Chinese and English labels and units from ``core/catalogue.py``. Text is stored as
text (a cell starting with ``=`` is never a formula), numbers as numbers. The bytes depend only on the
tables: the workbook's dates and the zip entries' times are fixed, so the same run gives the same file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence

from ..core.catalogue import BY_NAME
from ..core.districts import CITY, DISTRICT_ZH
from .formats import COMPARISON, SCORECARD, SCORECARD_AGAINST, SETTINGS_DIFF, SUMMARY, optional, unguard_cell

RESULTS_XLSX = "results.xlsx"

#: a unit's Chinese name; units without one are shown as they are (km, ug/m3)
UNIT_ZH = {"persons": "人", "%": "%", "% of days": "% (天数)", "homesteads": "宅基地 (处)", "spaces": "个 (车位)",
           "yuan": "元", "km": "公里", "ug/m3": "微克/立方米"}
#: the zones' Chinese names
ZONE_ZH = {CITY: "青岛市", **DISTRICT_ZH}
#: the fixed time of the workbook's properties and of its zip entries (the zip format's earliest)
_FIXED = dt.datetime(1980, 1, 1)

#: (Chinese, English) header of each column the workbook shows
_HEADERS = {
    "year": ("年份", "Year"), "zone": ("区市代码", "Zone code"), "zone_zh": ("区市", "Zone"),
    "indicator": ("指标代码", "Indicator code"), "label_zh": ("指标", "Indicator"),
    "label_en": ("英文名称", "English name"), "unit": ("单位", "Unit"),
    "mean": ("均值", "Mean"), "p05": ("5%分位", "5th percentile"), "p50": ("中位数", "Median"),
    "p95": ("95%分位", "95th percentile"), "replications": ("重复次数", "Replications"),
    "target": ("目标", "Target"), "comparator": ("比较", "Comparator"), "target_value": ("目标值", "Target value"),
    "p_meet": ("达标概率", "Chance of meeting"), "status": ("判断", "Verdict"),
    "uncertainty": ("不确定性", "Uncertainty counted"), "provenance": ("数值来源", "Provenance"),
    "against_mean": ("对照均值", "Comparison mean"), "scenario_mean": ("情景均值", "Scenario mean"),
    "mean_difference": ("差值", "Difference"), "ci90_low": ("90%区间下限", "90% interval, low"),
    "ci90_high": ("90%区间上限", "90% interval, high"), "setting": ("设置", "Setting"),
    "against": ("对照", "Comparison"), "scenario": ("情景", "Scenario"),
}
_LABELLED = ("label_zh", "label_en", "unit")


def run_workbook(texts: dict[str, str]) -> bytes:
    """The workbook of a run folder from its CSV texts (file name -> text)."""
    summary = _rows(texts[SUMMARY.file])
    sheets = [("记分卡 Scorecard", _scorecard(texts.get(SCORECARD.file)))]
    sheets += [("全市 City", _summary(r for r in summary if r["zone"] == CITY)),
               ("各区 Districts", _summary(r for r in summary if r["zone"] != CITY))]
    return _workbook(sheets)


def comparison_workbook(texts: dict[str, str]) -> bytes:
    """The workbook of a comparison folder from its CSV texts."""
    rows = _rows(texts[COMPARISON.file])
    columns = [c for c in COMPARISON.columns if c not in ("zone", "indicator")]
    compared = _labelled(rows, ["year", "zone", "zone_zh", "indicator", *_LABELLED, *columns[1:]])
    sheets = [("对比 Comparison", compared),
              ("设置差异 Settings", _plain(_rows(texts[SETTINGS_DIFF.file]), list(SETTINGS_DIFF.columns))),
              ("情景记分卡 Scorecard", _scorecard(texts.get(SCORECARD.file))),
              ("对照记分卡 Against", _scorecard(texts.get(SCORECARD_AGAINST.file)))]
    return _workbook(sheets)


def _rows(text: str | None) -> list[dict[str, str]]:
    return [] if not text else [{k: unguard_cell(v) for k, v in row.items()}
                                for row in csv.DictReader(io.StringIO(text))]


def _summary(rows: Iterable[dict[str, str]]) -> tuple[list[str], list[list]]:
    return _labelled(list(rows), ["year", "zone", "zone_zh", "indicator", *_LABELLED,
                                  "mean", "p05", "p50", "p95", "replications"])


def _scorecard(text: str | None) -> tuple[list[str], list[list]]:
    rows = _rows(text)
    columns = [c for c in SCORECARD.columns if rows and c in rows[0]] or list(SCORECARD.columns)
    at = columns.index("indicator") + 1
    return _labelled(rows, [*columns[:at], *_LABELLED, *columns[at:]])


def _labelled(rows: list[dict[str, str]], columns: list[str]) -> tuple[list[str], list[list]]:
    """Rows with each indicator's labels and unit and each zone's Chinese name added."""
    out = []
    for row in rows:
        indicator = BY_NAME.get(row.get("indicator", ""))
        extra = {"zone_zh": ZONE_ZH.get(row.get("zone", ""), row.get("zone", ""))}
        if indicator is not None:
            extra |= {"label_zh": indicator.zh, "label_en": indicator.en,
                      "unit": _unit(indicator.unit)}
        out.append([_value(c, {**row, **extra}.get(c, "")) for c in columns])
    return columns, out


def _unit(unit: str) -> str:
    """``人 (persons)``; a unit the same in both languages once (``%``, ``km``)."""
    zh = UNIT_ZH.get(unit, unit)
    return zh if zh == unit else f"{zh} ({unit})"


def _plain(rows: list[dict[str, str]], columns: list[str]) -> tuple[list[str], list[list]]:
    return columns, [[row.get(c, "") for c in columns] for row in rows]


#: columns that hold numbers (the rest are text, whatever they look like)
_NUMBERS = frozenset({"year", "mean", "p05", "p50", "p95", "replications", "target_value", "p_meet",
                      "against_mean", "scenario_mean", "mean_difference", "ci90_low", "ci90_high"})


def _value(column: str, text: str):
    if column not in _NUMBERS:
        return text
    number = optional(text)
    return int(number) if number is not None and column in ("year", "replications") else number


def _workbook(sheets: Sequence[tuple[str, tuple[list[str], list[list]]]]) -> bytes:
    """The sheets as an .xlsx file's bytes. openpyxl loads on first use (the CLI starts without it)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.worksheets[0])       # the default empty sheet
    bold = Font(bold=True)
    for title, (columns, rows) in sheets:
        sheet = book.create_sheet(title)
        sheet.append([" ".join(_HEADERS.get(c, (c, ""))).strip() for c in columns])
        for cell in sheet[1]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"           # text, even when it starts with "="
        sheet.freeze_panes = "A2"
        for k, column in enumerate(columns, 1):
            width = max([len(str(_HEADERS.get(column, (column,))[0])) * 2] +
                        [len(str(r[k - 1])) for r in rows[:200]] + [8])
            sheet.column_dimensions[get_column_letter(k)].width = min(width + 2, 60)
    book.properties.creator = "qingdao-urbanization-sim"
    book.properties.created = book.properties.modified = _FIXED
    raw = io.BytesIO()
    book.save(raw)
    return _fixed_times(raw.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The same zip with every entry's time fixed (openpyxl stamps the time of writing) and the core
    properties' modified date fixed (openpyxl sets it on save)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _fixed_core(body)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, body)
    return out.getvalue()


def _fixed_core(body: bytes) -> bytes:
    """docProps/core.xml with its dcterms dates set to ``_FIXED``."""
    stamp = _FIXED.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", body)
