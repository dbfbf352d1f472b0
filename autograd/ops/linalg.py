"""Matrix products: matmul (1-D, 2-D, batched with broadcast), dot, outer, einsum."""
from __future__ import annotations

import math

from ..buffers import buffers
from ..node import Node, Var
from .util import as_var, shape_str
from .declare import op
from .labels import call


_product = buffers.product  # a @ b, a large result into a reused buffer


class Matmul(Node):
    __slots__ = ()
    save_inputs = True

    def forward(self, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}; use * for scalars")
        ka = a.shape[-1]
        kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
        if ka != kb:
            raise ValueError(f"matmul: cannot multiply {shape_str(a)} by {shape_str(b)}: inner sizes {ka} and {kb} differ")
        if a.ndim > 2 and b.ndim == 2:
            # (..., M, K) @ (K, N): one product over all rows, not one per leading index (NumPy loops over them)
            return _product(a.reshape(math.prod(a.shape[:-1]), ka), b).reshape(a.shape[:-1] + b.shape[-1:])
        try:
            return _product(a, b)
        except ValueError as e:
            raise ValueError(f"matmul: cannot broadcast the batch dimensions of {shape_str(a)} and {shape_str(b)} ({e})") from None

    def backward(self, g, xs, out, F):
        a, b = xs
        pa, pb = self.parents
        sa, sb = F.shape(a), F.shape(b)
        if len(sa) == 1 and len(sb) == 1:
            return (g * b if pa is not None else None, g * a if pb is not None else None)
        if len(sa) > 2 and len(sb) == 2:
            return _folded_backward(g, a, b, sa, sb, pa is not None, pb is not None, F)
        # promote 1-D operands to matrices as matmul does, then undo
        a2 = F.reshape(a, (1,) + sa) if len(sa) == 1 else a
        b2 = F.reshape(b, sb + (1,)) if len(sb) == 1 else b
        if len(sa) == 1:
            g = F.expand_dims(g, -2)
        if len(sb) == 1:
            g = F.expand_dims(g, -1)
        ga = gb = None
        if pa is not None:
            ga = F.matmul(g, F.swapaxes(b2, -1, -2))
            ga = F.reshape(F.unbroadcast(ga, F.shape(a2)), sa)
        if pb is not None:
            if _column_major(b2):
                # b is a transposed view (x @ W.T): the same product written (g^T a)^T has b's layout, so W's
                # gradient comes back row-major like W and the optimizer's elementwise updates stay contiguous
                gb = F.swapaxes(F.matmul(F.swapaxes(g, -1, -2), a2), -1, -2)
            else:
                gb = F.matmul(F.swapaxes(a2, -1, -2), g)
            gb = F.reshape(F.unbroadcast(gb, F.shape(b2)), sb)
        return ga, gb


def _folded_backward(g, a, b, sa, sb, want_a, want_b, F):
    """Gradients of ``(..., M, K) @ (K, N)`` with the leading dimensions folded into rows: two 2-D products,
    the weight's summed over every row in the product itself (no per-batch gradients to add up)."""
    rows, k, n = math.prod(sa[:-1]), sa[-1], sb[-1]
    g2 = F.reshape(g, (rows, n))
    ga = F.reshape(F.matmul(g2, F.swapaxes(b, -1, -2)), sa) if want_a else None
    gb = None
    if want_b:
        a2 = F.reshape(a, (rows, k))
        if _column_major(b):  # keep W's layout for W.T operands (see below)
            gb = F.swapaxes(F.matmul(F.swapaxes(g2, -1, -2), a2), -1, -2)
        else:
            gb = F.matmul(F.swapaxes(a2, -1, -2), g2)
    return ga, gb


def _column_major(x) -> bool:
    """A 2-D array stored column by column (a transposed view); False for Tensors (create_graph)."""
    flags = getattr(x, "flags", None)
    return flags is not None and x.ndim == 2 and flags.f_contiguous and not flags.c_contiguous


