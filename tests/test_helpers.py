"""Behaviour of the notebook-facing helpers (data generators, checks, plots, record, setup)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import helpers
from helpers.record import RECORD_MIME


def test_two_class_points_layout_and_statistics():
    x, y = helpers.two_class_points(n_per_class=2000, seed=1)
    assert x.shape == (4000, 2) and x.dtype == np.float32
    assert y.shape == (4000, 1) and y.dtype == np.float32
    assert set(np.unique(y)) == {0.0, 1.0} and y[:2000].sum() == 0 and y[2000:].sum() == 2000
    np.testing.assert_allclose(x[:2000].mean(0), [0, 3], atol=0.1)
    np.testing.assert_allclose(x[2000:].mean(0), [3, 0], atol=0.1)
    np.testing.assert_allclose(np.cov(x[:2000].T), [[1, 0.5], [0.5, 1]], atol=0.1)


def test_two_class_points_deterministic_per_seed():
    a, _ = helpers.two_class_points(50, seed=3)
    b, _ = helpers.two_class_points(50, seed=3)
    c, _ = helpers.two_class_points(50, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(("n", "exc"), [(0, ValueError), (-5, ValueError), (2.5, TypeError), (True, TypeError)])
def test_two_class_points_rejects_bad_sizes(n, exc):
    with pytest.raises(exc, match="n_per_class"):
        helpers.two_class_points(n)


def test_synthetic_digits_layout_determinism_and_variety():
    x, y = helpers.synthetic_digits(300, seed=5)
    assert x.shape == (300, 28, 28) and x.dtype == np.uint8
    assert y.shape == (300,) and y.dtype == np.uint8 and y.max() <= 9
    x2, y2 = helpers.synthetic_digits(300, seed=5)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    assert x.max() > 200 and 5 < x.mean() < 80  # ink on a dark background, like MNIST
    same_digit = x[y == y[0]]
    assert len(same_digit) > 1 and not np.array_equal(same_digit[0], same_digit[1])  # distorted, not copies


def test_synthetic_digits_are_learnable_but_not_trivial():
    """A nearest-centroid classifier beats chance by far yet is imperfect: digits carry class signal and variety."""
    x, y = helpers.synthetic_digits(2000, seed=0)
    xt, yt = helpers.synthetic_digits(500, seed=1)
    flat, flat_t = x.reshape(len(x), -1) / 255.0, xt.reshape(len(xt), -1) / 255.0
    centroids = np.stack([flat[y == d].mean(0) for d in range(10)])
    pred = np.argmin(((flat_t[:, None] - centroids[None]) ** 2).sum(-1), axis=1)
    acc = (pred == yt).mean()
    assert 0.4 < acc < 0.98


@pytest.mark.parametrize(("n", "exc"), [(-1, ValueError), ("10", TypeError)])
def test_synthetic_digits_rejects_bad_sizes(n, exc):
    with pytest.raises(exc, match="synthetic_digits"):
        helpers.synthetic_digits(n)


def test_checks_pass_with_korean_tick(capsys):
    helpers.check_shape(np.zeros((2, 3)), (2, 3), name="x")
    helpers.check_close([1.0, 2.0], [1.0, 2.0 + 1e-9], name="y")
    helpers.check_true(1 + 1 == 2, "덧셈이 맞습니다")
    out = capsys.readouterr().out.splitlines()
    assert out == ["✓ x의 크기(shape)가 (2, 3)로 맞습니다.", "✓ y: 기대한 값과 일치합니다.", "✓ 덧셈이 맞습니다"]


def test_checks_fail_with_korean_hint():
    with pytest.raises(AssertionError, match=r"✗ x의 크기\(shape\)가 \(2, 3\)입니다\. \(3, 2\)이어야 합니다\. 힌트"):
        helpers.check_shape(np.zeros((2, 3)), (3, 2), name="x")
    with pytest.raises(AssertionError, match=r"최대 차이 0\.5"):
        helpers.check_close([1.0], [1.5], name="y")
    with pytest.raises(AssertionError, match="크기가 다릅니다"):
        helpers.check_close([1.0, 2.0], [1.0], name="y")
    with pytest.raises(AssertionError, match="NaN"):
        helpers.check_close([np.nan], [1.0])
    with pytest.raises(AssertionError, match="✗ 정확도가 0.9보다 큽니다 — 성립하지 않습니다. 힌트: 더 훈련하세요"):
        helpers.check_true(False, "정확도가 0.9보다 큽니다", hint="더 훈련하세요")


def test_check_argument_errors():
    with pytest.raises(TypeError, match="expected"):
        helpers.check_shape(np.zeros(2), [2])
    with pytest.raises(TypeError, match="message"):
        helpers.check_true(True, "")


def test_plots_draw_and_validate(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(plt.gcf()))
    images = np.zeros((12, 28, 28), np.uint8)
    helpers.plot_digits(images, labels=np.arange(12) % 10, predictions=np.zeros(12), ncols=6)
    assert len(shown[-1].axes) == 12
    helpers.plot_history({"loss": [1.0, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.8]})
    assert len(shown[-1].axes) == 2
    x, y = helpers.two_class_points(20)
    helpers.plot_decision_boundary(lambda p: p[:, 0] - p[:, 1], x, y, title="t")
    assert shown[-1].axes[0].get_title() == "t"
    fig, ax = plt.subplots()
    n_before = len(shown)
    helpers.plot_decision_boundary(None, x, y, ax=ax)
    assert len(shown) == n_before  # drawing into a given axis does not show
    plt.close("all")

    with pytest.raises(ValueError, match=r"plot_digits\(images=...\)"):
        helpers.plot_digits(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"plot_digits\(labels=...\) has shape \(2,\) for 3 images"):
        helpers.plot_digits(np.zeros((3, 28, 28)), labels=[1, 2])
    with pytest.raises(TypeError, match=r"plot_history\(history=...\)"):
        helpers.plot_history({})
    with pytest.raises(ValueError, match=r"plot_history\(metrics=...\) names \['acc'\]"):
        helpers.plot_history({"loss": [1.0]}, metrics=["acc"])
    with pytest.raises(ValueError, match=r"plot_decision_boundary\(x=...\)"):
        helpers.plot_decision_boundary(None, np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="NaN"):
        helpers.plot_decision_boundary(None, np.full((2, 2), np.nan), np.zeros(2))


def test_record_emits_machine_readable_output(monkeypatch):
    seen = []
    import IPython
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: seen.append((obj, raw)))
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())  # as inside a kernel
    helpers.record("test_accuracy", np.float32(0.5))
    helpers.record("steps", np.int64(7))
    assert seen == [
        ({RECORD_MIME: {"test_accuracy": 0.5}}, True),
        ({RECORD_MIME: {"steps": 7}}, True),
    ]
    with pytest.raises(ValueError, match="key"):
        helpers.record("not a key", 1)
    with pytest.raises(ValueError, match="finite"):
        helpers.record("x", float("nan"))
    with pytest.raises(TypeError, match="number, bool or str"):
        helpers.record("x", [1, 2])


def test_setup_reports_and_seeds(capsys):
    import os

    info = helpers.setup(seed=7)
    line = capsys.readouterr().out.strip()
    assert line == info.line() and line.startswith("TensorFlow ") and "seed 7" in line
    assert info.device in ("CPU", "GPU", "TPU") and not info.on_colab
    assert os.environ["TF_ENABLE_ONEDNN_OPTS"] == "0" and os.environ["TF_CPP_MIN_LOG_LEVEL"] == "3"
    import tensorflow as tf

    a = np.random.rand(3)
    t = tf.random.uniform((3,)).numpy()
    helpers.setup(seed=7, verbose=False)
    assert np.array_equal(a, np.random.rand(3)) and np.array_equal(t, tf.random.uniform((3,)).numpy())
    with pytest.raises(TypeError, match="seed"):
        helpers.setup(seed="42")
    with pytest.raises(ValueError, match="seed"):
        helpers.setup(seed=-1)


def test_get_strategy_on_this_machine():
    import tensorflow as tf

    strategy = helpers.get_strategy()
    expected = max(1, len(tf.config.list_logical_devices("GPU")))
    assert strategy.num_replicas_in_sync == expected
