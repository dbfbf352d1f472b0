"""What a node of the drawing says: op names with their attributes, shapes, value previews.

Op attributes come from a table keyed by op class (read at draw time, so the
per-op recording path stores nothing extra). An op this table does not know is
labelled with its ``op_name``; :func:`register_label` adds a class.

>>> import autograd
>>> from autograd.viz.labels import op_label
>>> op_label(autograd.ones(2, 3, requires_grad=True).sum(axis=1).grad_fn)
'sum(axis=1)'
"""
from __future__ import annotations

from typing import Callable

from ..backend import array_module
from ..function import _Ctx, _Select
from ..node import Var
from ..ops import arith, elementwise as ew, index, linalg, reduce, shape
from ..ops import cast, conv, pool
from . import geometry as geo

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def html(text: str) -> str:
    """``text`` escaped for a Graphviz HTML-like label."""
    return text.translate(_ESCAPE)


def fmt_shape(s) -> str:
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


def _args(*parts) -> str:
    text = ", ".join(p for p in parts if p)
    return f"({text})" if text else ""


def _axes(node) -> str:
    """A reduction's axes as typed: nothing for all of them, ``axis=1`` or ``axis=(0, 2)``."""
    axes, nd = node.axes, len(node.in_shape)
    text = "" if axes == tuple(range(nd)) else "axis=" + (str(axes[0]) if len(axes) == 1 else str(axes))
    return ", ".join(p for p in (text, "keepdims=True" if node.keepdims else "") if p)


def _reduce(node):
    corr = getattr(node, "correction", None)
    return _args(_axes(node), f"correction={corr}" if corr not in (None, 1) else "")


def _pow(node):
    # the exponent is shown while the op still holds it (backward frees what an op saved)
    saved = node.saved
    if node.parents[1] is None and type(saved) is tuple:
        e = saved[1]
        if isinstance(e, (int, float)) or getattr(e, "ndim", 1) == 0:
            return f"({float(e):g})"
    return ""


def _index(idx) -> str:
    items = idx if isinstance(idx, tuple) else (idx,)
    out = []
    for i in items:
        if isinstance(i, slice):
            s = ("" if i.start is None else str(i.start)) + ":" + ("" if i.stop is None else str(i.stop))
            out.append(s + (f":{i.step}" if i.step is not None else ""))
        elif i is None:
            out.append("None")
        elif i is Ellipsis:
            out.append("...")
        elif hasattr(i, "shape"):
            out.append(("mask" if i.dtype == bool else "index") + fmt_shape(i.shape))
        else:
            out.append(str(i))
    return "[" + ", ".join(out) + "]"


def _clamp(node):
    return _args("" if node.lo is None else f"min={node.lo:g}", "" if node.hi is None else f"max={node.hi:g}")