@op(operators=("__matmul__",), reflected=("__rmatmul__",))
def matmul(a, b):
    """Matrix product with NumPy's rules: 1-D operands are promoted, batch dimensions broadcast.

    >>> import autograd
    >>> autograd.ones(2, 3) @ autograd.ones(3)
    tensor([3., 3.])
    """
    if not isinstance(a, Var):
        a = as_var(a)
    if not isinstance(b, Var):
        b = as_var(b)
    if a.array.dtype != b.array.dtype:  # as PyTorch: a silent float64 product would hide a float32 model fed float64 data
        raise RuntimeError(f"matmul: expected both operands to have the same dtype, got {a.dtype} and {b.dtype} "
                           f"(shapes {shape_str(a)} and {shape_str(b)}); convert one, e.g. x.to(w.dtype)")
    return Matmul().apply2(a, b)


@op()
def dot(a, b):
    """Inner product of two 1-D tensors."""
    a, b = as_var(a), as_var(b)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"dot: expected two 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}; use matmul for matrices")
    return matmul(a, b)


@op(names=("ger",))
def outer(a, b):
    """Outer product of two 1-D tensors: ``out[i, j] = a[i] * b[j]``."""
    a, b = as_var(a), as_var(b)
    if a.ndim != 1 or b.ndim != 1:
        raise ValueError(f"outer: expected two 1-D tensors, got shapes {tuple(a.shape)} and {tuple(b.shape)}")
    return a.reshape(-1, 1) * b.reshape(1, -1)




def _parse_einsum(subscripts, shapes):
    """Explicit form ``'ij,jk->ik'`` with ellipses spelled out as letters."""
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        lhs, rhs = subscripts.split("->")
    else:
        lhs, rhs = subscripts, None
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise ValueError(f"einsum: {len(ins)} operand subscripts for {len(shapes)} operands")
    used = set(c for c in subscripts if c.isalpha())
    free = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
    ell = 0
    for s, shp in zip(ins, shapes):
        if "..." in s:
            ell = max(ell, len(shp) - (len(s) - 3))
    ell_letters = "".join(free[:ell])
    fixed = []
    for s, shp in zip(ins, shapes):
        if "..." in s:
            n = len(shp) - (len(s) - 3)
            s = s.replace("...", ell_letters[ell - n:] if n else "")
        if len(s) != len(shp):
            raise ValueError(f"einsum: subscripts '{s}' do not match an operand of shape {tuple(shp)}")
        fixed.append(s)
    if rhs is None:
        counts = {}
        for s in fixed:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        rhs = ell_letters + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell_letters))
    else:
        rhs = rhs.replace("...", ell_letters)
    return fixed, rhs


class Einsum(Node):
    __slots__ = ("ins", "rhs")
    label = "einsum"

    def label_args(self) -> str:
        return call(",".join(self.ins) + "->" + self.rhs)
    save_inputs = True

    def forward(self, *ops):
        from ..backend import array_module

        self.ins, self.rhs = _parse_einsum(self.spec, [o.shape for o in ops])
        return array_module(ops[0]).einsum(",".join(self.ins) + "->" + self.rhs, *ops)

    def backward(self, g, xs, out, F):
        grads = []
        for i, s in enumerate(self.ins):
            if self.parents[i] is None:
                grads.append(None)
                continue
            others = [(t, self.ins[j]) for j, t in enumerate(xs) if j != i]
            have = set(self.rhs).union(*[set(o) for _, o in others]) if others else set(self.rhs)
            uniq = "".join(dict.fromkeys(c for c in s if c in have))
            spec = ",".join([self.rhs] + [o for _, o in others]) + "->" + uniq
            gi = F.einsum(spec, g, *[t for t, _ in others])
            shape = F.shape(xs[i])
            sizes = dict(zip(s, shape))
            # a size-1 (ellipsis) dimension here that broadcast against a larger one: sum the gradient back
            gshape = F.shape(gi)
            bc = tuple(k for k, c in enumerate(uniq) if sizes[c] == 1 and gshape[k] != 1)
            if bc:
                gi = F.sum(gi, axis=bc, keepdims=True)
            # letters only in this operand were summed in forward: broadcast back
            full = "".join(dict.fromkeys(s))
            if uniq != full:
                gi = F.reshape(gi, tuple(sizes[c] if c in uniq else 1 for c in full))
                gi = F.broadcast_to(gi, tuple(sizes[c] for c in full))
            # repeated letters (a diagonal) put the gradient on the diagonal only
            if full != s:
                gi = _undiagonal(gi, full, s, sizes, F, g)
            grads.append(gi)
        return tuple(grads)


