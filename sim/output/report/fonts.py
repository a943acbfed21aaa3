"""Chinese text in plots only when a font can draw it: bilingual labels, or English alone, never tofu boxes.

matplotlib's font cache may predate a font installed later (``apt install
fonts-wqy-microhei``), so system font files the cache does not know are looked
at too; a font counts only if it really has glyphs for ``PROBE``.
"""

from __future__ import annotations

import functools
import warnings
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
def cjk_font() -> str | None:
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
    """matplotlib settings for the report's plots: Latin glyphs from DejaVu Sans, Chinese from the CJK font."""
    font = cjk_font()
    families = ["DejaVu Sans", font] if font else ["DejaVu Sans"]
    return {"font.family": families, "axes.unicode_minus": True}


def label(en: str, zh: str | None = None, sep: str = " ") -> str:
    """``"English 中文"`` (joined by ``sep``) when a CJK font is installed, else the English alone."""
    return f"{en}{sep}{zh}" if zh and cjk_font() else en
