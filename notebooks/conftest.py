"""nbval settings for the notebooks (pytest loads this; learners can ignore it).

- Kernels inherit TF's quiet-log variables and, when DLWP_MNIST is unset, DLWP_MNIST=synthetic,
  so the suite is hermetic (no download, ever).
- The `stderr` stream (TF's C++ log lines, warnings) and the `make run` record mime type are not
  compared: they vary by machine and carry no lesson.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.env import quiet_tensorflow  # noqa: E402
from helpers.record import RECORD_MIME  # noqa: E402

quiet_tensorflow()
os.environ["PYTHONHASHSEED"] = "0"
if not os.environ.get("DLWP_MNIST"):
    os.environ["DLWP_MNIST"] = "synthetic"
elif os.environ["DLWP_MNIST"].lower() != "synthetic":
    # a relative path is meant from where the test command ran; kernels run in notebooks/
    os.environ["DLWP_MNIST"] = os.path.abspath(os.environ["DLWP_MNIST"])

SKIP = ("stderr", RECORD_MIME)


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare"):  # nbval's IPyNbFile
        collector.skip_compare = tuple(collector.skip_compare) + SKIP


# Every exercise solution is proven necessary in the same nbval run (tools/exercise_proof.py).
from tools.exercise_proof import pytest_collection_modifyitems  # noqa: E402, F401
