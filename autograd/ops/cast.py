"""Copies that stay in the graph: dtype casts, clones, and moves between devices (gradients flow back to the
source's dtype and device, as PyTorch's ``ToCopyBackward``)."""
from __future__ import annotations

from ..backend import device_of, resolve, to_device
from ..buffers import copy as _copy
from ..device import Device
from ..node import Node, Var
from ..promotion import result_type
from ..tensor import Tensor
from .declare import op
from .labels import call


class Cast(Node):
    """``x`` in another dtype; backward: ``g`` cast back to the input's dtype."""

    __slots__ = ("dtype", "in_dtype")
    label = "to"

    def label_args(self) -> str:
        return call(str(self.dtype))

    def forward(self, x):
        self.in_dtype = x.dtype
        return x.astype(self.dtype)

    def backward(self, g, xs, out, F):
        return (F.astype(g, self.in_dtype) if not F.graph else to_dtype(g, self.in_dtype),)


class Clone(Node):
    """A copy of ``x``; backward: ``g`` unchanged."""

    __slots__ = ()

    def forward(self, x):
        return _copy(x)

    def backward(self, g, xs, out, F):
        return (g,)


def parse_dtype(d):
    """A NumPy dtype from any dtype spelling: a dtype, a NumPy name, or PyTorch's ``"float"``, ``"double"``,
    ``"long"``, ``"int"``, ``"half"``.

    >>> from autograd.ops.cast import parse_dtype
    >>> parse_dtype("long"), parse_dtype("float32")
    (dtype('int64'), dtype('float32'))
    """
    import numpy

    if isinstance(d, str):
        d = {"float": "float32", "double": "float64", "long": "int64", "int": "int32", "half": "float16"}.get(d, d)
    return numpy.dtype(d)


def to_dtype(x, dtype):
    """Tensor ``x`` as ``dtype`` (itself when it already is); the gradient flows back through a floating cast
    only, as PyTorch (an integer or bool result is a constant).

    >>> import autograd
    >>> from autograd.ops.cast import to_dtype
    >>> to_dtype(autograd.tensor([1.5, 2.5]), "int64")
    tensor([1, 2])
    """
    dtype = parse_dtype(dtype)
    if dtype == x.dtype:
        return x
    if x._rg and dtype.kind not in "fc":
        return x._wrap(x.array.astype(dtype), None)
    node = Cast()
    node.dtype = dtype
    return node.apply1(x)


class ToDevice(Node):
    """A copy onto another device; the gradient flows back to the source device (PyTorch's ToCopyBackward)."""

    __slots__ = ("device", "source")
    op_name = "to"

    def forward(self, x):
        self.source = device_of(x)
        return to_device(x, self.device)

    def backward(self, g, xs, out, F):
        return (to(g, self.source) if F.graph else to_device(g, self.source),)


def _is_device(a) -> bool:
    if isinstance(a, Device):
        return True
    if isinstance(a, str):
        return a.split(":", 1)[0] in ("cpu", "cuda")
    return isinstance(a, int) and not isinstance(a, bool)  # to(1) is to("cuda:1"), as PyTorch


@op(public=False)
def to(self, *args, dtype=None, device=None, non_blocking: bool = False, copy: bool = False, memory_format=None):
    """Move to a device and/or cast to a dtype, recording both so gradients flow back.

    ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other)`` (``other``'s device and dtype), or the
    same as keywords. Returns ``self`` when nothing changes, unless ``copy=True``. ``non_blocking`` and
    ``memory_format`` are accepted for PyTorch compatibility and change nothing.

    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0])
    >>> x.to("cpu") is x, x.to("float64").dtype, x.to(x, copy=True) is x
    (True, dtype('float64'), False)
    """
    for a in args:
        if isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif _is_device(a):
            device = a
        else:
            dtype = a
    out = self
    if device is not None:
        target = resolve(device)
        if target != device_of(self.array):
            node = ToDevice()
            node.device = target
            out = node.apply1(out)
    if dtype is not None:
        out = to_dtype(out, dtype)
    if copy and out is self:
        out = clone(self)
    return out


@op()
def clone(self):
    """A copy that stays in the graph (gradient flows back unchanged)."""
    from .util import as_var  # a non-Tensor is refused there, naming clone

    return Clone().apply1(self if isinstance(self, Var) else as_var(self))


def promoted(*xs):
    """Operands cast to the dtype an op computes in (:func:`autograd.promotion.result_type`): a Tensor of another
    dtype through a recorded cast, so its gradient comes back in its own dtype; Python numbers stay weak."""
    dt = result_type(*(x.array if isinstance(x, Var) else x for x in xs))
    return tuple(to_dtype(x, dt) if isinstance(x, Tensor) and x.dtype != dt else x for x in xs)