# class -> (display name or None for op_name, attribute text function or None)
_TABLE: dict = {
    shape.Reshape: ("reshape", lambda n: _args(*map(str, n.shape))),
    shape.BroadcastTo: ("broadcast_to", lambda n: _args(*map(str, n.shape))),
    shape.Permute: ("permute", lambda n: _args(*map(str, n.dims))),
    shape.Tile: ("tile", lambda n: _args(*map(str, n.reps))),
    shape.Flip: ("flip", lambda n: _args("axis=" + str(n.axes))),
    shape.Concat: ("cat", lambda n: _args(f"axis={n.axis}")),
    shape.Pad: ("pad", lambda n: _args(str(n.widths), f"value={n.value:g}" if n.value else "")),
    reduce._Reduce: (None, _reduce),
    reduce.Pick: (lambda n: n.fn, _reduce),  # named for its function: max, min, amax, amin
    reduce.Softmax: ("softmax", lambda n: _args(f"axis={n.axis}")),
    reduce.LogSoftmax: ("log_softmax", lambda n: _args(f"axis={n.axis}")),
    ew.LeakyRelu: ("leaky_relu", lambda n: _args(f"{n.slope:g}")),
    ew.Elu: ("elu", lambda n: _args(f"{n.alpha:g}")),
    ew.Gelu: ("gelu", lambda n: _args(repr(n.approximate)) if n.approximate != "none" else ""),
    ew.Softplus: ("softplus", lambda n: _args(f"beta={n.beta:g}" if n.beta != 1 else "",
                                              f"threshold={n.threshold:g}" if n.threshold != 20 else "")),
    ew.Clamp: ("clamp", _clamp),
    arith.Pow: ("pow", _pow),
    index.GetItem: ("getitem", lambda n: _index(n.index)),
    index.IndexAdd: ("index_add", lambda n: _index(n.index)),
    index.IndexPut: ("index_put", lambda n: _index(n.index)),
    linalg.Einsum: ("einsum", lambda n: _args(",".join(n.ins) + "->" + n.rhs)),
    cast.Cast: ("to", lambda n: _args(str(n.dtype))),
    conv.Convolution: (geo.conv_name, geo.conv_attrs),
    conv.ConvTranspose: (geo.transpose_name, geo.transpose_attrs),
    conv.ConvWeightGrad: (geo.weight_grad_name, geo.conv_attrs),
    pool.MaxPool: (geo.pool_name("max"), geo.pool_attrs),
    pool.SumPool: (geo.pool_name("sum"), geo.pool_attrs),
    pool.SumPoolAdjoint: (lambda n: f"sum_pool{len(n.geo.kernel)}d_adjoint", geo.pool_attrs),
    _Ctx: (lambda n: n.fn_cls.__name__, None),  # a custom Function: its class name
    _Select: ("select", lambda n: _args(str(n.index))),
}


def register_label(cls: type, name: str | None = None, attrs: Callable | None = None) -> None:
    """Label nodes of op class ``cls`` as ``name`` (a string, or a function of the node) plus
    ``attrs(node)`` (a string such as ``"(axis=1)"``); subclasses inherit the entry.

    >>> import autograd
    >>> from autograd.viz import register_label
    >>> class Twice(autograd.Node):
    ...     def forward(self, x): return 2 * x
    ...     def backward(self, g, xs, out, F): return (2 * g,)
    >>> register_label(Twice, "twice", lambda node: "(k=2)")
    """
    _TABLE[cls] = (name, attrs)
    _CACHE.clear()


_CACHE: dict = {}


def _entry(cls):
    e = _CACHE.get(cls)
    if e is None:
        e = next((_TABLE[k] for k in cls.__mro__ if k in _TABLE), (None, None))
        _CACHE[cls] = e
    return e


def op_name(node) -> str:
    name = _entry(type(node))[0]
    if callable(name):
        try:
            return name(node)
        except AttributeError:  # a node built by hand without the fields its op sets
            name = None
    return name or getattr(node, "op_name", None) or type(node).__name__.lower()


def op_label(node) -> str:
    """The op as it was called: ``sum(axis=1)``, ``reshape(4, 3)``, ``leaky_relu(0.01)``."""
    attrs = _entry(type(node))[1]
    text = ""
    if attrs is not None:
        try:
            text = attrs(node)
        except AttributeError:  # a node built by hand without the fields its op sets
            text = ""
    return op_name(node) + text


# -- values ---------------------------------------------------------------------

def _num(v, digits) -> str:
    return format(v, f".{digits}g") if not isinstance(v, bool) else str(v)


def preview(v, full: bool = False) -> str:
    """A short text for a value: a float in full (6 significant digits) or an array's first elements and stats."""
    if v is None:
        return "None"
    if isinstance(v, Var):
        v = v.array
    if isinstance(v, (int, float, complex)):
        return _num(v, 6)
    if getattr(v, "ndim", None) == 0:
        return _num(v.item(), 6 if full else 4)
    flat = v.reshape(-1)
    n = flat.size
    if n == 0:
        return "[]"
    if n <= 4:
        return "[" + ", ".join(_num(x, 4) for x in flat.tolist()) + "]"
    head = ", ".join(_num(x, 3) for x in flat[:3].tolist())
    if v.dtype.kind in "fiu":
        xp = array_module(v)
        return f"[{head}, …] μ={_num(float(xp.mean(v)), 3)} σ={_num(float(xp.std(v)), 3)}"
    return f"[{head}, …]"
