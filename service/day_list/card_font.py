"""The visit card's Chinese font: Noto Sans SC (SIL Open Font License) from the justmytype-intl-cjk package,
embedded in every card as a subset of the characters it prints (reportlab subsets TrueType fonts), so that a
reader without a Chinese font shows the card as printed.

The package ships a variable font whose default instance is the Thin weight, too faint for print. The Regular
instance is made from it once (fontTools, ~20 s of CPU) and kept in a cache folder (ROUTEPLAN_CACHE_DIR, else
~/.cache/routeplan); the day list's start warms it in a background thread (`warm_in_background`), so the first
card does not wait. Nothing is downloaded.
"""

from __future__ import annotations

import os
import threading
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from fontTools.ttLib import TTFont as FontToolsFont
from fontTools.varLib import instancer
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

NAME = "NotoSansSC"
PACKAGE, DISTRIBUTION = "justmytype_intl_cjk", "justmytype-intl-cjk"
VARIABLE_FONT = ("fonts", "ofl", "notosanssc", "NotoSansSC[wght].ttf")
WEIGHT = 400  # Regular

_lock = threading.Lock()


def cache_dir() -> Path:
    return Path(os.environ.get("ROUTEPLAN_CACHE_DIR") or Path.home() / ".cache" / "routeplan")


def regular_font() -> Path:
    """The Regular instance of the package's font, made on first use and kept in the cache folder."""
    target = cache_dir() / f"{NAME}-{WEIGHT}-{metadata.version(DISTRIBUTION)}.ttf"
    with _lock:
        if target.exists():
            return target
        source = resources.files(PACKAGE).joinpath(*VARIABLE_FONT)
        with resources.as_file(source) as path:
            regular = instancer.instantiateVariableFont(FontToolsFont(path), {"wght": WEIGHT}, updateFontNames=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")  # other processes may race
        regular.save(partial)
        os.replace(partial, target)
        return target


@cache
def register() -> str:
    """The font registered with reportlab (once per process); its name."""
    pdfmetrics.registerFont(TTFont(NAME, str(regular_font())))
    return NAME


def warm_in_background() -> None:
    """Make and register the font in a daemon thread, off the first card's path."""
    threading.Thread(target=register, name="card-font", daemon=True).start()
