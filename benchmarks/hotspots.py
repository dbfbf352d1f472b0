"""Where denpa's time goes in a model workload: cProfile over a few training steps, in ms per step.

    python benchmarks/hotspots.py gpt|lstm|dcgan|mnist_cnn|vae [--steps N] [--top N] [--threads N] [--forward]

Builds denpa's copy of the workload (no PyTorch is imported), runs two warm-up
steps, then prints:

- the plain step time (median of ``--steps``), with the CPU time split into
  user and kernel (``getrusage``) and the minor page faults per step (fresh
  memory the kernel maps in: the kernel share is mostly that);
- the hottest functions by own time (``tottime``) per step under cProfile,
  named ``file:Class.function``; NumPy's ufuncs (``a @ b``, ``a + b``,
  ``np.exp``) are not Python calls, so cProfile counts their time in the
  function that applied them (an op's ``forward``/``backward``), while ndarray
  methods (``.sum``, ``.copy``, ``ufunc.reduce``/``.at``) show as their own rows;
- a split of the profiled time into matrix products (BLAS: ``Matmul``'s
  forward and backward and the convolutions' ``_matmul``), other array work
  (the rest of ``autograd/ops``, ``autograd/backend.py``, ``autograd/buffers.py``
  and C methods called from them or from the engine), the optimizer (``optim/``)
  and engine/module overhead (recording, the walk, ``nn`` modules and
  ``nn.functional`` argument handling).

cProfile adds a few µs to every Python call, so the overhead share reads high
and the total above the plain step time; read the split as proportions.
``--forward`` profiles the workload's no_grad forward instead of the step.
"""
from __future__ import annotations

import ast
import cProfile
import importlib
import os
import pstats
import resource
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

WORKLOADS = ("gpt", "lstm", "dcgan", "mnist_cnn", "vae")
# own time of these is their matrix products (the copies they need are functions of their own)
BLAS_FUNCS = {("autograd/ops/linalg.py", "Matmul.forward"), ("autograd/ops/linalg.py", "Matmul.backward"),
              ("autograd/ops/linalg.py", "_folded_backward"), ("autograd/buffers.py", "BufferPool.product"),
              ("autograd/ops/conv.py", "_conv_weight_grad"),
              ("autograd/ops/winograd.py", "Products.weight_grad")}
OVERHEAD_FILES = ("autograd/engine.py", "autograd/node.py", "autograd/tensor.py", "autograd/_methods.py",
                  "autograd/function.py", "autograd/grad_mode.py", "autograd/scope.py", "autograd/versions.py",
                  "autograd/ops/declare.py", "autograd/ops/util.py", "autograd/compat.py", "nn/", "benchmarks/")
_class_spans: dict = {}


def _rel(path):
    return os.path.relpath(path, C.REPO_ROOT) if path.startswith(C.REPO_ROOT) else path


def qualname(path, line, func):
    """``Class.func`` for a method (found by the class whose lines hold ``line``), else ``func``."""
    if path not in _class_spans:
        spans = []
        try:
            with open(path) as f:
                tree = ast.parse(f.read())
            spans = [(n.lineno, n.end_lineno, n.name) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
        except (OSError, SyntaxError, ValueError):
            pass
        _class_spans[path] = spans
    inner = [s for s in _class_spans[path] if s[0] <= line <= s[1]]
    return f"{max(inner)[2]}.{func}" if inner else func


def category(rel, name):
    if (rel, name) in BLAS_FUNCS:
        return "BLAS"
    if rel.startswith("optim/"):
        return "optimizer"
    if rel.startswith(("autograd/ops/", "autograd/backend.py", "autograd/buffers.py", "nn/functional/")) \
            and not rel.startswith(("autograd/ops/declare.py", "autograd/ops/util.py")):
        return "array work" if not rel.startswith("nn/functional/") else "overhead"
    if rel.startswith(OVERHEAD_FILES):
        return "overhead"
    return "array work"  # NumPy's Python functions (zeros_like, ...) and anything else


def split(stats, steps):
    """Rows ``(ms per step, label, category)`` and the per-category totals; C calls go to their caller's category."""
    rows, cats = [], {}
    for (path, line, func), (_, ncalls, tt, _, callers) in stats.stats.items():
        builtin = path == "~"
        rel = _rel(path)
        label = func if builtin else f"{rel}:{qualname(path, line, func)}"
        rows.append((tt * 1e3 / steps, ncalls / steps, label))
        if builtin:  # an ndarray method or C function: charge it to whoever called it
            for (cpath, cline, cfunc), edge in callers.items():
                cat = category(_rel(cpath), qualname(cpath, cline, cfunc)) if cpath != "~" else "array work"
                cat = "array work" if cat == "overhead" else cat
                cats[cat] = cats.get(cat, 0.0) + edge[2] * 1e3 / steps
        else:
            cat = category(rel, qualname(path, line, func))
            cats[cat] = cats.get(cat, 0.0) + tt * 1e3 / steps
    rows.sort(reverse=True)
    return rows, cats


def main(argv=None):
    p = C.parser(__doc__.splitlines()[0])
    p.add_argument("workload", choices=WORKLOADS)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--top", type=int, default=18)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--forward", action="store_true", help="profile the no_grad forward instead of the step")
    args = p.parse_args(argv)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    C.import_autograd()
    import numpy as np

    import denpa

    mod = importlib.import_module(args.workload)
    denpa.manual_seed(0)
    w = mod.build(denpa, np, mod.make_data(np))
    if args.forward:
        if w.forward is None:
            raise SystemExit(f"{args.workload} has no forward to profile")

        def call():
            with denpa.no_grad():
                w.forward()
    else:
        def call():
            w.step(False)
    for _ in range(2):
        call()

    times, user, kern, faults = [], [], [], []
    for _ in range(args.steps):
        r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        call()
        t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
        times.append(t1 - t0)
        user.append(r1.ru_utime - r0.ru_utime)
        kern.append(r1.ru_stime - r0.ru_stime)
        faults.append(r1.ru_minflt - r0.ru_minflt)
    what = "no_grad forward" if args.forward else "step"
    print(f"== hotspots: denpa {args.workload} {what}, {args.threads} BLAS threads, "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} ==")
    print(f"   plain {what}: {statistics.median(times) * 1e3:.1f} ms (median of {args.steps}; "
          f"CPU user {statistics.median(user) * 1e3:.0f} ms, kernel {statistics.median(kern) * 1e3:.0f} ms, "
          f"{statistics.median(faults):.0f} minor page faults)")

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(args.steps):
        call()
    prof.disable()
    stats = pstats.Stats(prof)
    rows, cats = split(stats, args.steps)
    total = sum(cats.values())
    print(f"   profiled: {total:.1f} ms per {what} (cProfile's own cost included)")
    print("   split: " + ", ".join(f"{k} {v:.1f} ms ({100 * v / total:.0f}%)"
                                   for k, v in sorted(cats.items(), key=lambda kv: -kv[1])))
    print(f"   {'ms/' + what[:4]:>9s} {'calls':>7s}  function (own time)")
    for ms, calls, label in rows[:args.top]:
        print(f"   {ms:9.2f} {calls:7.1f}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
