"""Datasets for the notebooks: MNIST (file, Keras cache, download, bundled sample or synthetic digits) and
ch.3's point clouds. Every MNIST-format file is checked against the dataset contract (README) before use."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import urllib.request
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal

import numpy as np

from helpers.record import record

MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # official Keras mnist.npz
MNIST_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
SAMPLE_SHA256 = "dec4f128eba980a5faa1b4af845d58d9ef09d96bb08c0bf10e7c37ba46c56b1c"  # data/mnist-sample.npz
MNIST_KEYS = ("x_train", "y_train", "x_test", "y_test")
ENV_VAR = "DLWP_MNIST"
SYNTHETIC = "synthetic"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLE_PATH = PROJECT_ROOT / "data" / "mnist-sample.npz"  # 10,000 real digits shipped with the project

# The dataset contract: what every notebook can teach with (README "Where the MNIST data comes from").
MIN_TRAIN, MIN_TEST = 1_000, 200
MAX_IMAGES = 100_000  # per split; more than full MNIST (60,000 / 10,000), refused before decompressing
SYNTHETIC_SIZES = (6000, 1000)  # DLWP_MNIST=synthetic: train/test sizes, well inside the contract
CONTRACT = (
    f"uint8 images (n, 28, 28) and uint8 labels (n,) 0-9; at least {MIN_TRAIN:,} train and {MIN_TEST:,} test "
    f"images, at most {MAX_IMAGES:,} per split; every digit 0-9 in both splits"
)

MnistSplits = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


class MnistError(ValueError):
    """A file that is not a valid MNIST-format .npz, or a data location that cannot work (load_mnist)."""


class MnistNotFoundError(MnistError, FileNotFoundError):
    """No MNIST file where one was named or anywhere it was looked for (load_mnist)."""


class MnistDownloadError(MnistError):
    """The official file could not be downloaded; `reason` is the short Korean reason for the provenance line."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def in_project() -> bool:
    """True in a project checkout (pyproject.toml beside helpers/), False where helpers is an installed package."""
    return (PROJECT_ROOT / "pyproject.toml").is_file()


def keras_cache_dir() -> Path:
    """Where Keras keeps its datasets: $KERAS_HOME/datasets, else ~/.keras/datasets (load_mnist)."""
    home = os.environ.get("KERAS_HOME")
    return (Path(home).expanduser() if home else Path.home() / ".keras") / "datasets"


def data_dir() -> Path:
    """Where the official mnist.npz is looked for first and downloaded to: $DLWP_DATA_DIR, the project's data/,
    or (helpers installed as a package, e.g. on Colab) Keras's own cache, so Keras and the course share one copy."""
    if os.environ.get("DLWP_DATA_DIR"):
        return Path(os.environ["DLWP_DATA_DIR"]).expanduser()
    return PROJECT_ROOT / "data" if in_project() else keras_cache_dir()


def mnist_spec(value: str | os.PathLike | None) -> Literal["synthetic"] | Path | None:
    """The one parser of DLWP_MNIST (load_mnist, notebooks/conftest.py, tools/run_all.py).

    None or blank -> None (unset); `synthetic` in any case, spaces ignored -> "synthetic"; otherwise an absolute
    path: `~` expanded, a relative path taken from the current folder, or from the project root when the file is
    there and not in the current folder.
    """
    if value is None:
        return None
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{ENV_VAR} must be a path or '{SYNTHETIC}', got {type(value).__name__}")
    text = os.fspath(value).strip()
    if not text:
        return None
    if text.lower() == SYNTHETIC:
        return SYNTHETIC
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    here = Path(os.path.abspath(path))  # symlinks kept: ../shared may be a link to elsewhere
    if not os.path.lexists(here) and in_project() and os.path.lexists(PROJECT_ROOT / path):
        return PROJECT_ROOT / path
    return here


def sha256(path: Path) -> str:
    """Hex SHA-256 of a file (load_mnist's checksum checks)."""
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


# ---------------------------------------------------------------- reading and checking a file

