"""Every resolution path of helpers.load_mnist and every refused file or path, each asserting its message."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import helpers
from helpers import data


@pytest.fixture
def records(monkeypatch):
    """What load_mnist hands to helpers.record (the `make run` report), captured."""
    seen: list[tuple[str, object]] = []
    monkeypatch.setattr(data, "record", lambda key, value: seen.append((key, value)))
    return seen


def sample_sizes() -> tuple[int, int]:
    (x, _), (xt, _) = data.read_mnist_npz(data.SAMPLE_PATH)
    return len(x), len(xt)


def no_machine_paths(line: str, tmp_path: Path) -> bool:
    return all(p not in line for p in (str(data.PROJECT_ROOT), str(tmp_path), str(Path.home()), "/tmp"))


# ---------------------------------------------------------------- DLWP_MNIST and its one parser


def test_valid_file_via_env(npz_factory, monkeypatch, capsys, records, arrays, tmp_path):
    # a project three folders below the file, wherever pytest's temporary folder is (a checkout under /tmp too)
    monkeypatch.setattr(data, "PROJECT_ROOT", tmp_path / "far" / "away" / "project")
    path = npz_factory()
    monkeypatch.setenv("DLWP_MNIST", str(path))
    (x_train, y_train), (x_test, y_test) = helpers.load_mnist()
    assert x_train.shape == (data.MIN_TRAIN, 28, 28) and x_train.dtype == np.uint8
    assert y_train.shape == (data.MIN_TRAIN,) and y_train.dtype == np.uint8
    assert x_test.shape == (data.MIN_TEST, 28, 28) and y_test.shape == (data.MIN_TEST,)
    assert np.array_equal(x_train, arrays["x_train"])
    x_train[0, 0, 0] = 1  # writable, like np.load's arrays
    out = capsys.readouterr().out
    assert out == f"MNIST: file mnist-like.npz — {data.MIN_TRAIN:,} train / {data.MIN_TEST:,} test\n"
    assert records == [("mnist_source", out.strip())]  # far from the project: the name only, never a machine path


def test_source_argument_overrides_env(npz_factory, monkeypatch, capsys):
    monkeypatch.setenv("DLWP_MNIST", "/nonexistent/file.npz")
    path = npz_factory(n_train=1500)
    (x_train, _), _ = helpers.load_mnist(str(path))
    assert len(x_train) == 1500


@pytest.mark.parametrize("value", ["synthetic", "SYNTHETIC ", " Synthetic\n"])
def test_synthetic_any_case_and_spacing(monkeypatch, capsys, value):
    generate = data.synthetic_mnist
    monkeypatch.setattr(data, "synthetic_mnist", lambda: generate(data.MIN_TRAIN, data.MIN_TEST))  # fast
    monkeypatch.setenv("DLWP_MNIST", value)
    (x_train, y_train), (x_test, y_test) = helpers.load_mnist()
    out = capsys.readouterr().out
    assert out == f"MNIST: SYNTHETIC digits (not MNIST) — {len(x_train):,} train / {len(x_test):,} test\n"
    assert x_train.dtype == np.uint8 and x_train.shape[1:] == (28, 28)
    assert not np.array_equal(x_train[: len(x_test)], x_test)  # independent splits


def test_synthetic_defaults_meet_the_contract():
    (x, y), (xt, yt) = data.synthetic_mnist()
    assert (len(x), len(xt)) == data.SYNTHETIC_SIZES
    assert data.MIN_TRAIN <= len(x) <= data.MAX_IMAGES and data.MIN_TEST <= len(xt) <= data.MAX_IMAGES
    assert set(np.unique(y)) == set(np.unique(yt)) == set(range(10))
    assert x.dtype == xt.dtype == y.dtype == yt.dtype == np.uint8


def test_mnist_spec_parses_every_form(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert data.mnist_spec(None) is None and data.mnist_spec("") is None and data.mnist_spec(" \t") is None
    assert data.mnist_spec("SYNTHETIC ") == data.mnist_spec("synthetic") == "synthetic"
    assert data.mnist_spec(" /abs/x.npz ") == Path("/abs/x.npz")
    assert data.mnist_spec("~/x.npz") == Path.home() / "x.npz"
    # relative: from the current folder, else from the project root when the file is there
    assert data.mnist_spec("data/mnist-sample.npz") == data.PROJECT_ROOT / "data" / "mnist-sample.npz"
    assert data.mnist_spec("no/such.npz") == tmp_path / "no" / "such.npz"
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "mnist-sample.npz").write_bytes(b"")
    assert data.mnist_spec("data/mnist-sample.npz") == tmp_path / "data" / "mnist-sample.npz"
    with pytest.raises(TypeError, match="DLWP_MNIST must be a path or 'synthetic', got int"):
        data.mnist_spec(3)


def test_relative_path_from_the_project_root(monkeypatch, capsys, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLWP_MNIST", "data/mnist-sample.npz")
    helpers.load_mnist()
    n, m = sample_sizes()
    note = f"실제 MNIST 숫자 {n + m:,}개로 된 표본이며 전체 데이터셋이 아닙니다"
    assert capsys.readouterr().out == f"MNIST: file data/mnist-sample.npz — {n:,} train / {m:,} test. {note}.\n"


KERNEL_ENV = """
import os, runpy, sys
for value in sys.argv[1:]:
    os.environ.pop("DLWP_MNIST", None)
    if value != "<unset>":
        os.environ["DLWP_MNIST"] = value
    runpy.run_path("notebooks/conftest.py")
    print(os.environ["DLWP_MNIST"])
