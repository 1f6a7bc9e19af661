"""Reliability: bad input to every public helper, property-based tests, and (slow) determinism and
data-source independence of the whole notebook suite. Slow tests run with `make test-all` (DLWP_SLOW=1)."""

from __future__ import annotations

import json
import os
import subprocess

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import helpers
from helpers.record import RECORD_MIME
from tools import nbtool

slow = pytest.mark.skipif(os.environ.get("DLWP_SLOW") != "1", reason="slow: run with make test-all")
NAN_IMAGES = np.full((2, 28, 28), np.nan)
POINTS = np.zeros((4, 2), np.float32)

# (call, exception, text that must name the argument)
BAD_INPUTS = [
    (lambda: helpers.setup(seed=1.5), TypeError, "seed"),
    (lambda: helpers.setup(seed=-3), ValueError, "seed"),
    (lambda: helpers.load_mnist(source=3.0), TypeError, "source"),
    (lambda: helpers.load_mnist(source=""), ValueError, "source"),
    (lambda: helpers.synthetic_digits(-1), ValueError, "n="),
    (lambda: helpers.synthetic_digits(np.float32(3)), TypeError, "n="),
    (lambda: helpers.synthetic_digits(3, seed=-1), ValueError, "seed"),
    (lambda: helpers.two_class_points(0), ValueError, "n_per_class"),
    (lambda: helpers.two_class_points(-5), ValueError, "n_per_class"),
    (lambda: helpers.two_class_points("10"), TypeError, "n_per_class"),
    (lambda: helpers.two_class_points(5, seed=-2), ValueError, "seed"),
    (lambda: helpers.plot_digits(np.zeros((28, 28))), ValueError, "images"),  # wrong rank
    (lambda: helpers.plot_digits(np.zeros((0, 28, 28))), ValueError, "images"),  # empty
    (lambda: helpers.plot_digits(NAN_IMAGES), ValueError, "images"),
    (lambda: helpers.plot_digits(np.zeros((2, 28, 28)), labels=[1, 12]), ValueError, "labels"),
    (lambda: helpers.plot_digits(np.zeros((2, 28, 28)), labels=[-1, 2]), ValueError, "labels"),
    (lambda: helpers.plot_digits(np.zeros((2, 28, 28)), predictions=["a", "b"]), TypeError, "predictions"),
    (lambda: helpers.plot_digits(np.zeros((2, 28, 28)), predictions=[0.5, 1]), TypeError, "predictions"),
    (lambda: helpers.plot_digits(np.zeros((2, 28, 28)), ncols=0), ValueError, "ncols"),
    (lambda: helpers.plot_history([1, 2]), TypeError, "history"),
    (lambda: helpers.plot_history({"loss": [1.0]}, metrics=["acc"]), ValueError, "metrics"),
    (lambda: helpers.plot_decision_boundary(None, np.zeros(4), np.zeros(4)), ValueError, "x="),  # wrong rank
    (lambda: helpers.plot_decision_boundary(None, np.zeros((0, 2)), np.zeros(0)), ValueError, "x="),  # empty
    (lambda: helpers.plot_decision_boundary(None, POINTS + np.nan, np.zeros(4)), ValueError, "x="),
    (lambda: helpers.plot_decision_boundary(None, POINTS, np.zeros(3)), ValueError, "y="),
    (lambda: helpers.check_shape(np.zeros(2), [2]), TypeError, "expected"),
    (lambda: helpers.check_shape(np.zeros(2), (-2,)), ValueError, "expected"),
    (lambda: helpers.check_close(1.0, 1.0, rtol=-1), ValueError, "rtol"),
    (lambda: helpers.check_true(True, ""), TypeError, "message"),
    (lambda: helpers.check_value(1, 1, "x", rtol=-1), ValueError, "rtol"),
    (lambda: helpers.check_choice("mse", [], "x"), ValueError, "correct"),
    (lambda: helpers.check_function(abs, None, [(1,)], "x"), TypeError, "reference"),
    (lambda: helpers.check_model(None, "x", inputs=None, output_shape="(2, 1)"), TypeError, "output_shape"),
    (lambda: helpers.check_range(2, 5, 1, "x"), ValueError, "low"),
    (lambda: helpers.record("two words", 1), ValueError, "key"),
    (lambda: helpers.record("x", float("inf")), ValueError, "value"),
    (lambda: helpers.record("x", {"a": 1}), TypeError, "value"),
]


@pytest.mark.parametrize(("call", "exc", "names"), BAD_INPUTS, ids=[f"bad{i}" for i in range(len(BAD_INPUTS))])
def test_bad_input_gives_a_clear_error_naming_the_argument(call, exc, names):
    with pytest.raises(exc) as err:
        call()
    assert names in str(err.value)
    plt.close("all")