DEFAULT_FIX = (
    "use the official mnist.npz or another file that meets the dataset contract "
    f"({CONTRACT}), or set {ENV_VAR}={SYNTHETIC}"
)
_NPY_MAGIC = b"\x93NUMPY"
_HEADER_SLACK = 1 << 16  # bytes a .npy header may add to the data


def _invalid(shown: str, problem: str, fix: str = DEFAULT_FIX) -> MnistError:
    return MnistError(f"{shown} is not a valid MNIST-format .npz: {problem}. Fix: {fix}.")


def _check_path(path: Path, shown: str, where: str | None) -> None:
    """Refuse, with its own message, a path that is missing, a folder, a link loop or not a plain file.

    `where` names the setting that gave the path (DLWP_MNIST, ...); None for a file the loader found itself."""
    fix = f"check the path in {where}" if where else "delete it, or replace it with the official mnist.npz"
    try:
        info = os.stat(path)
    except FileNotFoundError:
        if os.path.islink(path):
            raise MnistNotFoundError(
                f"{shown} is a symbolic link to {os.readlink(path)}, which does not exist. Fix: {fix}."
            ) from None
        looked = f" (looked for {path})" if str(path) != shown else ""
        raise MnistNotFoundError(f"{shown} does not exist{looked}. Fix: {fix}.") from None
    except NotADirectoryError:
        raise MnistNotFoundError(
            f"{shown} does not exist: part of the path is a file, not a folder. Fix: {fix}."
        ) from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise MnistError(
                f"{shown} is a symbolic link loop: following it never reaches a file. "
                f"Fix: point the link at the real .npz file, or {fix}."
            ) from None
        raise MnistError(f"{shown} cannot be read ({e.strerror}). Fix: {fix}.") from None
    if stat.S_ISDIR(info.st_mode):
        inside = f"give the path of the .npz file inside it (e.g. {os.path.join(shown, 'mnist.npz')}) in {where}"
        raise MnistError(f"{shown} is a folder, not a file. Fix: {inside if where else fix}.")
    if not stat.S_ISREG(info.st_mode):
        raise MnistError(f"{shown} is not a regular file (a device, pipe or socket). Fix: {fix}.")


def _npy_header(stream: BinaryIO) -> tuple[tuple[int, ...], bool, np.dtype]:
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        return np.lib.format.read_array_header_1_0(stream)
    if version == (2, 0):
        return np.lib.format.read_array_header_2_0(stream)
    raise ValueError(f"unsupported .npy format version {version}")


def _member_limit(key: str) -> int:
    return MAX_IMAGES * (28 * 28 if key.startswith("x") else 1) + _HEADER_SLACK


def _check_headers(headers: dict, shown: str) -> None:
    """The contract's shape/dtype/size rules, from the .npy headers alone (nothing decompressed yet)."""
    for key, (_, _, dtype) in headers.items():
        if dtype.hasobject:
            raise _invalid(shown, f"{key} holds pickled Python objects, which are never loaded")
    for split, least in (("train", MIN_TRAIN), ("test", MIN_TEST)):
        (xs, _, xd), (ys, _, yd) = headers[f"x_{split}"], headers[f"y_{split}"]
        if xd != np.uint8 or yd != np.uint8:
            raise _invalid(shown, f"x_{split}/y_{split} must be uint8, got {xd}/{yd}")
        if len(xs) != 3 or tuple(xs[1:]) != (28, 28):
            raise _invalid(shown, f"x_{split} must have shape (n, 28, 28), got {tuple(xs)}")
        n = xs[0]
        if n > MAX_IMAGES:
            raise _invalid(
                shown,
                f"x_{split} claims {n:,} images; the dataset contract allows at most {MAX_IMAGES:,} per split "
                "(full MNIST has 60,000 train / 10,000 test), so it is not decompressed",
            )
        if tuple(ys) != (n,):
            raise _invalid(shown, f"y_{split} must have shape ({n},) to match x_{split}, got {tuple(ys)}")
        if n < least:
            raise _invalid(
                shown,
                f"x_{split} has {n:,} image{'' if n == 1 else 's'}; the dataset contract needs at least {least:,} {split} images "
                "so that every notebook can train and evaluate on it",
            )


