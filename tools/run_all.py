"""`make run`: execute the whole course headless with papermill and write a report.

    python tools/run_all.py [--seed N] [--quick] [--out build] [NOTEBOOK ...]

Executed copies go to <out>/executed/ (the sources in notebooks/ are never written); the report to
<out>/report.md and <out>/report.html. One failing notebook does not stop the others; the exit status
is non-zero when any failed. Key results come from `helpers.record` outputs, not from printed text.
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.record import RECORD_MIME  # noqa: E402
from tools import nbtool  # noqa: E402


@dataclass
class Result:
    name: str
    status: str  # "ok", "FAILED", "skipped"
    seconds: float = 0.0
    source: str = "—"
    records: dict = field(default_factory=dict)
    error: str = ""


def needs_mnist(path: Path) -> bool:
    nb = nbtool.load(path)
    return any("load_mnist(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


def read_records(path: Path) -> dict:
    """Every helpers.record(key, value) output of an executed notebook, in order."""
    records: dict = {}
    for cell in nbtool.load(path)["cells"]:
        for out in cell.get("outputs", []):
            records.update(out.get("data", {}).get(RECORD_MIME, {}))
    return records


def mnist_problem(env: dict[str, str]) -> str | None:
    """None when MNIST can be loaded here (may download once), else the one message to show up front."""
    import helpers
    from helpers import data

    with nbtool.using_env(env):
        try:
            helpers.load_mnist(verbose=False)
            return None
        except (data.MnistNotFoundError, data.MnistError) as e:
            return str(e)


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def run(paths: list[Path], out: Path, seed: int, quick: bool) -> list[Result]:
    executed = out / "executed"
    executed.mkdir(parents=True, exist_ok=True)
    env = nbtool.run_env()
    env.pop("DLWP_MNIST", None)  # make run uses what the user has: $DLWP_MNIST, data/mnist.npz or a download
    if os.environ.get("DLWP_MNIST"):
        given = os.environ["DLWP_MNIST"]
        env["DLWP_MNIST"] = given if given.lower() == "synthetic" else os.path.abspath(given)
    mnist_users = {p for p in paths if needs_mnist(p)}
    problem = mnist_problem(env) if mnist_users else None
    if problem:
        print("=" * 72)
        print("MNIST is not available, so the notebooks that need it are skipped.")
        print(problem)
        print("=" * 72, flush=True)
    results = []
    params = {"SEED": seed, "QUICK": quick}
    for i, path in enumerate(paths, 1):
        prefix = f"[{i:2d}/{len(paths)}] {path.name:<40}"
        if problem and path in mnist_users:
            results.append(Result(path.name, "skipped", error="no MNIST data (see the message above)"))
            print(f"{prefix} skipped (no MNIST)", flush=True)
            continue
        dst = executed / path.name
        error, seconds = nbtool.execute(path, dst, parameters=params, env=env)
        records = read_records(dst) if dst.exists() else {}
        result = Result(path.name, "FAILED" if error else "ok", seconds, records.pop("mnist_source", "—"), records)
        if error:
            result.error = f"code cell {error[0]}: {error[1]}"
        results.append(result)
        print(f"{prefix} {result.status} in {seconds:.1f} s" + (f" — {result.error}" if error else ""), flush=True)
    return results


def timing_png(results: list[Result]) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.35 * len(results) + 1))
    colors = {"ok": "tab:blue", "FAILED": "tab:red", "skipped": "tab:gray"}
    names = [r.name.removesuffix(".ipynb") for r in results]
    ax.barh(names, [r.seconds for r in results], color=[colors[r.status] for r in results])
    ax.invert_yaxis()
    ax.set_xlabel("wall time (s)")
    ax.set_title("make run: wall time per notebook")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def write_report(results: list[Result], out: Path, seed: int, quick: bool) -> None:
    ok = sum(r.status == "ok" for r in results)
    total = sum(r.seconds for r in results)
    summary = f"{ok}/{len(results)} notebooks ok, {total:.0f} s in all (SEED={seed}, QUICK={quick})"
    header = "| Notebook | Status | Wall time (s) | Data source | Key results |"
    rows = [header, "| --- | --- | ---: | --- | --- |"]
    for r in results:
        keys = ", ".join(f"{k} = {fmt(v)}" for k, v in r.records.items()) or "—"
        status = r.status if not r.error else f"{r.status}: {r.error}"
        rows.append(
            f"| {r.name} | {status.replace('|', '/')} | {r.seconds:.1f} | {r.source} | {keys.replace('|', '/')} |"
        )
    png = timing_png(results)
    (out / "report-timing.png").write_bytes(png)
    md = ["# Course run report", "", summary, "", *rows, "", "![wall time per notebook](report-timing.png)", ""]
    (out / "report.md").write_text("\n".join(md), encoding="utf-8")
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c.strip())}</td>" for c in row.strip("|").split(" | ")) + "</tr>\n"
        for row in rows[2:]
    )
    head = "".join(f"<th>{html.escape(c.strip())}</th>" for c in header.strip("|").split(" | "))
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Course run report</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;text-align:left}}</style></head>
<body><h1>Course run report</h1><p>{html.escape(summary)}</p>
<table><thead><tr>{head}</tr></thead><tbody>
{body}</tbody></table>
<p><img alt="wall time per notebook" src="data:image/png;base64,{base64.b64encode(png).decode()}"></p>
</body></html>
"""
    (out / "report.html").write_text(page, encoding="utf-8")
    print(summary)
    print(f"report: {(out / 'report.md').relative_to(ROOT) if out.is_relative_to(ROOT) else out / 'report.md'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--quick", action="store_true", help="shorter training (the notebooks' QUICK parameter)")
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or nbtool.all_notebooks()
    out = args.out.resolve()
    results = run(paths, out, args.seed, args.quick)
    write_report(results, out, args.seed, args.quick)
    print(
        json.dumps({r.name: r.status for r in results if r.status != "ok"})
        if any(r.status != "ok" for r in results)
        else "all ok"
    )
    return 1 if any(r.status == "FAILED" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
