"""Datasets for the notebooks: MNIST (file, download or synthetic digits) and ch.3's point clouds."""

from __future__ import annotations

import hashlib
import os
import tempfile
import urllib.request
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from helpers.record import record

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
ENV_VAR = "DLWP_MNIST"
SYNTHETIC_SIZES = (6000, 1000)  # default train/test sizes of DLWP_MNIST=synthetic
PROJECT_ROOT = Path(__file__).resolve().parent.parent

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class MnistError(ValueError):
    """A file that is not a valid MNIST-format .npz (load_mnist)."""


class MnistNotFoundError(FileNotFoundError):
    """No MNIST file anywhere and no way to download one (load_mnist)."""


def data_dir() -> Path:
    """Where `mnist.npz` is looked for and downloaded to: $DLWP_DATA_DIR, the project's data/, or ~/.dlwp."""
    if os.environ.get("DLWP_DATA_DIR"):
        return Path(os.environ["DLWP_DATA_DIR"])
    if (PROJECT_ROOT / "pyproject.toml").is_file():
        return PROJECT_ROOT / "data"
    return Path.home() / ".dlwp" / "data"


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file (load_mnist's checksum check)."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def display_path(path: Path) -> str:
    """A path fit to print in stored outputs: relative to the project, never this machine's absolute path."""
    path = Path(os.path.abspath(path))  # symlinks kept: ../shared may be a link to elsewhere
    try:
        rel = os.path.relpath(path, PROJECT_ROOT)
    except ValueError:  # another drive on Windows
        return path.name
    return path.name if rel.startswith(os.path.join("..", "..")) else rel


def _fail(path: Path, problem: str) -> MnistError:
    return MnistError(
        f"{display_path(path)} is not a valid MNIST-format .npz: {problem}. "
        f"Fix: replace it with the official mnist.npz (keys {', '.join(MNIST_KEYS)}), "
        f"or set {ENV_VAR}=synthetic."
    )


def read_mnist_npz(path: str | os.PathLike) -> MnistSplits:
    """Read and validate an MNIST-format .npz, never unpickling anything (load_mnist, tools)."""
    path = Path(path)
    if not path.is_file():
        raise MnistNotFoundError(f"{display_path(path)} does not exist. Fix: check the path in {ENV_VAR}.")
    try:
        with np.load(path, allow_pickle=False) as npz:
            missing = [k for k in MNIST_KEYS if k not in npz.files]
            if missing:
                raise _fail(path, f"missing keys {missing} (found {sorted(npz.files)})")
            arrays = {k: npz[k] for k in MNIST_KEYS}
    except MnistError:
        raise
    except ValueError as e:
        if "pickle" in str(e):
            raise _fail(path, "it holds pickled Python objects, which are never loaded") from None
        raise _fail(path, f"unreadable ({e})") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise _fail(path, f"truncated or corrupt ({type(e).__name__}: {e})") from None
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or y.dtype != np.uint8:
            raise _fail(path, f"x_{split}/y_{split} must be uint8, got {x.dtype}/{y.dtype}")
        if x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) == 0:
            raise _fail(path, f"x_{split} must have shape (n, 28, 28) with n > 0, got {x.shape}")
        if y.shape != (len(x),):
            raise _fail(path, f"y_{split} must have shape ({len(x)},), got {y.shape}")
        if y.max() > 9:
            raise _fail(path, f"y_{split} holds labels outside 0-9 (max {int(y.max())})")
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def download_mnist(dest: Path, timeout: float = 30.0) -> Path:
    """Download Keras's mnist.npz to `dest` atomically, verifying its SHA-256 (load_mnist)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=".mnist-", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(MNIST_URL, timeout=timeout) as resp:
            while block := resp.read(1 << 20):
                out.write(block)
        got = sha256(tmp)
        if got != MNIST_SHA256:
            raise MnistError(f"download from {MNIST_URL} has SHA-256 {got}, expected {MNIST_SHA256}")
        os.replace(tmp, dest)  # atomic: dest is either absent or complete
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _resolve(spec: str) -> Path:
    path = Path(spec).expanduser()
    if path.is_absolute() or path.exists():
        return path
    return PROJECT_ROOT / path  # relative paths may also be given from the project root


def _provenance(kind: str, train: int, test: int) -> str:
    return f"MNIST: {kind} — {train:,} train / {test:,} test"


def load_mnist(source: str | None = None, *, verbose: bool = True) -> MnistSplits:
    """Keras-style MNIST `((x_train, y_train), (x_test, y_test))` from $DLWP_MNIST, data/ or a download (ch01, ch02)."""
    if source is not None and not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"load_mnist(source=...) must be a path or 'synthetic', got {type(source).__name__}")
    if source is not None and not os.fspath(source).strip():
        raise ValueError("load_mnist(source=...) is empty: pass a path, 'synthetic', or None to use $DLWP_MNIST")
    spec = os.fspath(source) if source is not None else os.environ.get(ENV_VAR, "")
    if spec.strip().lower() == "synthetic":
        (x_train, y_train), (x_test, y_test) = synthetic_mnist()
        kind = "SYNTHETIC digits (not MNIST)"
    elif spec:
        path = _resolve(spec)
        (x_train, y_train), (x_test, y_test) = read_mnist_npz(path)
        kind = f"file {display_path(path)}"
    else:
        path = data_dir() / "mnist.npz"
        tried = [f"${ENV_VAR}: not set", f"{display_path(path)}: "]
        if path.is_file():
            got = sha256(path)
            if got != MNIST_SHA256:
                raise MnistError(
                    f"{display_path(path)} has SHA-256 {got}, not the official {MNIST_SHA256}. "
                    f"Fix: delete it so it can be downloaded again, or point {ENV_VAR} at your file."
                )
        else:
            tried[1] += "not found"
            try:
                download_mnist(path)
            except Exception as e:  # offline, proxy, bad hash: report all of it once
                tried.append(f"download from {MNIST_URL}: failed ({type(e).__name__}: {e})")
                raise MnistNotFoundError(
                    "No MNIST data found. Tried:\n  - "
                    + "\n  - ".join(tried)
                    + f"\nFix: put the official mnist.npz at {display_path(path)}, "
                    + f"or set {ENV_VAR}=/path/to/mnist-format.npz (or {ENV_VAR}=synthetic for generated digits)."
                ) from None
        (x_train, y_train), (x_test, y_test) = read_mnist_npz(path)
        kind = f"file {display_path(path)}"
    line = _provenance(kind, len(x_train), len(x_test))
    record("mnist_source", line)
    if verbose:
        print(line)
    return (x_train, y_train), (x_test, y_test)


# ---------------------------------------------------------------- synthetic digits

_FONTS = ("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono", "STIXGeneral")
_GLYPH = 56  # glyphs are rendered at twice the output resolution


@lru_cache(maxsize=1)
def _glyph_bank() -> tuple[np.ndarray, np.ndarray]:
    """Digits 0-9 rendered with matplotlib's bundled fonts, several weights and styles, at 56x56."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    glyphs, labels = [], []
    for family in _FONTS:
        for weight in ("normal", "bold"):
            for style in ("normal", "italic"):
                for digit in range(10):
                    fig = Figure(figsize=(1, 1), dpi=_GLYPH)
                    canvas = FigureCanvasAgg(fig)
                    fig.text(
                        0.5,
                        0.5,
                        str(digit),
                        ha="center",
                        va="center",
                        fontsize=40,
                        family=family,
                        weight=weight,
                        style=style,
                        color="black",
                    )
                    canvas.draw()
                    img = 1.0 - np.asarray(canvas.buffer_rgba())[..., 0] / 255.0
                    glyphs.append(img)
                    labels.append(digit)
    bank = np.stack(glyphs).astype(np.float32)
    thick = np.maximum.reduce([np.roll(bank, s, axis=a) for a in (1, 2) for s in (-1, 0, 1)])
    return np.concatenate([bank, thick]), np.array(labels * 2, dtype=np.uint8)


