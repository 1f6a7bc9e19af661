"""`make run` (tools/run_all.py): quiet terminal, honest exit statuses, argument checks, clean Ctrl-C, the report."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from helpers import data
from tools import nbtool, run_all

NOISY = "import os, sys\nos.write(2, b'NOISE-FROM-THE-KERNEL\\n')\nprint('noise on stderr', file=sys.stderr)"
# What the terminal may show: our lines only (no IPKernelApp/absl/TFLite lines, no raw dicts).
OUR_LINE = re.compile(
    r"^(\[ ?\d+/\d+\] \S+ +(ok|FAILED|skipped|running) .*"
    r"|    \| .*|    full log: .*|data: .*|MNIST is not available.*|  .*"
    r"|Interrupted \(Ctrl-C\).*|(FAILED: |INCOMPLETE: |INTERRUPTED )?.*notebooks ok in \d+ s .*|report: .*|)$"
)


def make_notebook(path: Path, *sources: str, title: str = "시험용 노트북 (Test notebook)") -> Path:
    """A small notebook: a Korean title cell, a parameters cell (SEED, QUICK), then the given code cells."""
    cells = [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": f"# {title}"}]
    for i, src in enumerate(["SEED = 1\nQUICK = False", *sources]):
        cells.append(
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": src}
        )
    cells[1]["metadata"]["tags"] = ["parameters"]
    nb = {"cells": cells, "metadata": {"kernelspec": nbtool.KERNELSPEC}, "nbformat": 4, "nbformat_minor": 5}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    return path


def assert_quiet(text: str) -> None:
    for line in text.splitlines():
        assert OUR_LINE.match(line), f"unexpected terminal line: {line!r}"
    for noise in ("NOISE-FROM-THE-KERNEL", "noise on stderr", "IPKernelApp", "{'", '{"'):
        assert noise not in text


def test_run_is_quiet_reports_failures_and_goes_on_without_mnist(tmp_path, monkeypatch, capfd):
    """Any data problem (here a crafted file's AttributeError) skips only the notebooks that need MNIST."""

    def broken(*args, **kwargs):
        raise AttributeError("'bytes' object has no attribute 'dtype'")

    monkeypatch.setattr(data, "load_mnist", broken)
    monkeypatch.setattr("helpers.load_mnist", broken)
    src = tmp_path / "nbs"
    good = make_notebook(
        src / "a_good.ipynb",
        NOISY,
        "import helpers\nhelpers.record('answer', 42 if QUICK else 0)\nhelpers.record('seed_seen', SEED)",
    )
    bad = make_notebook(src / "b_bad.ipynb", "x = 1\ny = x / 0")
    mnist = make_notebook(src / "c_mnist.ipynb", "import helpers\n_ = helpers.load_mnist()")
    before = {p: p.read_bytes() for p in (good, bad, mnist)}
    out = tmp_path / "build"

    code = run_all.main([str(good), str(bad), str(mnist), "--quick", "on", "--seed", "7", "--out", str(out)])

    assert code == run_all.EXIT_FAILED
    assert {p: p.read_bytes() for p in before} == before  # sources never written
    printed, errors = capfd.readouterr()
    assert errors == ""
    assert_quiet(printed)
    lines = printed.splitlines()
    assert "AttributeError: 'bytes' object has no attribute 'dtype'" in printed
    assert re.match(r"\[ 1/3\] a_good +ok +\d+\.\d s  answer = 42  \(\+1 more in the report\)$", lines[2]), lines
    assert any(re.match(r"\[ 2/3\] b_bad +FAILED .*code cell 2: ZeroDivisionError: division by zero", x) for x in lines)
    assert "    | ----> 2 y = x / 0" in lines  # the failing notebook's traceback tail is shown
    assert any(re.match(r"\[ 3/3\] c_mnist +skipped  \(no MNIST data\)$", x) for x in lines)
    assert lines[-2].startswith("FAILED: 1 notebook(s) failed (b_bad.ipynb). 1/3 notebooks ok in ")
    assert lines[-1] == f"report: {run_all.shown(out / 'report.html')}"
    log = (out / "logs" / "a_good.log").read_text(encoding="utf-8")
    assert "NOISE-FROM-THE-KERNEL" in log and "noise on stderr" in log and "IPKernelApp" in log
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| 1 | a_good.ipynb — 시험용 노트북 (Test notebook) | ok |" in report
    assert "answer = 42" in report and "seed_seen = 7" in report
    assert "FAILED: code cell 2: ZeroDivisionError: division by zero" in report
    assert "| c_mnist.ipynb — 시험용 노트북 (Test notebook) | skipped: no MNIST data" in report
    assert (out / "executed" / "a_good.ipynb").is_file() and not (out / "executed" / "c_mnist.ipynb").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in page and "NanumGothic" in page and "시험용 노트북" in page
    assert 'href="html/a_good.html"' in page and 'href="logs/a_good.log"' in page and "data:image/png;base64," in page
    rendered = (out / "html" / "a_good.html").read_text(encoding="utf-8")
    assert (
        "시험용 노트북" in rendered and 'data-mime-type="application/vnd.jupyter.stderr"' not in rendered
    )  # to the log
    assert (out / "report-timing.png").read_bytes().startswith(b"\x89PNG")


def test_data_source_comes_from_the_record_of_load_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("DLWP_MNIST", "SYNTHETIC ")  # the loader's spelling rules: case and spaces do not matter
    nb = make_notebook(tmp_path / "nbs" / "m.ipynb", "import helpers\n_ = helpers.load_mnist()")
    assert run_all.main([str(nb), "--out", str(tmp_path / "build")]) == run_all.EXIT_OK
    report = (tmp_path / "build" / "report.md").read_text(encoding="utf-8")
    assert "- data: MNIST: SYNTHETIC digits (not MNIST)" in report  # said once, up front
    assert "| ok | " in report and " | as in the data line | " in report


@pytest.mark.parametrize(
    "args, message",
    [
        (["--seed", "-1"], "SEED must be a whole number from 0 to 4294967295, got '-1'"),
        (["--seed", "4294967296"], "SEED must be a whole number from 0 to 4294967295, got '4294967296'"),
        (["--seed", "seven"], "SEED must be a whole number"),
        (["--seed", ""], "SEED must be a whole number"),
        (["--quick", "maybe"], "QUICK must be one of 1/0, true/false, yes/no, on/off (any case) or empty, got 'maybe'"),
        (["--quick", "2"], "QUICK must be one of"),
        (["no/such.ipynb"], "is not a notebook file"),
        (["{broken}"], "is not a readable notebook (JSONDecodeError"),
    ],
)
def test_bad_arguments_stop_before_anything_is_written(tmp_path, capsys, args, message):
    out = tmp_path / "build"
    broken = tmp_path / "broken.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    args = [str(broken) if a == "{broken}" else a for a in args]
    assert run_all.main([*args, "--out", str(out)]) == run_all.EXIT_USAGE
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.startswith("make run: ") and message in printed.err
    assert printed.err.count("\n") == 1  # one message
    assert not out.exists()


@pytest.mark.parametrize("text", ["1", "true", "TRUE", "Yes", "on", "ON", " on "])
def test_quick_on_spellings(text):
    assert run_all.parse_quick(text) is True


@pytest.mark.parametrize("text", ["", " ", "0", "false", "False", "no", "NO", "off", "Off"])
def test_quick_off_spellings(text):
    assert run_all.parse_quick(text) is False


def test_seed_range_edges():
    assert run_all.parse_seed("0") == 0 and run_all.parse_seed(" 4294967295 ") == 2**32 - 1


def test_exit_statuses_and_summary_lines():
    ok, failed, skipped = (
        run_all.Result(n, status=s, seconds=1.0) for n, s in [("a", "ok"), ("b", "FAILED"), ("c", "skipped")]
    )
    assert run_all.exit_status([ok], False) == 0 and run_all.summary_line([ok], 1, False, False)[0] == "ok"
    assert run_all.exit_status([ok, skipped], False) == 3
    state, line = run_all.summary_line([ok, skipped], 1, True, False)
    assert state == "incomplete" and line.startswith("INCOMPLETE: 1 notebook(s) skipped for lack of MNIST data.")
    assert run_all.exit_status([ok, failed, skipped], False) == 1
    assert run_all.exit_status([ok, failed], True) == 130
    state, line = run_all.summary_line([ok, run_all.Result("d", status="interrupted")], 1, False, True)
    assert state == "interrupted" and line.startswith("INTERRUPTED (Ctrl-C) after 1 of 2 notebooks")


def test_default_run_is_the_course_without_the_instructor_tool():
    paths = run_all.notebook_paths([], with_validate=False)
    assert paths == nbtool.course_notebooks() and run_all.VALIDATE not in paths
    assert (nbtool.NOTEBOOKS / "00_setup.ipynb") in paths
    assert run_all.notebook_paths([], with_validate=True) == [*paths, run_all.VALIDATE]


def test_a_long_notebook_shows_it_is_alive_on_a_terminal():
    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    stream = FakeTTY()
    term = run_all.Terminal(stream)
    with term.running("[ 1/1] slow", cells=9) as on_cell:
        on_cell(3)
        time.sleep(1.3)
    term.say("[ 1/1] slow ok")
    text = stream.getvalue()
    assert re.search(r"\r\x1b\[K\[ 1/1\] slow running +1 s  \(cell 3/9\)", text), repr(text)
    assert text.endswith("\r\x1b[K[ 1/1] slow ok\n")  # the final line replaces the progress line


def _ours(tmp: Path) -> list[psutil.Process]:
    """Processes whose command line names our private temp folder (kernels: their connection file is there)."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(tmp) in part for part in proc.info["cmdline"] or []):
            found.append(proc)
    return found


def _interrupt_when(marker: Path, proc: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()[0]
        assert time.monotonic() < deadline, "the notebook never started"
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole foreground process group


def test_ctrl_c_shuts_kernels_down_and_leaves_an_interrupted_report(tmp_path):
    tmp, out, marker = tmp_path / "tmp", tmp_path / "build", tmp_path / "started"
    tmp.mkdir()
    (out / "executed").mkdir(parents=True)
    (out / "report.md").write_text("18/18 notebooks ok", encoding="utf-8")  # a previous run's report
    (out / "executed" / "old.ipynb").write_text("{}", encoding="utf-8")
    first = make_notebook(tmp_path / "nbs" / "a_first.ipynb", NOISY)
    waits = make_notebook(
        tmp_path / "nbs" / "b_waits.ipynb",
        f"import pathlib, time\npathlib.Path({str(marker)!r}).touch()\ntime.sleep(300)",
    )
    never = make_notebook(tmp_path / "nbs" / "c_never.ipynb", "x = 1")
    env = {**os.environ, "TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(tmp)}
    cmd = [sys.executable, str(nbtool.ROOT / "tools" / "run_all.py"), str(first), str(waits), str(never)]
    proc = subprocess.Popen(
        [*cmd, "--out", str(out)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        _interrupt_when(marker, proc)
        printed = proc.communicate(timeout=120)[0]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == run_all.EXIT_INTERRUPTED, printed
    assert_quiet(printed)
    assert "Interrupted (Ctrl-C): the running kernel was shut down" in printed
    assert "INTERRUPTED (Ctrl-C) after 1 of 3 notebooks" in printed
    time.sleep(0.5)
    assert _ours(tmp) == []  # no kernel outlives the run
    assert sorted(p.name for p in tmp.rglob("*")) == []  # no connection file left
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "INTERRUPTED" in report and "18/18" not in report
    assert "| b_waits.ipynb — 시험용 노트북 (Test notebook) | interrupted |" in report
    assert "| c_never.ipynb — 시험용 노트북 (Test notebook) | not run |" in report
    assert (out / "report.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not list(out.rglob("*.tmp")) and not (out / "executed" / "old.ipynb").exists()


def _nbval_kernel_running(tmp: Path) -> bool:
    for proc in _ours(tmp):
        with contextlib.suppress(psutil.Error):
            if "ipykernel_launcher" in " ".join(proc.cmdline()) and "pytest" in " ".join(proc.parent().cmdline()):
                return True
    return False


def test_ctrl_c_during_99_validate_leaves_no_kernel_and_no_connection_file(tmp_path):
    """99_validate runs pytest, whose kernels live in the temp folder: after Ctrl-C nothing of them remains."""
    tmp, out = tmp_path / "tmp", tmp_path / "build"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "JUPYTER_RUNTIME_DIR": str(tmp)}
    cmd = [sys.executable, str(nbtool.ROOT / "tools" / "run_all.py"), str(run_all.VALIDATE), "--out", str(out)]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 300
        while not _nbval_kernel_running(tmp):
            assert proc.poll() is None, proc.communicate()[0]
            assert time.monotonic() < deadline, "99_validate's test kernel never started"
            time.sleep(0.5)
        os.killpg(proc.pid, signal.SIGINT)
        printed = proc.communicate(timeout=180)[0]
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == run_all.EXIT_INTERRUPTED, printed
    time.sleep(0.5)
    assert _ours(tmp) == []
    assert sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*")) == []  # no connection file, no temp folder
