"""`make run`: execute the course headless with papermill, one terminal line per notebook, and write a report.

    python tools/run_all.py [--seed N] [--quick VALUE] [--with-validate] [--out build] [NOTEBOOK ...]

Executed copies go to <out>/executed/ (the sources in notebooks/ are never written), each rendered by nbconvert
to <out>/html/, the kernel's own output (IPKernelApp, TensorFlow C++ lines) to <out>/logs/<name>.log; the report
to <out>/report.html and <out>/report.md. One failing notebook does not stop the others. Key results come from
`helpers.record` outputs, not from printed text. 99_validate (an instructor tool) runs only with --with-validate.

Exit status: 0 every notebook ok; 1 a notebook failed; 2 bad arguments (nothing written);
3 incomplete (notebooks skipped for lack of MNIST data, none failed); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import html
import io
import logging
import os
import re
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers import data  # noqa: E402
from helpers.record import RECORD_MIME  # noqa: E402
from tools import nbtool  # noqa: E402

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INCOMPLETE, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
SEED_MAX = 2**32 - 1  # NumPy's seed range
QUICK_VALUES = {"1": True, "true": True, "yes": True, "on": True, "0": False, "false": False, "no": False, "off": False}
VALIDATE = nbtool.NOTEBOOKS / "99_validate.ipynb"
FONTS = '"Noto Sans KR", "Apple SD Gothic Neo", "Malgun Gothic", "NanumGothic", "Noto Sans CJK KR", sans-serif'
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
log = logging.getLogger("run_all")


class UsageError(ValueError):
    """A bad SEED, QUICK or notebook argument, reported before anything is written."""


@dataclass
class Result:
    name: str
    title: str = ""
    status: str = "not run"  # "ok", "FAILED", "skipped", "interrupted", "not run"
    seconds: float = 0.0
    source: str = "—"
    records: dict = field(default_factory=dict)
    error: str = ""
    tail: list[str] = field(default_factory=list)
    links: dict = field(default_factory=dict)  # label -> path relative to the report


# ---------------------------------------------------------------- arguments


def parse_seed(text: str) -> int:
    """SEED as the notebooks need it: a whole number NumPy accepts."""
    try:
        seed = int(text.strip())
    except ValueError:
        seed = None
    if seed is None or not 0 <= seed <= SEED_MAX:
        raise UsageError(f"SEED must be a whole number from 0 to {SEED_MAX}, got {text!r}. Example: make run SEED=7")
    return seed


def parse_quick(text: str) -> bool:
    """QUICK: 1/0, true/false, yes/no, on/off in any case; empty means off; anything else is an error."""
    value = QUICK_VALUES.get(text.strip().lower(), None) if text.strip() else False
    if value is None:
        raise UsageError(
            f"QUICK must be one of 1/0, true/false, yes/no, on/off (any case) or empty, got {text!r}. "
            "Example: make run QUICK=1"
        )
    return value


def notebook_paths(given: list[Path], with_validate: bool) -> list[Path]:
    """The notebooks to run: those given, else the course order (plus 99_validate with --with-validate)."""
    paths = [p.resolve() for p in given] or nbtool.course_notebooks()
    if with_validate and VALIDATE not in paths:
        paths.append(VALIDATE)
    return paths


def read_notebooks(paths: list[Path]) -> dict[Path, dict]:
    """Every notebook to run, read once up front: a missing or unreadable one stops the run before it starts."""
    sources = {}
    for path in paths:
        if path.suffix != ".ipynb" or not path.is_file():
            raise UsageError(f"{path} is not a notebook file. Fix: give paths like notebooks/00_setup.ipynb")
        try:
            sources[path] = nbtool.load(path)
            nbtool.notebook_title(sources[path])
        except (ValueError, KeyError, IndexError, TypeError, UnicodeDecodeError) as e:
            raise UsageError(f"{path} is not a readable notebook ({type(e).__name__}: {e})") from None
    return sources


# ---------------------------------------------------------------- the terminal


def shown(path: Path) -> str:
    """A path as the user typed it from here: relative to the current folder when inside it."""
    try:
        return os.path.relpath(path) if path.resolve().is_relative_to(Path.cwd().resolve()) else str(path)
    except ValueError:
        return str(path)


class Terminal:
    """One line per notebook; while one runs, the elapsed time (in place on a TTY, a plain line a minute otherwise)."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.lock = threading.Lock()

    def say(self, text: str = "") -> None:
        with self.lock:
            self.stream.write(text + "\n")
            self.stream.flush()

    @contextlib.contextmanager
    def running(self, prefix: str, cells: int):
        """While the block runs, show that `prefix` is alive; yields on_cell(n) for nbtool.execute."""
        start, cell, stop = time.monotonic(), [0], threading.Event()

        def status() -> str:
            return f"{prefix} running {time.monotonic() - start:5.0f} s  (cell {cell[0]}/{cells})"

        def tick() -> None:
            while not stop.wait(1.0 if self.tty else 60.0):
                with self.lock:
                    self.stream.write(f"\r\x1b[K{status()}" if self.tty else f"{status()}\n")
                    self.stream.flush()

        thread = threading.Thread(target=tick, daemon=True)
        thread.start()
        try:
            yield lambda n: cell.__setitem__(0, n)
        finally:
            stop.set()
            thread.join()
            if self.tty:
                with self.lock:
                    self.stream.write("\r\x1b[K")


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def key_result(records: dict) -> str:
    """The one result shown in the terminal: the first accuracy recorded, else the first record."""
    if not records:
        return ""
    key = next((k for k in records if "accuracy" in k), next(iter(records)))
    more = f"  (+{len(records) - 1} more in the report)" if len(records) > 1 else ""
    return f"{key} = {fmt(records[key])}{more}"