"""


def test_test_command_defaults_to_the_bundled_sample_and_shares_the_parser():
    """What notebooks/conftest.py hands the nbval kernels as DLWP_MNIST, for each value the caller set."""
    values = ["<unset>", "  ", "SYNTHETIC ", "data/mnist-sample.npz"]
    env = {k: v for k, v in os.environ.items() if k != "DLWP_MNIST"}
    result = subprocess.run(
        [sys.executable, "-c", KERNEL_ENV, *values], cwd=data.PROJECT_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    sample = str(data.SAMPLE_PATH)  # real digits, never the network; absolute, as kernels run in notebooks/
    assert result.stdout.splitlines() == [sample, sample, "synthetic", sample]


# ---------------------------------------------------------------- paths that do not lead to a file


def test_env_path_missing(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DLWP_MNIST", "no/such/file.npz")
    with pytest.raises(helpers.MnistNotFoundError) as err:
        helpers.load_mnist()
    assert str(err.value) == (
        f"no/such/file.npz does not exist (looked for {tmp_path / 'no/such/file.npz'}). "
        "Fix: check the path in DLWP_MNIST."
    )
    assert isinstance(err.value, helpers.MnistError) and isinstance(err.value, FileNotFoundError)


def test_missing_file_outside_the_project_shows_the_given_path(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("DLWP_MNIST", "~/nonexistent.npz")
    with pytest.raises(helpers.MnistNotFoundError, match=r"^~/nonexistent\.npz does not exist \(looked for .*\)\."):
        helpers.load_mnist()


def test_directory(monkeypatch, tmp_path):
    monkeypatch.setenv("DLWP_MNIST", str(tmp_path))
    with pytest.raises(helpers.MnistError) as err:
        helpers.load_mnist()
    assert str(err.value) == (
        f"{tmp_path} is a folder, not a file. Fix: give the path of the .npz file inside it "
        f"(e.g. {tmp_path / 'mnist.npz'}) in DLWP_MNIST."
    )


def test_symlink_loop(monkeypatch, tmp_path):
    (tmp_path / "a.npz").symlink_to(tmp_path / "b.npz")
    (tmp_path / "b.npz").symlink_to(tmp_path / "a.npz")
    monkeypatch.setenv("DLWP_MNIST", str(tmp_path / "a.npz"))
    with pytest.raises(helpers.MnistError, match=r"a\.npz is a symbolic link loop: following it never reaches a file"):
        helpers.load_mnist()


def test_dangling_symlink(monkeypatch, tmp_path):
    (tmp_path / "link.npz").symlink_to(tmp_path / "gone.npz")
    monkeypatch.setenv("DLWP_MNIST", str(tmp_path / "link.npz"))
    with pytest.raises(helpers.MnistNotFoundError, match=r"link\.npz is a symbolic link to .*gone\.npz, which does"):
        helpers.load_mnist()


def test_path_through_a_file(monkeypatch, tmp_path):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("DLWP_MNIST", str(tmp_path / "file" / "mnist.npz"))
    with pytest.raises(helpers.MnistNotFoundError, match=r"does not exist: part of the path is a file, not a folder"):
        helpers.load_mnist()


def test_source_argument_is_named_in_the_fix(tmp_path):
    with pytest.raises(helpers.MnistNotFoundError, match=r"Fix: check the path in load_mnist\(source=\.\.\.\)\."):
        helpers.load_mnist(str(tmp_path / "missing.npz"))


def test_data_dir_pointing_at_a_file(tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("x")
    monkeypatch.setenv("DLWP_DATA_DIR", str(tmp_path / "a-file"))
    with pytest.raises(helpers.MnistError) as err:
        helpers.load_mnist()
    assert str(err.value) == (
        f"DLWP_DATA_DIR {tmp_path / 'a-file'} is a file, not a folder. Fix: set DLWP_DATA_DIR to the folder that "
        "holds (or should receive) mnist.npz, or unset it."
    )


# ---------------------------------------------------------------- files that are not MNIST


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            zf.writestr(name, blob)
    return path


def _npy_bytes(array: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, array)
    return buf.getvalue()


@pytest.fixture
def members(arrays) -> dict[str, bytes]:
    """The .npy members of a valid file, to be spoilt one at a time."""
    return {f"{k}.npy": _npy_bytes(v) for k, v in arrays.items()}


def _refused(path: Path, monkeypatch) -> str:
    monkeypatch.setenv("DLWP_MNIST", str(path))
    with pytest.raises(helpers.MnistError) as err:
        helpers.load_mnist()
    msg = str(err.value)
    assert msg.startswith(f"{path} is not a valid MNIST-format .npz: ") and "Fix: " in msg  # file and fix named
    return msg


def test_truncated_file(npz_factory, monkeypatch):
    path = npz_factory()
    blob = path.read_bytes()
    path.write_bytes(blob[: len(blob) // 2])
    assert "truncated or corrupt (its zip directory is missing)" in _refused(path, monkeypatch)


def test_corrupt_member_data(tmp_path, monkeypatch, members):
    path = _zip(tmp_path / "crc.npz", members)
    blob = bytearray(path.read_bytes())
    start = blob.index(b"x_test.npy") + 200  # inside the compressed x_test data
    blob[start : start + 50] = bytes(50)
    path.write_bytes(bytes(blob))
    assert "truncated or corrupt (" in _refused(path, monkeypatch)


def test_not_a_zip(tmp_path, monkeypatch):
    path = tmp_path / "garbage.npz"
    path.write_bytes(b"this is not an npz file at all")
    assert "not an .npz file (an .npz is a zip archive of .npy arrays)" in _refused(path, monkeypatch)


def test_empty_file(tmp_path, monkeypatch):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    assert "the file is empty (0 bytes)" in _refused(path, monkeypatch)


def test_plain_npy_given_as_the_file(tmp_path, monkeypatch):
    path = tmp_path / "x_train.npy"
    np.save(path, np.zeros((3, 28, 28), np.uint8))
    msg = _refused(path, monkeypatch)
    assert "it is a single .npy array, not an .npz archive of the four arrays" in msg
    assert "Fix: save all four arrays in one file with numpy.savez_compressed(" in msg


def test_garbage_members(tmp_path, monkeypatch):
    path = _zip(tmp_path / "garbage-members.npz", {f"{k}.npy": b"garbage" * 10 for k in data.MNIST_KEYS})
    assert "x_train.npy is not a NumPy .npy array (" in _refused(path, monkeypatch)


def test_wrong_keys(npz_factory, monkeypatch):
    msg = _refused(npz_factory(x_test=None), monkeypatch)
    assert "missing keys ['x_test'] (found ['x_train', 'y_test', 'y_train'])" in msg


def _header_only(shape: tuple[int, ...]) -> bytes:
    """A .npy header claiming `shape` (uint8) with no data behind it."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": "|u1", "fortran_order": False, "shape": shape})
    return buf.getvalue()


