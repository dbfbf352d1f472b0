"""Tensor methods and operators: thin aliases of the op functions, plus the
in-place ops, which all go through one helper (:func:`_inplace`)."""
from __future__ import annotations

import operator as _operator

from . import ops
from .ops.declare import DECLARED, fast, method
from .autograd_api import tensor_backward
from .predicates import allclose, equal
from .backend import array_module, as_array, as_strided
from .grad_mode import state
from .node import Var
from .tensor import Tensor
from .versions import bump
from .ops.cast import clone, to, to_dtype
from .ops.shape import reverse_axes


def _install():
    """Tensor's methods and operators, from the op declarations (autograd/ops/declare.py)."""
    Tensor.backward = tensor_backward
    Tensor.backward.__name__ = "backward"
    Tensor.allclose, Tensor.equal = allclose, equal  # bool answers: not ops, nothing recorded
    for d in DECLARED.values():
        for name in d.methods:
            setattr(Tensor, name, method(d))
        for name in d.operators:
            setattr(Tensor, name, fast(d))
        for name in d.reflected:
            setattr(Tensor, name, fast(d, reflected=True))
    Tensor.__invert__ = lambda self: ops.logical_not(self) if self.dtype == bool else self._wrap(~self.array, None)
    # the reflected forms (1 & t) and shifts, as PyTorch's integer tensors have them (no gradient)
    for name, fn in (("and", _operator.and_), ("or", _operator.or_), ("xor", _operator.xor),
                     ("lshift", _operator.lshift), ("rshift", _operator.rshift)):
        setattr(Tensor, f"__{name}__", _bitwise(fn, False))
        setattr(Tensor, f"__r{name}__", _bitwise(fn, True))
    Tensor.__pos__ = lambda self: self


# -- dtype conversion and copies --------------------------------------------------


def _install_conversions():
    Tensor.astype = lambda self, dtype: to_dtype(self, dtype)
    Tensor.type = lambda self, dtype=None: str(self.dtype) if dtype is None else to_dtype(self, dtype)
    Tensor.float = lambda self: to_dtype(self, "float32")
    Tensor.double = lambda self: to_dtype(self, "float64")
    Tensor.half = lambda self: to_dtype(self, "float16")
    Tensor.long = lambda self: to_dtype(self, "int64")
    Tensor.int = lambda self: to_dtype(self, "int32")
    Tensor.bool = lambda self: to_dtype(self, "bool")
    Tensor.contiguous = contiguous
    Tensor.T = property(_reversed)
    Tensor.view_as = lambda self, other: ops.reshape(self, other.shape)
    Tensor.reshape_as = lambda self, other: ops.reshape(self, other.shape)
    Tensor.cpu = lambda self: to(self, "cpu")
    Tensor.cuda = lambda self, device=None, non_blocking=False: to(self, "cuda" if device is None else device)
    Tensor._module = lambda self: array_module(self.array)
    Tensor.new_tensor = lambda self, data, dtype=None, requires_grad=False: Tensor(data, dtype or self.dtype, requires_grad)
    for name, doc in _CONVERSION_DOCS.items():
        getattr(Tensor, name).__doc__ = doc


_CONVERSION_DOCS = {
    "astype": "This tensor as ``dtype`` (NumPy's name for :meth:`to`); differentiable, a copy unless the dtype "
              "is already ``dtype``.",
    "type": "With no ``dtype``: the dtype's name (``'float32'``); otherwise this tensor as ``dtype``.",
    "float": "This tensor as float32 (``self.to(autograd.float32)``).\n\n>>> import autograd\n"
             ">>> autograd.tensor([1, 2]).float()\ntensor([1., 2.])",
    "double": "This tensor as float64 (``self.to(autograd.float64)``).",
    "half": "This tensor as float16 (``self.to(autograd.float16)``).",
    "long": "This tensor as int64 (``self.to(autograd.int64)``): floats are truncated toward zero.\n\n"
            ">>> import autograd\n>>> autograd.tensor([1.7, -1.7]).long()\ntensor([ 1, -1])",
    "int": "This tensor as int32 (``self.to(autograd.int32)``): floats are truncated toward zero.",
    "bool": "This tensor as bool: ``True`` where nonzero.",
    "contiguous": "This tensor itself: denpa's arrays need no reordering before a view (PyTorch's method).",
    "view_as": "This tensor viewed with ``other``'s shape (``self.view(other.shape)``).",
    "reshape_as": "This tensor reshaped to ``other``'s shape (``self.reshape(other.shape)``).",
    "cpu": "This tensor on the CPU (itself when it is there already); differentiable.",
    "cuda": "This tensor on a CUDA device (``device``: an index or ``'cuda:1'``; default the current one); "
            "needs the ``cuda`` extra (CuPy). ``non_blocking`` is accepted for PyTorch's signature.",
    "new_tensor": "A new leaf tensor of ``data``, with this tensor's dtype unless ``dtype`` is given "
                  "(``requires_grad`` as in :func:`autograd.tensor`).\n\n>>> import autograd\n"
                  ">>> autograd.zeros(1, dtype=autograd.float64).new_tensor([1, 2]).dtype\ndtype('float64')",
}


