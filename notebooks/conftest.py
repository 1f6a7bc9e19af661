"""nbval settings for the notebooks (pytest loads this; learners can ignore it).

- Kernels inherit TF's quiet-log variables and DLWP_MNIST parsed by helpers.data.mnist_spec (the one parser):
  unset -> the bundled real-digit sample data/mnist-sample.npz (never the network), `synthetic` (any case) stays
  synthetic, a relative path becomes absolute (kernels run in notebooks/).
- The `stderr` stream (TF's C++ log lines, warnings) and the `make run` record mime type are not
  compared: they vary by machine and carry no lesson.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers.data import ENV_VAR, SAMPLE_PATH, mnist_spec  # noqa: E402
from helpers.env import quiet_tensorflow  # noqa: E402
from helpers.plots import PLOT_MIME  # noqa: E402
from helpers.record import RECORD_MIME  # noqa: E402

quiet_tensorflow()
os.environ["PYTHONHASHSEED"] = "0"
os.environ[ENV_VAR] = str(mnist_spec(os.environ.get(ENV_VAR)) or SAMPLE_PATH)

SKIP = ("stderr", RECORD_MIME, PLOT_MIME)


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare"):  # nbval's IPyNbFile
        collector.skip_compare = tuple(collector.skip_compare) + SKIP


# Every exercise solution is proven necessary in the same nbval run (tools/exercise_proof.py).
from tools.exercise_proof import pytest_collection_modifyitems  # noqa: E402, F401
