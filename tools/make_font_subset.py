"""Writes the fonts the animations draw with (app/media/fonts/), as small subsets of two fonts Debian ships:

    latin.ttf  DejaVu Sans (fonts-dejavu-core): Latin, digits, the formulas' signs (× … −), sub- and superscripts
    cjk.otf    Noto Sans CJK TC (fonts-noto-cjk): only the CJK characters of app/media/strings.py and CJK punctuation

    /work/envs/keras/bin/python tools/make_font_subset.py     (needs fontTools: pip install fonttools)

Both are renamed (a subset is a modified version: the Bitstream Vera licence asks for a name without "Bitstream" or
"Vera", the OFL keeps the reserved font name "Source" for Adobe); their licences are in app/media/fonts/LICENSES.md.
Run it again whenever a string in app/media/strings.py gains a character: tests/media/test_fonts.py fails until then.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "app" / "media" / "fonts"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
NOTO = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
NOTO_TC = 3   # the collection's Noto Sans CJK TC
CJK_FROM = 0x2E80  # app/media/text.py draws every character from here on with the CJK font

LATIN = ([chr(c) for c in range(0x20, 0x7F)] + [chr(c) for c in range(0xA0, 0x100)]
         + [chr(c) for c in range(0x2070, 0x209D)] + list("×÷−±≤≥≈≠·…′″–—‘’“”•→←↑↓√∑Σσδθ∂⌈⌉⌊⌋∞²³¹"))
CJK_PUNCT = list("，。：；、（）「」『』！？〜　")


def rename(font: TTFont, family: str) -> None:
    names = font["name"]
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17, 18, 21, 22):
            names.removeNames(nameID=record.nameID)
    for name_id, value in ((1, family), (2, "Regular"), (3, f"{family}-Regular"), (4, family),
                           (6, family.replace(" ", "") + "-Regular")):
        names.setName(value, name_id, 3, 1, 0x409)
        names.setName(value, name_id, 1, 0, 0)


def write_subset(font: TTFont, chars: list[str], path: Path, family: str) -> None:
    options = subset.Options()
    options.layout_features = ["kern", "liga"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False   # FreeType auto-hints; the TrueType instructions were two thirds of the bytes
    sub = subset.Subsetter(options)
    sub.populate(unicodes=sorted({ord(c) for c in chars}))
    sub.subset(font)
    rename(font, family)
    font.save(str(path))
    print(f"{path.relative_to(ROOT)}: {len(chars)} characters, {path.stat().st_size:,} bytes")


def main() -> None:
    strings = runpy.run_path(str(ROOT / "app" / "media" / "strings.py"))["STRINGS"]
    used = {ch for table in strings.values() for s in table.values() for ch in s}
    cjk = sorted({ch for ch in used if ord(ch) >= CJK_FROM} | set(CJK_PUNCT))
    latin = sorted(set(LATIN) | {ch for ch in used if ord(ch) < CJK_FROM})
    OUT.mkdir(parents=True, exist_ok=True)
    write_subset(TTFont(str(DEJAVU)), latin, OUT / "latin.ttf", "Explainer Latin")
    write_subset(TTCollection(str(NOTO)).fonts[NOTO_TC], cjk, OUT / "cjk.otf", "Explainer CJK TC")


if __name__ == "__main__":
    main()
