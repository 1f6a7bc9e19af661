"""Plots every notebook uses: digit grids, training curves, 2-D decision boundaries."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from helpers.record import display_hidden

# Every plot helper stores a hidden marker output next to its figure; tests/test_notebooks.py checks that each stored
# plot was made by the current helpers (bump PLOT_VERSION whenever what a helper draws changes).
PLOT_MIME = "application/x-dlwp-plot+json"
PLOT_VERSION = 2


def _finish(fig: Any, own: bool, helper: str) -> None:
    if own:
        import matplotlib.pyplot as plt

        fig.tight_layout()
        plt.show()
    display_hidden(PLOT_MIME, {"helper": helper, "version": PLOT_VERSION})


def plot_digits(
    images: Any,
    labels: Any = None,
    predictions: Any = None,
    *,
    ncols: int = 10,
    title: str | None = None,
) -> None:
    """Show digit images in a grid, titled with labels and/or predictions (ch01, ch02_1, ch02_2, ch02_5)."""
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3 or images.shape[0] == 0:
        raise ValueError(
            f"plot_digits(images=...) must have shape (n, 28, 28) or (n, 784) with n > 0, got {images.shape}"
        )
    if np.isnan(images.astype(np.float64)).any():
        raise ValueError("plot_digits(images=...) contains NaN")
    n = len(images)
    for arg, values in (("labels", labels), ("predictions", predictions)):
        if values is None:
            continue
        values = np.asarray(values)
        if values.shape != (n,):
            raise ValueError(f"plot_digits({arg}=...) has shape {values.shape} for {n} images; expected ({n},)")
        if values.dtype.kind not in "iuf" or not np.isfinite(values).all() or (values != np.round(values)).any():
            raise TypeError(f"plot_digits({arg}=...) must hold whole numbers 0-9, got dtype {values.dtype}")
        if values.min() < 0 or values.max() > 9:
            raise ValueError(
                f"plot_digits({arg}=...) holds values outside 0-9 (min {values.min()}, max {values.max()})"
            )
    if not isinstance(ncols, int) or ncols <= 0:
        raise ValueError(f"plot_digits(ncols=...) must be a positive int, got {ncols!r}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.5 * ncols, 1.9 * nrows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="binary")
        parts = []
        if predictions is not None:
            parts.append(f"pred {int(predictions[i])}")
        if labels is not None:
            parts.append(f"true {int(labels[i])}")
        wrong = predictions is not None and labels is not None and int(predictions[i]) != int(labels[i])
        ax.set_title("\n".join(parts), fontsize=12, color="crimson" if wrong else "black")
    if title:
        fig.suptitle(title)
    _finish(fig, True, "plot_digits")


def plot_history(history: Any, metrics: list[str] | None = None, *, title: str | None = None) -> None:
    """Train-vs-validation curves for every metric of a Keras History or dict (ch02_1, ch03_6_5)."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    hist = getattr(history, "history", history)
    if not isinstance(hist, Mapping) or not hist:
        raise TypeError("plot_history(history=...) must be a keras History or a non-empty dict of lists")
    names = metrics or [k for k in hist if not k.startswith("val_")]
    unknown = [m for m in names if m not in hist]
    if unknown:
        raise ValueError(f"plot_history(metrics=...) names {unknown}, not in history keys {sorted(hist)}")
    fig, axes = plt.subplots(1, len(names), figsize=(4.5 * len(names), 3.2), squeeze=False)
    for ax, name in zip(axes.flat, names):
        values = np.asarray(hist[name], dtype=np.float64)
        epochs = np.arange(1, len(values) + 1)
        ax.plot(epochs, values, "o-", label=f"train {name}")
        if f"val_{name}" in hist:
            ax.plot(epochs, hist[f"val_{name}"], "s--", label=f"validation {name}")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(name)
        ax.legend()
    if title:
        fig.suptitle(title)
    _finish(fig, True, "plot_history")


def plot_decision_boundary(
    predict: Callable[[np.ndarray], Any] | None,
    x: Any,
    y: Any,
    *,
    ax: Any = None,
    threshold: float = 0.5,
    title: str | None = None,
    resolution: int = 200,
) -> None:
    """Scatter 2-D points coloured by class, over the regions `predict` assigns (ch01, ch02_3, ch03_5_4, ch03_6_2).

    `predict` maps float32 (m, 2) points to scores (m,) or (m, 1), or class probabilities (m, k);
    pass None to draw the points alone. With `ax` given it draws there and does not show.
    """
    import matplotlib.pyplot as plt

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y).reshape(-1)
    if x.ndim != 2 or x.shape[1] != 2 or len(x) == 0:
        raise ValueError(f"plot_decision_boundary(x=...) must have shape (n, 2) with n > 0, got {x.shape}")
    if len(y) != len(x):
        raise ValueError(f"plot_decision_boundary(y=...) has {len(y)} labels for {len(x)} points")
    if not np.isfinite(x).all():
        raise ValueError("plot_decision_boundary(x=...) contains NaN or inf")
    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(5, 5))
    if predict is not None:
        pad = 0.5
        (x0, y0), (x1, y1) = x.min(0) - pad, x.max(0) + pad
        gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
        grid = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
        scores = np.asarray(predict(grid))
        if scores.ndim == 2 and scores.shape[1] > 1:
            classes = scores.argmax(1)
        else:
            classes = (scores.reshape(-1) > threshold).astype(int)
        ax.contourf(
            gx, gy, classes.reshape(gx.shape), alpha=0.25, cmap="coolwarm", levels=np.arange(-0.5, classes.max() + 1)
        )
    ax.scatter(x[:, 0], x[:, 1], c=y, s=8, cmap="coolwarm", edgecolors="none")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    if title:
        ax.set_title(title)
    _finish(ax.figure, own, "plot_decision_boundary")
