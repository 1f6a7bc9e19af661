"""Every resolution path of helpers.load_mnist, each asserting its message."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

import helpers
from helpers import data


def test_valid_file_via_env(npz_factory, monkeypatch, capsys):
    path = npz_factory(n_train=12, n_test=5)
    monkeypatch.setenv("DLWP_MNIST", str(path))
    (x_train, y_train), (x_test, y_test) = helpers.load_mnist()
    assert x_train.shape == (12, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (12,) and y_train.dtype == np.uint8
    assert x_test.shape == (5, 28, 28) and y_test.shape == (5,)
    out = capsys.readouterr().out
    assert out.startswith("MNIST: file ") and "12 train / 5 test" in out
    shown = out.split(" — ")[0].removeprefix("MNIST: file ")
    assert shown == "mnist-like.npz"  # far from the project: the name only, never this machine's absolute path


def test_source_argument_overrides_env(npz_factory, monkeypatch, capsys):
    monkeypatch.setenv("DLWP_MNIST", "/nonexistent/file.npz")
    path = npz_factory(n_train=3, n_test=2)
    (x_train, _), _ = helpers.load_mnist(str(path))
    assert len(x_train) == 3


def test_synthetic(monkeypatch, capsys):
    monkeypatch.setenv("DLWP_MNIST", "synthetic")
    (x_train, y_train), (x_test, y_test) = helpers.load_mnist()
    out = capsys.readouterr().out
    assert "SYNTHETIC digits (not MNIST)" in out
    assert f"{len(x_train):,} train / {len(x_test):,} test" in out
    assert x_train.dtype == np.uint8 and x_train.shape[1:] == (28, 28)
    assert set(np.unique(y_train)) == set(range(10))
    assert not np.array_equal(x_train[: len(x_test)], x_test)  # independent splits


def test_missing_everywhere_lists_attempts_and_fixes(capsys):
    with pytest.raises(helpers.MnistNotFoundError) as err:
        helpers.load_mnist()
    msg = str(err.value)
    assert "Tried:" in msg and "$DLWP_MNIST: not set" in msg
    assert "mnist.npz: not found" in msg
    assert "download from https://storage.googleapis.com" in msg and "network disabled in tests" in msg
    assert "Fix: put the official mnist.npz at" in msg and "DLWP_MNIST=synthetic" in msg
    assert not (data.data_dir() / "mnist.npz").exists()
    assert list(data.data_dir().glob("*.part")) == []  # nothing half-written left behind


def test_env_path_missing(monkeypatch):
    monkeypatch.setenv("DLWP_MNIST", "no/such/file.npz")
    with pytest.raises(
        helpers.MnistNotFoundError, match=r"file\.npz does not exist\. Fix: check the path in DLWP_MNIST"
    ):
        helpers.load_mnist()


def test_truncated_file(npz_factory, monkeypatch):
    path = npz_factory()
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])
    monkeypatch.setenv("DLWP_MNIST", str(path))
    with pytest.raises(
        helpers.MnistError, match=r"mnist-like\.npz is not a valid MNIST-format \.npz: truncated or corrupt"
    ):
        helpers.load_mnist()


def test_not_a_zip(tmp_path, monkeypatch):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"this is not an npz file at all")
    monkeypatch.setenv("DLWP_MNIST", str(path))
    with pytest.raises(helpers.MnistError, match=r"garbage\.npz is not a valid MNIST-format \.npz"):
        helpers.load_mnist()


def test_wrong_keys(npz_factory, monkeypatch):
    path = npz_factory(x_test=None)
    monkeypatch.setenv("DLWP_MNIST", str(path))
    with pytest.raises(helpers.MnistError, match=r"missing keys \['x_test'\]"):
        helpers.load_mnist()


@pytest.mark.parametrize(
    ("override", "pattern"),
    [
        ({"x_train": np.zeros((4, 28, 28), np.float32)}, r"x_train/y_train must be uint8, got float32/uint8"),
        ({"y_test": np.zeros(5, np.int64)}, r"x_test/y_test must be uint8, got uint8/int64"),
        (
            {"x_train": np.zeros((12, 32, 32), np.uint8)},
            r"x_train must have shape \(n, 28, 28\) with n > 0, got \(12, 32, 32\)",
        ),
        ({"x_train": np.zeros((12, 784), np.uint8)}, r"x_train must have shape \(n, 28, 28\)"),
        ({"y_train": np.zeros(11, np.uint8)}, r"y_train must have shape \(12,\), got \(11,\)"),
        (
            {"x_test": np.zeros((0, 28, 28), np.uint8), "y_test": np.zeros(0, np.uint8)},
            r"x_test must have shape .* n > 0",
        ),
    ],
)
def test_wrong_dtype_or_shape(npz_factory, monkeypatch, override, pattern):
    monkeypatch.setenv("DLWP_MNIST", str(npz_factory(**override)))
    with pytest.raises(helpers.MnistError, match=pattern):
        helpers.load_mnist()


def test_labels_out_of_range(npz_factory, monkeypatch):
    labels = np.zeros(12, np.uint8)
    labels[3] = 10
    monkeypatch.setenv("DLWP_MNIST", str(npz_factory(y_train=labels)))
    with pytest.raises(helpers.MnistError, match=r"y_train holds labels outside 0-9 \(max 10\)"):
        helpers.load_mnist()


def test_pickle_inside_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "pickled.npz"
    arrays = {k: np.zeros((2, 28, 28), np.uint8) for k in ("x_train", "x_test")}
    np.savez(path, y_train=np.array([{"evil": 1}, 2], dtype=object), y_test=np.zeros(2, np.uint8), **arrays)
    monkeypatch.setenv("DLWP_MNIST", str(path))
    with pytest.raises(
        helpers.MnistError, match=r"pickled\.npz .*holds pickled Python objects, which are never loaded"
    ):
        helpers.load_mnist()


def test_checksum_mismatch_of_project_file(npz_factory, capsys):
    target = data.data_dir() / "mnist.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(npz_factory().read_bytes())
    with pytest.raises(helpers.MnistError) as err:
        helpers.load_mnist()
    msg = str(err.value)
    assert "mnist.npz has SHA-256" in msg and data.MNIST_SHA256 in msg
    assert "Fix: delete it" in msg
    assert target.exists()  # never deleted or overwritten behind the user's back


def test_project_file_with_official_hash_is_used(npz_factory, monkeypatch, capsys):
    target = data.data_dir() / "mnist.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(npz_factory(n_train=7, n_test=3).read_bytes())
    monkeypatch.setattr(data, "MNIST_SHA256", data.sha256(target))
    (x_train, _), (x_test, _) = helpers.load_mnist()
    assert (len(x_train), len(x_test)) == (7, 3)
    assert "7 train / 3 test" in capsys.readouterr().out


class FakeResponse:
    """What urlopen returns: `blob` in chunks, optionally failing after the first chunk."""

    def __init__(self, blob: bytes, fail_after_first: bool = False):
        self.blob, self.pos, self.fail = blob, 0, fail_after_first

    def read(self, n):
        if self.fail and self.pos:
            raise ConnectionResetError("connection dropped mid-download")
        chunk = self.blob[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def serve(monkeypatch, response: FakeResponse) -> None:
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda *a, **k: response)


def test_download_is_atomic_and_verified(npz_factory, monkeypatch, capsys):
    payload = npz_factory(n_train=6, n_test=2).read_bytes()
    serve(monkeypatch, FakeResponse(payload))
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    (x_train, _), _ = helpers.load_mnist()
    assert len(x_train) == 6
    assert (data.data_dir() / "mnist.npz").read_bytes() == payload


def test_interrupted_download_leaves_no_file(npz_factory, monkeypatch):
    payload = npz_factory().read_bytes()  # the first chunk arrives, the next read fails
    serve(monkeypatch, FakeResponse(payload, fail_after_first=True))
    with pytest.raises(helpers.MnistNotFoundError, match="connection dropped mid-download"):
        helpers.load_mnist()
    assert list(data.data_dir().iterdir()) == []  # neither mnist.npz nor a .part file


def test_bad_download_hash_is_rejected(monkeypatch):
    serve(monkeypatch, FakeResponse(b"not mnist"))
    with pytest.raises(helpers.MnistNotFoundError, match=r"expected 731c5ac6"):
        helpers.load_mnist()
    assert not (data.data_dir() / "mnist.npz").exists()


def test_shared_sample_when_present(monkeypatch, capsys):
    sample = data.PROJECT_ROOT.parent / "shared" / "data" / "mnist-sample.npz"
    if not sample.is_file():
        pytest.skip("shared sample not beside the project")
    monkeypatch.setenv("DLWP_MNIST", "../shared/data/mnist-sample.npz")  # relative to the project root
    (x_train, y_train), (x_test, y_test) = helpers.load_mnist()
    assert capsys.readouterr().out == "MNIST: file ../shared/data/mnist-sample.npz — 8,000 train / 2,000 test\n"
    assert set(np.unique(y_test)) == set(range(10))


def test_bad_source_type():
    with pytest.raises(TypeError, match=r"load_mnist\(source=...\) must be a path or 'synthetic'"):
        helpers.load_mnist(source=42)
