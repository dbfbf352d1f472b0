"""An MLP training step with nn modules against the same step written by hand in NumPy.

The 784-512-256-10 MLP of ``peers_bench.py`` (ReLU, batch 128, float32,
softmax cross-entropy, plain SGD with lr 0.1). denpa's step is what a user
writes: an ``nn.Sequential`` of ``nn.Linear`` and ``nn.ReLU``,
``nn.functional.cross_entropy``, ``optimizer.zero_grad()``, ``backward()`` and
``optim.SGD.step()``. The NumPy step is the forward, the softmax
cross-entropy, the backward and the update written out by hand (the
``mlp_numpy`` of ``peers_bench.py``), the floor for any NumPy-based engine.
PyTorch runs the same step (two threads, as ``peers_bench.py``) when
importable. All three start from the same weights; the script checks that
they compute the same loss and, after two steps, the same weights.

Also timed: inference, ``model(x)`` under ``autograd.no_grad()`` (checked to
record nothing), against the forward half of a training step (``model(x)``
and the loss, recorded), and the bare NumPy forward.

Targets: the training step at most 1.1 times the hand-written NumPy step; the
no_grad forward no slower than the recorded forward half of a step (judged on
the medians, as every script here). Also printed, for information, each ratio
from back-to-back pairs timed in both orders (:func:`paired_ratio`).

    python benchmarks/mlp.py [--quick] [--repeat N] [--strict] [--no-gc]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

B, D, H1, H2, K = 128, 784, 512, 256, 10
LR = 0.1
TARGET = 1.1


def make_data(np, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((B, D)).astype(np.float32), rng.integers(0, K, B)


def make_denpa(autograd, nn, optim, xb, yb):
    """The model, a training step, the recorded forward half, and the no_grad forward."""
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(D, H1), nn.ReLU(), nn.Linear(H1, H2), nn.ReLU(), nn.Linear(H2, K))
    opt = optim.SGD(model.parameters(), lr=LR)
    x, y = autograd.tensor(xb), autograd.tensor(yb)
    cross_entropy = nn.functional.cross_entropy

    def step():
        opt.zero_grad()
        loss = cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def forward_recorded():
        return cross_entropy(model(x), y)

    def forward_no_grad():
        with autograd.no_grad():
            return model(x)

    return model, step, forward_recorded, forward_no_grad


def weights_of(model):
    """(W, b) per Linear as NumPy copies, W laid out (in, out) for the hand-written step."""
    return [(m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy()) for m in model if hasattr(m, "weight")]


def make_numpy(np, weights, xb, yb):
    """peers_bench.py's mlp_numpy: forward, softmax cross-entropy, backward, SGD update, by hand."""
    (W1, b1), (W2, b2), (W3, b3) = [(w.copy(), b.copy()) for w, b in weights]
    params = [W1, b1, W2, b2, W3, b3]
    rows = np.arange(B)

    def forward():
        h1 = np.maximum(xb @ W1 + b1, 0)
        h2 = np.maximum(h1 @ W2 + b2, 0)
        return h2 @ W3 + b3

    def step():
        h1p = xb @ W1 + b1
        h1 = np.maximum(h1p, 0)
        h2p = h1 @ W2 + b2
        h2 = np.maximum(h2p, 0)
        z = h2 @ W3 + b3
        z = z - z.max(1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(1, keepdims=True)
        loss = -np.log(p[rows, yb]).mean()
        dz = p.copy()
        dz[rows, yb] -= 1
        dz /= B
        dW3 = h2.T @ dz
        db3 = dz.sum(0)
        dh2 = dz @ W3.T
        dh2[h2p <= 0] = 0
        dW2 = h1.T @ dh2
        db2 = dh2.sum(0)
        dh1 = dh2 @ W2.T
        dh1[h1p <= 0] = 0
        dW1 = xb.T @ dh1
        db1 = dh1.sum(0)
        for p_, g in zip(params, (dW1, db1, dW2, db2, dW3, db3)):
            p_ -= LR * g
        return loss

    return step, forward, params


def make_torch(torch, weights, xb, yb):
    torch.set_num_threads(2)  # as peers_bench.py: the two cores NumPy's BLAS gets here
    m = torch.nn.Sequential(torch.nn.Linear(D, H1), torch.nn.ReLU(), torch.nn.Linear(H1, H2), torch.nn.ReLU(),
                            torch.nn.Linear(H2, K))
    with torch.no_grad():
        for layer, (w, b) in zip([m[0], m[2], m[4]], weights):
            layer.weight.copy_(torch.from_numpy(w.T.copy()))
            layer.bias.copy_(torch.from_numpy(b))
    opt = torch.optim.SGD(m.parameters(), lr=LR)
    x, y = torch.from_numpy(xb), torch.from_numpy(yb)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(m(x), y)
        loss.backward()
        opt.step()
        return loss

    return step, m


def paired_ratio(fa, fb, pairs, number):
    """time(fb) / time(fa) from back-to-back pairs, each timing the mean of ``number`` calls.

    On a shared machine a stall (another process taking a core from the BLAS
    threads) can multiply one timing several-fold; timing the two side by side
    puts both under the same conditions. Whichever runs second in a pair runs
    about 5% slower here (caches and memory left by the first), so half the
    pairs run fa first and half fb first, and the result is the geometric mean
    of the two orders' median ratios. It reads a few percent above the ratio of
    the medians: denpa's step runs slowest straight after NumPy's (the
    allocator's state after the other step's large temporaries), a cost that
    separate medians leave out.
    """
    import gc
    import math
    import statistics
    import time

    def clock(f):
        t0 = time.perf_counter()
        for _ in range(number):
            f()
        return time.perf_counter() - t0

    fa(), fb()
    gc.collect()
    if not C.GC_DURING_TIMING:
        gc.disable()
    try:
        a_first, b_first = [], []
        for _ in range(pairs):
            ta = clock(fa)
            a_first.append(clock(fb) / ta)
            tb = clock(fb)
            b_first.append(tb / clock(fa))
    finally:
        gc.enable()
    return math.sqrt(statistics.median(a_first) * statistics.median(b_first))


def check_agreement(np, model, step, np_step, np_params, torch_pair):
    """Same loss at the first step and the same weights after two, in every engine (float32 tolerances)."""
    problems = []
    l_ours, l_np = float(step()), float(np_step())
    if not np.isclose(l_ours, l_np, rtol=1e-5):
        problems.append(f"first loss {l_ours:.6f} (denpa) vs {l_np:.6f} (numpy)")
    step(), np_step()
    ours = [a for w, b in weights_of(model) for a in (w, b)]
    worst = max(float(np.abs(a - b).max()) for a, b in zip(ours, np_params))
    if worst > 1e-5:
        problems.append(f"weights after two steps differ from numpy's by up to {worst:.2g}")
    if torch_pair is not None:
        t_step, t_model = torch_pair
        l_t = float(t_step().detach())
        if not np.isclose(l_ours, l_t, rtol=1e-5):
            problems.append(f"first loss {l_ours:.6f} (denpa) vs {l_t:.6f} (torch)")
        t_step()
        tw = [t_model[i].weight.detach().numpy().T for i in (0, 2, 4)]
        worst = max(float(np.abs(a - b).max()) for a, b in zip(ours[::2], tw))
        if worst > 1e-5:
            problems.append(f"weights after two steps differ from torch's by up to {worst:.2g}")
    for p in problems:
        print(f"   WARNING: {p}")
    return not problems


def main(argv=None):
    args = C.parse(__doc__.splitlines()[0], argv)
    autograd = C.import_autograd()
    refs = C.preload("torch")
    import numpy as np

    import nn
    import optim

    repeat = args.repeat or (3 if args.quick else 21)
    number = 1 if args.quick else 3
    pairs = 2 if args.quick else max(repeat, 25)  # per order
    C.header(f"mlp: training step, MLP {D}-{H1}-{H2}-{K}, batch {B}, float32, cross-entropy, SGD lr {LR}",
             f"   median of {repeat} x {number} steps; one process, same weights for every engine")
    xb, yb = make_data(np)
    model, step, fwd_recorded, fwd_no_grad = make_denpa(autograd, nn, optim, xb, yb)
    weights = weights_of(model)
    np_step, np_forward, np_params = make_numpy(np, weights, xb, yb)
    torch, why = refs["torch"]
    torch_pair = make_torch(torch, weights, xb, yb) if torch is not None else None
    agree = check_agreement(np, model, step, np_step, np_params, torch_pair)

    # torch is timed last: its OpenMP threads keep spinning after a call and would slow NumPy's BLAS beside them
    t_np = C.timeit(np_step, repeat, number)
    C.row("numpy by hand", t_np)
    t_ours = C.timeit(step, repeat, number)
    C.row("denpa (nn + optim.SGD)", t_ours)
    C.ratio("denpa / numpy", t_ours, t_np, f"(target <= {TARGET})")
    r_step = paired_ratio(np_step, step, pairs, number)
    C.ratio("denpa / numpy, paired", r_step, 1.0, "(info: side-by-side pairs, both orders)")

    print("   -- forward only")
    out = fwd_no_grad()
    recorded_nothing = out.grad_fn is None and not out.requires_grad
    if not recorded_nothing:
        print("   WARNING: the no_grad forward recorded a graph")
    t_np_fwd = C.timeit(np_forward, repeat, number)
    C.row("numpy forward", t_np_fwd)
    t_rec = C.timeit(fwd_recorded, repeat, number)
    C.row("denpa forward + loss, recorded", t_rec, "  (the forward half of a step)")
    t_inf = C.timeit(fwd_no_grad, repeat, number)
    C.row("denpa forward under no_grad", t_inf)
    C.ratio("no_grad / numpy forward", t_inf, t_np_fwd, "")
    C.ratio("no_grad / recorded half", t_inf, t_rec, "(target <= 1)")
    r_inf = paired_ratio(fwd_recorded, fwd_no_grad, pairs, number)
    C.ratio("no_grad / recorded, paired", r_inf, 1.0, "(info: side-by-side pairs, both orders)")

    print("   -- PyTorch (info)")
    if torch_pair is not None:
        t_torch = C.timeit(torch_pair[0], repeat, number)
        C.row(f"torch {torch.__version__}", t_torch)
        C.ratio("denpa / torch", t_ours, t_torch, "(< 1 is faster than PyTorch)")
    else:
        C.skipped("torch", why)

    results = []
    if args.quick:
        C.verdict(f"step <= {TARGET}x numpy by hand", None, f"{t_ours / t_np:.2f}x; --quick run")
        C.verdict("no_grad forward <= recorded forward half", None, f"{t_inf / t_rec:.2f}x; --quick run")
    else:
        results.append(C.verdict(f"step <= {TARGET}x numpy by hand", agree and t_ours <= TARGET * t_np,
                                 f"{t_ours * 1e3:.2f} vs {t_np * 1e3:.2f} ms, {t_ours / t_np:.2f}x; "
                                 f"paired {r_step:.2f}x" + ("" if agree else "; results disagree")))
        results.append(C.verdict("no_grad forward <= recorded forward half", recorded_nothing and t_inf <= t_rec,
                                 f"{t_inf * 1e3:.2f} vs {t_rec * 1e3:.2f} ms, {t_inf / t_rec:.2f}x; "
                                 f"paired {r_inf:.2f}x" + ("" if recorded_nothing else "; it recorded a graph")))
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
