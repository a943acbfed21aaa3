"""Chinese text in plots and pages that never shows as boxes: the package ships a Chinese font.

``static/cjk-subset.ttf`` ("Qingdao Sim CJK": WenQuanYi Micro Hei subset to GB 2312's 3,755 common characters
and every character of the package's own text, Apache-2.0, tools/subset_cjk_font.py) draws the plots' Chinese
on any machine, the same glyphs everywhere; an installed CJK font comes after it for a rarer character. The
report's page embeds the characters it uses (``font_face_css``) so a browser without a Chinese font shows them.
Where no font can draw Chinese (the shipped one removed) labels are English alone, never tofu boxes: a font
counts only if it really has glyphs for ``PROBE``. matplotlib's font cache may predate a font installed
later (``apt install fonts-wqy-microhei``), so system font files the cache does not know are looked at too.
"""

from __future__ import annotations

import base64
import functools
import io
import warnings
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontEntry

# matplotlib is imported in the functions that use it, on first use: start-up time of the CLI

#: CJK-capable families, preferred first
PREFERRED = (
    "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK TC", "Noto Sans CJK KR", "Noto Sans SC",
    "Source Han Sans SC", "Source Han Sans CN", "Source Han Sans", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
    "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN", "AR PL UMing TW", "Noto Serif CJK SC",
    "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "Arial Unicode MS",
)
#: characters a font must have: common ones of the labels (城镇化率, 人口, 户籍)
PROBE = "城镇化率人口户籍"
#: fonts that claim every character but draw placeholder boxes
PLACEHOLDERS = ("Last Resort",)
#: the Chinese font shipped with the package, and its family name
SHIPPED = files(__package__).joinpath("static", "cjk-subset.ttf")
SHIPPED_FAMILY = "Qingdao Sim CJK"


def _covers(path: str) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
        return all(font.get_char_index(ord(c)) for c in PROBE)
    except (OSError, RuntimeError, ValueError):
        return False


def _uncached_fonts() -> list[FontEntry]:
    """System fonts matplotlib's cache lacks that cover ``PROBE``, added to matplotlib so it can use them."""
    from matplotlib import font_manager

    known = {f.fname for f in font_manager.fontManager.ttflist}
    added = []
    for path in font_manager.findSystemFonts():
        if path in known or not _covers(path):
            continue
        before = len(font_manager.fontManager.ttflist)
        try:
            font_manager.fontManager.addfont(path)        # every face of a .ttc collection
        except (OSError, RuntimeError, ValueError):
            continue
        added += font_manager.fontManager.ttflist[before:]
    return added


@functools.cache
def shipped_font() -> str | None:
    """The shipped font's family, added to matplotlib's fonts; None when the file is missing or unusable."""
    from matplotlib import font_manager

    path = str(SHIPPED)
    if not SHIPPED.is_file() or not _covers(path):
        return None
    if not any(f.fname == path for f in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(path)
    return SHIPPED_FAMILY


@functools.cache
def cjk_font() -> str | None:
    """The family name of the font that draws the plots' Chinese: the shipped one, else an installed one, else
    None."""
    return shipped_font() or system_cjk_font()


@functools.cache
def system_cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None."""
    from matplotlib import font_manager

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cached = [f for f in font_manager.fontManager.ttflist if not f.name.startswith(PLACEHOLDERS)]
        usable = [f for f in cached if f.name in PREFERRED and _covers(f.fname)]
        if not usable:
            usable = [f for f in _uncached_fonts() if not f.name.startswith(PLACEHOLDERS)]
        if not usable:
            usable = [f for f in cached if _covers(f.fname)]
    if not usable:
        return None
    ranked = sorted(usable, key=lambda f: PREFERRED.index(f.name) if f.name in PREFERRED else len(PREFERRED))
    return ranked[0].name


def rc() -> dict:
    """matplotlib settings for the report's plots: Latin glyphs from DejaVu Sans, Chinese from the CJK font (an
    installed one after the shipped one, for characters the shipped subset lacks)."""
    font = cjk_font()
    families = ["DejaVu Sans", *dict.fromkeys(f for f in (font, font and system_cjk_font()) if f)]
    return {"font.family": families, "axes.unicode_minus": True}


def font_face_css(text: str) -> str:
    """An ``@font-face`` rule embedding the shipped font's glyphs for the Chinese characters of ``text`` (a
    data: URI, the page stays one file); empty when ``text`` has none or the font is missing. The subset's bytes
    depend only on the characters (no timestamp)."""
    chars = sorted({c for c in text if ord(c) > 0x2E7F})
    if not chars or not SHIPPED.is_file():
        return ""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(SHIPPED.read_bytes()), recalcTimestamp=False)
    options = subset.Options()
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(chars))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    data = base64.b64encode(out.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{SHIPPED_FAMILY}"; '
            f'src: url(data:font/ttf;base64,{data}) format("truetype"); }}\n')


def label(en: str, zh: str | None = None, sep: str = " ") -> str:
    """``"English 中文"`` (joined by ``sep``) when a CJK font is installed, else the English alone."""
    return f"{en}{sep}{zh}" if zh and cjk_font() else en
