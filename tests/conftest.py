"""Shared fixtures for the unit tests: hermetic MNIST environment, MNIST-format .npz files (valid, invalid, at the
dataset contract's minimum and at full size)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import data


@pytest.fixture(autouse=True)
def hermetic(monkeypatch, tmp_path):
    """No test sees the caller's DLWP_MNIST, data dir or Keras cache, and no test can reach the network."""
    monkeypatch.delenv("DLWP_MNIST", raising=False)
    monkeypatch.setenv("DLWP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras-home"))

    def no_network(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(data.urllib.request, "urlopen", no_network)


def mnist_arrays(n_train: int = data.MIN_TRAIN, n_test: int = data.MIN_TEST) -> dict[str, np.ndarray]:
    """Random-pixel MNIST-layout arrays meeting the contract (labels cycle through 0-9); tests only."""
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }


def write_npz(path: Path, n_train: int = data.MIN_TRAIN, n_test: int = data.MIN_TEST, **overrides) -> Path:
    """Write an MNIST-layout .npz at the contract minimum; keyword overrides replace (or with None, drop) arrays."""
    arrays = mnist_arrays(n_train, n_test)
    for key, value in overrides.items():
        if value is None:
            arrays.pop(key)
        else:
            arrays[key] = value
    np.savez(path, **arrays)
    return path


@pytest.fixture
def npz_factory(tmp_path):
    def make(name: str = "mnist-like.npz", **kwargs) -> Path:
        return write_npz(tmp_path / name, **kwargs)

    return make


def write_contract_file(path: Path, size: str) -> Path:
    """A real-digit MNIST-format file for the notebook suite, taken from the bundled sample (data/mnist-sample.npz).

    size="minimum": the first MIN_TRAIN train / MIN_TEST test digits of the sample (every digit present, asserted).
    size="full": 60,000 / 10,000 images made by tiling the sample's splits in order (real digits, each repeated).
    """
    (x, y), (xt, yt) = data.read_mnist_npz(data.SAMPLE_PATH)
    if size == "minimum":
        x, y, xt, yt = x[: data.MIN_TRAIN], y[: data.MIN_TRAIN], xt[: data.MIN_TEST], yt[: data.MIN_TEST]
    elif size == "full":
        i, j = np.arange(60_000) % len(x), np.arange(10_000) % len(xt)
        x, y, xt, yt = x[i], y[i], xt[j], yt[j]
    else:
        raise ValueError(f"write_contract_file(size=...) must be 'minimum' or 'full', got {size!r}")
    assert set(np.unique(y)) == set(np.unique(yt)) == set(range(10))
    np.savez_compressed(path, x_train=x, y_train=y, x_test=xt, y_test=yt)
    return path


@pytest.fixture
def arrays() -> dict[str, np.ndarray]:
    """The arrays write_npz writes by default (npz_factory's files hold exactly these)."""
    return mnist_arrays()


@pytest.fixture(scope="session")
def contract_file(tmp_path_factory):
    """write_contract_file as a fixture: `contract_file("minimum" | "full")` -> path, each written once a session."""
    made: dict[str, Path] = {}

    def make(size: str) -> Path:
        if size not in made:
            made[size] = write_contract_file(tmp_path_factory.mktemp("contract") / f"mnist-{size}.npz", size)
        return made[size]

    return make