def test_header_claiming_a_billion_images_is_refused_before_allocating(tmp_path, monkeypatch, members):
    members["x_train.npy"] = _header_only((10**9, 28, 28))
    members["y_train.npy"] = _header_only((10**9,))
    msg = _refused(_zip(tmp_path / "huge-header.npz", members), monkeypatch)
    assert "x_train claims 1,000,000,000 images; the dataset contract allows at most 100,000 per split" in msg


def test_zip_bomb_is_refused_before_decompressing(tmp_path, monkeypatch, members):
    path = tmp_path / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, blob in members.items():
            if name == "x_test.npy":  # a valid header, then far more zeros than any MNIST array
                with zf.open(name, "w", force_zip64=True) as out:
                    out.write(_header_only((data.MIN_TEST, 28, 28)))
                    zeros = bytes(1 << 20)
                    for _ in range(data._member_limit("x_test") // len(zeros) + 1):
                        out.write(zeros)
            else:
                zf.writestr(name, blob)
    assert path.stat().st_size < 1_000_000
    msg = _refused(path, monkeypatch)
    assert "x_test.npy would inflate to " in msg and "it is not decompressed" in msg


def test_member_with_more_data_than_its_header(tmp_path, monkeypatch, members):
    members["y_test.npy"] += b"\0" * 100
    msg = _refused(_zip(tmp_path / "long.npz", members), monkeypatch)
    assert "y_test.npy holds more data than its header declares" in msg


def test_member_with_less_data_than_its_header(tmp_path, monkeypatch, members):
    members["x_train.npy"] = members["x_train.npy"][:-784]
    msg = _refused(_zip(tmp_path / "short.npz", members), monkeypatch)
    assert f"x_train.npy is truncated: its header promises {data.MIN_TRAIN * 784:,} bytes" in msg


@pytest.mark.parametrize(
    ("override", "problem"),
    [
        ({"x_train": np.zeros((1000, 28, 28), np.float32)}, "x_train/y_train must be uint8, got float32/uint8"),
        ({"y_test": np.arange(200) % 10}, "x_test/y_test must be uint8, got uint8/int64"),
        ({"x_train": np.zeros((1000, 32, 32), np.uint8)}, "x_train must have shape (n, 28, 28), got (1000, 32, 32)"),
        ({"x_train": np.zeros((1000, 784), np.uint8)}, "x_train must have shape (n, 28, 28), got (1000, 784)"),
        ({"y_train": np.zeros(999, np.uint8)}, "y_train must have shape (1000,) to match x_train, got (999,)"),
    ],
)
def test_wrong_dtype_or_shape(npz_factory, monkeypatch, override, problem):
    assert problem in _refused(npz_factory(**override), monkeypatch)


def test_pickle_inside_is_refused(npz_factory, monkeypatch):
    path = npz_factory("pickled.npz", y_train=np.array([{"evil": 1}] * 1000, dtype=object))
    assert "y_train holds pickled Python objects, which are never loaded" in _refused(path, monkeypatch)


def test_fortran_order_arrays_are_read_correctly(npz_factory, arrays):
    path = npz_factory(x_train=np.asfortranarray(arrays["x_train"]))
    (x_train, _), _ = helpers.load_mnist(str(path), verbose=False)
    assert np.array_equal(x_train, arrays["x_train"])


# ---------------------------------------------------------------- the dataset contract


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        (
            {"n_train": 999},
            "x_train has 999 images; the dataset contract needs at least 1,000 train images "
            "so that every notebook can train and evaluate on it",
        ),
        ({"n_test": 1}, "x_test has 1 image; the dataset contract needs at least 200 test images"),
        ({"y_train": np.full(1000, 10, np.uint8)}, "y_train holds labels outside 0-9 (max 10)"),
        (
            {"y_test": (np.arange(200) % 9).astype(np.uint8)},
            "y_test has no image of digit(s) [9]; the dataset contract needs every digit 0-9 in both splits",
        ),
    ],
)
def test_contract_is_checked_and_named(npz_factory, monkeypatch, kwargs, problem):
    msg = _refused(npz_factory(**kwargs), monkeypatch)
    assert problem in msg
    assert msg.endswith(f"Fix: {data.DEFAULT_FIX}.") and data.CONTRACT in msg


