"""A network of Scalars, micrograd-style: one training step of an MLP(2, [16, 16, 1]) on 100 points.

The model is written the way a course writes it: a ``Neuron`` holds a list of
weight Scalars and a bias, a ``Layer`` a list of neurons, an ``MLP`` a list of
layers; ReLU on the hidden layers, a linear output. One step is the forward
pass over 100 points of 2 features, a max-margin loss
``sum(relu(1 - y_i * score_i)) / 100``, zeroing the grads, ``loss.backward()``
and an SGD update ``p.array -= 0.01 * p.grad`` (about 61,000 Scalar ops a step).
micrograd runs the same step with the code of peers_bench.py's
``scalar_micrograd``; both engines get the same data as Python floats and,
before timing, the same weights, so the script also checks that their losses
and gradients agree.

Target: at least 3x faster than micrograd in the same run.

micrograd's graph is full of reference cycles (each ``Value`` holds a closure
that refers back to it), so with the garbage collector on, as in real use, it
pays for many collections; the "gc off (info)" lines show both engines with the
collector off, i.e. the cost of the graph bookkeeping alone.

    python benchmarks/scalar.py [--quick] [--repeat N] [--strict] [--no-gc]
"""
from __future__ import annotations

import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

N_POINTS = 100
SIZES = (2, [16, 16, 1])
LR = 0.01
TARGET = 3.0


def data(n):
    import numpy as np

    r = np.random.default_rng(1)
    X = r.standard_normal((n, 2))
    Y = np.sign(r.standard_normal(n))
    return X.tolist(), Y.tolist()


def denpa_model():
    """The MLP a teacher would write with ``autograd.Scalar`` (what is being timed)."""
    from autograd import Scalar

    class Neuron:
        def __init__(self, nin, nonlin=True):
            self.w = [Scalar(random.uniform(-1, 1)) for _ in range(nin)]
            self.b = Scalar(0.0)
            self.nonlin = nonlin

        def __call__(self, x):
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
            return act.relu() if self.nonlin else act

        def parameters(self):
            return self.w + [self.b]

    class Layer:
        def __init__(self, nin, nout, nonlin=True):
            self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

        def __call__(self, x):
            out = [n(x) for n in self.neurons]
            return out[0] if len(out) == 1 else out

        def parameters(self):
            return [p for n in self.neurons for p in n.parameters()]

    class MLP:
        def __init__(self, nin, nouts):
            sizes = [nin] + nouts
            self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))]

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return x

        def parameters(self):
            return [p for layer in self.layers for p in layer.parameters()]

        def zero_grad(self):
            for p in self.parameters():
                p.grad = 0.0

    return MLP(*SIZES)


def make_denpa(X, Y, model=None):
    from autograd import Scalar

    m = model or denpa_model()

    def f():
        scores = [m([Scalar(v) for v in x]) for x in X]
        loss = sum((1 - yi * s).relu() for yi, s in zip(Y, scores)) / len(Y)
        m.zero_grad()
        loss.backward()
        for p in m.parameters():
            p.array -= LR * p.grad
        return loss

    return f, m


def make_micrograd(X, Y, model=None):
    """peers_bench.py's ``scalar_micrograd``, on the same data."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    m = model or MLP(*SIZES)

    def f():
        scores = [m(list(map(Value, x))) for x in X]
        loss = sum((1 + -yi * s).relu() for yi, s in zip(Y, scores)) * (1.0 / len(Y))
        m.zero_grad()
        loss.backward()
        for p in m.parameters():
            p.data -= 0.01 * p.grad  # micrograd's Value keeps its float in .data
        return loss

    return f, m


def check_against_micrograd(X, Y):
    """Same weights in both engines: the same loss and gradients, or a warning."""
    f_mg, m_mg = make_micrograd(X, Y)
    m_ours = denpa_model()
    for p, q in zip(m_ours.parameters(), m_mg.parameters()):
        p.array = float(q.data)
    f_ours, _ = make_denpa(X, Y, m_ours)
    l_ours, l_mg = f_ours().array, f_mg().data
    g_ours = [p.grad for p in m_ours.parameters()]
    g_mg = [p.grad for p in m_mg.parameters()]
    worst = max(abs(a - b) for a, b in zip(g_ours + [l_ours], g_mg + [l_mg]))
    if worst > 1e-12:
        print(f"   WARNING: denpa and micrograd disagree on the same weights (max abs diff {worst:.3g})")
    else:
        print(f"   check: same loss ({l_ours:.6f}) and {len(g_ours)} parameter gradients as micrograd")


def main(argv=None):
    args = C.parse(__doc__.splitlines()[0], argv)
    C.import_autograd()
    refs = C.preload("micrograd.engine", "micrograd.nn")
    random.seed(0)

    n = 20 if args.quick else N_POINTS
    repeat = args.repeat or (2 if args.quick else 7)
    X, Y = data(n)
    C.header(f"scalar: MLP(2, [16, 16, 1]) of Scalars, one SGD step on {n} points (max-margin loss)",
             f"   median of {repeat} calls")

    f, m = make_denpa(X, Y)
    t_ours = C.timeit(f, repeat)
    C.row("denpa Scalar", t_ours)
    info = C.GC_DURING_TIMING and not args.quick
    if info:
        C.row("denpa Scalar, gc off (info)", C.timeit(f, repeat, gc_on=False))

    mg, why = refs["micrograd.nn"]
    t_mg = None
    if mg is not None:
        f, _ = make_micrograd(X, Y)
        t_mg = C.timeit(f, repeat)
        C.row("micrograd", t_mg)
        if info:
            C.row("micrograd, gc off (info)", C.timeit(f, repeat, gc_on=False))
        check_against_micrograd(X, Y)
    else:
        C.skipped("micrograd", why)

    results = []
    if t_mg is not None:
        C.ratio("micrograd / denpa", t_mg, t_ours, f"(speed-up; >= {TARGET:g} meets the target)")
        if args.quick:
            C.verdict(f">= {TARGET:g}x faster than micrograd", None, f"{t_mg / t_ours:.2f}x; --quick run")
        else:
            results.append(C.verdict(f">= {TARGET:g}x faster than micrograd", t_mg / t_ours >= TARGET,
                                     f"{t_mg / t_ours:.2f}x"))
    else:
        C.verdict(f">= {TARGET:g}x faster than micrograd", None, "micrograd not importable")
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
