"""`make run` (tools/run_all.py): executes into build/, never writes sources, reports failures and records."""

from __future__ import annotations

import json
import shutil

from tools import nbtool, run_all


def _notebook(path, *sources):
    nb = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {}, "outputs": [], "source": s}
            for i, s in enumerate(sources)
        ],
        "metadata": {"kernelspec": nbtool.KERNELSPEC},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    nb["cells"][0]["metadata"]["tags"] = ["parameters"]
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_run_reports_failures_records_and_keeps_sources(tmp_path, monkeypatch, capsys):
    src = tmp_path / "nbs"
    src.mkdir()
    good = _notebook(
        src / "a_good.ipynb",
        "SEED = 1\nQUICK = False",
        "import helpers\nhelpers.record('answer', 42 if QUICK else 0)\nhelpers.record('seed_seen', SEED)",
    )
    bad = _notebook(src / "b_bad.ipynb", "SEED = 1\nQUICK = False", "x = 1\ny = x / 0")
    mnist = _notebook(src / "c_mnist.ipynb", "SEED = 1\nQUICK = False", "import helpers\n_ = helpers.load_mnist()")
    before = {p: p.read_bytes() for p in (good, bad, mnist)}
    out = tmp_path / "build"

    code = run_all.main([str(good), str(bad), str(mnist), "--quick", "--seed", "7", "--out", str(out)])

    assert code == 1  # one notebook failed
    assert {p: p.read_bytes() for p in before} == before  # sources never written
    printed = capsys.readouterr().out
    assert printed.count("MNIST is not available") == 1 and "DLWP_MNIST=synthetic" in printed
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| a_good.ipynb | ok |" in report and "answer = 42" in report and "seed_seen = 7" in report
    assert "| b_bad.ipynb | FAILED: code cell 2: ZeroDivisionError: division by zero |" in report
    assert "| c_mnist.ipynb | skipped: no MNIST data" in report
    assert (out / "executed" / "a_good.ipynb").is_file() and not (out / "executed" / "c_mnist.ipynb").exists()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<td>a_good.ipynb</td>" in page and "data:image/png;base64," in page
    assert (out / "report-timing.png").read_bytes().startswith(b"\x89PNG")


def test_data_source_comes_from_the_record_of_load_mnist(tmp_path, monkeypatch):
    monkeypatch.setenv("DLWP_MNIST", "synthetic")
    src = tmp_path / "nbs"
    src.mkdir()
    nb = _notebook(src / "m.ipynb", "SEED = 1\nQUICK = False", "import helpers\n_ = helpers.load_mnist()")
    shutil.rmtree(tmp_path / "build", ignore_errors=True)
    assert run_all.main([str(nb), "--out", str(tmp_path / "build")]) == 0
    report = (tmp_path / "build" / "report.md").read_text(encoding="utf-8")
    assert "MNIST: SYNTHETIC digits (not MNIST) — 6,000 train / 1,000 test" in report
