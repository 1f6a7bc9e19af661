"""`make bench`: measured speed of the course on this machine; prints a table and writes build/bench.json.

    python tools/bench.py [--skip-notebooks] [--out build/bench.json]

1. Peak: best fp32 tf.matmul GFLOP/s on large square matrices (the physical reference).
2. The chapter-2 MLP (784 -> 512 -> 10, batch 128) trained by Keras fit, the from-scratch loop eager,
   the same loop under tf.function, fit with jit_compile=True (XLA), and fit tuned: XLA plus
   steps_per_execution=32 on a cached tf.data pipeline (fewer Python round trips per step).
   FLOPs per sample (matmuls only; element-wise ops and the optimizer update are < 1 % and not counted):
     forward   2*(784*512 + 512*10)                      =   813,056
     backward  dW1 = x^T dH: 2*784*512; dW2 and dH: 2*2*512*10 =   823,296  (no gradient w.r.t. the input)
     total                                                 = 1,636,352 FLOP / sample
3. Chapter-2 element-wise and dot ops: pure-Python naive vs NumPy vs TF.
4. The notebooks: wall time of each alone under the nbval command, the whole suite, and `import tensorflow`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from helpers.env import quiet_tensorflow  # noqa: E402
from tools import nbtool  # noqa: E402

FLOP_PER_SAMPLE = 2 * (784 * 512 + 512 * 10) + 2 * 784 * 512 + 2 * 2 * 512 * 10
BATCH = 128
GOALS = {"suite_s": 240.0, "notebook_s": 45.0, "tf_function_vs_eager": 2.0, "fit_pct_of_peak": 35.0}


def best_time(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def peak_matmul() -> dict:
    import tensorflow as tf

    results = {}
    for n in (1024, 2048, 4096):
        a, b = tf.random.normal((n, n)), tf.random.normal((n, n))
        _ = (a @ b).numpy()
        seconds = best_time(lambda a=a, b=b: (a @ b).numpy(), repeats=5)
        results[n] = 2 * n**3 / seconds / 1e9
    best_n = max(results, key=results.get)
    return {"gflops": results[best_n], "n": best_n, "by_n": results}


def mlp_trainers(steps: int) -> dict:
    """samples/s of the ch.2 MLP trained four ways on the same data and batch size."""
    import keras
    import numpy as np
    import tensorflow as tf

    import helpers

    x, y = helpers.synthetic_digits(BATCH * 64, seed=0)
    x = x.reshape(len(x), -1).astype("float32") / 255
    y = y.astype("int64")

    def model():
        keras.utils.set_random_seed(0)
        m = keras.Sequential([keras.Input((784,)), keras.layers.Dense(512, "relu"), keras.layers.Dense(10, "softmax")])
        return m

    out = {}
    per_epoch = len(x) // BATCH
    epochs = max(1, steps // per_epoch)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH).cache().repeat().prefetch(tf.data.AUTOTUNE)
    configs = {  # name: (compile options, fit input)
        "fit": ({}, "arrays"),
        "fit_xla": ({"jit_compile": True}, "arrays"),
        "fit_xla_spe32_dataset": ({"jit_compile": True, "steps_per_execution": 32}, "dataset"),
    }
    for name, (options, data) in configs.items():
        m = model()
        m.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy", metrics=["accuracy"], **options)

        def train(m=m, data=data, e=1):
            if data == "arrays":
                m.fit(x, y, batch_size=BATCH, epochs=e, verbose=0)
            else:
                m.fit(dataset, steps_per_epoch=per_epoch, epochs=e, verbose=0, shuffle=False)

        train()  # trace/compile outside the timing
        out[name] = epochs * per_epoch * BATCH / best_time(lambda train=train: train(e=epochs), repeats=2)

    m = model()
    m.build((None, 784))
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.SGD(learning_rate=1e-3)
    xb = [tf.constant(x[i : i + BATCH]) for i in range(0, len(x), BATCH)]
    yb = [tf.constant(y[i : i + BATCH]) for i in range(0, len(y), BATCH)]

    def step(images, labels):
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, m(images, training=True))
        grads = tape.gradient(loss, m.trainable_weights)
        optimizer.apply_gradients(zip(grads, m.trainable_weights))
        return loss

    compiled = tf.function(step)
    for name, fn in (("eager_loop", step), ("tf_function_loop", compiled)):
        fn(xb[0], yb[0])

        def loop(fn=fn):
            for i in range(steps):
                fn(xb[i % len(xb)], yb[i % len(yb)])
            _ = float(m.trainable_weights[0][0, 0])

        out[name] = steps * BATCH / best_time(loop, repeats=2)
    del np
    return out


def chapter2_ops() -> list[dict]:
    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    a, b = rng.random((200, 100)), rng.random((200, 100))
    v, w = rng.random(10_000), rng.random(10_000)

    def naive_relu(x):
        x = x.copy()
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                x[i, j] = max(x[i, j], 0)
        return x

    def naive_add(x, y):
        x = x.copy()
        for i in range(x.shape[0]):
            for j in range(x.shape[1]):
                x[i, j] += y[i, j]
        return x

    def naive_vector_dot(x, y):
        z = 0.0
        for i in range(x.shape[0]):
            z += x[i] * y[i]
        return z

    ta, tb, tv, tw = (tf.constant(t) for t in (a, b, v, w))
    cases = [
        ("relu (200x100)", lambda: naive_relu(a), lambda: np.maximum(a, 0.0), lambda: tf.nn.relu(ta).numpy()),
        ("add (200x100)", lambda: naive_add(a, b), lambda: a + b, lambda: (ta + tb).numpy()),
        (
            "vector dot (10,000)",
            lambda: naive_vector_dot(v, w),
            lambda: np.dot(v, w),
            lambda: tf.tensordot(tv, tw, 1).numpy(),
        ),
    ]
    rows = []
    for name, naive, numpy_fn, tf_fn in cases:
        t_naive, t_np, t_tf = best_time(naive, 3), best_time(numpy_fn, 50), best_time(tf_fn, 50)
        rows.append(
            {
                "op": name,
                "naive_s": t_naive,
                "numpy_s": t_np,
                "tf_s": t_tf,
                "numpy_speedup": t_naive / t_np,
                "tf_speedup": t_naive / t_tf,
            }
        )
    return rows


def import_tensorflow_s() -> float:
    cmd = [sys.executable, "-c", "import tensorflow"]
    return best_time(lambda: subprocess.run(cmd, check=True, capture_output=True), repeats=3)


def notebooks() -> dict:
    """Wall time of each notebook alone under the nbval command (pytest + kernel start included), then the suite."""
    per = {}
    ok = True
    for path in nbtool.all_notebooks():
        start = time.perf_counter()
        proc = subprocess.run(nbtool.nbval_command(str(path)), cwd=ROOT, capture_output=True, text=True)
        per[path.name] = time.perf_counter() - start
        ok = ok and proc.returncode == 0
        print(f"   {path.name:<40} {per[path.name]:6.1f} s{'' if proc.returncode == 0 else '  FAILED'}", flush=True)
    start = time.perf_counter()
    proc = subprocess.run(nbtool.nbval_command("notebooks"), cwd=ROOT, capture_output=True, text=True)
    return {"suite_s": time.perf_counter() - start, "passed": ok and proc.returncode == 0, "per_notebook_s": per}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--steps", type=int, default=200, help="training steps per measurement")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "bench.json")
    args = parser.parse_args(argv)
    quiet_tensorflow()
    import tensorflow as tf

    report: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "tensorflow": tf.__version__,
            "gpus": len(tf.config.list_physical_devices("GPU")),
            "dlwp_mnist": os.environ.get("DLWP_MNIST", "synthetic (unset)"),
        }
    }
    report["peak"] = peak_matmul()
    peak = report["peak"]["gflops"]
    print(f"1. peak fp32 matmul: {peak:.1f} GFLOP/s (n={report['peak']['n']})", flush=True)

    mlp = mlp_trainers(args.steps)
    fit_sps = mlp["fit"]
    rows = {}
    print(f"2. ch.2 MLP 784-512-10, batch {BATCH}, {FLOP_PER_SAMPLE:,} FLOP/sample (forward + backward matmuls)")
    print(f"   {'trainer':<22} {'samples/s':>10} {'GFLOP/s':>8} {'% peak':>7} {'x fit':>6}")
    for name in ("fit", "eager_loop", "tf_function_loop", "fit_xla", "fit_xla_spe32_dataset"):
        sps = mlp[name]
        gflops = sps * FLOP_PER_SAMPLE / 1e9
        rows[name] = {
            "samples_per_s": sps,
            "gflops": gflops,
            "pct_of_peak": 100 * gflops / peak,
            "ratio_to_fit": sps / fit_sps,
        }
        print(f"   {name:<22} {sps:>10,.0f} {gflops:>8.1f} {100 * gflops / peak:>6.1f}% {sps / fit_sps:>6.2f}")
    report["mlp"] = rows

    report["ops"] = chapter2_ops()
    print("3. chapter-2 ops: naive Python vs NumPy vs TF")
    for r in report["ops"]:
        print(
            f"   {r['op']:<20} naive {r['naive_s'] * 1e3:8.2f} ms | NumPy x{r['numpy_speedup']:,.0f} | TF x{r['tf_speedup']:,.0f}"
        )

    report["import_tensorflow_s"] = import_tensorflow_s()
    print(f"4. import tensorflow: {report['import_tensorflow_s']:.2f} s (paid by every notebook kernel)")
    if not args.skip_notebooks:
        print("   each notebook alone under the nbval command:")
        nb = notebooks()
        report["notebooks"] = nb
        print(f"   whole nbval suite: {nb['suite_s']:.0f} s ({'passed' if nb['passed'] else 'FAILED'})")

    goals = {
        "tf_function >= 2x eager": rows["tf_function_loop"]["samples_per_s"]
        >= GOALS["tf_function_vs_eager"] * rows["eager_loop"]["samples_per_s"],
        "best fit >= 35% of matmul peak": max(r["pct_of_peak"] for k, r in rows.items() if k.startswith("fit"))
        >= GOALS["fit_pct_of_peak"],
    }
    if "notebooks" in report:
        goals["whole nbval suite <= 240 s"] = report["notebooks"]["suite_s"] <= GOALS["suite_s"]
        goals["no notebook > 45 s"] = (
            max(report["notebooks"]["per_notebook_s"].values(), default=0) <= GOALS["notebook_s"]
        )
    report["goals"] = goals
    print("goals:")
    for goal, met in goals.items():
        print(f"   {'MET ' if met else 'MISSED'} {goal}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