# -- in-place ops --------------------------------------------------------------------

def _bitwise(fn, reflected):
    def method(self, other):
        o = other.array if isinstance(other, Var) else other
        return self._wrap(fn(o, self.array) if reflected else fn(self.array, o), None)

    method.__doc__ = f"Elementwise ``{fn.__name__.strip('_')}`` of integer or bool tensors (no gradient)."
    return method


def _reversed(self):
    """The tensor with all its dimensions reversed (a transpose for 2-D), a view as PyTorch's.

    >>> import autograd
    >>> autograd.tensor([[1.0, 2.0], [3.0, 4.0]]).T
    tensor([[1., 3.],
            [2., 4.]])
    """
    return reverse_axes(self)


def contiguous(self, memory_format=None):
    """This tensor if its data is laid out row-major already, else a row-major copy that stays in the graph, as
    PyTorch's (so writing into the result never changes a transposed original). ``memory_format`` is accepted for
    PyTorch compatibility; only the row-major layout exists here.

    >>> import autograd
    >>> x = autograd.zeros(2, 3)
    >>> x.contiguous() is x, x.t().contiguous() is x.t()
    (True, False)
    """
    return self if self.array.flags.c_contiguous else clone(self)


def _inplace(self, name, fn, *args):
    """Apply ``fn(self, *args)`` and write the result into ``self``'s memory.

    When gradients are being recorded, ``self``'s old value and history become
    the input of ``fn``'s node and ``self`` takes the new node, as PyTorch does;
    any node that saved the old value sees the version bump and refuses to run.
    """
    track = False
    if state.enabled:
        if self._rg and self.grad_fn is None:
            raise RuntimeError(
                f"{name}: a leaf Variable that requires grad is being used in an in-place operation "
                f"(shape {tuple(self.shape)}). Do it inside `with autograd.no_grad():` (as for a parameter update), "
                f"or use the out-of-place form."
            )
        base = self._base
        if base is not None and base._rg and base.grad_fn is None:
            raise RuntimeError(
                f"{name}: a view of a leaf tensor that requires grad is being used in an in-place operation (view "
                f"shape {tuple(self.shape)}, base shape {tuple(base.shape)}); do it under no_grad() (a parameter "
                f"update), or clone() the view first."
            )
        track = self._rg or any(isinstance(a, Var) and a._rg for a in args)
    base = self._base if track else None
    positions = None
    if base is not None:
        # the base must learn that part of it now holds the new value (PyTorch's CopySlices), or a later use
        # of the base would lose that value's gradient
        positions = _positions(base.array, self.array)
        if positions is None:
            raise RuntimeError(
                f"{name}: in-place change of a view (shape {tuple(self.shape)}) of a tensor of shape "
                f"{tuple(base.shape)} with a value that requires grad, where the view's elements cannot be located "
                f"in the base; write into the base instead (base[index] = value)")
    old_base = None
    if base is not None:
        # the op reads the view's old value as a gather from a snapshot of the base, so its gradient reaches the
        # base's history (and not the view's own node, which the version bump below makes stale)
        old_base = Tensor._wrap(base.array.copy(), base.grad_fn)
        old_base._rg = base._rg
        old = ops.getitem(ops.reshape(old_base, -1), Tensor._wrap(positions, None))
        new = fn(old, *args)
    elif track:
        # the op sees a snapshot of the old value: its memory is about to be overwritten. Nodes that
        # saved `self` itself share its version counter and will refuse to run after the bump below.
        old = Tensor._wrap(self.array.copy(), self.grad_fn)
        old._rg = self._rg
        new = fn(old, *args)
    else:
        old = Tensor._wrap(self.array, None)
        with _no_grad():
            new = fn(old, *args)
    data = new.array
    if data.shape != self.array.shape:
        try:
            data = array_module(data).broadcast_to(data, self.array.shape)
        except ValueError:
            raise RuntimeError(f"{name}: result of shape {tuple(new.shape)} doesn't match the tensor's shape {tuple(self.shape)}") from None
    if data.dtype != self.array.dtype and not _can_cast(data.dtype, self.array.dtype):
        raise RuntimeError(f"{name}: result type {data.dtype} can't be cast to the tensor's dtype {self.array.dtype}")
    try:
        self.array[...] = data
    except ValueError as e:
        raise RuntimeError(f"{name}: cannot write into this tensor ({e}); clone() it first") from None
    if base is not None:
        _rebase(base, self, positions, new, old_base)
    elif track:
        self.grad_fn = new.grad_fn
        self._rg = True
    bump(self)
    return self


