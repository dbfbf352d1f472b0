"""Every Node class under autograd/ops is recorded by some test input: the registry's ops (first and second
order) and nn.functional's fused ops. A new Node class that nothing here records fails the test, so an op
cannot land where the registry cannot see it."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
from hypothesis import HealthCheck, assume, given, settings

import autograd
import autograd.ops
import nn
from autograd.node import Node, Var
from registry import REGISTRY
from test_registry import to_tensors

F = nn.functional


def _ops_node_classes():
    found = set()
    for info in pkgutil.iter_modules(autograd.ops.__path__):
        module = importlib.import_module(f"autograd.ops.{info.name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Node) and cls.__module__ == module.__name__ and not cls.__name__.startswith("_"):
                found.add(cls)
    return found


def _nodes(roots):
    """Node classes reachable from ``roots`` (Tensors or tuples of them)."""
    seen, todo, out = set(), [], set()
    for r in roots:
        if isinstance(r, Var) and r.grad_fn is not None:
            todo.append(r.grad_fn)
    while todo:
        n = todo.pop()
        if id(n) in seen or not isinstance(n, Node):
            continue
        seen.add(id(n))
        out.add(type(n))
        todo.extend(p for p in n.parents if p is not None and isinstance(p, Node))
    return out


def _first_and_second_order(outs, leaves):
    """Node classes of the forward graph and of the graph its create_graph gradients record."""
    outs = [o for o in outs if isinstance(o, Var) and o.requires_grad and o.dtype.kind == "f"]
    found = _nodes(outs)
    if outs and leaves:
        total = sum((o * o).sum() for o in outs)
        grads = autograd.grad(total, leaves, create_graph=True, allow_unused=True)
        grads = [g for g in grads if g is not None and g.requires_grad]
        found |= _nodes(grads)
        if grads:
            again = autograd.grad(sum((g * g).sum() for g in grads), leaves, create_graph=True, allow_unused=True)
            found |= _nodes([g for g in again if g is not None])
    return found


def _recorder(spec, found):
    # a few drawn cases per op (options such as norm's p or var's correction take other paths), derandomized so
    # every run draws the same ones
    @settings(max_examples=8, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(spec.cases())
    def record(case):
        args, kw = case
        assume(spec.domain is None or spec.domain(args, kw))
        ts = to_tensors(args)
        out = spec.fn(*ts, **kw)
        outs = list(out) if isinstance(out, (tuple, list)) else [out]
        leaves = [t for t in ts if isinstance(t, Var) and t.requires_grad]
        found.update(_first_and_second_order(outs, leaves))

    return record


def _registry_nodes():
    found = set()
    for spec in REGISTRY:
        _recorder(spec, found)()
    return found


def _nn_nodes():
    """The fused ops nn.functional records (convolution, pooling, normalisation, losses, embedding) and casts."""
    r = np.random.default_rng(0)

    def t(*shape, grad=True):
        return autograd.tensor(r.standard_normal(shape), dtype=autograd.float64, requires_grad=grad)

    x, w, b = t(2, 2, 5, 5), t(3, 2, 3, 3), t(3)
    wt = t(2, 3, 3, 3)
    v = t(3, 4)
    cases = [
        ([autograd.var(v, dim=1), autograd.std(v), autograd.norm(v, p=2)], [v]),
        ([F.conv2d(x, w, b, stride=2)], [x, w, b]),
        ([F.conv_transpose2d(x, wt, stride=2)], [x, wt]),
        ([F.max_pool2d(x, 2)], [x]),
        ([F.avg_pool2d(x, 2, stride=1)], [x]),
        ([F.batch_norm(x, None, None, training=True)], [x]),
        ([F.batch_norm(x, None, None, t(2), t(2), training=True)], []),
        ([F.binary_cross_entropy(autograd.sigmoid(x), autograd.full(x.shape, 0.3, dtype=autograd.float64))], [x]),
        ([F.cross_entropy(t(4, 3), autograd.tensor([0, 2, 1, 0]))], []),
        ([F.embedding(autograd.tensor([0, 2, 2]), t(3, 4))], []),
        ([x.to("float32"), x.clone(), x.to("cpu", copy=True)], [x]),
    ]
    found = set()
    for outs, leaves in cases:
        leaves = leaves or [p for o in outs for p in o.grad_fn.parents if isinstance(p, Var)]
        found |= _first_and_second_order(outs, leaves)
    return found


def test_every_node_class_is_recorded_by_a_test_input():
    seen = _registry_nodes() | _nn_nodes()
    if not autograd.cuda.is_available():  # a copy between devices needs a second device (tests/test_device.py)
        seen.add(autograd.ops.cast.ToDevice)
    missing = sorted(c.__module__ + "." + c.__name__ for c in _ops_node_classes() - seen)
    assert not missing, f"Node classes no registry entry or nn case records (add a registry row): {missing}"