# ---------------------------------------------------------------- running


def needs_mnist(nb: dict) -> bool:
    return any("load_mnist(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def code_cell_count(nb: dict) -> int:
    return sum(c["cell_type"] == "code" and bool("".join(c["source"]).strip()) for c in nb["cells"])


def read_records(nb: dict) -> dict:
    """Every helpers.record(key, value) output of an executed notebook, in order."""
    records: dict = {}
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            records.update(out.get("data", {}).get(RECORD_MIME, {}))
    return records


def error_tail(nb: dict | None, log_path: Path, lines: int = 12) -> list[str]:
    """What to show under a failed notebook: its traceback's last lines, else the end of the kernel log."""
    for cell in (nb or {}).get("cells", []):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                text = ANSI.sub("", "\n".join(out.get("traceback", [])))
                return [line for line in text.splitlines() if line.strip()][-lines:]
    if log_path.is_file():
        return [line for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines() if line][-lines:]
    return []


def mnist_problem(env: dict[str, str]) -> tuple[str | None, str]:
    """(None, provenance line) when MNIST loads here (may download once), else (the message to show, "")."""
    with nbtool.using_env(env):
        try:
            import helpers

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                helpers.load_mnist()
            return None, buf.getvalue().strip()
        except Exception as e:  # any data problem: the notebooks that need no MNIST still run
            log.exception("MNIST probe failed")
            return f"{type(e).__name__}: {e}", ""


def render_html(executed: Path, dst: Path, log_path: Path) -> None:
    """The executed notebook as HTML by nbconvert (plots embedded); stderr goes to the log, records to the report."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed, as_version=4)
    noise = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            noise += [o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.output_type == "stream" and o.name == "stderr") and set(o.get("data", {})) != {RECORD_MIME}
            ]
    if noise:
        with open(log_path, "a", encoding="utf-8") as f:
            f.write("\n--- stderr of the notebook's cells ---\n" + "".join(noise))
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    write_atomic(dst, body.encode("utf-8"))


def run_one(path: Path, out: Path, params: dict, env: dict, term: Terminal, prefix: str, result: Result) -> None:
    dst, log_path = out / "executed" / path.name, out / "logs" / f"{path.stem}.log"
    result.status, result.links["log"] = "interrupted", f"logs/{log_path.name}"  # until execute returns
    start = time.perf_counter()
    try:
        with term.running(prefix, code_cell_count(nbtool.load(path)) + 1) as on_cell:
            error, _ = nbtool.execute(path, dst, parameters=params, env=env, log=log_path, on_cell=on_cell)
    finally:
        result.seconds = time.perf_counter() - start
    executed = nbtool.load(dst) if dst.is_file() else None
    result.status = "FAILED" if error else "ok"
    if executed:
        result.records = read_records(executed)
        result.source = result.records.pop("mnist_source", "—")
        try:
            render_html(dst, out / "html" / f"{path.stem}.html", log_path)
            result.links["notebook"] = f"html/{path.stem}.html"
        except Exception as e:  # the run's result stands; the page says the rendering failed
            log.exception("nbconvert failed for %s", path.name)
            result.error = f"(HTML rendering failed: {type(e).__name__}: {e})"
        result.links["ipynb"] = f"executed/{dst.name}"
    result.links["log"] = result.links.pop("log")  # last
    if error:
        where = f"code cell {error[0]}: " if error[0] else ""
        result.error = f"{where}{error[1]}"
        result.tail = error_tail(executed, log_path)


def run(
    sources: dict[Path, dict],
    out: Path,
    seed: int,
    quick: bool,
    term: Terminal,
    results: list[Result],
    data_line: list[str],
) -> None:
    """Run every notebook in order, filling `results` and `data_line` as it goes (so Ctrl-C keeps them)."""
    env = nbtool.run_env()
    env.pop(data.ENV_VAR, None)  # make run uses what the user has: $DLWP_MNIST, else load_mnist's own order
    mnist = data.mnist_spec(os.environ.get(data.ENV_VAR))  # an absolute path: the kernels run in notebooks/
    if mnist:
        env[data.ENV_VAR] = str(mnist)
    paths = list(sources)
    results += [Result(p.name, nbtool.notebook_title(sources[p])) for p in paths]
    problem, provenance = mnist_problem(env) if any(needs_mnist(nb) for nb in sources.values()) else (None, "")
    if problem:
        data_line[0] = f"data: MNIST is not available, so the notebooks that need it are skipped: {problem}"
        term.say("MNIST is not available, so the notebooks that need it are skipped:")
        term.say("  " + problem.replace("\n", "\n  "))
    elif provenance:
        data_line[0] = f"data: {provenance}"
        term.say(data_line[0])
    params = {"SEED": seed, "QUICK": quick}
    width = max(len(p.stem) for p in paths)
    for i, (path, result) in enumerate(zip(paths, results), 1):
        prefix = f"[{i:2d}/{len(paths)}] {path.stem:<{width}}"
        if problem and needs_mnist(sources[path]):
            result.status, result.error = "skipped", "no MNIST data (see the run's first lines)"
            term.say(f"{prefix} skipped  (no MNIST data)")
            continue
        run_one(path, out, params, env, term, prefix, result)
        line = f"{prefix} {result.status:<7} {result.seconds:6.1f} s"
        term.say(f"{line}  {result.error if result.status == 'FAILED' else key_result(result.records)}".rstrip())
        if result.status == "FAILED":
            for text in result.tail:
                term.say(f"    | {text}")
            term.say(f"    full log: {shown(out / result.links['log'])}")


# ---------------------------------------------------------------- the report


def write_atomic(path: Path, content: bytes) -> None:
    """Write a file whole or not at all (temp file + os.replace): no half-written report after Ctrl-C."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def clear_previous(out: Path) -> None:
    """Remove the last run's report, executed copies, pages and logs up front: nothing stale sits beside this run."""
    for name in ("report.html", "report.md", "report-timing.png"):
        (out / name).unlink(missing_ok=True)
    for folder, pattern in (("executed", "*.ipynb"), ("html", "*.html"), ("logs", "*.log")):
        for old in (out / folder).glob(pattern):
            old.unlink()


COLORS = {"ok": "tab:blue", "FAILED": "tab:red", "skipped": "tab:gray", "interrupted": "tab:orange", "not run": "w"}


def timing_png(results: list[Result]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.35 * len(results) + 1))
    names = [r.name.removesuffix(".ipynb") for r in results]
    ax.barh(names, [r.seconds for r in results], color=[COLORS[r.status] for r in results], edgecolor="k", lw=0.3)
    ax.invert_yaxis()
    ax.set_xlabel("wall time (s)")
    ax.set_title("make run: wall time per notebook")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def summary_line(results: list[Result], seed: int, quick: bool, interrupted: bool) -> tuple[str, str]:
    """(state, the closing line): state is ok, failed, incomplete or interrupted."""
    count = {s: sum(r.status == s for r in results) for s in COLORS}
    total = sum(r.seconds for r in results)
    tail = f"{count['ok']}/{len(results)} notebooks ok in {total:.0f} s (SEED={seed}, QUICK={'on' if quick else 'off'})"
    if interrupted:
        done = count["ok"] + count["FAILED"]
        return "interrupted", f"INTERRUPTED (Ctrl-C) after {done} of {len(results)} notebooks; kernel shut down. {tail}"
    if count["FAILED"]:
        failed = ", ".join(r.name for r in results if r.status == "FAILED")
        return "failed", f"FAILED: {count['FAILED']} notebook(s) failed ({failed}). {tail}"
    if count["skipped"]:
        return "incomplete", f"INCOMPLETE: {count['skipped']} notebook(s) skipped for lack of MNIST data. {tail}"
    return "ok", tail


