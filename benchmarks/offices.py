"""Offices for the benchmarks that plan whole offices: the sample, and generated ones loaded into a database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from service.core import db
from service.master_data.bundle import load_bundle

REPO_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_OFFICE = REPO_ROOT / "sample_routes" / "shanghai_minhang"


def office_folders(given: list[Path] | None, generated: int, work: Path) -> list[Path]:
    """The given office folders (default: the sample office), then `generated` offices made by
    sample_routes.generate with seeds 1..generated into `work`."""
    folders = list(given or [SAMPLE_OFFICE])
    for seed in range(1, generated + 1):
        folder = work / f"generated-{seed}"
        subprocess.run(
            [sys.executable, "-m", "sample_routes.generate", "--seed", str(seed), "--out", str(folder)],
            check=True,
            capture_output=True,
            cwd=REPO_ROOT,
        )
        folders.append(folder)
    return folders


def loaded_office(folder: Path, work: Path) -> tuple[Engine, int]:
    """A fresh SQLite database in `work` holding the office of `folder`: its engine and the office's id."""
    url = f"sqlite:///{work / (folder.name + '.db')}"
    db.migrate(url)
    engine = db.make_engine(url, pooled=False)
    with Session(engine) as session:
        office_id = load_bundle(session, folder).id
        session.commit()
    return engine, office_id
