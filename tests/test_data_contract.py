"""The dataset contract (README, "Where the MNIST data comes from"): every notebook that loads MNIST passes nbval
with any file that meets it. Slow: run with `make test-all` (DLWP_SLOW=1). The files are real digits from the
bundled sample, at the contract minimum and at full size (tests/conftest.py, write_contract_file)."""

from __future__ import annotations

import os
import subprocess

import pytest

from helpers import data
from tools import nbtool

slow = pytest.mark.skipif(os.environ.get("DLWP_SLOW") != "1", reason="slow: run with make test-all")
MNIST_NOTEBOOKS = [p for p in nbtool.all_notebooks() if "load_mnist(" in p.read_text(encoding="utf-8")]


def test_the_mnist_notebooks_are_found():
    assert MNIST_NOTEBOOKS, "no notebook calls helpers.load_mnist()"
    assert all(p.suffix == ".ipynb" for p in MNIST_NOTEBOOKS)


def test_contract_constants_agree_with_the_readme():
    readme = (nbtool.ROOT / "README.md").read_text(encoding="utf-8")
    assert data.CONTRACT in " ".join(readme.split())
    assert data.SYNTHETIC_SIZES[0] >= data.MIN_TRAIN and data.SYNTHETIC_SIZES[1] >= data.MIN_TEST


@slow
@pytest.mark.parametrize("size", ["minimum", "full"])
def test_mnist_notebooks_pass_at_the_contract_sizes(contract_file, size):
    env = {**os.environ, "DLWP_MNIST": str(contract_file(size))}
    cmd = nbtool.nbval_command(*(str(p) for p in MNIST_NOTEBOOKS))
    result = subprocess.run(cmd, cwd=nbtool.ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-8000:]