def _undiagonal(gi, full, s, sizes, F, like):
    """Spread a gradient over unique letters onto an operand whose subscripts repeat letters."""
    from ..backend import array_module

    data = like.array if isinstance(like, Var) else like
    xp = array_module(data)
    eyes, subs = [], []
    seen = set()
    letters = list(s)
    extra = [c for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in s]
    for k, c in enumerate(s):
        if c in seen:
            e = extra.pop(0)
            letters[k] = e
            eyes.append(xp.eye(sizes[c], dtype=data.dtype))
            subs.append(c + e)
        seen.add(c)
    spec = ",".join([full] + subs) + "->" + "".join(letters)
    # repeated letters renamed: the result's axes are the operand's axes, in order
    return F.einsum(spec, gi, *eyes)


@op(methods=())
def einsum(subscripts: str, *operands):
    """Einstein summation, e.g. ``einsum('bij,bjk->bik', a, b)``; ellipses and repeated letters allowed."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    if not any(isinstance(o, Var) for o in operands):
        operands = (as_var(operands[0]),) + tuple(operands[1:])
    node = Einsum()
    node.spec = subscripts
    return node.applyn(*operands)


# -- PyTorch's fixed-rank products: mm, bmm, addmm, baddbmm (checked, then matmul) --------------------------


def _ranked(op, a, b, rank, names=("mat1", "mat2")):
    a, b = as_var(a), as_var(b)
    for name, t in zip(names, (a, b)):
        if t.ndim != rank:
            raise RuntimeError(f"{op}: {name} must be a {rank}-D tensor, got shape {shape_str(t)}")
    if a.shape[-1] != b.shape[-2] or (rank == 3 and a.shape[0] != b.shape[0]):
        raise RuntimeError(f"{op}: {names[0]} and {names[1]} shapes cannot be multiplied ({shape_str(a)} and "
                           f"{shape_str(b)})" + ("; the batch sizes must be equal" if rank == 3 else ""))
    return matmul(a, b)


@op()
def mm(input, mat2):
    """The product of two matrices (2-D only; :func:`matmul` broadcasts).

    >>> import autograd
    >>> autograd.mm(autograd.ones(2, 3), autograd.ones(3, 4)).shape
    (2, 4)
    """
    return _ranked("mm", input, mat2, 2, ("input", "mat2"))


@op()
def bmm(input, mat2):
    """Batched matrix product of two 3-D tensors with equal batch sizes: ``(b, n, m) @ (b, m, p)``.

    >>> import autograd
    >>> autograd.bmm(autograd.ones(5, 2, 3), autograd.ones(5, 3, 4)).shape
    (5, 2, 4)
    """
    return _ranked("bmm", input, mat2, 3, ("input", "mat2"))


def _add_product(op, input, product, beta, alpha):
    for name, v in (("beta", beta), ("alpha", alpha)):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"{op}: {name} must be a number, got {type(v).__name__} {v!r}")
    x = as_var(input)
    try:
        from ..backend import array_module

        if array_module(x.array).broadcast_shapes(x.shape, product.shape) != product.shape:
            raise ValueError
    except ValueError:
        raise RuntimeError(f"{op}: input of shape {shape_str(x)} does not broadcast to the product's shape "
                           f"{shape_str(product)}") from None
    scaled = product if alpha == 1 else product * alpha
    if beta == 0:  # input is ignored, NaN included, as PyTorch
        return scaled
    return (x if beta == 1 else x * beta) + scaled


@op()
def addmm(input, mat1, mat2, *, beta=1, alpha=1):
    """``beta * input + alpha * (mat1 @ mat2)`` for matrices; ``input`` broadcasts to the product's shape.

    >>> import autograd
    >>> autograd.addmm(autograd.ones(3), autograd.ones(2, 4), autograd.ones(4, 3), alpha=0.5)
    tensor([[3., 3., 3.],
            [3., 3., 3.]])
    """
    return _add_product("addmm", input, _ranked("addmm", mat1, mat2, 2), beta, alpha)


@op()
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts to the product's shape.

    >>> import autograd
    >>> autograd.baddbmm(autograd.zeros(1, 1), autograd.ones(2, 1, 3), autograd.ones(2, 3, 1)).shape
    (2, 1, 1)
    """
    return _add_product("baddbmm", input, _ranked("baddbmm", batch1, batch2, 3, ("batch1", "batch2")), beta, alpha)
