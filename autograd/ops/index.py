"""Indexing: ``x[...]`` and its scatter-add backward, and ``x[...] = v``."""
from __future__ import annotations

from ..backend import array_module, index_add
from ..node import Node, Var
from .util import as_var
from .declare import op
from .labels import index_text


def _clean_index(idx):
    """Tensors in an index become arrays; lists become integer/boolean arrays."""
    if isinstance(idx, tuple):
        return tuple(_clean_index(i) for i in idx)
    if isinstance(idx, Var):
        return idx.array
    if isinstance(idx, list):
        from ..backend import as_array

        return as_array(idx)
    return idx


def _is_basic(idx):
    """Ints, slices, None and Ellipsis only: the result is a view and no index repeats."""
    items = idx if isinstance(idx, tuple) else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice)) for i in items)


class GetItem(Node):
    __slots__ = ("index", "in_shape", "basic")
    label = "getitem"

    def label_args(self) -> str:
        return index_text(self.index)

    def forward(self, x):
        self.in_shape = x.shape
        try:
            return x[self.index]
        except IndexError as e:
            raise IndexError(f"getitem: index {self.index!r} is invalid for a tensor of shape {tuple(x.shape)} ({e})") from None

    def backward(self, g, xs, out, F):
        return (F.index_add(self.in_shape, self.index, g) if not self.basic else _scatter_basic(self.in_shape, self.index, g, F),)


def _scatter_basic(shape, index, g, F):
    if F.graph:
        return F.index_add(shape, index, g)
    z = F.xp.zeros(shape, dtype=g.dtype)
    z[index] = g
    return z


class IndexAdd(Node):
    """zeros(shape) with ``g`` added at ``index``: getitem's backward, itself differentiable."""

    __slots__ = ("shape", "index")
    label = "index_add"

    def label_args(self) -> str:
        return index_text(self.index)
    op_name = "index_add"

    def forward(self, g):
        xp = array_module(g)
        z = xp.zeros(self.shape, dtype=g.dtype)
        if _is_basic(self.index):
            z[self.index] = g
        else:
            index_add(z, self.index, g)
        return z

    def backward(self, gg, xs, out, F):
        return (gg[self.index],)


def index_add_(shape, index, g):
    """Differentiable scatter-add used by getitem's backward under ``create_graph``."""
    node = IndexAdd()
    node.shape, node.index = tuple(shape), index
    return node.apply1(as_var(g))


@op(operators=("__getitem__",), methods=())
def getitem(x, index):
    """``x[index]`` with ints, slices, None, ..., integer arrays and boolean masks; repeated indices accumulate in backward."""
    x = as_var(x)
    index = _clean_index(index)
    node = GetItem()
    node.index = index
    node.basic = _is_basic(index)
    out = node.apply1(x)
    if node.basic:
        from .shape import _view

        return _view(x, out)
    return out


class IndexPut(Node):
    """``out = x.copy(); out[index] = v``: the gradient of x is zero where written."""

    __slots__ = ("index", "v_shape", "mask")
    label = "index_put"

    def label_args(self) -> str:
        return index_text(self.index)

    def forward(self, x, v):
        xp = array_module(x)
        out = x.copy()
        try:
            out[self.index] = v
        except (ValueError, IndexError) as e:
            raise ValueError(f"setitem: cannot assign a value of shape {getattr(v, 'shape', ())} to index {self.index!r} of a tensor of shape {tuple(x.shape)} ({e})") from None
        self.v_shape = getattr(v, "shape", ())
        mask = xp.ones(x.shape, dtype=x.dtype)
        mask[self.index] = 0
        self.mask = mask
        return out

    def backward(self, g, xs, out, F):
        px, pv = self.parents
        gx = g * self.mask if px is not None else None
        gv = None
        if pv is not None:
            gv = g[self.index]
            gv = F.unbroadcast(gv, self.v_shape) if len(F.shape(gv)) >= len(self.v_shape) else F.reshape(gv, self.v_shape)
        return gx, gv


@op()
def index_put(x, index, value):
    """Out-of-place ``x[index] = value`` (differentiable in both)."""
    node = IndexPut()
    node.index = _clean_index(index)
    return node.apply2(as_var(x), value)
