"""Gradient checks: analytic Jacobians (from ``autograd.grad``) against central finite differences."""
from __future__ import annotations

import warnings

import numpy as np

from ..autograd_api import grad as _grad
from ..grad_mode import enable_grad
from ..tensor import Tensor

__all__ = ["GradcheckError", "GradcheckWarning", "gradcheck", "gradgradcheck"]


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with finite differences (the message says where, and shows both)."""


class GradcheckWarning(UserWarning):
    """A gradient check had to change its inputs (e.g. float32 made float64) to run."""


def _as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _host(a):
    """A Tensor's data (or an array) as a NumPy array."""
    return np.asarray(a)  # Tensor.__array__ copies device data to the host


def _leaf(data):
    """A fresh float64 leaf that requires grad, owning ``data``."""
    return Tensor._wrap(data, None).requires_grad_(True)


def _prepare(inputs, op):
    """Inputs as a list with float64 leaf copies at the positions to differentiate, and those positions.

    The inputs to differentiate are the Tensors that require grad, or, when none
    does, every floating-point Tensor."""
    args = list(_as_tuple(inputs))
    tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    want = [i for i in tensors if args[i].requires_grad]
    if not want:
        want = [i for i in tensors if args[i].dtype.kind == "f"]
    if not want:
        raise ValueError(f"{op}: no input is a floating-point Tensor, so there is nothing to differentiate; "
                         "pass e.g. autograd.tensor(data, dtype='float64', requires_grad=True)")
    for i in want:
        x = args[i]
        if x.dtype.kind != "f":
            raise TypeError(f"{op}: input {i} has dtype {x.dtype}; only real floating-point inputs can be checked")
        if x.dtype.itemsize < 8:
            warnings.warn(
                f"{op}: input {i} is {x.dtype}, too coarse for finite differences; checking on a float64 copy "
                "(make inputs float64 to silence this)", GradcheckWarning, stacklevel=3)
        args[i] = _leaf(np.array(_host(x), dtype=np.float64, copy=True))
    return args, want


def _outputs(res, op):
    outs = _as_tuple(res)
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{op}: the function must return a Tensor or a tuple of Tensors; "
                            f"output {k} is {type(o).__name__}")
    return outs


def _diff_outputs(outs):
    """Indices of the floating-point outputs (integer outputs such as argmax indices are skipped)."""
    return [k for k, o in enumerate(outs) if o.dtype.kind == "f"]


def _evaluate(fn, args, i, data, out_idx, shapes, op):
    """fn with input ``i`` replaced by a leaf holding ``data``; the chosen outputs as float64 arrays."""
    a = list(args)
    a[i] = _leaf(data)
    outs = _outputs(fn(*a), op)
    res = []
    for k in out_idx:
        v = np.asarray(_host(outs[k]), dtype=np.float64)
        if v.shape != shapes[k]:
            raise GradcheckError(f"{op}: output {k} has shape {v.shape} after perturbing input {i}, "
                                 f"but {shapes[k]} before")
        res.append(v)
    return res


def _numerical(fn, args, i, out_idx, shapes, eps, op):
    """Central differences: one list entry per output, each (output.size, input.size)."""
    x0 = _host(args[i])
    n = x0.size
    jac = [np.zeros((int(np.prod(shapes[k], dtype=np.int64)), n)) for k in out_idx]
    for j in range(n):
        xp = x0.copy()
        xp.reshape(-1)[j] += eps
        xm = x0.copy()
        xm.reshape(-1)[j] -= eps
        fp = _evaluate(fn, args, i, xp, out_idx, shapes, op)
        fm = _evaluate(fn, args, i, xm, out_idx, shapes, op)
        for col, p, m in zip(jac, fp, fm):
            col[:, j] = (p - m).reshape(-1) / (2 * eps)
    return jac


def _check_grad(g, x, i, op):
    gd = _host(g)
    if gd.shape != x.shape:
        raise GradcheckError(f"{op}: the gradient for input {i} has shape {gd.shape}, "
                             f"but the input has shape {tuple(x.shape)}")
    if gd.dtype != x.dtype:
        raise GradcheckError(f"{op}: the gradient for input {i} has dtype {gd.dtype}, "
                             f"but the input has dtype {x.dtype}")
    return gd


def _analytical(outs, out_idx, args, want, op):
    """Row by row with one-hot upstream gradients: {(k, i): (output.size, input.size)}."""
    ins = [args[i] for i in want]
    jac = {}
    for k in out_idx:
        o = outs[k]
        for i in want:
            jac[k, i] = np.zeros((o.size, args[i].size))
        if not o.requires_grad:
            continue  # a constant output: zero Jacobian
        for r in range(o.size):
            onehot = np.zeros(o.shape, dtype=o.dtype)
            onehot.reshape(-1)[r] = 1
            gs = _grad(o, ins, grad_outputs=onehot, retain_graph=True, allow_unused=True)
            for i, g in zip(want, gs):
                if g is not None:
                    jac[k, i][r] = _check_grad(g, args[i], i, op).reshape(-1)
    return jac


def _zero_upstream(outs, out_idx, args, want, op):
    """A zero upstream gradient must give zero (or no) gradients."""
    live = [outs[k] for k in out_idx if outs[k].requires_grad]
    if not live:
        return
    zeros = [np.zeros(o.shape, dtype=o.dtype) for o in live]
    gs = _grad(live, [args[i] for i in want], grad_outputs=zeros, retain_graph=True, allow_unused=True)
    for i, g in zip(want, gs):
        if g is None:
            continue
        gd = _check_grad(g, args[i], i, op)
        if np.any(gd != 0):
            raise GradcheckError(
                f"{op}: backward with a zero upstream gradient gave a non-zero gradient for input {i}:\n{_fmt(gd)}")


