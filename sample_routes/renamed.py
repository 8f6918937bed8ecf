"""A sample office copied under other codes, so that a second office fits in the same database (office, people
and customer codes are unique across offices)."""

from __future__ import annotations

import shutil
from pathlib import Path

TINY = Path(__file__).resolve().parent / "tiny"


def tiny_office_copy(folder: Path) -> Path:
    """sample_routes/tiny copied into `folder` with its codes renamed (TINY- to OTHER-, SH09 to SH08)."""
    shutil.copytree(TINY, folder)
    for name in ("office.json", "outlets.csv"):
        path = folder / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("TINY-", "OTHER-").replace("SH09", "SH08"), encoding="utf-8"
        )
    return folder
