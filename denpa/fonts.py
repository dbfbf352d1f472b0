"""Japanese text in matplotlib figures: find a font that has the glyphs and add it as a fallback.

matplotlib's default font (DejaVu Sans) has no kana or kanji: Japanese titles and
labels come out as empty boxes, with a "Glyph ... missing from font(s)" warning.
:func:`use_japanese_font` puts a Japanese font *after* the current ones, so Latin
text looks as before and only the characters DejaVu lacks come from the new font
(matplotlib >= 3.6 falls back glyph by glyph).
"""
from __future__ import annotations

import importlib.util
import os
import warnings
from typing import Optional

__all__ = ["use_japanese_font", "JAPANESE_FONT_PACKAGES"]

#: Python packages that ship a Japanese TrueType font, with the font file's place inside the package
JAPANESE_FONT_PACKAGES = (("matplotlib_fontja", os.path.join("fonts", "ipaexg.ttf")),
                          ("japanize_matplotlib", os.path.join("fonts", "ipaexg.ttf")))
#: fonts an operating system may already have (tried when no package is installed)
SYSTEM_FONTS = ("IPAexGothic", "Noto Sans CJK JP", "Noto Sans JP", "IPAGothic", "TakaoGothic", "VL Gothic",
                "Hiragino Sans", "Yu Gothic", "Meiryo", "MS Gothic")


def _packaged_font_file() -> Optional[str]:
    # find_spec, not import: importing these packages also switches every text to their font
    for package, relative in JAPANESE_FONT_PACKAGES:
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            continue
        for folder in (spec.submodule_search_locations or []) if spec else []:
            path = os.path.join(folder, relative)
            if os.path.isfile(path):
                return path
    return None


def use_japanese_font(*, warn: bool = True) -> Optional[str]:
    """Make matplotlib draw Japanese text; returns the font's family name, or None (with a warning) if none is found.

    Looks for the font shipped by ``matplotlib-fontja`` (``pip install matplotlib-fontja``,
    part of ``denpa[notebooks]``), then ``japanize-matplotlib``, then fonts the system
    has. The font is appended to ``rcParams["font.family"]``, so it only supplies the
    glyphs the current fonts lack. Calling it again changes nothing.

    >>> name = use_japanese_font(warn=False)
    >>> import matplotlib
    >>> name is None or matplotlib.rcParams["font.family"][-1] == name
    True
    """
    import matplotlib
    from matplotlib import font_manager

    name = None
    path = _packaged_font_file()
    if path is not None:
        font_manager.fontManager.addfont(path)
        name = font_manager.FontProperties(fname=path).get_name()
    else:
        have = {f.name for f in font_manager.fontManager.ttflist}
        name = next((n for n in SYSTEM_FONTS if n in have), None)
    if name is None:
        if warn:
            warnings.warn("use_japanese_font: no Japanese font found, so Japanese text in figures will show as "
                          "empty boxes; install one with: pip install matplotlib-fontja "
                          "(or pip install 'denpa[notebooks]')", RuntimeWarning, stacklevel=2)
        return None
    families = list(matplotlib.rcParams["font.family"])
    if name not in families:
        matplotlib.rcParams["font.family"] = families + [name]
    return name
