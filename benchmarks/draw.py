"""Drawing a large graph: the time ``autograd.draw`` takes to build the DOT source of a 5,000-op graph.

Three graphs of 5,000 ops each, built once; what is timed is
``autograd.draw(y).source`` (walking the graph, recovering shapes, labels,
module clusters, the DOT text), not Graphviz's layout, which is the ``dot``
program's business and takes far longer on a graph this size:

- tensors: ``z = tanh(z * w[i % 50])`` 2,500 times on 16 floats (50 shared weights);
- an ``nn.Sequential`` of 1,250 ``Linear(16, 16)`` + ``Tanh`` pairs (2,500
  parameters, 2,500 module clusters), drawn expanded and with ``collapse=1``;
- Scalars: a chain of ``tanh(z * w + b)`` (every node showing data and grad).

Target: the DOT source of each 5,000-op graph in under 0.5 s ("well under a second").

    python benchmarks/draw.py [--quick] [--repeat N] [--strict] [--no-gc]
"""
from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

N_OPS = 5000
TARGET_S = 0.5


def tensor_graph(autograd, n_ops):
    w = [autograd.randn(16, requires_grad=True) for _ in range(50)]
    z = autograd.randn(16, requires_grad=True)
    for i in range(n_ops // 2):
        z = (z * w[i % 50]).tanh()
    return z


def module_graph(autograd, n_ops):
    import nn

    layers = []
    for _ in range(n_ops // 4):  # Linear: permute (weight.T), matmul, add; Tanh: tanh
        layers += [nn.Linear(16, 16), nn.Tanh()]
    return nn.Sequential(*layers)(autograd.randn(8, 16))


def scalar_graph(autograd, n_ops):
    z = autograd.Scalar(0.5, name="x")
    for i in range(n_ops // 3):
        z = (z * autograd.Scalar(0.9, name=f"w{i}") + autograd.Scalar(0.1, name=f"b{i}")).tanh()
    z.backward()
    return z


def main(argv=None):
    args = C.parse(__doc__.splitlines()[0], argv)
    autograd = C.import_autograd()
    n = 500 if args.quick else N_OPS
    repeat = args.repeat or (2 if args.quick else 7)
    C.header(f"draw: DOT source of {n}-op graphs", f"   median of {repeat} calls of autograd.draw(y).source")

    autograd.manual_seed(0)
    cases = [("tensors", tensor_graph(autograd, n), {})]
    try:
        model_out = module_graph(autograd, n)
    except (ImportError, AttributeError) as e:  # nn not built yet in this checkout
        C.skipped("nn.Sequential", f"{type(e).__name__}: {e}")
    else:
        cases += [("nn.Sequential, expanded", model_out, {}), ("nn.Sequential, collapse=1", model_out, {"collapse": 1})]
    cases.append(("Scalars, data and grad", scalar_graph(autograd, n), {}))

    results = []
    for label, y, kw in cases:
        t = C.timeit(lambda: autograd.draw(y, **kw).source, repeat)
        C.row(label, t, f"   {t / n * 1e6:6.1f} µs/op")
        if args.quick:
            C.verdict(f"{label}: < {TARGET_S:g} s", None, f"{t:.3f} s; --quick run")
        else:
            results.append(C.verdict(f"{label}: < {TARGET_S:g} s", t < TARGET_S, f"{t:.3f} s"))
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