def _positions(base, view):
    """Where each element of ``view`` sits in the flattened C-contiguous ``base`` (an int64 array of the view's
    shape), read off the two arrays' addresses and strides; None where that cannot be done."""
    if not base.flags.c_contiguous:
        return None
    item = base.itemsize

    def address(a):
        return a.__array_interface__["data"][0] if hasattr(a, "__array_interface__") else a.data.ptr

    offset = address(view) - address(base)
    if offset < 0 or offset % item or any(st % item for st in view.strides) or view.itemsize != item:
        return None
    xp = array_module(base)
    flat = xp.arange(base.size, dtype=xp.int64)[offset // item:]
    pos = as_strided(flat, view.shape, tuple(st // item * flat.itemsize for st in view.strides)).copy()
    if pos.size and (int(pos.min()) < 0 or int(pos.max()) >= base.size):
        return None
    return pos


def _rebase(base, view, positions, new, old_base):
    """After ``view`` (elements ``positions`` of ``base``) took the recorded value ``new``: the base becomes
    ``index_put(old base, positions, new)`` and the view a gather from it, so gradients reach ``new``'s inputs
    through either."""
    value = ops.broadcast_to(new, tuple(view.shape)) if tuple(new.shape) != tuple(view.shape) else new
    if value.dtype != view.dtype:
        value = to_dtype(value, view.dtype)
    flat = ops.index_put(ops.reshape(old_base, -1), (Tensor._wrap(positions.reshape(-1), None),),
                         ops.reshape(value, -1))
    rebased = ops.reshape(flat, tuple(base.shape))
    base.grad_fn, base._rg = rebased.grad_fn, True
    now = Tensor._wrap(base.array, base.grad_fn)
    now._rg = True
    view.grad_fn = ops.getitem(ops.reshape(now, -1), Tensor._wrap(positions, None)).grad_fn
    view._rg = True


def _can_cast(src, dst):
    import numpy

    return numpy.can_cast(src, dst, casting="same_kind")


def _no_grad():
    from .grad_mode import no_grad

    return no_grad()


def _fill(old, value):
    """The new value ignores the old one; ``where`` routes a zero gradient to it without saving it."""
    if not isinstance(value, Var):
        value = array_module(old.array).full(old.array.shape, value, dtype=old.array.dtype)
    return ops.where(array_module(old.array).asarray(True), value, old)


def _inplace_method(name, fn):
    def method(self, *args, **kw):
        return _inplace(self, name, lambda old, *a: fn(old, *a, **kw), *args)

    method.__name__ = name
    method.__doc__ = (f"In-place form of ``{fn.__name__}``: writes the result into this tensor and returns it.\n\n"
                      f"Refused on a leaf that requires grad (while recording) and on a view of one; the result "
                      f"must keep this tensor's shape and dtype. {fn.__doc__ or ''}")
    return method


def _install_inplace():
    for d in DECLARED.values():
        plain = [n for n in d.inplace if not n.startswith("__")]
        for name in d.inplace:  # x += y reports its errors as x.add_(y) would
            setattr(Tensor, name, _inplace_method(plain[0] if name.startswith("__") else name, d.fn))
    Tensor.zero_ = lambda self: _inplace(self, "zero_", _fill, 0)
    Tensor.fill_ = lambda self, value: _inplace(self, "fill_", _fill, value)
    Tensor.copy_ = lambda self, src: _inplace(self, "copy_", _fill, src if isinstance(src, Var) else Tensor(as_array(src, self.dtype)))
    Tensor.zero_.__doc__ = "Fill this tensor with zeros, in place; returns it (as ``torch.Tensor.zero_``)."
    Tensor.fill_.__doc__ = "Fill this tensor with ``value`` (a number or a 0-d tensor), in place; returns it."
    Tensor.copy_.__doc__ = ("Copy ``src``'s values (broadcast to this shape, cast to this dtype) into this tensor, "
                            "in place; returns it. The gradient flows to ``src``.")

    def setitem(self, index, value):
        _inplace(self, "setitem", lambda old, v: ops.index_put(old, index, v), value)

    Tensor.__setitem__ = setitem


_install()
_install_conversions()
_install_inplace()