def _read_member(zf: zipfile.ZipFile, member: str, shown: str) -> np.ndarray:
    """One validated uint8 array, read in bounded chunks: never more bytes than its header promises."""
    with zf.open(member) as stream:
        shape, fortran, _ = _npy_header(stream)
        out = np.empty(shape[::-1] if fortran else shape, dtype=np.uint8)
        view = memoryview(out).cast("B")
        got = 0
        while got < len(view):
            chunk = stream.read(min(1 << 22, len(view) - got))
            if not chunk:
                break
            view[got : got + len(chunk)] = chunk
            got += len(chunk)
        if got < len(view):
            raise _invalid(shown, f"{member} is truncated: its header promises {len(view):,} bytes, it holds {got:,}")
        if stream.read(1):
            raise _invalid(shown, f"{member} holds more data than its header declares")
    return out.T if fortran else out


def _read_npz(f: BinaryIO, shown: str) -> dict[str, np.ndarray]:
    head = f.read(8)
    f.seek(0)
    if not head:
        raise _invalid(shown, "the file is empty (0 bytes)")
    if head.startswith(_NPY_MAGIC):
        raise _invalid(
            shown,
            "it is a single .npy array, not an .npz archive of the four arrays",
            "save all four arrays in one file with numpy.savez_compressed(path, x_train=..., y_train=..., "
            f"x_test=..., y_test=...), or set {ENV_VAR}={SYNTHETIC}",
        )
    try:
        zf = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        problem = "truncated or corrupt (its zip directory is missing)" if head.startswith(b"PK") else None
        raise _invalid(shown, problem or "not an .npz file (an .npz is a zip archive of .npy arrays)") from None
    with zf:
        members = {name.removesuffix(".npy"): name for name in zf.namelist()}
        missing = [k for k in MNIST_KEYS if k not in members]
        if missing:
            raise _invalid(shown, f"missing keys {missing} (found {sorted(members)})")
        headers = {}
        for key in MNIST_KEYS:
            size = zf.getinfo(members[key]).file_size
            if size > _member_limit(key):
                raise _invalid(
                    shown,
                    f"{members[key]} would inflate to {size:,} bytes, more than an MNIST array of at most "
                    f"{MAX_IMAGES:,} images per split can hold; it is not decompressed",
                )
            with zf.open(members[key]) as stream:
                try:
                    headers[key] = _npy_header(stream)
                except ValueError as e:
                    raise _invalid(shown, f"{members[key]} is not a NumPy .npy array ({e})") from None
        _check_headers(headers, shown)
        return {key: _read_member(zf, members[key], shown) for key in MNIST_KEYS}


def _check_labels(arrays: dict[str, np.ndarray], shown: str) -> None:
    for split in ("train", "test"):
        y = arrays[f"y_{split}"]
        if y.max() > 9:
            raise _invalid(shown, f"y_{split} holds labels outside 0-9 (max {int(y.max())})")
        absent = [d for d, count in enumerate(np.bincount(y, minlength=10)) if count == 0]
        if absent:
            raise _invalid(
                shown,
                f"y_{split} has no image of digit(s) {absent}; the dataset contract needs every digit 0-9 "
                "in both splits",
            )


def read_mnist_npz(path: str | os.PathLike, *, shown: str | None = None, where: str | None = ENV_VAR) -> MnistSplits:
    """Read an MNIST-format .npz and check the dataset contract; one MnistError for anything wrong (load_mnist).

    Headers are read first, so a file that cannot be MNIST is refused before anything is decompressed; nothing is
    ever unpickled. `shown` is how the file is named in messages (default: the path as given), `where` names the
    setting that gave the path (default: DLWP_MNIST; None for a file the loader found itself).
    """
    path = Path(path)
    shown = shown or os.fspath(path)
    _check_path(path, shown, where)
    try:
        with open(path, "rb") as f:
            arrays = _read_npz(f, shown)
    except MnistError:
        raise
    except PermissionError:
        raise MnistError(f"{shown} cannot be read: permission denied. Fix: make it readable (chmod a+r).") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError, ValueError) as e:
        raise _invalid(shown, f"truncated or corrupt ({type(e).__name__}: {e})") from None
    _check_labels(arrays, shown)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


