"""``backward`` and ``grad``: the entry points into the engine's walk."""
from __future__ import annotations

from typing import Optional, Sequence, Union

from .backend import array_module
from . import engine as _engine
from .node import Var
from .ops import TENSOR_OPS
from .tensor import Tensor


def _seq(x):
    return list(x) if isinstance(x, (list, tuple)) else [x]


def _root_grads(outputs, grad_outputs, create_graph, op):
    grads = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not isinstance(t, Var):
            raise TypeError(f"{op}: expected Tensors as outputs, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                f"{op}: element {i} of the outputs does not require grad and has no grad_fn; "
                "make a leaf require grad (tensor(..., requires_grad=True) or x.requires_grad_()) "
                "and run the forward outside no_grad()"
            )
        if g is None:
            if isinstance(t.array, float):
                g = 1.0
            else:
                if t.array.size != 1:
                    raise RuntimeError(
                        f"{op}: grad can be implicitly created only for scalar outputs; this output has shape "
                        f"{tuple(t.shape)}. Pass gradient=... of that shape (e.g. ones_like(y)), or reduce it first (y.sum())"
                    )
                g = array_module(t.array).empty(t.array.shape, t.array.dtype)
                g.fill(1)  # NumPy's ones/ones_like cost 3x more (Python-level wrappers)
            if create_graph and not isinstance(g, float):
                g = Tensor._wrap(g, None)
        else:
            if isinstance(g, Var):
                if not create_graph:
                    g = g.array
            elif not create_graph and not isinstance(t.array, float):
                from .backend import as_array

                g = as_array(g, dtype=t.array.dtype)
            elif create_graph:
                g = Tensor(g)
            gshape = getattr(g, "shape", ())
            if not isinstance(t.array, float) and tuple(gshape) != tuple(t.array.shape):
                raise RuntimeError(f"{op}: gradient has shape {tuple(gshape)} but the output has shape {tuple(t.array.shape)}; they must match")
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph: Optional[bool] = None, create_graph: bool = False, inputs=None) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves (or of ``inputs`` only)."""
    outputs = _seq(tensors)
    gouts = _seq(grad_tensors) if grad_tensors is not None else [None] * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outputs, gouts, create_graph, "backward")
    keep = isinstance(outputs[0].array, float)  # Scalar graphs (one backward never mixes Scalars and Tensors)
    if inputs is None:
        _engine.run_backward(outputs, roots, retain_graph, create_graph, keep_grads=keep, graph_ops=TENSOR_OPS)
        return
    inputs = _seq(inputs)
    capture = {}
    for t in inputs:
        capture.setdefault(t.grad_fn or t, len(capture))
    res = _engine.run_backward(outputs, roots, retain_graph, create_graph, capture=capture, graph_ops=TENSOR_OPS)
    for t in inputs:
        g = res[capture[t.grad_fn or t]]
        if g is None:
            continue
        if t.grad_fn is None:
            t._accumulate(g, set(), create_graph)
        else:  # a non-leaf named in inputs gets its gradient, as PyTorch does
            t.grad = g if create_graph else type(t)._wrap(g, None)


def grad(outputs, inputs, grad_outputs=None, retain_graph: Optional[bool] = None, create_graph: bool = False,
         allow_unused: Optional[bool] = None, materialize_grads: bool = False):
    """Gradients of ``outputs`` with respect to ``inputs``, returned as a tuple; ``.grad`` is left alone.

    >>> import autograd
    >>> x = autograd.tensor(2.0, requires_grad=True)
    >>> (g,) = autograd.grad(x ** 3, x, create_graph=True)
    >>> g, autograd.grad(g, x)[0]
    (tensor(12., grad_fn=<MulBackward>), tensor(12.))
    """
    outs = _seq(outputs)
    ins = _seq(inputs)
    gouts = _seq(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if len(gouts) != len(outs):
        raise ValueError(f"grad: got {len(gouts)} grad_outputs for {len(outs)} outputs")
    for i, t in enumerate(ins):
        if not isinstance(t, Var) or not t.requires_grad:
            raise RuntimeError(f"grad: input {i} does not require grad; call requires_grad_() on it before the forward pass")
    if retain_graph is None:
        retain_graph = create_graph
    roots = _root_grads(outs, gouts, create_graph, "grad")
    capture = {}
    slots = []
    for t in ins:
        e = t.grad_fn or t
        if e not in capture:
            capture[e] = len(capture)
        slots.append(capture[e])
    res = _engine.run_backward(outs, roots, retain_graph, create_graph, capture=capture, graph_ops=TENSOR_OPS)
    result = []
    for i, (t, s) in enumerate(zip(ins, slots)):
        g = res[s]
        if g is None:
            if materialize_grads:
                g = _zeros_like(t.array)
            elif not allow_unused:
                raise RuntimeError(
                    f"grad: input {i} (shape {tuple(getattr(t, 'shape', ()))}) was not used in the graph of the outputs; "
                    "pass allow_unused=True to get None for it"
                )
            else:
                result.append(None)
                continue
        if not isinstance(g, Var):
            g = type(t)._wrap(g, None) if not isinstance(t, Tensor) else Tensor._wrap(g, None)
        result.append(g)
    return tuple(result)


def _zeros_like(d):
    if isinstance(d, float):
        return 0.0
    return array_module(d).zeros_like(d)


def tensor_backward(self, gradient=None, retain_graph: Optional[bool] = None, create_graph: bool = False,
                    inputs=None) -> None:
    """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (``Tensor.backward``).

    >>> import autograd
    >>> x = autograd.tensor(3.0, requires_grad=True)
    >>> (x ** 2).backward(); x.grad
    tensor(6.)
    """
    backward(self, gradient, retain_graph, create_graph, inputs)