def write_report(results: list[Result], out: Path, state: str, summary: str, facts: list[str]) -> None:
    """report.html, report.md and report-timing.png, each written whole; facts[0] is the run's data line."""
    png = timing_png(results)
    write_atomic(out / "report-timing.png", png)
    header = ["#", "Notebook", "Status", "Wall time (s)", "Data source", "Key results", "Links"]
    rows = []
    for i, r in enumerate(results, 1):
        keys = ", ".join(f"{k} = {fmt(v)}" for k, v in r.records.items()) or "—"
        status = f"{r.status}: {r.error}" if r.error else r.status
        source = "as in the data line" if f"data: {r.source}" == facts[0] else r.source  # said once, not per row
        rows.append((i, r, status, keys, source))
    md = ["# Course run report", "", f"**{summary}**", "", *[f"- {f}" for f in facts], ""]
    md += ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for i, r, status, keys, source in rows:
        links = ", ".join(f"[{label}]({href})" for label, href in r.links.items()) or "—"
        cells = [str(i), f"{r.name} — {r.title}", status, f"{r.seconds:.1f}", source, keys, links]
        md.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
    md += ["", "![wall time per notebook](report-timing.png)", ""]
    write_atomic(out / "report.md", "\n".join(md).encode("utf-8"))

    e = html.escape
    body = []
    for i, r, status, keys, source in rows:
        links = " · ".join(f'<a href="{e(href)}">{e(label)}</a>' for label, href in r.links.items()) or "—"
        name = f'<code>{e(r.name)}</code><br><span class="title">{e(r.title)}</span>'
        cls = r.status.replace(" ", "-").lower()
        cells = [str(i), name, f'<span class="st {cls}">{e(status)}</span>', f"{r.seconds:.1f}", e(source), e(keys)]
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{links}</td></tr>")
    page = f"""<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Course run report — 케라스 창시자에게 배우는 딥러닝 1–3장</title>
<style>
body{{font-family:{FONTS};margin:2em;color:#222;line-height:1.45}}
table{{border-collapse:collapse;margin:1em 0}} td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}}
th{{background:#f3f3f3}} td:nth-child(4){{text-align:right}} .title{{color:#555}}
.summary{{font-size:1.15em;padding:.5em .8em;border-left:6px solid #2a7}} .summary.failed{{border-color:#c33}}
.summary.incomplete,.summary.interrupted{{border-color:#e90}}
.st.ok{{color:#186}} .st.failed{{color:#c33;font-weight:bold}} .st.skipped,.st.not-run{{color:#777}}
.st.interrupted{{color:#b60;font-weight:bold}}
</style></head>
<body><h1>Course run report · 실행 보고서</h1>
<p class="summary {state}">{e(summary)}</p>
<ul>{"".join(f"<li>{e(f)}</li>" for f in facts)}</ul>
<table><thead><tr>{"".join(f"<th>{e(h)}</th>" for h in header)}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table>
<p><img alt="wall time per notebook" src="data:image/png;base64,{base64.b64encode(png).decode()}"></p>
</body></html>
"""
    write_atomic(out / "report.html", page.encode("utf-8"))