# ---------------------------------------------------------------- finding the data


def download_mnist(dest: Path, timeout: float = 30.0) -> Path:
    """Download Keras's mnist.npz to `dest` atomically, verifying its SHA-256 (load_mnist).

    Raises MnistDownloadError (a MnistError) naming what failed: the folder cannot be written, the network, or
    the hash; `dest` is then untouched and no partial file is left.
    """
    dest = Path(dest)
    folder = dest.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=".mnist-", suffix=".part", dir=folder)
    except OSError as e:
        if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise MnistDownloadError(
                f"cannot write to {folder} ({e.strerror}): no permission to save the download there. "
                "Fix: make that folder writable, or set DLWP_DATA_DIR to a writable folder",
                f"{display_path(folder)}/에 쓸 권한이 없어 공식 파일을 내려받을 수 없습니다",
            ) from None
        raise MnistDownloadError(
            f"cannot create {folder} ({e.strerror}). Fix: set DLWP_DATA_DIR to a writable folder",
            f"{display_path(folder)}/ 폴더를 만들 수 없어 공식 파일을 내려받을 수 없습니다",
        ) from None
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(MNIST_URL, timeout=timeout) as resp:
                while block := resp.read(1 << 20):
                    out.write(block)
        except Exception as e:  # offline, proxy, DNS, reset, disk full: all end as one download error
            detail = f"{type(e).__name__}: {e}"
            raise MnistDownloadError(
                f"download from {MNIST_URL} failed ({detail})",
                f"공식 파일을 내려받지 못했습니다(오프라인이거나 네트워크 오류 — {detail[:120]})",
            ) from None
        got = sha256(tmp)
        if got != MNIST_SHA256:
            raise MnistDownloadError(
                f"download from {MNIST_URL} has SHA-256 {got}, expected {MNIST_SHA256}",
                "내려받은 파일의 SHA-256이 공식 값과 달라 쓰지 않았습니다",
            )
        os.replace(tmp, dest)  # atomic: dest is either absent or complete
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def _official_here(tried: list[str]) -> tuple[Path, str] | None:
    """The official mnist.npz where it already is: data_dir() (strict), then Keras's cache (official hash only)."""
    folder = data_dir()
    where = "DLWP_DATA_DIR" if os.environ.get("DLWP_DATA_DIR") else "the data folder"
    if folder.exists() and not folder.is_dir():
        raise MnistError(
            f"{where} {folder} is a file, not a folder. Fix: set DLWP_DATA_DIR to the folder that holds (or should "
            "receive) mnist.npz, or unset it."
        )
    path = folder / "mnist.npz"
    if os.path.lexists(path):
        _check_path(path, str(path), None)
        try:
            got = sha256(path)
        except OSError as e:
            raise MnistError(f"{path} cannot be read ({e.strerror}). Fix: make it readable, or delete it.") from None
        if got != MNIST_SHA256:
            raise MnistError(
                f"{path} has SHA-256 {got}, not the official {MNIST_SHA256}. "
                f"Fix: delete it so it can be downloaded again, or point {ENV_VAR} at your file."
            )
        return path, f"file {display_path(path)}"
    tried.append(f"{path}: not found")
    cache = keras_cache_dir() / "mnist.npz"
    if cache == path:
        return None
    try:
        official = sha256(cache) == MNIST_SHA256
    except OSError as e:  # absent, a folder, unreadable: Keras's business, not an error here
        tried.append(f"Keras cache {cache}: " + ("not found" if isinstance(e, FileNotFoundError) else e.strerror))
        return None
    if official:
        return cache, "file mnist.npz in the Keras cache"
    tried.append(f"Keras cache {cache}: not the official file, not used")
    return None