def test_contract_edges_are_accepted(npz_factory):
    (x, _), (xt, _) = helpers.load_mnist(str(npz_factory(n_train=data.MIN_TRAIN, n_test=data.MIN_TEST)))
    assert (len(x), len(xt)) == (data.MIN_TRAIN, data.MIN_TEST)


def test_contract_minimum_file_for_the_slow_suite(contract_file):
    (x, y), (xt, yt) = helpers.load_mnist(str(contract_file("minimum")), verbose=False)
    assert (len(x), len(xt)) == (data.MIN_TRAIN, data.MIN_TEST)  # the full-size file is checked by the slow test
    with pytest.raises(ValueError, match=r"size=\.\.\.\) must be 'minimum' or 'full'"):
        contract_file("huge")


# ---------------------------------------------------------------- the official file, the Keras cache, the download


def test_checksum_mismatch_of_project_file(npz_factory):
    target = data.data_dir() / "mnist.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(npz_factory().read_bytes())
    with pytest.raises(helpers.MnistError) as err:
        helpers.load_mnist()
    msg = str(err.value)
    assert msg.startswith(f"{target} has SHA-256 ") and data.MNIST_SHA256 in msg and "Fix: delete it" in msg
    assert target.exists()  # never deleted or overwritten behind the user's back


