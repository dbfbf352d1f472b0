"""What a node of the drawing says: op names with their attributes, shapes, value previews.

Each op class declares its drawing name (``label``) and arguments (``label_args``) beside its forward and
backward (read at draw time, so the per-op recording path stores nothing extra); an op that declares none
is labelled with its ``op_name``. :func:`register_label` labels a class of one's own.

>>> import autograd
>>> from autograd.viz.labels import op_label
>>> op_label(autograd.ones(2, 3, requires_grad=True).sum(axis=1).grad_fn)
'sum(axis=1)'
"""
from __future__ import annotations

from typing import Callable

from ..backend import array_module
from ..node import Var
from ..ops.labels import fmt_shape  # noqa: F401  (re-exported: the renderer's modules take it from here)

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def html(text: str) -> str:
    """``text`` escaped for a Graphviz HTML-like label."""
    return text.translate(_ESCAPE)


#: classes registered with register_label (a user's own Node subclasses); an op declares its own label
_TABLE: dict = {}


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
    """``(name, attrs)`` for op class ``cls``: a registration, else what the class declares beside its rules."""
    e = _CACHE.get(cls)
    if e is None:
        e = next((_TABLE[k] for k in cls.__mro__ if k in _TABLE), None)
        if e is None:
            e = (getattr(cls, "label", None), getattr(cls, "label_args", None))
        _CACHE[cls] = e
    return e


def op_name(node) -> str:
    """The op's name in a drawing: its class's ``label`` (a string, or a function of the node), else ``op_name``.

    >>> import autograd
    >>> from autograd.viz.labels import op_name
    >>> op_name((autograd.tensor([1.0], requires_grad=True) * 2).grad_fn)
    'mul'
    """
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
