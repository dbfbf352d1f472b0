"""Parts of matrices by diagonal: tril, triu, diagonal and diag (composed from ``where``, ``permute``,
``getitem`` and ``index_put``, so their gradients hold to every order)."""
from __future__ import annotations

from ..backend import as_strided

from ..node import Var
from .declare import op
from .util import as_var, check_dim, is_int, shape_str


def _offset(op, k, name="diagonal"):
    if isinstance(k, Var) and k.ndim == 0 and k.dtype.kind in "iu":
        k = k.item()
    if not is_int(k):
        raise TypeError(f"{op}: {name} must be an integer, got {type(k).__name__} {k!r}")
    return int(k)


def _triangle(op, input, diagonal, lower):
    x = as_var(input)
    k = _offset(op, diagonal)
    if x.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions, got shape {shape_str(x)}")
    xp = x._module()
    n, m = x.shape[-2:]
    keep = xp.tri(n, m, k, dtype=bool) if lower else ~xp.tri(n, m, k - 1, dtype=bool)
    from .elementwise import where
    from ..tensor import Tensor

    return where(keep, x, Tensor._wrap(xp.zeros((), x.dtype), None))


@op(inplace=("tril_",))
def tril(input, diagonal: int = 0):
    """The lower triangle of the last two dimensions (entries above diagonal ``diagonal`` set to 0).

    >>> import autograd
    >>> autograd.tril(autograd.ones(3, 3))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    return _triangle("tril", input, diagonal, True)


@op(inplace=("triu_",))
def triu(input, diagonal: int = 0):
    """The upper triangle of the last two dimensions (entries below diagonal ``diagonal`` set to 0).

    >>> import autograd
    >>> autograd.ones(2, 3).triu(1)
    tensor([[0., 1., 1.],
            [0., 0., 1.]])
    """
    return _triangle("triu", input, diagonal, False)


def _diagonal_positions(xp, n1, n2, k):
    """Row and column indices of diagonal ``k`` of an ``n1 x n2`` matrix."""
    length = max(0, min(n1 + min(k, 0), n2 - max(k, 0)))
    i = xp.arange(length)
    return (i - min(k, 0)), (i + max(k, 0))


@op()
def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """The diagonal ``offset`` of the matrices in dimensions ``dim1`` and ``dim2``, as the last dimension of
    the result (PyTorch's layout). A view, as PyTorch's: writing into it writes into ``input``.

    >>> import autograd
    >>> autograd.diagonal(autograd.arange(9.0).reshape(3, 3), 1)
    tensor([1., 5.])
    """
    x = as_var(input)
    k = _offset("diagonal", offset, "offset")
    if x.ndim < 2:
        raise IndexError(f"diagonal: needs a tensor of at least 2 dimensions, got shape {shape_str(x)}")
    d1, d2 = check_dim("diagonal", dim1, x.ndim), check_dim("diagonal", dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal: dimensions cannot be identical ({dim1}, {dim2}); name two different ones")
    rest = tuple(a for a in range(x.ndim) if a not in (d1, d2))
    from .index import getitem
    from .shape import _view, permute

    rows, cols = _diagonal_positions(x._module(), x.shape[d1], x.shape[d2], k)
    moved = permute(x, *(rest + (d1, d2)))
    out = getitem(moved, (Ellipsis, rows, cols))  # the recorded op: its backward scatters into the diagonal
    # the values themselves: a strided view of x's memory, so writing into the diagonal writes into x (PyTorch's)
    m = moved.array
    corner = m[..., 0:, k:] if k >= 0 else m[..., -k:, 0:]
    out.array = as_strided(corner, tuple(m.shape[:-2]) + (len(rows),), tuple(corner.strides[:-2]) +
                           (corner.strides[-2] + corner.strides[-1],))
    return _view(x, out)


_diagonal_of = diagonal  # diag's argument named ``diagonal`` (PyTorch's) hides the function there


@op()
def diag(input, diagonal: int = 0):
    """A 1-D tensor's values on diagonal ``diagonal`` of a square matrix, or a 2-D tensor's diagonal.

    >>> import autograd
    >>> autograd.diag(autograd.tensor([1.0, 2.0]))
    tensor([[1., 0.],
            [0., 2.]])
    """
    x = as_var(input)
    k = _offset("diag", diagonal)
    if x.ndim == 2:
        return _diagonal_of(x, k)
    if x.ndim != 1:
        raise RuntimeError(f"diag: supports 1-D or 2-D tensors, got {x.ndim}-D (shape {shape_str(x)}); use "
                           f"diagonal() or diag_embed for batches")
    xp = x._module()
    m = x.shape[0] + abs(k)
    from .index import index_put
    from ..tensor import Tensor

    return index_put(Tensor._wrap(xp.zeros((m, m), x.dtype), None), _diagonal_positions(xp, m, m, k), x)
