"""The report's Chinese never shows as boxes (issue 17 item 4): the package ships a Chinese font (a subset of
WenQuanYi Micro Hei, Apache-2.0) that draws every Chinese character of its own text in the plots, and each
page embeds the glyphs of the characters it uses."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

from fontTools.ttLib import TTFont

from sim.output.report import build_run_report, fonts

from .report_folders import make_run_folder

ROOT = Path(__file__).resolve().parents[1]


def chinese(text: str) -> set[str]:
    return {c for c in text if "\u3400" <= c <= "\u9fff"}


def cmap_of(data: bytes) -> set[str]:
    return {chr(code) for code in TTFont(io.BytesIO(data)).getBestCmap()}


def test_the_shipped_font_is_there_with_its_licence():
    assert fonts.SHIPPED.is_file()
    licence = (ROOT / "docs" / "sources" / "wqy-microhei-LICENSE.txt").read_text(encoding="utf-8")
    assert "WenQuanYi Micro Hei" in licence and "Apache License" in licence
    names = {r.toUnicode() for r in TTFont(io.BytesIO(fonts.SHIPPED.read_bytes()))["name"].names if r.nameID == 1}
    assert names == {fonts.SHIPPED_FAMILY}            # renamed: never taken for the full font


def test_it_draws_every_chinese_character_of_the_packages_text():
    used = set()
    for path in (ROOT / "sim").rglob("*"):
        if path.suffix in (".py", ".yaml", ".j2", ".json") and path.is_file():
            used |= chinese(path.read_text(encoding="utf-8"))
    missing = used - cmap_of(fonts.SHIPPED.read_bytes())
    assert not missing, f"characters of the package's text the shipped font lacks: {''.join(sorted(missing))}"
    assert len(cmap_of(fonts.SHIPPED.read_bytes())) > 3755        # and GB 2312's first level besides


def test_the_plots_use_it_whatever_is_installed():
    assert fonts.cjk_font() == fonts.SHIPPED_FAMILY
    assert fonts.rc()["font.family"][:2] == ["DejaVu Sans", fonts.SHIPPED_FAMILY]
    assert fonts.label("Births", "出生人口") == "Births 出生人口"


def test_the_page_embeds_the_glyphs_of_its_chinese(tmp_path):
    page = build_run_report(make_run_folder(tmp_path)).read_text(encoding="utf-8")
    match = re.search(r'@font-face \{ font-family: "Qingdao Sim CJK"; src: url\(data:font/ttf;base64,([^)]+)\)', page)
    assert match, "no embedded font"
    embedded = cmap_of(base64.b64decode(match.group(1)))
    shown = chinese(page[page.index("<body>"):])
    assert shown and shown <= embedded
    assert len(embedded) < 3755 / 4                         # the page's characters, not the whole font


def test_the_embedded_font_has_the_same_bytes_each_time():
    text = "青岛城镇化率 常住人口"
    assert fonts.font_face_css(text) == fonts.font_face_css(text[::-1])
    assert fonts.font_face_css("no Chinese here") == ""