def test_folder_where_the_official_file_goes():
    target = data.data_dir() / "mnist.npz"
    target.mkdir(parents=True)
    with pytest.raises(helpers.MnistError) as err:
        helpers.load_mnist()
    assert str(err.value) == (
        f"{target} is a folder, not a file. Fix: delete it, or replace it with the official mnist.npz."
    )


def test_project_file_with_official_hash_is_used(npz_factory, monkeypatch, capsys):
    target = data.data_dir() / "mnist.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(npz_factory(n_train=1700, n_test=300).read_bytes())
    monkeypatch.setattr(data, "MNIST_SHA256", data.sha256(target))
    (x_train, _), (x_test, _) = helpers.load_mnist()
    assert (len(x_train), len(x_test)) == (1700, 300)
    assert capsys.readouterr().out == "MNIST: file mnist.npz — 1,700 train / 300 test\n"


def _keras_cache_file(folder: Path, payload: bytes) -> Path:
    target = folder / "datasets" / "mnist.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(payload)
    return target


def test_keras_cache_under_keras_home_is_used_before_downloading(npz_factory, monkeypatch, capsys, tmp_path):
    payload = npz_factory(n_train=1100).read_bytes()
    _keras_cache_file(tmp_path / "keras-home", payload)
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    (x_train, _), _ = helpers.load_mnist()  # the network is blocked: reaching it would fall back to the sample
    assert len(x_train) == 1100
    assert capsys.readouterr().out.startswith("MNIST: file mnist.npz in the Keras cache — 1,100 train / 200 test")