def _sample_line(n: int) -> str:
    return f"실제 MNIST 숫자 {n:,}개로 된 표본이며 전체 데이터셋이 아닙니다"


def _find_mnist() -> tuple[MnistSplits, str, str]:
    """No DLWP_MNIST: the official file here, else a download of it, else the bundled sample (said so, and why)."""
    tried = [f"${ENV_VAR}: not set"]
    found = _official_here(tried)
    if found:
        path, kind = found
        return read_mnist_npz(path, shown=str(path), where=None), kind, ""
    dest = data_dir() / "mnist.npz"
    try:
        download_mnist(dest)
        splits = read_mnist_npz(dest, shown=str(dest), where=None)
        return splits, f"file {display_path(dest)} (downloaded)", ""
    except MnistDownloadError as e:
        reason, (failure, _, fix) = e.reason, str(e).partition(". Fix: ")
        tried.append(f"download into {dest.parent}: {failure}")
    if SAMPLE_PATH.is_file():
        got = sha256(SAMPLE_PATH)
        if got != SAMPLE_SHA256:
            raise MnistError(
                f"{SAMPLE_PATH} (the bundled sample) has SHA-256 {got}, expected {SAMPLE_SHA256}. "
                f"Fix: restore it from the repository (git checkout -- data/mnist-sample.npz), or set {ENV_VAR}."
            )
        splits = read_mnist_npz(SAMPLE_PATH, shown=str(SAMPLE_PATH), where=None)
        n = len(splits[0][0]) + len(splits[1][0])
        return splits, f"내장 표본 {display_path(SAMPLE_PATH)}", f"{_sample_line(n)}. 이유: {reason}"
    tried.append(f"bundled sample {SAMPLE_PATH}: not found (helpers installed as a package ships none)")
    fix = fix or "connect to the internet and run again"
    raise MnistNotFoundError(
        "No MNIST data found. Tried:\n  - "
        + "\n  - ".join(tried)
        + f"\nFix: {fix}; or put the official mnist.npz at {dest}; or set {ENV_VAR}=/path/to/mnist-format.npz "
        + f"(or {ENV_VAR}={SYNTHETIC} for generated digits)."
    )


def load_mnist(source: str | os.PathLike | None = None, *, verbose: bool = True) -> MnistSplits:
    """Keras-style MNIST `((x_train, y_train), (x_test, y_test))` with one provenance line (ch01, ch02).

    Order: `source` or $DLWP_MNIST (a path or `synthetic`); the official mnist.npz in data/ ($DLWP_DATA_DIR) or in
    Keras's cache; a download of it; the bundled 10,000-digit sample (the line says so, and why).
    """
    if source is not None and not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"load_mnist(source=...) must be a path or 'synthetic', got {type(source).__name__}")
    if source is not None and not os.fspath(source).strip():
        raise ValueError("load_mnist(source=...) is empty: pass a path, 'synthetic', or None to use $DLWP_MNIST")
    raw = os.fspath(source) if source is not None else os.environ.get(ENV_VAR)
    where = "load_mnist(source=...)" if source is not None else ENV_VAR
    spec = mnist_spec(raw)
    note = ""
    if spec == SYNTHETIC:
        splits, kind = synthetic_mnist(), "SYNTHETIC digits (not MNIST)"
    elif spec is not None:
        splits, kind = read_mnist_npz(spec, shown=raw.strip(), where=where), f"file {display_path(spec)}"
        if sha256(spec) == SAMPLE_SHA256:
            note = _sample_line(len(splits[0][0]) + len(splits[1][0]))
    else:
        splits, kind, note = _find_mnist()
    (x_train, _), (x_test, _) = splits
    line = f"MNIST: {kind} — {len(x_train):,} train / {len(x_test):,} test" + (f". {note}." if note else "")
    record("mnist_source", line)
    if verbose:
        print(line)
    return splits


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
