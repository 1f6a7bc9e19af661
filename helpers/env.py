"""Environment set-up shared by every notebook: quiet logs, seeds, device report."""

from __future__ import annotations

import os
import platform
import random
import sys
from dataclasses import dataclass

# One fixed choice for the whole course (notebooks, tests, CI, `make run`, bench):
# oneDNN off, so CPU results do not depend on oneDNN's reordered float arithmetic.
TF_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


@dataclass(frozen=True)
class EnvInfo:
    """What `setup` found: versions, device and platform (used by every notebook)."""

    tf_version: str
    keras_version: str
    python_version: str
    device: str  # "CPU", "GPU" or "TPU"
    device_name: str
    on_colab: bool
    seed: int

    def line(self) -> str:
        """The one-line environment report printed by `setup`."""
        where = "Colab" if self.on_colab else "local"
        return (
            f"TensorFlow {self.tf_version} | Keras {self.keras_version} | "
            f"Python {self.python_version} | device: {self.device_name} | {where} | seed {self.seed}"
        )


def quiet_tensorflow() -> None:
    """Set TF's log/oneDNN variables before TensorFlow is imported (setup, tests, tools)."""
    os.environ.update(TF_ENV)


def on_colab() -> bool:
    """True inside Google Colab (00_setup and every install cell)."""
    return "google.colab" in sys.modules


def _device() -> tuple[str, str]:
    import tensorflow as tf

    if tf.config.list_logical_devices("TPU"):
        return "TPU", f"TPU x{len(tf.config.list_logical_devices('TPU'))}"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = []
        for gpu in gpus:
            details = tf.config.experimental.get_device_details(gpu)
            names.append(details.get("device_name", gpu.name))
        return "GPU", ", ".join(names)
    return "CPU", f"CPU ({os.cpu_count()} cores)"


def _enable_memory_growth() -> None:
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # GPUs already initialised in this kernel: keep going
            pass


def setup(seed: int = 42, *, verbose: bool = True) -> EnvInfo:
    """Quiet TF logs, seed Python/NumPy/TF, style plots, report the device (every notebook's setup cell)."""
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"setup(seed=...) must be an int, got {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"setup(seed=...) must be >= 0, got {seed}")
    quiet_tensorflow()
    random.seed(seed)

    import numpy as np

    np.random.seed(seed)

    import keras
    import tensorflow as tf

    tf.get_logger().setLevel("ERROR")
    _enable_memory_growth()
    keras.utils.set_random_seed(seed)

    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.figsize": (6.0, 4.0),
            "figure.dpi": 72,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "image.cmap": "binary",
            "axes.spines.top": False,
            "axes.spines.right": False,
        }
    )
    device, name = _device()
    info = EnvInfo(
        tf_version=tf.__version__,
        keras_version=keras.__version__,
        python_version=platform.python_version(),
        device=device,
        device_name=name,
        on_colab=on_colab(),
        seed=seed,
    )
    if verbose:
        print(info.line())
    return info


def get_strategy():
    """The right tf.distribute strategy here: TPU, MirroredStrategy on GPUs, else default (ch03_1)."""
    import tensorflow as tf

    try:
        resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
        tf.config.experimental_connect_to_cluster(resolver)
        tf.tpu.experimental.initialize_tpu_system(resolver)
        return tf.distribute.TPUStrategy(resolver)
    except (ValueError, RuntimeError, tf.errors.NotFoundError, tf.errors.UnavailableError):
        pass
    if tf.config.list_logical_devices("GPU"):
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()