def test_keras_cache_in_home_is_used(npz_factory, monkeypatch, capsys, tmp_path):
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    payload = npz_factory(n_train=1200).read_bytes()
    _keras_cache_file(tmp_path / "home" / ".keras", payload)
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    (x_train, _), _ = helpers.load_mnist()
    assert len(x_train) == 1200 and "in the Keras cache" in capsys.readouterr().out


def test_keras_cache_without_the_official_hash_is_not_used(npz_factory, capsys, tmp_path):
    payload = npz_factory(n_train=1300).read_bytes()
    target = _keras_cache_file(tmp_path / "keras-home", payload)
    (x_train, _), _ = helpers.load_mnist()
    assert len(x_train) == sample_sizes()[0] and "내장 표본" in capsys.readouterr().out
    assert target.read_bytes() == payload  # Keras's file is left as it was


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
    payload = npz_factory(n_train=1600).read_bytes()
    serve(monkeypatch, FakeResponse(payload))
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    (x_train, _), _ = helpers.load_mnist()
    assert len(x_train) == 1600
    assert (data.data_dir() / "mnist.npz").read_bytes() == payload
    assert "(downloaded) — 1,600 train" in capsys.readouterr().out


def test_installed_package_downloads_into_the_keras_cache(npz_factory, monkeypatch, capsys, tmp_path):
    """Where helpers is installed as a package (Colab), Keras and the course share one copy."""
    monkeypatch.setattr(data, "in_project", lambda: False)
    monkeypatch.delenv("DLWP_DATA_DIR")
    payload = npz_factory(n_train=1400).read_bytes()
    serve(monkeypatch, FakeResponse(payload))
    monkeypatch.setattr(data, "MNIST_SHA256", hashlib.sha256(payload).hexdigest())
    helpers.load_mnist()
    cached = tmp_path / "keras-home" / "datasets" / "mnist.npz"
    assert cached.read_bytes() == payload
    monkeypatch.setattr(data.urllib.request, "urlopen", lambda *a, **k: pytest.fail("downloaded twice"))
    (x_train, _), _ = helpers.load_mnist()  # the second call finds Keras's copy
    assert len(x_train) == 1400


def test_offline_falls_back_to_the_bundled_sample_and_says_why(capsys, records, tmp_path):
    (x_train, y_train), (x_test, _) = helpers.load_mnist()
    n, m = sample_sizes()
    assert (len(x_train), len(x_test)) == (n, m)
    line = capsys.readouterr().out.strip()
    assert line == (
        f"MNIST: 내장 표본 data/mnist-sample.npz — {n:,} train / {m:,} test. "
        f"실제 MNIST 숫자 {n + m:,}개로 된 표본이며 전체 데이터셋이 아닙니다. "
        "이유: 공식 파일을 내려받지 못했습니다(오프라인이거나 네트워크 오류 — OSError: network disabled in tests)."
    )
    assert records == [("mnist_source", line)] and no_machine_paths(line, tmp_path)
    assert list(data.data_dir().iterdir()) == []  # no mnist.npz, no .part left behind


def test_interrupted_download_falls_back_and_leaves_no_file(npz_factory, monkeypatch, capsys):
    serve(monkeypatch, FakeResponse(npz_factory().read_bytes(), fail_after_first=True))
    helpers.load_mnist()
    assert "ConnectionResetError: connection dropped mid-download" in capsys.readouterr().out
    assert list(data.data_dir().iterdir()) == []


def test_bad_download_hash_falls_back(monkeypatch, capsys):
    serve(monkeypatch, FakeResponse(b"not mnist"))
    helpers.load_mnist()
    assert "이유: 내려받은 파일의 SHA-256이 공식 값과 달라 쓰지 않았습니다." in capsys.readouterr().out
    assert list(data.data_dir().iterdir()) == []


