"""Shared plumbing for the *Deep Learning with Python* (2nd ed., ch. 1-3) Korean companion notebooks.

Public API (everything a notebook calls):

- ``setup(seed=42)`` -> ``EnvInfo``: quiet TF logs, seeds, plot style, one-line environment report.
- ``get_strategy()``: the right ``tf.distribute`` strategy for this machine (TPU / GPUs / default).
- ``load_mnist()``: Keras-style MNIST from ``$DLWP_MNIST`` (a path or ``synthetic``), the official file
  (``data/mnist.npz`` or Keras's cache), a hash-verified download, else the bundled 10,000-digit real sample,
  with one provenance line; ``MnistError`` names the file and the fix for anything unusable.
- ``synthetic_digits(n, seed)``: generated 28x28 digits (clearly labelled synthetic, never MNIST).
- ``two_class_points(n_per_class, seed)``: ch.3's two 2-D normal clouds.
- ``plot_digits``, ``plot_history``, ``plot_decision_boundary``: the course's plots.
- ``check_shape``, ``check_close``, ``check_true``: self-check cells (Korean ✓ / hint messages).
- ``check_value``, ``check_choice``, ``check_function``, ``check_model``, ``check_range``, ``is_placeholder``:
  the 연습 문제 (exercise) checkers (placeholder -> "not attempted", right -> ✓, wrong -> ``ExerciseError``).
- ``record(key, value)``: a key result for the ``make run`` report.
"""

from helpers.checks import check_close, check_shape, check_true
from helpers.data import MnistError, MnistNotFoundError, load_mnist, synthetic_digits, two_class_points
from helpers.env import EnvInfo, get_strategy, setup
from helpers.exercises import (
    ExerciseError,
    check_choice,
    check_function,
    check_model,
    check_range,
    check_value,
    is_placeholder,
)
from helpers.plots import plot_decision_boundary, plot_digits, plot_history
from helpers.record import record

__all__ = [
    "EnvInfo",
    "MnistError",
    "MnistNotFoundError",
    "ExerciseError",
    "check_choice",
    "check_close",
    "check_function",
    "check_model",
    "check_range",
    "check_value",
    "is_placeholder",
    "check_shape",
    "check_true",
    "get_strategy",
    "load_mnist",
    "plot_decision_boundary",
    "plot_digits",
    "plot_history",
    "record",
    "setup",
    "synthetic_digits",
    "two_class_points",
]