def _fmt(a):
    with np.printoptions(precision=6, suppress=True, linewidth=120, threshold=400):
        return np.array2string(np.asarray(a))


def _mismatch(op, k, i, shape_out, shape_in, num, ana, atol, rtol):
    diff = np.abs(num - ana)
    r, c = np.unravel_index(int(np.argmax(np.where(np.isnan(diff), np.inf, diff))), diff.shape)  # NaN is the worst
    return GradcheckError(
        f"{op}: Jacobian mismatch for output {k} with respect to input {i}\n"
        f"input {i} has shape {tuple(shape_in)}, output {k} has shape {tuple(shape_out)}; "
        f"row r, column c holds d output[r] / d input[c] (elements in C order)\n"
        f"max abs difference {diff[r, c]:.6g} at row {r}, column {c} (atol={atol}, rtol={rtol})\n"
        f"numerical:\n{_fmt(num)}\n"
        f"analytical:\n{_fmt(ana)}"
    )


def gradcheck(fn, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              check_zero_grad: bool = True) -> bool:
    """Compare the gradients of ``fn`` with central finite differences, in float64.

    ``inputs`` is a Tensor or a tuple of arguments; the Tensors that require grad
    (or, if none does, every floating-point Tensor) are checked, on float64
    copies (float32 ones with a :class:`GradcheckWarning`). ``fn`` returns a
    Tensor or a tuple of them; integer outputs are skipped. With
    ``check_zero_grad``, a zero upstream gradient must also give zero gradients.
    Returns True; on a mismatch raises :class:`GradcheckError` naming the input
    and output and showing both Jacobians (or returns False when
    ``raise_exception=False``).

    >>> import autograd
    >>> from autograd.testing import gradcheck
    >>> x = autograd.tensor([0.5, -1.0, 2.0], dtype="float64", requires_grad=True)
    >>> gradcheck(lambda t: (t * t.sin()).sum(), (x,))
    True
    """
    op = "gradcheck"
    try:
        with enable_grad():
            args, want = _prepare(inputs, op)
            outs = _outputs(fn(*args), op)
            out_idx = _diff_outputs(outs)
            shapes = {k: tuple(outs[k].shape) for k in out_idx}
            ana = _analytical(outs, out_idx, args, want, op)
            for i in want:
                num = _numerical(fn, args, i, out_idx, shapes, eps, op)
                for k, n in zip(out_idx, num):
                    a = ana[k, i]
                    if not np.allclose(a, n, rtol=rtol, atol=atol):
                        raise _mismatch(op, k, i, shapes[k], args[i].shape, n, a, atol, rtol)
            if check_zero_grad:
                _zero_upstream(outs, out_idx, args, want, op)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(fn, inputs, grad_outputs=None, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True, check_zero_grad: bool = True, seed: int = 0) -> bool:
    """Check second derivatives: :func:`gradcheck` of the gradient function
    ``(inputs, grad_outputs) -> grad(fn(inputs), inputs, grad_outputs, create_graph=True)``.

    ``grad_outputs`` (one per floating-point output of ``fn``) are drawn from a
    normal distribution seeded by ``seed`` when not given; they are checked as
    inputs too. Error messages number inputs as ``inputs`` then ``grad_outputs``,
    and outputs as the gradients of the inputs being checked.

    >>> import autograd
    >>> from autograd.testing import gradgradcheck
    >>> x = autograd.tensor([0.5, -1.0], dtype="float64", requires_grad=True)
    >>> gradgradcheck(lambda t: t.tanh() * t, (x,))
    True
    """
    op = "gradgradcheck"
    with enable_grad():
        args, want = _prepare(inputs, op)
        outs = _outputs(fn(*args), op)
    out_idx = _diff_outputs(outs)
    if not out_idx:
        raise ValueError(f"{op}: the function has no floating-point output to differentiate")
    if grad_outputs is None:
        rng = np.random.default_rng(seed)
        gouts = [_leaf(rng.standard_normal(tuple(outs[k].shape))) for k in out_idx]
    else:
        given = _as_tuple(grad_outputs)
        if len(given) != len(out_idx):
            raise ValueError(f"{op}: got {len(given)} grad_outputs for {len(out_idx)} floating-point outputs")
        gouts = []
        for k, g in zip(out_idx, given):
            g = np.array(_host(g), dtype=np.float64, copy=True)
            if g.shape != tuple(outs[k].shape):
                raise ValueError(f"{op}: grad_outputs for output {k} has shape {g.shape}, "
                                 f"the output has shape {tuple(outs[k].shape)}")
            gouts.append(_leaf(g))
    n = len(args)

    def first_grads(*xs):
        a = list(xs[:n])
        o = _outputs(fn(*a), op)
        pairs = [(o[k], g) for k, g in zip(out_idx, xs[n:]) if o[k].requires_grad]
        if not pairs:
            return tuple(Tensor._wrap(np.zeros(a[i].shape), None) for i in want)
        gs = _grad([p for p, _ in pairs], [a[i] for i in want], grad_outputs=[g for _, g in pairs],
                   create_graph=True, allow_unused=True)
        return tuple(g if g is not None else Tensor._wrap(np.zeros(a[i].shape), None) for i, g in zip(want, gs))

    return gradcheck(first_grads, tuple(args) + tuple(gouts), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, check_zero_grad=check_zero_grad)
