"""An optimizer step against the whole training step it belongs to, on the 784-512-256-10 MLP.

The MLP of ``peers_bench.py`` (batch 128, float32, ReLU, cross-entropy) built
from plain tensors and autograd ops (``x @ W.T + b``, ``autograd.relu``,
``autograd.log_softmax``), so this measures the optimizer and the engine only.
A training step is ``zero_grad``, forward, loss, ``backward`` and
``optimizer.step()``; the optimizer step alone is timed over the same six
parameters (535,818 floats) with their gradients in place. Done for SGD with
momentum and for Adam; PyTorch's optimizer steps on the same shapes are
printed for information when torch is importable. A last, informational
section times a step over 200 small parameters (10 floats each), where the
per-parameter Python cost of the loop over parameters is all there is.

Target: the optimizer step costs at most a tenth of the training step (both
optimizers).

    python benchmarks/optim_step.py [--quick] [--repeat N] [--strict] [--no-gc]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

B, D, H1, H2, K = 128, 784, 512, 256, 10
TARGET = 0.1


def make_model(autograd, np, seed=0):
    """The MLP's weights, initialised as PyTorch's Linear does (uniform in +-1/sqrt(fan_in))."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in ((D, H1), (H1, H2), (H2, K)):
        bound = 1 / np.sqrt(fan_in)
        params.append(autograd.tensor(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32), requires_grad=True))
        params.append(autograd.tensor(rng.uniform(-bound, bound, fan_out).astype(np.float32), requires_grad=True))
    x = autograd.tensor(rng.standard_normal((B, D)).astype(np.float32))
    y = rng.integers(0, K, B)
    return params, x, y


def make_steps(autograd, optim, np, opt_cls, **kw):
    params, x, y = make_model(autograd, np)
    W1, b1, W2, b2, W3, b3 = params
    opt = opt_cls(params, **kw)
    rows = np.arange(B)

    def loss_fn():
        h = autograd.relu(x @ W1.T + b1)
        h = autograd.relu(h @ W2.T + b2)
        return -autograd.log_softmax(h @ W3.T + b3, -1)[rows, y].mean()

    def train_step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        return loss

    return train_step, opt.step, params


def make_torch_step(torch, opt_name, **kw):
    params = [torch.zeros(s, requires_grad=True) for s in ((H1, D), (H1,), (H2, H1), (H2,), (K, H2), (K,))]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    return getattr(torch.optim, opt_name)(params, **kw).step


def main(argv=None):
    args = C.parse(__doc__.splitlines()[0], argv)
    autograd = C.import_autograd()
    refs = C.preload("torch")
    import numpy as np

    import optim

    repeat = args.repeat or (3 if args.quick else 15)
    C.header(f"optim_step: optimizer step vs training step, MLP {D}-{H1}-{H2}-{K}, batch {B}, float32",
             f"   median of {repeat} calls; the optimizer step is timed with the gradients of one backward in place")
    torch, why = refs["torch"]
    if torch is not None:
        torch.set_num_threads(2)  # as peers_bench.py: the same two cores NumPy's BLAS gets here
    results = []
    for label, cls, kw in (("SGD(momentum=0.9)", optim.SGD, dict(lr=0.01, momentum=0.9)),
                           ("Adam", optim.Adam, dict(lr=1e-3))):
        train_step, opt_step, params = make_steps(autograd, optim, np, cls, **kw)
        loss0 = float(train_step())
        for _ in range(3):
            train_step()
        if not float(train_step()) < loss0:
            print(f"   WARNING: {label}: the loss did not fall over 5 training steps")
        t_train = C.timeit(train_step, repeat)
        C.row(f"{label}: training step", t_train)
        t_opt = C.timeit(opt_step, repeat)
        C.row(f"{label}: optimizer step", t_opt, f"  ({sum(p.array.size for p in params):,} floats)")
        if torch is not None:
            t_torch = C.timeit(make_torch_step(torch, cls.__name__, **kw), repeat)
            C.row(f"{label}: torch optimizer step", t_torch, "  (info)")
        C.ratio(f"{label}: opt / train", t_opt, t_train, f"(<= {TARGET} meets the target)")
        ok = None if args.quick else t_opt <= TARGET * t_train
        results.append(C.verdict(f"{label} step <= 1/10 of training step", ok,
                                 f"{t_opt * 1e3:.2f} of {t_train * 1e3:.2f} ms, {t_opt / t_train:.3f}"
                                 + ("; --quick run" if args.quick else "")))
    if torch is None:
        C.skipped("torch optimizer steps", why)
    many_small_params(autograd, optim, np, torch, repeat)
    return C.finish(results, args)


def many_small_params(autograd, optim, np, torch, repeat, n=200):
    """The loop over parameters: microseconds per parameter when each holds 10 floats (info)."""
    print(f"   -- a step over {n} parameters of 10 floats: us per parameter (info)")
    rng = np.random.default_rng(1)
    for label, name, kw in (("SGD(momentum=0.9)", "SGD", dict(lr=0.01, momentum=0.9)), ("Adam", "Adam", {})):
        params = [autograd.tensor(rng.standard_normal(10).astype(np.float32), requires_grad=True) for _ in range(n)]
        for p in params:
            p.grad = autograd.tensor(rng.standard_normal(10).astype(np.float32))
        t = C.timeit(getattr(optim, name)(params, **kw).step, repeat)
        extra = ""
        if torch is not None:
            tp = [torch.randn(10, requires_grad=True) for _ in range(n)]
            for p in tp:
                p.grad = torch.randn(10)
            t_single = C.timeit(getattr(torch.optim, name)(tp, foreach=False, **kw).step, repeat)
            t_foreach = C.timeit(getattr(torch.optim, name)(tp, foreach=True, **kw).step, repeat)
            extra = f"   torch {t_single / n * 1e6:.2f} (foreach {t_foreach / n * 1e6:.2f})"
        print(f"   {label + ': per parameter':28s} {t / n * 1e6:10.2f} us{extra}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