def _check_count(func: str, arg: str, value: object, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{func}({arg}=...) must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{func}({arg}=...) must be >= {minimum}, got {value}")


def synthetic_digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` generated 28x28 uint8 digit images and uint8 labels, deterministic in `seed` (tests, offline runs)."""
    _check_count("synthetic_digits", "n", n, 0)
    _check_count("synthetic_digits", "seed", seed, 0)
    bank, bank_labels = _glyph_bank()
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, size=n).astype(np.uint8)
    per_digit = [np.flatnonzero(bank_labels == d) for d in range(10)]
    pick = np.array([rng.choice(per_digit[d]) for d in labels], dtype=np.int64)
    # random affine map: output pixel (in 28x28) -> source pixel in the 56x56 glyph
    angle = rng.uniform(-0.2, 0.2, n)
    scale = rng.uniform(0.85, 1.1, n)
    aspect = rng.uniform(0.85, 1.15, n)
    shear = rng.uniform(-0.25, 0.25, n)
    shift = rng.uniform(-1.5, 1.5, (n, 2))
    cos, sin = np.cos(angle), np.sin(angle)
    a = np.stack([np.stack([cos, -sin + shear * cos], -1), np.stack([sin, cos + shear * sin], -1)], -2)
    a = a * np.stack([scale * aspect, scale], -1)[:, None, :]
    inv = np.linalg.inv(a)
    grid = np.stack(np.meshgrid(np.arange(28), np.arange(28), indexing="ij"), -1).reshape(-1, 2) - 13.5
    images = np.empty((n, 28, 28), dtype=np.uint8)
    for start in range(0, n, 2048):
        sl = slice(start, min(start + 2048, n))
        pts = (grid[None] - shift[sl, None]) @ np.transpose(inv[sl], (0, 2, 1))
        src = pts * (_GLYPH / 28.0) * 0.68 + (_GLYPH - 1) / 2.0
        y0 = np.clip(np.floor(src[..., 0]).astype(np.int64), 0, _GLYPH - 2)
        x0 = np.clip(np.floor(src[..., 1]).astype(np.int64), 0, _GLYPH - 2)
        fy = np.clip(src[..., 0] - y0, 0.0, 1.0)
        fx = np.clip(src[..., 1] - x0, 0.0, 1.0)
        g = bank[pick[sl]]
        k = np.arange(len(g))[:, None]
        val = (
            g[k, y0, x0] * (1 - fy) * (1 - fx)
            + g[k, y0 + 1, x0] * fy * (1 - fx)
            + g[k, y0, x0 + 1] * (1 - fy) * fx
            + g[k, y0 + 1, x0 + 1] * fy * fx
        )
        inside = (src[..., 0] >= 0) & (src[..., 0] <= _GLYPH - 1) & (src[..., 1] >= 0) & (src[..., 1] <= _GLYPH - 1)
        val = val * inside * rng.uniform(0.7, 1.0, (len(g), 1))
        val = val + rng.normal(0.0, 0.08, val.shape) * (rng.random(val.shape) < 0.15)
        images[sl] = np.clip(val * 255.0, 0, 255).reshape(-1, 28, 28).astype(np.uint8)
    return images, labels


def synthetic_mnist(n_train: int = SYNTHETIC_SIZES[0], n_test: int = SYNTHETIC_SIZES[1], seed: int = 0) -> MnistSplits:
    """Synthetic digits in the Keras MNIST layout, train and test drawn independently (load_mnist)."""
    train = synthetic_digits(n_train, seed=seed)
    test = synthetic_digits(n_test, seed=seed + 1)
    return train, test


def two_class_points(n_per_class: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The book's two 2-D normal clouds (means [0,3] and [3,0]): float32 inputs (2n,2), targets (2n,1) (ch03_5_4)."""
    _check_count("two_class_points", "n_per_class", n_per_class, 1)
    _check_count("two_class_points", "seed", seed, 0)
    rng = np.random.default_rng(seed)
    cov = [[1.0, 0.5], [0.5, 1.0]]
    negative = rng.multivariate_normal(mean=[0.0, 3.0], cov=cov, size=n_per_class)
    positive = rng.multivariate_normal(mean=[3.0, 0.0], cov=cov, size=n_per_class)
    inputs = np.vstack((negative, positive)).astype(np.float32)
    targets = np.vstack((np.zeros((n_per_class, 1), dtype=np.float32), np.ones((n_per_class, 1), dtype=np.float32)))
    return inputs, targets
