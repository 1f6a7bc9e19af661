"""Repository tooling for the notebooks (not notebook-facing).

    python tools/nbtool.py regen [NOTEBOOK ...]   re-execute in place and store clean outputs
    python tools/nbtool.py format [--check] [NOTEBOOK ...]   normalise notebook JSON
    python tools/nbtool.py badges [--check]   rewrite Colab badges / install cells from pyproject's [tool.dlwp]
    python tools/nbtool.py build SRC.py ...   author a notebook from a jupytext percent script:
                                              convert to notebooks/<stem>.ipynb, ruff format/fix, badges, regen

`regen` runs papermill in place with `--cwd notebooks/`, the CI environment (TF log variables,
DLWP_MNIST = the bundled real-digit sample data/mnist-sample.npz), then strips what
varies between runs (papermill/execution metadata, stderr streams) and keeps execution counts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SHARED_SAMPLE = ROOT.parent / "shared" / "data" / "mnist-sample.npz"
sys.path.insert(0, str(ROOT))

from helpers.env import TF_ENV  # noqa: E402

BADGE_SVG = "https://colab.research.google.com/assets/colab-badge.svg"
BADGE_RE = re.compile(
    r"https://colab\.research\.google\.com/github/([\w.-]+/[\w.-]+)/blob/([\w./-]+?)/(notebooks/[\w.-]+\.ipynb)"
)
INSTALL_RE = re.compile(r"dlwp-companion @ git\+https://github\.com/([\w.-]+/[\w.-]+)@([\w./-]+)")
VOLATILE_NB_META = ("papermill", "widgets", "jupytext")
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
VOLATILE_CELL_META = ("papermill", "execution", "ExecuteTime", "collapsed", "scrolled")


def repo_config() -> tuple[str, str]:
    """(owner/repo, branch) from pyproject.toml's [tool.dlwp] — the one place they are configured."""
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["dlwp"]
    return cfg["repo"], cfg["branch"]


def badge_url(nb_path: Path) -> str:
    repo, branch = repo_config()
    rel = nb_path.resolve().relative_to(ROOT).as_posix()
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{rel}"


def glossary_url() -> str:
    """The glossary every notebook links to (an absolute URL: relative links break on Colab)."""
    repo, branch = repo_config()
    return f"https://github.com/{repo}/blob/{branch}/notebooks/glossary.md"


def install_spec() -> str:
    repo, branch = repo_config()
    return f"dlwp-companion @ git+https://github.com/{repo}@{branch}"


def project_version() -> str:
    """[project].version of pyproject.toml: the helpers version every notebook's setup cell expects."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


# Every notebook's setup cell (its 2nd code cell), filled in by setup_cell_source(); `nbtool.py badges` writes it.
# On Colab: nothing to do when the expected helpers version is installed; else pip --no-deps (Colab's TF/Keras/NumPy
# are never touched) and, when that fails, one Korean message (SystemExit: IPython shows no traceback for it).
SETUP_CELL_TEMPLATE = """\
# Setup cell: on Colab, install this course's helpers once (locally they are already installed).
import subprocess
import sys
from importlib import metadata

HELPERS = "{spec}"
installed = [dist.version for dist in metadata.distributions(name="dlwp-companion")]
if "google.colab" in sys.modules and "{version}" not in installed:  # the helpers version these notebooks expect
    # --no-deps: Colab's own TensorFlow, Keras and NumPy stay exactly as they are
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", HELPERS], capture_output=True)
    if pip.returncode != 0:
        raise SystemExit(
            "보조 패키지(helpers)를 github.com/{repo}({branch} 브랜치)에서 설치하지 못했습니다. 인터넷 연결을 "
            "확인하고 이 셀을 다시 실행하세요. 계속 실패하면 저장소가 옮겨졌거나 비공개이니 강의 저장소에서 노트북을 새로 여세요."
        )

import helpers

