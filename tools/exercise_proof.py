"""pytest hook (loaded by notebooks/conftest.py): prove under nbval that every exercise solution is needed.

For each cell tagged `solution`, nbval's run of the notebook gets one extra item just before that cell. It runs
the check cell that follows the solution in the same kernel, *without* the solution: exactly what a copy of the
notebook with that solution cell emptied would execute up to its next check. The item passes only if that check
raises `ExerciseError`; if the check passes without the solution, the solution is not what the check verifies.
Costs one check-cell execution per exercise instead of one notebook run per solution.
"""

from __future__ import annotations

import re
from collections import defaultdict

import pytest

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PROOF_SUFFIX = "emptied solution must fail its check"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _proof_item(solution_item, check_cell):
    from nbval.plugin import IPyNbCell, NbCellError

    class EmptiedSolutionProof(IPyNbCell):
        def runtest(self):
            try:
                super().runtest()
            except NbCellError as e:
                if "ExerciseError" in ANSI.sub("", e.inner_traceback or ""):
                    return
                raise
            raise AssertionError(
                f"Cell {solution_item.cell_num} (solution): its check passed without it. "
                "The check after a solution must fail when the solution cell is empty."
            )

    options = defaultdict(bool)  # no output comparison: the failure itself is the expected result
    return EmptiedSolutionProof.from_parent(
        solution_item.parent,
        name=f"{solution_item.name}: {PROOF_SUFFIX}",
        cell_num=solution_item.cell_num,
        cell=check_cell,
        options=options,
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Insert an emptied-solution proof before every `solution` cell of every notebook nbval collected."""
    out = []
    for i, item in enumerate(items):
        cell = getattr(item, "cell", None)
        if cell is not None and "solution" in _tags(cell) and not item.name.endswith(PROOF_SUFFIX):
            following = items[i + 1] if i + 1 < len(items) else None
            check = getattr(following, "cell", None)
            if check is None or "check" not in _tags(check) or following.parent is not item.parent:
                raise pytest.UsageError(f"{item.parent.name}: {item.name} (solution) is not followed by a check cell")
            out.append(_proof_item(item, check))
        out.append(item)
    items[:] = out
