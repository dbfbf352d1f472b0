"""A deep chain: ``y = y * 1.0001`` 20,000 times on a 0-d float64 tensor, forward and backward.

Each call builds the whole graph from a fresh leaf ``x = 0.5`` and runs
``y.backward()``, so the time is recording 20,000 nodes plus one walk back
through them; the walk must not recurse (a recursive topological sort, like
micrograd's, hits Python's recursion limit at this depth). Our ``Scalar`` and
micrograd run the same chain on plain floats, for reference.

Target: denpa's Tensor no slower than PyTorch in the same run.

    python benchmarks/chain.py [--quick] [--repeat N] [--strict] [--no-gc]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

DEPTH = 20_000
FACTOR = 1.0001


def make_denpa(autograd, depth):
    def f():
        x = autograd.tensor(0.5, dtype=autograd.float64, requires_grad=True)
        y = x
        for _ in range(depth):
            y = y * FACTOR
        y.backward()
        return float(x.grad.item())

    return f


def make_scalar(autograd, depth):
    def f():
        x = autograd.Scalar(0.5)
        y = x
        for _ in range(depth):
            y = y * FACTOR
        y.backward()
        return x.grad

    return f


def make_torch(torch, depth):
    def f():
        x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
        y = x
        for _ in range(depth):
            y = y * FACTOR
        y.backward()
        return float(x.grad)

    return f


def make_micrograd(depth):
    from micrograd.engine import Value

    def f():
        x = Value(0.5)
        y = x
        for _ in range(depth):
            y = y * FACTOR
        y.backward()
        return x.grad

    return f


def main(argv=None):
    args = C.parse(__doc__.splitlines()[0], argv)
    autograd = C.import_autograd()
    refs = C.preload("torch", "micrograd.engine")

    depth = 2_000 if args.quick else DEPTH
    repeat = args.repeat or (2 if args.quick else 7)
    expected = FACTOR ** depth
    C.header(f"chain: y = y * {FACTOR} x {depth} on a 0-d float64, forward + backward",
             f"   median of {repeat} calls; each builds the graph anew")

    def check(label, f):
        g = f()
        if abs(g - expected) > 1e-9 * expected:
            print(f"   WARNING: {label} gave dy/dx = {g!r}, expected {expected!r}")

    f = make_denpa(autograd, depth)
    check("denpa", f)
    t_ours = C.timeit(f, repeat)
    C.row("denpa Tensor", t_ours, f"  ({t_ours / depth * 1e6:5.2f} us/op)")

    torch, why = refs["torch"]
    t_torch = None
    if torch is not None:
        f = make_torch(torch, depth)
        check("torch", f)
        t_torch = C.timeit(f, repeat)
        C.row(f"torch {torch.__version__}", t_torch, f"  ({t_torch / depth * 1e6:5.2f} us/op)")
    else:
        C.skipped("torch", why)
    if C.GC_DURING_TIMING:  # how much of our figure the cyclic collector is (torch's graph is not Python objects)
        t_nogc = C.timeit(make_denpa(autograd, depth), repeat, gc_on=False)
        C.row("denpa Tensor, gc off (info)", t_nogc, f"  ({t_nogc / depth * 1e6:5.2f} us/op)")

    f = make_scalar(autograd, depth)
    check("denpa Scalar", f)
    t_scalar = C.timeit(f, repeat)
    C.row("denpa Scalar (floats)", t_scalar, f"  ({t_scalar / depth * 1e6:5.2f} us/op)")

    mg, why = refs["micrograd.engine"]
    if mg is not None:
        try:
            f = make_micrograd(depth)
            check("micrograd", f)
            t_mg = C.timeit(f, repeat)
            C.row("micrograd (floats)", t_mg, f"  ({t_mg / depth * 1e6:5.2f} us/op)")
        except RecursionError:
            C.skipped("micrograd (floats)", f"RecursionError: its recursive topological sort "
                      f"cannot walk {depth} deep (limit {sys.getrecursionlimit()})")
    else:
        C.skipped("micrograd (floats)", why)

    results = []
    if t_torch is not None:
        C.ratio("denpa Tensor / torch", t_ours, t_torch, "(<= 1 meets the target)")
        if args.quick:
            C.verdict("no slower than PyTorch", None, f"{t_ours / t_torch:.2f}x; --quick run")
        else:
            results.append(C.verdict("no slower than PyTorch", t_ours <= t_torch,
                                     f"{t_ours * 1e3:.1f} vs {t_torch * 1e3:.1f} ms, {t_ours / t_torch:.2f}x"))
    else:
        C.verdict("no slower than PyTorch", None, "torch not importable")
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