def _read_only(monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(data.tempfile, "mkstemp", refuse)  # as root, chmod cannot make a folder read-only


def test_read_only_data_dir_falls_back_and_names_permissions(monkeypatch, capsys, records):
    _read_only(monkeypatch)
    helpers.load_mnist()
    assert "이유: data/에 쓸 권한이 없어 공식 파일을 내려받을 수 없습니다." in capsys.readouterr().out


def test_read_only_data_dir_without_a_sample(monkeypatch, tmp_path):
    _read_only(monkeypatch)
    monkeypatch.setattr(data, "SAMPLE_PATH", tmp_path / "no-sample.npz")
    with pytest.raises(helpers.MnistNotFoundError) as err:
        helpers.load_mnist()
    msg = str(err.value)
    assert f"cannot write to {data.data_dir()} (Permission denied): no permission to save the download there" in msg
    assert "\nFix: make that folder writable, or set DLWP_DATA_DIR to a writable folder; " in msg
    assert msg.count("Fix:") == 1


def test_missing_everywhere_lists_attempts_and_fixes(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "SAMPLE_PATH", tmp_path / "no-sample.npz")
    with pytest.raises(helpers.MnistNotFoundError) as err:
        helpers.load_mnist()
    assert str(err.value) == (
        "No MNIST data found. Tried:\n"
        "  - $DLWP_MNIST: not set\n"
        f"  - {data.data_dir() / 'mnist.npz'}: not found\n"
        f"  - Keras cache {tmp_path / 'keras-home' / 'datasets' / 'mnist.npz'}: not found\n"
        f"  - download into {data.data_dir()}: download from {data.MNIST_URL} failed "
        "(OSError: network disabled in tests)\n"
        f"  - bundled sample {tmp_path / 'no-sample.npz'}: not found (helpers installed as a package ships none)\n"
        f"Fix: connect to the internet and run again; or put the official mnist.npz at "
        f"{data.data_dir() / 'mnist.npz'}; or set DLWP_MNIST=/path/to/mnist-format.npz "
        "(or DLWP_MNIST=synthetic for generated digits)."
    )


def test_damaged_bundled_sample_is_refused(monkeypatch):
    monkeypatch.setattr(data, "SAMPLE_SHA256", "0" * 64)
    with pytest.raises(helpers.MnistError, match=r"mnist-sample\.npz \(the bundled sample\) has SHA-256 .*restore it"):
        helpers.load_mnist()


# ---------------------------------------------------------------- the bundled sample itself


def test_bundled_sample_is_the_shared_sample_and_meets_the_contract():
    assert data.sha256(data.SAMPLE_PATH) == data.SAMPLE_SHA256
    (x, y), (xt, yt) = data.read_mnist_npz(data.SAMPLE_PATH)
    assert set(np.unique(y)) == set(np.unique(yt)) == set(range(10))
    assert data.MIN_TRAIN <= len(x) and data.MIN_TEST <= len(xt)
    shared = data.PROJECT_ROOT.parent / "shared" / "data" / "mnist-sample.npz"
    if shared.is_file():  # byte-identical, so stored outputs are the same with either
        assert data.sha256(shared) == data.SAMPLE_SHA256


def test_shared_sample_when_present(monkeypatch, capsys):
    if not (data.PROJECT_ROOT.parent / "shared" / "data" / "mnist-sample.npz").is_file():
        pytest.skip("shared sample not beside the project")
    monkeypatch.setenv("DLWP_MNIST", "../shared/data/mnist-sample.npz")  # relative to the project root
    helpers.load_mnist()
    out = capsys.readouterr().out
    assert out.startswith("MNIST: file ../shared/data/mnist-sample.npz — 8,000 train / 2,000 test. 실제 MNIST")


def test_bad_source_type():
    with pytest.raises(TypeError, match=r"load_mnist\(source=...\) must be a path or 'synthetic'"):
        helpers.load_mnist(source=42)
