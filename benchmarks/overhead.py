"""Per-op overhead: 99 small elementwise ops forward and backward.

``y = tanh(y * 1.01 + 0.1)`` repeated 33 times (99 ops: mul, add, tanh) on
``x``, 8 float64s that require grad, then ``y.sum().backward()`` and
``x.grad = None``. With 8 elements the arithmetic is nothing; what is timed is
what each engine spends per op recording the graph and walking it back.
Reported as microseconds per op = time / 99 (peers_bench.py divides the same
99-op loop by N_OPS = 100, so its figures read 1% lower).

Target: at most 5 us/op, and fewer than PyTorch in the same run.

    python benchmarks/overhead.py [--quick] [--repeat N] [--strict] [--no-gc]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

REPS = 33
N_OPS = 3 * REPS  # 99
TARGET_US = 5.0


def make_numpy(x0):
    import numpy as np

    def f():
        y = x0
        for _ in range(REPS):
            y = np.tanh(y * 1.01 + 0.1)
        return y

    return f


def make_denpa(autograd, x0, backward=True):
    x = autograd.tensor(x0, requires_grad=True)

    def f():
        y = x
        for _ in range(REPS):
            y = (y * 1.01 + 0.1).tanh()
        if backward:
            y.sum().backward()
            g = x.grad
            x.grad = None
            return g
        return y

    return f


def make_torch(torch, x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)

    def f():
        y = x
        for _ in range(REPS):
            y = torch.tanh(y * 1.01 + 0.1)
        y.sum().backward()
        g = x.grad
        x.grad = None
        return g

    return f


def main(argv=None):
    args = C.parse(__doc__.splitlines()[0], argv)
    autograd = C.import_autograd()
    refs = C.preload("torch")
    import numpy as np

    repeat = args.repeat or (3 if args.quick else 9)
    number = 2 if args.quick else 50
    x0 = np.random.default_rng(0).random(8)

    C.header(f"overhead: {N_OPS} ops (tanh(y * 1.01 + 0.1) x {REPS}) on 8 float64s, forward + backward",
             f"   median of {repeat} x {number} calls; us/op = time / {N_OPS}")

    def us(t):
        return f"  ({t / N_OPS * 1e6:6.2f} us/op)"

    t_np = C.timeit(make_numpy(x0), repeat, number)
    C.row("numpy (forward only)", t_np, us(t_np))
    t_fwd = C.timeit(make_denpa(autograd, x0, backward=False), repeat, number)
    C.row("denpa (forward only)", t_fwd, us(t_fwd))
    t_ours = C.timeit(make_denpa(autograd, x0), repeat, number)
    C.row("denpa", t_ours, us(t_ours))

    torch, why = refs["torch"]
    t_torch = None
    if torch is not None:
        f = make_torch(torch, x0)
        t_torch = C.timeit(f, repeat, number)
        C.row(f"torch {torch.__version__}", t_torch, us(t_torch))
        g_ours = make_denpa(autograd, x0)().numpy()
        g_torch = f().numpy()
        if not np.allclose(g_ours, g_torch, rtol=1e-12, atol=0):
            print(f"   WARNING: gradients differ from torch's: max abs diff {abs(g_ours - g_torch).max():.3g}")
    else:
        C.skipped("torch", why)

    C.ratio("denpa / numpy forward", t_ours, t_np, "(bookkeeping over bare NumPy)")
    if t_torch is not None:
        C.ratio("denpa / torch", t_ours, t_torch, "(< 1 is faster than PyTorch)")

    per_op = t_ours / N_OPS * 1e6
    results = []
    if args.quick:
        C.verdict("<= 5 us/op, fewer than PyTorch", None, f"{per_op:.2f} us/op; --quick run")
    else:
        results.append(C.verdict(f"<= {TARGET_US:g} us/op", per_op <= TARGET_US, f"{per_op:.2f} us/op"))
        if t_torch is not None:
            tp = t_torch / N_OPS * 1e6
            results.append(C.verdict("fewer us/op than PyTorch", per_op < tp, f"{per_op:.2f} vs {tp:.2f} us/op"))
        else:
            results.append(C.verdict("fewer us/op than PyTorch", None, "torch not importable"))
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