# ---------------------------------------------------------------- main


def exit_status(results: list[Result], interrupted: bool) -> int:
    if interrupted:
        return EXIT_INTERRUPTED
    if any(r.status == "FAILED" for r in results):
        return EXIT_FAILED
    return EXIT_INCOMPLETE if any(r.status == "skipped" for r in results) else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--seed", default="42", help=f"random seed for every notebook, 0 to {SEED_MAX}")
    parser.add_argument("--quick", default="", help="shorter training: 1/0, true/false, yes/no, on/off (empty: off)")
    parser.add_argument("--with-validate", action="store_true", help="also run 99_validate (an instructor tool)")
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    try:
        seed, quick = parse_seed(args.seed), parse_quick(args.quick)
        sources = read_notebooks(notebook_paths(args.notebooks, args.with_validate))
    except UsageError as e:
        print(f"make run: {e}", file=sys.stderr)
        return EXIT_USAGE
    out = args.out.resolve()
    term = Terminal()
    results: list[Result] = []
    data_line = [""]  # once known
    interrupted = False
    clear_previous(out)
    for folder in ("executed", "html", "logs"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    run_log = logging.FileHandler(out / "logs" / "run.log", mode="w", encoding="utf-8")
    run_log.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logging.getLogger().addHandler(run_log)
    logging.captureWarnings(True)  # a library's warning in this process goes to the log, not the terminal
    try:
        run(sources, out, seed, quick, term, results, data_line)
    except KeyboardInterrupt:
        interrupted = True
        term.say("\nInterrupted (Ctrl-C): the running kernel was shut down; the report marks the run as interrupted.")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # the report is written whole, once
    try:
        state, summary = summary_line(results, seed, quick, interrupted)
        facts = [
            data_line[0] or "data: no notebook here needs MNIST",
            f"SEED={seed}, QUICK={'on' if quick else 'off'}, {time.strftime('%Y-%m-%d %H:%M')}",
            "Executed copies in executed/, rendered pages in html/, kernel logs in logs/ (beside this report).",
        ]
        write_report(results, out, state, summary, facts)
        term.say(summary)
        term.say(f"report: {shown(out / 'report.html')}")
    finally:
        signal.signal(signal.SIGINT, previous)
        logging.getLogger().removeHandler(run_log)
        run_log.close()
    return exit_status(results, interrupted)


if __name__ == "__main__":
    sys.exit(main())
