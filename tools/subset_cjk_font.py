"""Make the Chinese font shipped with the report (sim/output/report/static/cjk-subset.ttf) so that Chinese never
shows as boxes, on a machine with no Chinese font installed too.

Run once by a developer, never at run time:

    apt-get install fonts-wqy-microhei
    python tools/subset_cjk_font.py /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

The font is WenQuanYi Micro Hei 0.2.0-beta (文泉驿微米黑; Apache-2.0 or GPL-3+ with font exception, used here under
the Apache License 2.0: docs/sources/wqy-microhei-LICENSE.txt), subset to the 3,755 characters of GB 2312's
first level (the common characters of modern Chinese), every Chinese character the package's own text uses, CJK
punctuation, full-width forms and ASCII; renamed "Qingdao Sim CJK" (a modified version, as the licence asks to
say) so that it is never taken for the full font where that is installed.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "sim" / "output" / "report" / "static" / "cjk-subset.ttf"
FAMILY = "Qingdao Sim CJK"


def gb2312_level_1() -> str:
    """The 3,755 characters of GB 2312's first level: rows 16-55 (0xB0A1-0xD7F9)."""
    chars = []
    for row in range(0xB0, 0xD8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.append(bytes([row, cell]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


def package_chinese() -> str:
    """Every CJK character in the package's text files (labels, names, templates, data)."""
    seen = set()
    for path in (ROOT / "sim").rglob("*"):
        if path.suffix in (".py", ".yaml", ".j2", ".json", ".css") and path.is_file():
            seen.update(c for c in path.read_text(encoding="utf-8") if "\u3400" <= c <= "\u9fff")
    return "".join(sorted(seen))


def main(collection: str) -> None:
    font = TTCollection(collection).fonts[0]            # WenQuanYi Micro Hei (the first face; the second is Mono)
    text = (gb2312_level_1() + package_chinese() + "".join(map(chr, range(0x20, 0x7F)))
            + "".join(map(chr, range(0x3000, 0x3040))) + "".join(map(chr, range(0xFF00, 0xFFF0))) + "·—“”‘’…")
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    for record in font["name"].names:
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID == 4:
            record.string = FAMILY + " Regular"
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "") + "-Regular"
        elif record.nameID == 3:
            record.string = FAMILY + " (subset of WenQuanYi Micro Hei 0.2.0-beta)"
    font.recalcTimestamp = False
    OUT.parent.mkdir(parents=True, exist_ok=True)
    font.save(OUT)
    print(OUT, OUT.stat().st_size, "bytes,", len(set(text)), "characters asked")


if __name__ == "__main__":
    main(sys.argv[1])
