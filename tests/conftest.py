"""Shared fixtures for the unit tests: hermetic MNIST environment, small valid/invalid .npz files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from helpers import data


@pytest.fixture(autouse=True)
def hermetic(monkeypatch, tmp_path):
    """No test sees the caller's DLWP_MNIST or data dir, and no test can reach the network."""
    monkeypatch.delenv("DLWP_MNIST", raising=False)
    monkeypatch.setenv("DLWP_DATA_DIR", str(tmp_path / "data"))

    def no_network(*args, **kwargs):
        raise OSError("network disabled in tests")

    monkeypatch.setattr(data.urllib.request, "urlopen", no_network)


def write_npz(path: Path, n_train: int = 12, n_test: int = 5, **overrides) -> Path:
    """Write a small MNIST-layout .npz; keyword overrides replace (or with None, drop) arrays."""
    rng = np.random.default_rng(0)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, n_train).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, n_test).astype(np.uint8),
    }
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