def test_every_public_helper_is_covered():
    covered = set()
    for call, _, _ in BAD_INPUTS:
        covered |= set(call.__code__.co_names)
    public = set(helpers.__all__) - {"EnvInfo", "MnistError", "MnistNotFoundError", "get_strategy"}
    public -= {"ExerciseError", "is_placeholder"}  # an exception class, and a predicate that accepts anything
    assert public <= covered, f"no bad-input case for {sorted(public - covered)}"


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 300), seed=st.integers(0, 2**32 - 1))
def test_two_class_points_properties(n, seed):
    x, y = helpers.two_class_points(n, seed=seed)
    assert x.shape == (2 * n, 2) and x.dtype == np.float32 and np.isfinite(x).all()
    assert y.shape == (2 * n, 1) and y.sum() == n and set(np.unique(y)) <= {0.0, 1.0}


@settings(max_examples=15, deadline=None)
@given(n=st.integers(0, 40), seed=st.integers(0, 10_000))
def test_synthetic_digits_properties(n, seed):
    x, y = helpers.synthetic_digits(n, seed=seed)
    assert x.shape == (n, 28, 28) and x.dtype == np.uint8 and y.shape == (n,) and y.dtype == np.uint8
    assert (y <= 9).all()
    x2, y2 = helpers.synthetic_digits(n, seed=seed)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 25), ncols=st.integers(1, 12), data=st.data())
def test_plot_digits_properties(monkeypatch, n, ncols, data):
    monkeypatch.setattr(plt, "show", lambda: None)
    images = np.random.default_rng(n).integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n))
    helpers.plot_digits(images, labels=labels, predictions=labels[::-1], ncols=ncols)
    fig = plt.gcf()
    used = [ax for ax in fig.axes if ax.images]
    assert len(used) == n and len(fig.axes) >= n
    plt.close("all")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    points=st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1, max_size=40),
    threshold=st.floats(-1, 1),
)
def test_plot_decision_boundary_properties(monkeypatch, points, threshold):
    monkeypatch.setattr(plt, "show", lambda: None)
    x = np.array(points, dtype=np.float32)
    y = (x[:, 0] > 0).astype(int)
    helpers.plot_decision_boundary(lambda p: p[:, 0], x, y, threshold=threshold, resolution=20)
    assert len(plt.gcf().axes[0].collections) >= 1
    plt.close("all")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.floats(0, 10), min_size=1, max_size=30), with_val=st.booleans())
def test_plot_history_properties(monkeypatch, values, with_val):
    monkeypatch.setattr(plt, "show", lambda: None)
    hist = {"loss": values, **({"val_loss": values[::-1]} if with_val else {})}
    helpers.plot_history(hist)
    ax = plt.gcf().axes[0]
    assert len(ax.lines) == (2 if with_val else 1) and len(ax.lines[0].get_xdata()) == len(values)
    plt.close("all")


# ------------------------------------------------------------------ slow: whole-suite properties


def _compared_outputs(nb: dict) -> list:
    """What nbval compares in a cleaned notebook (stderr already stripped): untagged outputs, minus records."""
    kept = []
    for cell in nb["cells"]:
        if cell["cell_type"] != "code" or "nbval-ignore-output" in cell["metadata"].get("tags", []):
            continue
        for out in cell["outputs"]:
            out.get("data", {}).pop(RECORD_MIME, None)
        kept.append(cell["outputs"])
    return kept


@slow
@pytest.mark.parametrize("path", nbtool.all_notebooks(), ids=[p.name for p in nbtool.all_notebooks()])
def test_regeneration_is_deterministic(tmp_path, path):
    """Two regenerations in a row give byte-identical compared outputs (images included)."""
    runs = []
    for i in range(2):
        dst = tmp_path / f"run{i}.ipynb"
        error, _ = nbtool.execute(path, dst)
        assert error is None, error
        runs.append(json.dumps(_compared_outputs(nbtool.clean(nbtool.load(dst))), sort_keys=True))
    assert runs[0] == runs[1]


def _nbval(mnist: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DLWP_MNIST": mnist}
    cmd = nbtool.nbval_command("notebooks")
    return subprocess.run(cmd, cwd=nbtool.ROOT, env=env, capture_output=True, text=True)


@slow
@pytest.mark.parametrize("source", ["synthetic", "shared-sample", "full-size"])
def test_suite_passes_with_every_data_source(tmp_path, source):
    if source == "synthetic":
        mnist = "synthetic"
    elif source == "shared-sample":
        if not nbtool.SHARED_SAMPLE.is_file():
            pytest.skip("shared sample not beside the project")
        mnist = str(nbtool.SHARED_SAMPLE)
    else:  # 60,000 / 10,000 images resampled from whatever source is here
        base = str(nbtool.SHARED_SAMPLE) if nbtool.SHARED_SAMPLE.is_file() else "synthetic"
        (x, y), (xt, yt) = helpers.load_mnist(base, verbose=False)
        rng = np.random.default_rng(0)
        i, j = rng.integers(0, len(x), 60_000), rng.integers(0, len(xt), 10_000)
        mnist = str(tmp_path / "mnist-60k.npz")
        np.savez_compressed(mnist, x_train=x[i], y_train=y[i], x_test=xt[j], y_test=yt[j])
    result = _nbval(mnist)
    assert result.returncode == 0, result.stdout[-5000:]
