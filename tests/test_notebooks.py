"""Notebook hygiene: stored outputs are clean, complete and follow the course template."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest

from tools import nbtool

NOTEBOOKS = nbtool.all_notebooks()
IDS = [p.name for p in NOTEBOOKS]
ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
MACHINE_PATHS = re.compile(r"(/(home|root|tmp|work|Users|private/var|var/folders)/|[A-Za-z]:\\\\Users\\\\)")


def source(cell: dict) -> str:
    return "".join(cell["source"])


def code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c["cell_type"] == "code" and source(c).strip()]


@pytest.fixture(params=NOTEBOOKS, ids=IDS)
def notebook(request) -> tuple[Path, dict]:
    return request.param, json.loads(request.param.read_text(encoding="utf-8"))


def test_there_are_notebooks():
    assert (nbtool.NOTEBOOKS / "00_setup.ipynb") in NOTEBOOKS


def test_outputs_stored_and_executed_in_order(notebook):
    path, nb = notebook
    counts = [c.get("execution_count") for c in code_cells(nb)]
    assert None not in counts, f"{path.name}: cells without stored execution; run tools/nbtool.py regen"
    assert counts == list(range(1, len(counts) + 1)), f"{path.name}: cells not executed top to bottom in one run"


def test_no_errors_or_stderr(notebook):
    path, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{path.name} cell {i}: stored error {out.get('ename')}"
            assert not (out["output_type"] == "stream" and out["name"] == "stderr"), f"{path.name} cell {i}: stderr"


def test_no_machine_paths_or_addresses(notebook):
    path, nb = notebook
    local = {str(nbtool.ROOT), str(Path.home()), tempfile.gettempdir()} - {"/"}
    for i, cell in enumerate(code_cells(nb)):
        text = json.dumps(cell.get("outputs", []), ensure_ascii=False)
        text = re.sub(r'"image/png": "[^"]*"', "", text)  # base64 can contain anything
        assert not MACHINE_PATHS.search(text), f"{path.name} cell {i}: machine path {MACHINE_PATHS.search(text)[0]!r}"
        assert not any(p in text for p in local), f"{path.name} cell {i}: this machine's path in output"
        assert not ADDRESS.search(text), f"{path.name} cell {i}: memory address {ADDRESS.search(text)[0]!r}"


def test_badge_and_install_point_at_this_notebook(notebook):
    path, nb = notebook
    head = source(nb["cells"][0])
    assert nb["cells"][0]["cell_type"] == "markdown" and head.startswith("# ")
    badges = nbtool.BADGE_RE.findall(json.dumps(nb))
    expected = nbtool.badge_url(path)
    assert expected in head and f"({nbtool.BADGE_SVG})" in head, f"{path.name}: badge must be {expected}"
    assert len(badges) == 1, f"{path.name}: exactly one Colab badge expected"
    installs = {m.group(0) for c in code_cells(nb) for m in nbtool.INSTALL_RE.finditer(source(c))}
    assert installs == {nbtool.install_spec()}, f"{path.name}: install cell must use {nbtool.install_spec()}"


def test_template(notebook):
    path, nb = notebook
    cells = nb["cells"]
    md = [source(c) for c in cells if c["cell_type"] == "markdown"]
    assert "## 학습 목표" in md[0], f"{path.name}: first cell lists 학습 목표"
    code = code_cells(nb)
    assert "parameters" in code[0]["metadata"].get("tags", []), f"{path.name}: first code cell is the parameters cell"
    assert "SEED" in source(code[0]) and "QUICK" in source(code[0])
    assert "helpers.setup(" in source(code[1]), f"{path.name}: second code cell is the setup cell"
    headings = [line.strip() for s in md for line in s.splitlines() if line.startswith("## ")]
    assert any(h.startswith("## 요약") for h in headings), f"{path.name}: no ## 요약 section"
    check_start = next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## 셀프 체크" in source(c))
    checks = [c for c in cells[check_start:] if c["cell_type"] == "code" and "helpers.check_" in source(c)]
    assert len(checks) >= 3, f"{path.name}: at least three self-check cells after ## 셀프 체크"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_canonical_json(notebook):
    path, nb = notebook
    assert path.read_text(encoding="utf-8") == nbtool.dumps(nbtool.clean(nb)), (
        f"{path.name}: not in canonical form; run python tools/nbtool.py format"
    )


TIMING = re.compile(r"\b\d+(\.\d+)?\s?(ms|µs|us|ns|sec|seconds|s)\b(?!\w)|\d+ms/step|\bETA\b|\x1b\[")


def test_no_timings_in_compared_outputs(notebook):
    """Untagged outputs are compared by nbval everywhere: they must hold no timings or progress-bar codes."""
    path, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        if "nbval-ignore-output" in cell["metadata"].get("tags", []):
            continue
        for out in cell.get("outputs", []):
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            match = TIMING.search(text)
            assert not match, f"{path.name} cell {i}: timing-like {match[0]!r} in an untagged output; tag the cell"


def test_parameters_cell_is_papermill_parsable(notebook):
    """papermill reads `NAME = value  # help` lines; a second '=' (even in the comment) makes it skip the line."""
    path, nb = notebook
    params = code_cells(nb)[0]
    for line in source(params).splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            assert line.count("=") == 1, f"{path.name}: parameters line {line!r} must hold exactly one '='"
