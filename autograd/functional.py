"""Higher-level derivatives built on :func:`autograd.grad`: vjp, jvp, jacobian, hessian.

>>> import autograd
>>> from autograd.functional import jacobian
>>> jacobian(lambda x: x ** 2, autograd.tensor([1.0, 2.0]))
tensor([[2., 0.],
        [0., 4.]])
"""
from __future__ import annotations

from .autograd_api import grad
from .grad_mode import enable_grad
from .tensor import Tensor


def _prep(inputs, create_graph):
    single = isinstance(inputs, Tensor)
    ins = (inputs,) if single else tuple(inputs)
    out = []
    for x in ins:
        if not isinstance(x, Tensor):
            x = Tensor(x)
        x = x if (create_graph and x.requires_grad) else x.detach().requires_grad_(True)
        out.append(x)
    return single, tuple(out)


def _as_tuple(x):
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _grads_or_zeros(outs, ins, v, create_graph):
    gs = grad(outs, ins, v, retain_graph=True, create_graph=create_graph, allow_unused=True)
    return tuple(g if g is not None else _zeros(x) for g, x in zip(gs, ins))


def _zeros(x):
    return Tensor._wrap(x._module().zeros_like(x.array), None)


def vjp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), v^T J)``: a vector-Jacobian product."""
    single, ins = _prep(inputs, create_graph)
    with enable_grad():
        outs = func(*ins)
        single_out = isinstance(outs, Tensor)
        outs_t = _as_tuple(outs)
        if v is None:
            for o in outs_t:
                if o.numel() != 1:
                    raise RuntimeError(f"vjp: v can only be omitted when func returns a single-element tensor, got shape {tuple(o.shape)}")
        vs = None if v is None else _as_tuple(v)
        res = _grads_or_zeros(outs_t, ins, vs, create_graph)
    outs_d = outs if create_graph else (outs.detach() if single_out else tuple(o.detach() for o in outs_t))
    return outs_d, (res[0] if single else res)


def jvp(func, inputs, v=None, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), J v)``: a Jacobian-vector product, by the double-vjp trick."""
    single, ins = _prep(inputs, create_graph)
    if v is None:
        if any(x.numel() != 1 for x in ins):
            raise RuntimeError("jvp: v can only be omitted when every input has a single element")
        vs = tuple(Tensor._wrap(x._module().ones_like(x.array), None) for x in ins)
    else:
        vs = _as_tuple(v)
    with enable_grad():
        outs = func(*ins)
        outs_t = _as_tuple(outs)
        # u is a dummy cotangent: g(u) = J^T u is linear in u, and its vjp with v is J v
        us = tuple(Tensor._wrap(o._module().zeros_like(o.array), None).requires_grad_(True) for o in outs_t)
        gs = grad(outs_t, ins, us, create_graph=True, allow_unused=True)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
        if not pairs:
            res = tuple(_zeros(o) for o in outs_t)
        else:
            jv = grad([g for g, _ in pairs], us, [vv for _, vv in pairs], create_graph=create_graph, allow_unused=True)
            res = tuple(j if j is not None else _zeros(o) for j, o in zip(jv, outs_t))
    single_out = isinstance(outs, Tensor)
    outs_d = outs if create_graph else (outs.detach() if single_out else tuple(o.detach() for o in outs_t))
    return outs_d, (res[0] if single_out else res)


def jacobian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False):
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` (tuples for several)."""
    from . import ops

    single, ins = _prep(inputs, create_graph)
    with enable_grad():
        outs = func(*ins)
        single_out = isinstance(outs, Tensor)
        outs_t = _as_tuple(outs)
        table = []
        for o in outs_t:
            rows = []
            flat = o.reshape(-1)
            for k in range(flat.shape[0]):
                rows.append(_grads_or_zeros((flat[k],), ins, None, create_graph))
            per_input = []
            for j, x in enumerate(ins):
                if rows:
                    per_input.append(ops.stack([r[j] for r in rows]).reshape(tuple(o.shape) + tuple(x.shape)))
                else:
                    per_input.append(_zeros(Tensor._wrap(x._module().zeros(tuple(o.shape) + tuple(x.shape), x.dtype), None)))
            table.append(per_input[0] if single else tuple(per_input))
    return table[0] if single_out else tuple(table)


def hessian(func, inputs, create_graph: bool = False, strict: bool = False, vectorize: bool = False):
    """The Hessian of scalar ``func`` at ``inputs``: shape ``in.shape + in.shape``."""
    single, ins = _prep(inputs, True)

    def gradient(*xs):
        out = func(*xs)
        if out.numel() != 1:
            raise RuntimeError(f"hessian: func must return a single-element tensor, got shape {tuple(out.shape)}")
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else _zeros(x) for g, x in zip(gs, xs)) if not single else (gs[0] if gs[0] is not None else _zeros(xs[0]))

    return jacobian(gradient, ins[0] if single else ins, create_graph=create_graph)


def hvp(func, inputs, v, create_graph: bool = False, strict: bool = False):
    """``(func(inputs), H v)``: a Hessian-vector product by double backward."""
    single, ins = _prep(inputs, True)
    vs = _as_tuple(v)
    with enable_grad():
        out = func(*ins)
        gs = grad(out, ins, create_graph=True)
        res = grad(gs, ins, vs, create_graph=create_graph, allow_unused=True)
    res = tuple(r if r is not None else _zeros(x) for r, x in zip(res, ins))
    return out.detach(), (res[0] if single else res)


vhp = hvp
