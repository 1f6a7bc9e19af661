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


def _headings(cells: list[dict]) -> list[tuple[int, str]]:
    return [
        (i, line.strip())
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown"
        for line in source(c).splitlines()
        if line.startswith("## ")
    ]


def test_template(notebook):
    path, nb = notebook
    cells = nb["cells"]
    md = [source(c) for c in cells if c["cell_type"] == "markdown"]
    assert "## 학습 목표" in md[0], f"{path.name}: first cell lists 학습 목표"
    code = code_cells(nb)
    assert "parameters" in code[0]["metadata"].get("tags", []), f"{path.name}: first code cell is the parameters cell"
    assert "SEED" in source(code[0]) and "QUICK" in source(code[0])
    assert "helpers.setup(" in source(code[1]), f"{path.name}: second code cell is the setup cell"
    headings = [h for _, h in _headings(cells)]
    assert any(h.startswith("## 요약") for h in headings), f"{path.name}: no ## 요약 section"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


COURSE = nbtool.course_notebooks()  # 99_validate is the instructor's tool


@pytest.fixture(params=COURSE, ids=[p.name for p in COURSE])
def course_notebook(request) -> tuple[Path, dict]:
    return request.param, json.loads(request.param.read_text(encoding="utf-8"))


def _tags(cell: dict) -> list[str]:
    return cell["metadata"].get("tags", [])


def _text(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []))


def test_exercises_follow_the_template(course_notebook):
    """요약, then 연습 문제: exercise -> check -> folded solution -> the same check with solution=True."""
    path, nb = course_notebook
    cells = nb["cells"]
    heads = _headings(cells)
    names = [h for _, h in heads]
    assert not any(h.startswith("## 셀프 체크") for h in names), (
        f"{path.name}: 셀프 체크 is for cells the learner writes"
    )
    assert "## 연습 문제" in names, f"{path.name}: no ## 연습 문제 section"
    start = next(i for i, h in heads if h == "## 연습 문제")
    summary = next(i for i, h in heads if h.startswith("## 요약"))
    assert summary < start, f"{path.name}: 연습 문제 comes after 요약"
    after = [h for i, h in heads if i > start]
    assert all(h.startswith("## 더 나아가기") for h in after), (
        f"{path.name}: only 더 나아가기 sections after 연습 문제: {after}"
    )
    end = next((i for i, h in heads if i > start), len(cells))
    section = [c for c in cells[start:end] if c["cell_type"] == "code"]
    exercises = [i for i, c in enumerate(section) if "exercise" in _tags(c)]
    solutions = [i for i, c in enumerate(section) if "solution" in _tags(c)]
    wanted = range(1, 2) if path.name.startswith("00_") else range(3, 6)
    assert len(exercises) in wanted and len(solutions) == len(exercises), (
        f"{path.name}: {len(exercises)} exercises / {len(solutions)} solutions (want {list(wanted)})"
    )
    outside = [c for c in cells[:start] + cells[end:] if {"exercise", "solution", "check"} & set(_tags(c))]
    assert not outside, f"{path.name}: exercise cells outside the 연습 문제 section"
    for e, s in zip(exercises, solutions):
        ex, check1, sol, check2 = section[e], section[e + 1], section[s], section[s + 1]
        assert e < s and e + 1 < s, f"{path.name}: exercise {e} needs its check before its solution"
        assert "..." in source(ex) or "NotImplementedError" in source(ex), f"{path.name}: exercise without placeholder"
        for check in (check1, check2):
            assert "check" in _tags(check), f"{path.name}: the cell after an exercise/solution is tagged check"
            assert "nbval-ignore-output" not in _tags(check), f"{path.name}: check outputs are compared"
        body1 = source(check1).split("\n", 1)[1]
        body2 = source(check2).split("\n", 1)[1]
        assert "solution=True" in body2 and "solution=True" not in body1, (
            f"{path.name}: solution=True after the solution"
        )
        assert body2.replace(", solution=True", "") == body1, (
            f"{path.name}: the same check before and after the solution"
        )
        assert "아직 답을 쓰지 않았습니다" in _text(check1), f"{path.name}: placeholder path must print 'not attempted'"
        assert "✓" in _text(check2) and "✗" not in _text(check2), f"{path.name}: the solution's check prints ✓"
        for cell in (sol, check1, check2):
            meta = cell["metadata"]
            assert meta.get("jupyter", {}).get("source_hidden") and meta.get("cellView") == "form", (
                f"{path.name}: solution and check cells are collapsed in JupyterLab and Colab"
            )


def test_core_path_is_focused(course_notebook):
    """Everything before 요약 is the book's core path: at most 45 code cells; the rest goes to 더 나아가기."""
    path, nb = course_notebook
    summary = next(i for i, h in _headings(nb["cells"]) if h.startswith("## 요약"))
    core = [c for c in nb["cells"][:summary] if c["cell_type"] == "code" and source(c).strip()]
    assert len(core) <= 45, f"{path.name}: {len(core)} code cells before 요약"


def test_links_the_glossary(course_notebook):
    path, nb = course_notebook
    assert f"]({nbtool.glossary_url()})" in source(nb["cells"][0]), f"{path.name}: first cell links the glossary"
    assert (nbtool.ROOT / "notebooks" / "glossary.md").is_file()


# Words about the course's tooling, tests and sources that a learner never needs (issue 10).
MAINTAINER_TALK = re.compile(
    r"nbval|nbtool|papermill|pyproject|\bmake (run|test|regen|bench|lab|badges)\b|학습 노트|노트에 나온|실행 시간 예산"
    r"|시간 예산|measured here|이 노트북을 만들 때|테스트에서 비교|셀 태그|\btags?\b|time budget|\bCI\b",
    re.I,
)


def _comments(code: str) -> list[str]:
    import io
    import tokenize

    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError):
        return []
    return [t.string for t in tokens if t.type == tokenize.COMMENT and not t.string.startswith("# @title")]


def test_learner_text_never_talks_about_tooling(course_notebook):
    path, nb = course_notebook
    for i, cell in enumerate(nb["cells"]):
        texts = [source(cell)] if cell["cell_type"] == "markdown" else _comments(source(cell))
        for text in texts:
            match = MAINTAINER_TALK.search(text)
            assert not match, f"{path.name} cell {i}: {match[0]!r} speaks about tooling/sources to the learner"


def test_stored_plots_come_from_the_current_plot_helpers(notebook):
    """A stored figure made by older helper code (e.g. before integer epoch ticks) is stale: regenerate it."""
    from helpers.plots import PLOT_MIME, PLOT_VERSION

    path, nb = notebook
    for i, cell in enumerate(code_cells(nb)):
        marks = [o["data"][PLOT_MIME] for o in cell.get("outputs", []) if PLOT_MIME in o.get("data", {})]
        calls = re.search(r"^[^#\n]*helpers\.plot_\w+\(", source(cell), re.M)
        assert marks or not calls, f"{path.name} cell {i}: plot stored by older helpers; regenerate the notebook"
        stale = [m for m in marks if m.get("version") != PLOT_VERSION]
        assert not stale, f"{path.name} cell {i}: plot made by plot helpers version {stale[0].get('version')}"


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