env = helpers.setup(seed=SEED)"""


def setup_cell_source() -> str:
    """The setup cell every notebook has: SETUP_CELL_TEMPLATE with [tool.dlwp] and [project].version filled in."""
    repo, branch = repo_config()
    return SETUP_CELL_TEMPLATE.format(spec=install_spec(), version=project_version(), repo=repo, branch=branch)


def is_setup_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and "helpers.setup(" in "".join(cell["source"])


def nbval_command(*args: str) -> list[str]:
    """The nbval part of the README's test command, for tools and tests that run the notebooks alone."""
    return [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-q", "-p", "no:cacheprovider", *args]


def all_notebooks() -> list[Path]:
    """Course order: 00_setup, the chapters, then 99_validate (the instructor's check) last."""
    return sorted(NOTEBOOKS.glob("*.ipynb"), key=lambda p: (p.name.startswith("99_"), p.name))


def course_notebooks() -> list[Path]:
    """The learner's course order (make run, README table): every notebook but the 99_ instructor tools."""
    return [p for p in all_notebooks() if not p.name.startswith("99_")]


def dumps(nb: dict) -> str:
    """The one canonical JSON form: sorted keys, indent 1, Hangul kept readable, trailing newline."""
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


# Exercise cells collapsed by default, from their tags: JupyterLab reads metadata.jupyter.source_hidden,
# Colab a form cell (metadata.cellView = "form") whose first line is a `# @title`.
FOLDED = {"solution": "정답 보기", "check": "확인하기"}


def fold_exercise_cells(nb: dict) -> dict:
    """Collapse every cell tagged `solution` or `check` for JupyterLab and Colab, with its Colab title line."""
    for cell in nb["cells"]:
        title = next((FOLDED[t] for t in cell.get("metadata", {}).get("tags", []) if t in FOLDED), None)
        if cell["cell_type"] != "code" or title is None:
            continue
        cell["metadata"].setdefault("jupyter", {})["source_hidden"] = True
        cell["metadata"]["cellView"] = "form"
        lines = "".join(cell["source"]).splitlines(keepends=True)
        if not (lines and lines[0].startswith("# @title")):
            cell["source"] = [f"# @title {title}\n", *lines]
    return nb


def clean(nb: dict) -> dict:
    """Drop run-to-run noise: volatile metadata and stderr streams; keep outputs and execution counts."""
    fold_exercise_cells(nb)
    for key in VOLATILE_NB_META:
        nb.get("metadata", {}).pop(key, None)
    nb.setdefault("metadata", {})["kernelspec"] = KERNELSPEC
    nb["metadata"].setdefault("colab", {"provenance": []})
    for cell in nb["cells"]:
        for key in VOLATILE_CELL_META:
            cell.get("metadata", {}).pop(key, None)
        if cell["cell_type"] == "code":
            cell["outputs"] = coalesce_streams(
                [o for o in cell["outputs"] if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
            )
    return nb


def coalesce_streams(outputs: list[dict]) -> list[dict]:
    """Merge adjacent stdout chunks: how a kernel splits a stream varies from run to run."""
    merged: list[dict] = []
    for out in outputs:
        prev = merged[-1] if merged else None
        if prev and out.get("output_type") == "stream" == prev.get("output_type") and out["name"] == prev["name"]:
            text = "".join(prev["text"]) + "".join(out["text"])
            prev["text"] = text.splitlines(keepends=True)
        else:
            if out.get("output_type") == "stream" and isinstance(out.get("text"), str):
                out = {**out, "text": out["text"].splitlines(keepends=True)}
            merged.append(out)
    return merged


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def run_env(mnist: str | None = None) -> dict[str, str]:
    """The environment stored outputs are produced in: CI's TF variables and the bundled real-digit sample."""
    from helpers.data import SAMPLE_PATH

    env = dict(os.environ, **TF_ENV, PYTHONHASHSEED="0")
    env["DLWP_MNIST"] = mnist or str(SAMPLE_PATH)  # = ../shared/data/mnist-sample.npz, byte for byte
    return env


@contextlib.contextmanager
def using_env(env: dict[str, str]):
    """Run a block with exactly `env` as os.environ (papermill kernels inherit it), then restore the old one."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _kernel_manager(output):
    """A jupyter_client KernelManager whose kernel writes its own stdout/stderr to `output` (execute)."""
    from jupyter_client import KernelManager

    class LoggedKernelManager(KernelManager):
        def start_kernel(self, **kw):
            if output is not None:  # IPKernelApp's TCP warning, absl/cudart lines: the log, not the terminal
                kw.setdefault("stdout", output)
                kw.setdefault("stderr", output)
            return super().start_kernel(**kw)

        def client(self, **kw):
            kc = super().client(**kw)
            self.clients.append(kc)
            return kc

    km = LoggedKernelManager(kernel_name="python3")
    km.clients = []
    return km


def _kernel_children(km) -> list:
    """Live child processes of the kernel (a cell's subprocess, e.g. 99_validate's pytest)."""
    import psutil  # a dependency of ipykernel

    pid = getattr(getattr(km, "provisioner", None), "pid", None)
    try:
        return psutil.Process(pid).children(recursive=True) if pid else []
    except psutil.Error:
        return []


def stop_kernel(km, interrupted: bool) -> None:
    """Shut a kernel down for good; after Ctrl-C first interrupt it so a running cell can clean up (execute)."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
    try:
        for kc in km.clients:
            kc.stop_channels()
        if km.has_kernel:
            if interrupted:
                km.interrupt_kernel()  # SIGINT to the kernel's process group: its subprocesses see it too
                deadline = time.monotonic() + 40  # 99_validate gives pytest 30 s to stop its kernels
                while _kernel_children(km) and time.monotonic() < deadline:
                    time.sleep(0.2)
            km.shutdown_kernel(now=False)  # shutdown request, then SIGKILL to the process group after 5 s
            for child in _kernel_children(km):
                child.kill()
        km.cleanup_resources()  # the connection file
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _log_to(log: Path | None):
    """Send papermill/jupyter log records and Python warnings to `log` while the block runs; yield its stream."""
    if log is None:
        yield None
        return
    import logging
    import warnings

    log.parent.mkdir(parents=True, exist_ok=True)
    captured = getattr(warnings.showwarning, "__module__", "") == "logging"  # the caller already logs warnings
    with open(log, "ab", buffering=0) as stream:
        handler = logging.StreamHandler(open(stream.fileno(), "w", encoding="utf-8", closefd=False))
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        root, papermill_log = logging.getLogger(), logging.getLogger("papermill")
        saved = papermill_log.level
        root.addHandler(handler)
        papermill_log.setLevel(logging.INFO)
        logging.captureWarnings(True)
        try:
            yield stream
        finally:
            logging.captureWarnings(captured)
            papermill_log.setLevel(saved)
            root.removeHandler(handler)
            handler.stream.close()


def execute(
    src: Path,
    dst: Path,
    parameters: dict | None = None,
    env: dict[str, str] | None = None,
    *,
    log: Path | None = None,
    on_cell=None,
):
    """Run one notebook with papermill (cwd = its folder) into `dst`; return (error or None, seconds).

    The error is (code-cell number in the source, 'Name: last line of the message') for the first failing cell.
    With `log`, the kernel's own output and papermill's messages are appended there instead of the terminal;
    `on_cell(n)` is called as the n-th code cell starts. Ctrl-C shuts the kernel down, then re-raises.
    """
    import papermill as pm

    start = time.perf_counter()
    error = None
    started = 0

    def cell_started(**_):
        nonlocal started
        started += 1
        on_cell(started)

    with using_env(env or run_env()), _log_to(log) as output:
        km = _kernel_manager(output)
        interrupted = False
        try:
            pm.execute_notebook(
                str(src),
                str(dst),
                parameters=parameters or {},
                cwd=str(src.parent),
                kernel_name="python3",
                progress_bar=False,
                request_save_on_cell_execute=False,
                km=km,
                on_cell_execute=cell_started if on_cell else None,
            )
        except pm.PapermillExecutionError as e:
            last = (str(e.evalue).strip().splitlines() or [""])[-1]
            error = (failing_code_cell(dst), f"{e.ename}: {last}")
        except KeyboardInterrupt:
            interrupted = True
            raise
        except Exception as e:  # kernel died, notebook unreadable, ...
            last = (str(e).strip().splitlines() or [""])[-1]
            error = (None, f"{type(e).__name__}: {last}")
        finally:
            stop_kernel(km, interrupted)
    return error, time.perf_counter() - start


def failing_code_cell(executed: Path) -> int | None:
    """1-based number of the first code cell with an error output, not counting papermill's injected cell."""
    number = 0
    for cell in load(executed)["cells"]:
        if cell["cell_type"] != "code" or "injected-parameters" in cell["metadata"].get("tags", []):
            continue
        number += 1
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            return number
    return None


def regen(paths: list[Path], mnist: str | None = None) -> int:
    """Re-execute notebooks in place and store clean outputs; the number that failed."""
    env = run_env(mnist)
    failed = 0
    for path in paths:
        print(
            f"regen {path.name} (DLWP_MNIST={os.path.basename(env.get('DLWP_MNIST', '')) or 'unset'}) ...", flush=True
        )
        error, seconds = execute(path, path, env=env)
        if error:
            failed += 1
            print(f"  FAILED at cell {error[0]}: {error[1]}")
        path.write_text(dumps(clean(load(path))), encoding="utf-8")
        print(f"  {seconds:.1f} s", flush=True)
    return failed


README = ROOT / "README.md"
TABLE_RE = re.compile(r"(<!-- notebooks:start -->\n).*?(<!-- notebooks:end -->)", re.S)


def notebook_title(nb: dict) -> str:
    first = "".join(nb["cells"][0]["source"]).splitlines()[0]
    return first.lstrip("# ").strip()


def readme_table() -> str:
    """The README's notebook table in course order, then the instructor tools (99_validate) apart."""

    def table(paths: list[Path]) -> list[str]:
        rows = ["| Notebook | Section | Colab |", "| --- | --- | --- |"]
        for path in paths:
            title = notebook_title(load(path)).replace("|", "\\|")
            rel = path.relative_to(ROOT).as_posix()
            rows.append(f"| [`{rel}`]({rel}) | {title} | [![Open In Colab]({BADGE_SVG})]({badge_url(path)}) |")
        return rows

    course = course_notebooks()
    tools = [p for p in all_notebooks() if p not in course]
    note = "For instructors, not part of the course order (`make run` runs it only with `RUN_ARGS=--with-validate`):"
    return "\n".join(table(course) + (["", note, "", *table(tools)] if tools else [])) + "\n"


def build(sources: list[Path], mnist: str | None = None) -> int:
    """Percent-format script -> notebooks/<stem>.ipynb, formatted, badges fixed, executed."""
    import subprocess

    import jupytext

    bin_dir = Path(sys.executable).parent
    targets = []
    for src in sources:
        target = NOTEBOOKS / f"{src.stem}.ipynb"
        nb = jupytext.read(src)
        jupytext.write(nb, target, fmt="ipynb")
        target.write_text(dumps(fix_badges(clean(load(target)), target)), encoding="utf-8")
        subprocess.run([str(bin_dir / "ruff"), "check", "-q", "--fix", str(target)], check=False)
        subprocess.run([str(bin_dir / "ruff"), "format", "-q", str(target)], check=True)
        targets.append(target)
    return 1 if regen(targets, mnist) else 0


def fix_badges(nb: dict, path: Path) -> dict:
    """Badge URLs -> this notebook on [tool.dlwp]; the setup cell (first code cell calling helpers.setup) ->
    setup_cell_source(); any other install spec -> install_spec()."""
    url = badge_url(path)
    spec = install_spec()
    setup_cell = next((c for c in nb["cells"] if is_setup_cell(c)), None)
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if cell is setup_cell:
            new = setup_cell_source()
        else:
            new = BADGE_RE.sub(url, src) if cell["cell_type"] == "markdown" else INSTALL_RE.sub(spec, src)
        if new != src:
            cell["source"] = new.splitlines(keepends=True)
    return nb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["regen", "format", "badges", "build"])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--check", action="store_true", help="report, do not write; exit 1 if anything would change")
    parser.add_argument("--mnist", help="DLWP_MNIST for regen (default: the bundled sample data/mnist-sample.npz)")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.notebooks, args.mnist)
    paths = [p.resolve() for p in args.notebooks] or all_notebooks()
    if args.command == "regen":
        return 1 if regen(paths, args.mnist) else 0
    changed = []
    for path in paths:
        before = path.read_text(encoding="utf-8")
        nb = json.loads(before)
        if args.command == "badges":
            nb = fix_badges(nb, path)
        after = dumps(clean(nb) if args.command == "format" else nb)
        if after != before:
            changed.append(path.name)
            if not args.check:
                path.write_text(after, encoding="utf-8")
    if args.command == "badges":
        before = README.read_text(encoding="utf-8")
        after = TABLE_RE.sub(lambda m: m.group(1) + readme_table() + m.group(2), before)
        if after != before:
            changed.append(README.name)
            if not args.check:
                README.write_text(after, encoding="utf-8")
    verb = "would change" if args.check else "changed"
    print(f"{args.command}: {len(changed)} {verb}" + (f": {', '.join(changed)}" if changed else ""))
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
