"""Reading plans (the day list, the plan's views) loads no search engine: OR-Tools and the numba-compiled tour
search take a second or two to import, which a process that only serves plans should not pay."""

from __future__ import annotations

import subprocess
import sys

import pytest

ENGINES = ("ortools", "numba")


@pytest.mark.parametrize("module", ["solver.model", "solver", "service.plans.views", "service.day_list.views"])
def test_reading_plans_imports_no_search_engine(module):
    code = f"import sys, {module}; print(' '.join(m for m in {ENGINES!r} if m in sys.modules))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []


def test_the_engine_is_there_when_asked_for():
    code = "import sys, solver; solver.solve; print('ortools' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
        == "True"
    )
