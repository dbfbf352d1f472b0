"""A CNN training step: Conv2d(1, 16, 3, pad 1), ReLU, MaxPool 2, Conv2d(16, 32, 3, pad 1), ReLU, MaxPool 2,
Flatten, Linear(1568, 10); batch 64 of 1x28x28, float32, cross-entropy, SGD (lr 0.01).

The same model is built with ``nn`` modules in denpa and in PyTorch (weights
copied over through ``state_dict``, so both start identical and the script
checks they compute the same loss and gradients). A step is ``zero_grad``,
forward, loss, ``backward`` and ``optimizer.step()``. Also printed, for
information: each engine's forward alone under ``no_grad``.

Threads: NumPy's BLAS (OpenBLAS/MKL) uses every core for matrix products by
default, and PyTorch parallelises its kernels the same way; the script sets
``torch.set_num_threads`` to the number of BLAS threads NumPy gets (the CPU
count, or ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS`` when set). ``--threads N``
sets both to N (it sets those variables before NumPy is imported).

``--scaling`` also prints the step time at batch 64, 128 and 256 and with 2, 4
and 8 convolutions (the ones past the second a 32 -> 32 Conv2d + ReLU at 7x7).

Target: denpa's step at most 1.5 times PyTorch's CPU step in the same run.

    python benchmarks/cnn.py [--quick] [--repeat N] [--strict] [--no-gc] [--threads N] [--scaling]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

BATCH, LR, TARGET = 64, 0.01, 1.5
_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def parse(argv):
    p = C.parser(__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=None, help="threads for NumPy's BLAS and for PyTorch")
    p.add_argument("--scaling", action="store_true", help="also print step time at batch 64, 128, 256 and at "
                   "2, 4, 8 convolutions")
    args = p.parse_args(argv)
    C.GC_DURING_TIMING = not args.no_gc
    if args.threads is not None:  # before NumPy is imported, or its BLAS ignores them
        for var in _THREAD_VARS:
            os.environ[var] = str(args.threads)
    return args


def blas_threads() -> int:
    for var in _THREAD_VARS[:2]:
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var])
    return os.cpu_count() or 1


def faults_per_step(step, n=10):
    """Minor page faults per call (fresh memory the kernel maps in), or None where ``resource`` is missing."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    step()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n):
        step()
    return (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / n


def layers_of(nn, layers):
    """The model in ``nn`` (denpa's or torch's): ``layers`` convolutions, the first two pooled, the rest 32 -> 32 at 7x7."""
    body = [nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2)]
    for _ in range(layers - 2):
        body += [nn.Conv2d(32, 32, 3, padding=1), nn.ReLU()]
    return nn.Sequential(*body, nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def make_denpa(autograd, nn, optim, x, y, layers=2):
    autograd.manual_seed(0)
    model = layers_of(nn, layers)
    opt = optim.SGD(model.parameters(), lr=LR)
    xt, yt = autograd.tensor(x), autograd.tensor(y)
    F = nn.functional

    def step():
        opt.zero_grad()
        loss = F.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    def forward():
        with autograd.no_grad():
            return model(xt)

    return model, step, forward


def make_torch(torch, state, x, y, layers=2):
    tnn = torch.nn
    model = layers_of(tnn, layers)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        opt.zero_grad()
        loss = tnn.functional.cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()
        return loss

    def forward():
        with torch.no_grad():
            return model(xt)

    return model, step, forward


def check_same(np, autograd, nn, optim, torch, x, y):
    """One loss and its gradients from both engines on the same weights (a fresh pair of models)."""
    model, _, _ = make_denpa(autograd, nn, optim, x, y)
    state = {k: v.numpy() for k, v in model.state_dict().items()}
    tmodel, _, _ = make_torch(torch, state, x, y)
    loss = nn.functional.cross_entropy(model(autograd.tensor(x)), autograd.tensor(y))
    loss.backward()
    tloss = torch.nn.functional.cross_entropy(tmodel(torch.from_numpy(x)), torch.from_numpy(y))
    tloss.backward()
    worst = abs(float(loss.item()) - float(tloss.item()))
    tgrads = dict(tmodel.named_parameters())
    for name, p in model.named_parameters():
        g, tg = p.grad.numpy(), tgrads[name].grad.numpy()
        worst = max(worst, float(np.abs(g - tg).max() / (np.abs(tg).max() + 1e-12)))
    if worst > 1e-3:
        print(f"   WARNING: loss or gradients differ from torch's (worst relative difference {worst:.3g})")
    else:
        print(f"   same loss and gradients as torch (worst relative difference {worst:.2g})")


def scaling(autograd, nn, optim, torch, np, quick):
    """The ``--scaling`` rows: batch 1x, 2x, 4x of the model, and 2, 4, 8 convolutions at batch 64."""
    import _workload as W

    def make(config):
        layers, batch = config
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch, 1, 28, 28)).astype(np.float32)
        y = rng.integers(0, 10, batch)
        model, step, _ = make_denpa(autograd, nn, optim, x, y, layers)
        steps = {"denpa": step}
        if torch is not None:
            state = {k: v.numpy() for k, v in model.state_dict().items()}
            steps["torch"] = make_torch(torch, state, x, y, layers)[1]
        for s in steps.values():
            s()
        return steps

    groups = [("batch", [(str(BATCH * f), f, (2, BATCH * f)) for f in (1, 2, 4)]),
              ("layers", [(str(n), n // 2, (n, BATCH)) for n in (2, 4, 8)])]
    return W.scaling(groups, make, 2 if quick else 7, number=1 if quick else 3, judge=not quick)


def main(argv=None):
    args = parse(argv)
    autograd = C.import_autograd()
    refs = C.preload("torch")
    import numpy as np

    import nn
    import optim

    threads = blas_threads()
    repeat = args.repeat or (3 if args.quick else 15)
    number = 1 if args.quick else 3
    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, BATCH)

    torch, why = refs["torch"]
    if torch is not None:
        torch.set_num_threads(threads)
    C.header("cnn: conv-relu-pool x2 + linear, batch 64 of 1x28x28, float32, cross-entropy, SGD step",
             f"   median of {repeat} x {number} steps; NumPy BLAS threads {threads}, torch.set_num_threads({threads})")

    model, step, forward = make_denpa(autograd, nn, optim, x, y)
    t_fwd = C.timeit(forward, repeat, number)
    C.row("denpa forward (no_grad)", t_fwd)
    t_ours = C.timeit(step, repeat, number)
    C.row("denpa step", t_ours)

    t_torch = tstep = None
    if torch is not None:
        state = {k: v.numpy() for k, v in model.state_dict().items()}
        _, tstep, tforward = make_torch(torch, state, x, y)
        t_tfwd = C.timeit(tforward, repeat, number)
        C.row(f"torch {torch.__version__} forward", t_tfwd)
        t_torch = C.timeit(tstep, repeat, number)
        C.row(f"torch {torch.__version__} step", t_torch)
        check_same(np, autograd, nn, optim, torch, x, y)
        C.ratio("denpa / torch", t_ours, t_torch, f"(target <= {TARGET:g})")
    else:
        C.skipped("torch", why)
    C.ratio("denpa forward / step", t_fwd, t_ours, "(inference share of a training step)")
    faults = [(name, faults_per_step(f)) for name, f in (("denpa", step), ("torch", tstep)) if f is not None]
    if faults[0][1] is not None:
        print("   page faults per step (info): " + ", ".join(f"{name} {n:.0f}" for name, n in faults))

    results = []
    if args.scaling:
        results.append(scaling(autograd, nn, optim, torch, np, args.quick))
    if args.quick or t_torch is None:
        C.verdict(f"<= {TARGET:g}x PyTorch", None, "--quick run" if args.quick else "torch not importable")
    else:
        results.append(C.verdict(f"<= {TARGET:g}x PyTorch", t_ours <= TARGET * t_torch,
                                 f"{t_ours * 1e3:.1f} ms vs {t_torch * 1e3:.1f} ms"))
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
