"""The Tensor: an n-d array plus the node that made it.

Operators and most methods are attached by ``autograd._methods`` from the op
functions, so each op is defined once (in ``autograd/ops``) and the method is
a thin alias.
"""
from __future__ import annotations

import sys as _sys
import warnings as _warnings
from typing import TYPE_CHECKING, Any, Callable, Iterator, Optional

import numpy as _np  # only for type checks of incoming Python data, never for array work

from .backend import DEFAULTS, array_module, as_array, device_of, to_host
from .buffers import buffers
from .device import Device
from .grad_mode import state
from .node import GRAD_LOCK as _GRAD_LOCK, Node, RetainGrad, Var
from .versions import bump as _bump, new_counter, read as _read_version

_new = object.__new__
_generic = _np.generic


class Tensor(Var):
    """An n-d array that records the ops applied to it.

    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4.])
    """

    # ``array``: the raw NumPy or CuPy array (``.data`` is PyTorch's detached view of it, below)
    __slots__ = ("array", "_grad", "grad_fn", "_rg", "_vc", "__dict__", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operators
    __hash__ = object.__hash__
    # rarely set attributes live in __dict__, with these class defaults
    name: Optional[str] = None
    _hooks = None
    _post_hooks = None
    _base = None
    _retains = False

    def __init__(self, data: Any, dtype=None, requires_grad: bool = False):
        if isinstance(data, Tensor):
            data = data.array
        self.array = as_array(data, dtype)
        self._grad = None
        self.grad_fn = None
        self._rg = False
        self._vc = new_counter()
        if requires_grad:
            self.requires_grad_(True)

    # -- construction on the hot path ---------------------------------------
    @staticmethod
    def _wrap(data, node):
        if isinstance(data, _generic):
            data = _np.asarray(data)
        t = _new(Tensor)
        t.array = data
        t._grad = None
        t.grad_fn = node
        t._rg = node is not None
        t._vc = new_counter()
        return t

    @staticmethod
    def _const(v):
        """A non-Tensor operand of a binary op: Python numbers stay weak (no upcast)."""
        if isinstance(v, _generic):  # a NumPy scalar counts as a Python number: it must not upcast
            return v.item()
        if isinstance(v, (int, float, bool)):
            return v
        if type(v).__module__ in ("numpy", "cupy"):
            return v
        if isinstance(v, Var):  # pragma: no cover - Scalar mixed in
            raise TypeError(f"cannot combine a Tensor with a {type(v).__name__}; convert it with autograd.tensor(...)")
        return as_array(v)

    # -- attributes -----------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether backward computes a gradient for this tensor (settable on leaves, as PyTorch's).

        >>> import autograd
        >>> w = autograd.zeros(2)
        >>> w.requires_grad = True
        >>> w.requires_grad, (w * 2).requires_grad
        (True, True)
        """
        return self._rg

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    @property
    def data(self) -> "Tensor":
        """This tensor's values as a new leaf that shares their memory but not the graph, as PyTorch's ``.data``.

        Changes made through it are invisible to autograd (no version bump), which is what old-style updates
        such as ``p.data -= lr * p.grad`` rely on. Assigning a Tensor or an array replaces the values (and the
        shape and dtype, as in PyTorch). The raw NumPy/CuPy array is ``.array``.

        >>> import autograd
        >>> w = autograd.tensor([1.0, 2.0], requires_grad=True)
        >>> _ = w.data.mul_(10); w
        tensor([10., 20.], requires_grad=True)
        >>> w.data = autograd.zeros(3); w.shape
        (3,)
        """
        return Tensor._wrap(self.array, None)

    @data.setter
    def data(self, value) -> None:
        if isinstance(value, Tensor):
            value = value.array
        elif type(value).__module__ not in ("numpy", "cupy") or not hasattr(value, "shape"):
            raise TypeError(f"Tensor.data: assign a Tensor or an array, got {type(value).__name__}; "
                            f"use autograd.tensor(...) to convert other data")
        value = _np.asarray(value) if isinstance(value, _generic) else value
        if self._rg and value.dtype.kind not in "fc":
            raise RuntimeError(f"Tensor.data: this tensor requires grad, so its data must be floating point, "
                               f"got {value.dtype}")
        self.array = value

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has seen (shared with its views), as PyTorch's."""
        return _read_version(self._vc)

    @property
    def is_leaf(self) -> bool:
        """Whether no recorded op made this tensor (``grad_fn`` is None): backward fills ``.grad`` only on leaves
        that require grad (and on non-leaves after :meth:`retain_grad`).

        >>> import autograd
        >>> x = autograd.tensor([1.0], requires_grad=True)
        >>> x.is_leaf, (x * 2).is_leaf
        (True, False)
        """
        return self.grad_fn is None

    @property
    def shape(self) -> tuple:
        """The size of each dimension, as a tuple (PyTorch's ``torch.Size`` is a tuple too).

        >>> import autograd
        >>> autograd.zeros(2, 3).shape
        (2, 3)
        """
        return self.array.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions (``len(x.shape)``), as :meth:`dim`."""
        return self.array.ndim

    def dim(self) -> int:
        """The number of dimensions (``len(x.shape)``).

        >>> import autograd
        >>> autograd.zeros(2, 3).dim()
        2
        """
        return self.array.ndim

    @property
    def size(self):
        """Number of elements, as NumPy's ``size``. ``size(dim)`` also works, as PyTorch's method."""
        return _SizeInt(self.array.size, self.array.shape)

    def numel(self) -> int:
        """The number of elements (the product of the shape).

        >>> import autograd
        >>> autograd.zeros(2, 3).numel()
        6
        """
        return int(self.array.size)

    @property
    def dtype(self):
        """The element type, a NumPy dtype (``autograd.float32`` etc. are the same objects); see the module's
        docstring for how results pick theirs.

        >>> import autograd
        >>> autograd.tensor([1.0]).dtype, autograd.tensor([1]).dtype
        (dtype('float32'), dtype('int64'))
        """
        return self.array.dtype

    @property
    def device(self) -> Device:
        """Where the data lives: ``cpu`` (a NumPy array) or ``cuda:i`` (a CuPy array on GPU ``i``)."""
        return device_of(self.array)

    def __getattr__(self, name: str):
        # only reached when normal lookup failed: a name PyTorch's Tensor has gets a message saying denpa lacks it
        if hasattr(type(self), name):  # a property or slot that raised AttributeError itself: let that show
            return object.__getattribute__(self, name)
        if name.startswith("__"):
            raise AttributeError(f"'Tensor' object has no attribute {name!r}")
        from .compat import missing

        raise missing("torch.Tensor", name, self)

    @property
    def is_cuda(self) -> bool:
        """Whether the data lives on a GPU."""
        return not isinstance(self.array, _np.ndarray) and device_of(self.array).type == "cuda"

    @property
    def is_cpu(self) -> bool:
        """Whether the data lives in host memory."""
        return not self.is_cuda


    @property
    def mT(self) -> "Tensor":
        """The last two dimensions swapped: a batch of matrices transposed.

        >>> import autograd
        >>> autograd.zeros(2, 3, 4).mT.shape
        (2, 4, 3)
        """
        return self.transpose(-2, -1)

    def item(self):
        """The one element as a Python number (copied to the host from a GPU)."""
        if self.array.size != 1:
            raise ValueError(f"item(): a Tensor with {self.array.size} elements cannot be converted to a Python number; index it or reduce it first")
        return to_host(self.array.reshape(())).item()

    def numpy(self, *, force: bool = False):
        """The data as a NumPy array: shared memory on the CPU, a copy from a GPU.

        ``force=True`` detaches first (as PyTorch's), so it works on tensors that require grad.

        >>> import autograd
        >>> autograd.tensor([1.0, 2.0]).numpy()
        array([1., 2.], dtype=float32)
        """
        if self._rg and not force:
            raise RuntimeError("numpy(): can't call numpy() on a Tensor that requires grad; use tensor.detach().numpy()")
        return to_host(self.array)

    # -- DLPack: zero-copy exchange with NumPy, CuPy, PyTorch, JAX ----------------------------------------------
    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        """Export the data through DLPack (``autograd.from_dlpack`` and e.g. ``torch.from_dlpack`` read it)."""
        if self._rg:
            raise RuntimeError("__dlpack__: can't export a Tensor that requires grad; use tensor.detach()")
        kw = {k: v for k, v in (("stream", stream), ("max_version", max_version), ("dl_device", dl_device),
                                ("copy", copy)) if v is not None}
        return self.array.__dlpack__(**kw)

    def __dlpack_device__(self):
        """``(device type, index)`` as DLPack numbers them: ``(1, 0)`` for the CPU, ``(2, i)`` for CUDA GPU ``i``."""
        return self.array.__dlpack_device__()

    def tolist(self):
        """The data as nested Python lists of Python numbers (a number for a 0-d tensor).

        >>> import autograd
        >>> autograd.tensor([[1, 2], [3, 4]]).tolist()
        [[1, 2], [3, 4]]
        """
        return self.array.tolist()

    def detach(self) -> "Tensor":
        """A new leaf sharing this tensor's data (and its version counter)."""
        t = Tensor._wrap(self.array, None)
        t._vc = self._vc
        return t

    def detach_(self) -> "Tensor":
        """Detach this tensor from the graph in place: it becomes a leaf that does not require grad; returns it.

        >>> import autograd
        >>> y = autograd.tensor([1.0], requires_grad=True) * 2
        >>> y.detach_().is_leaf, y.requires_grad
        (True, False)
        """
        self.grad_fn = None
        self._rg = False
        return self

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set :attr:`requires_grad` in place and return this tensor. Only floating point tensors can require
        grad, and only a leaf can stop requiring it (use :meth:`detach` otherwise).

        >>> import autograd
        >>> autograd.zeros(2).requires_grad_()
        tensor([0., 0.], requires_grad=True)
        """
        if requires_grad and self.array.dtype.kind not in "fc":
            raise RuntimeError(
                f"only Tensors of floating point dtype can require gradients, got {self.array.dtype}; "
                "convert first, e.g. x.float().requires_grad_()"
            )
        if not requires_grad and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False): you can only change requires_grad of leaf tensors; use detach()")
        self._rg = bool(requires_grad)
        return self

    def retain_grad(self) -> None:
        """Keep ``.grad`` on this non-leaf tensor after backward."""
        if not self._rg:
            raise RuntimeError("retain_grad(): can't retain_grad on a Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self._retains:
            self.grad_fn.register_hook(RetainGrad(self))
            self._retains = True

    @property
    def retains_grad(self) -> bool:
        """Whether :meth:`retain_grad` was called on this non-leaf (its ``.grad`` is then kept after backward).

        >>> import autograd
        >>> y = autograd.tensor([1.0], requires_grad=True) * 2
        >>> y.retain_grad(); y.retains_grad
        True
        """
        return bool(self._retains)

    def register_hook(self, hook: Callable[["Tensor"], Optional["Tensor"]]):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned Tensor replaces it.

        >>> import autograd
        >>> x = autograd.tensor([1.0], requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 2)
        >>> (x * 3).sum().backward(); x.grad
        tensor([6.])
        """
        if not self._rg:
            raise RuntimeError("register_hook(): cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            self.grad_fn.register_hook(hook)
            return _RemovableHandle(self.grad_fn.hooks, hook)
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return _RemovableHandle(self._hooks, hook)

    def register_post_accumulate_grad_hook(self, hook: Callable[["Tensor"], None]):
        """Call ``hook(tensor)`` after a backward has added into this leaf's ``.grad`` (PyTorch's name and
        order: after the tensor hooks and the accumulation). Distributed data parallel starts a bucket's
        all-reduce from here.

        >>> import autograd
        >>> w = autograd.ones(2, requires_grad=True)
        >>> h = w.register_post_accumulate_grad_hook(lambda t: print("grad", t.grad))
        >>> (w * 3).sum().backward()
        grad tensor([3., 3.])
        """
        if self.grad_fn is not None or not self._rg:
            raise RuntimeError("register_post_accumulate_grad_hook(): only leaf tensors that require grad have "
                               f"accumulated gradients (this one has grad_fn={self.grad_fn}, "
                               f"requires_grad={self._rg})")
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    def _run_hooks(self, g):
        if self._hooks:
            for hook in self._hooks:
                r = hook(g if isinstance(g, Tensor) else Tensor._wrap(g, None))
                if r is not None:
                    check_hook_result(hook, r, g)
                    g = r if isinstance(g, Tensor) else r.array
        return g

    def _accumulate(self, g, handed, create_graph):
        """Add gradient ``g`` (an array; a Tensor under ``create_graph``) into ``.grad``.

        ``.grad`` never shares memory with another leaf's ``.grad``, with the caller's ``gradient`` (whose ids
        are in ``handed``), with an array a hook returned, or with anything else: ``g`` is kept without a copy
        only when it owns its memory, nobody else was given it, and it is writable. The read-modify-write holds
        a lock, so backward calls on several threads into one leaf lose no update.
        """
        hooked = self._run_hooks(g)
        foreign = bool(self._hooks)  # a hook may keep what it saw or returned: the gradient is no longer ours alone
        g = hooked
        if create_graph:
            with _GRAD_LOCK:
                if self._grad is None:
                    d = g.array
                    own = not foreign and id(g) not in handed and getattr(d, "base", None) is None
                    self._grad = g if own else wrap_like(d.copy(), g.grad_fn)
                    handed.add(id(self._grad))
                else:
                    self._grad = self._grad + g
            if self._post_hooks:
                for hook in tuple(self._post_hooks):
                    hook(self)
            return
        if g.shape != self.array.shape:
            raise RuntimeError(f"internal error: gradient of shape {g.shape} for a leaf of shape {self.array.shape}")
        if g.dtype != self.array.dtype:
            g = g.astype(self.array.dtype)
        with _GRAD_LOCK:  # (the engine's own gradients need none of the .grad setter's checks)
            old = self._grad
            if old is None:
                # a view (of another leaf's gradient, of the caller's array, a broadcast) or a shared array: copy
                if foreign or id(g) in handed or (getattr(g, "base", None) is not None and not _sole_owner(g, handed)) \
                        or not getattr(g.flags, "writeable", True):
                    g = g.copy()
                handed.add(id(g))
                self._grad = Tensor._wrap(g, None)
            elif _unshared(old):  # PyTorch's rule too: add in place when nothing but this leaf holds the gradient
                a = old.array
                a += g
                _bump(old)
            else:  # someone holds the old .grad (or its array): they keep its values
                self._grad = Tensor._wrap(old.array + g, None)
        if self._post_hooks:
            for hook in tuple(self._post_hooks):
                hook(self)

    # -- Python protocol ---------------------------------------------------------------
    def __len__(self) -> int:
        if self.array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.array.shape[0]

    def __iter__(self) -> Iterator["Tensor"]:
        if self.array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.array.shape[0]))

    def __bool__(self) -> bool:
        if self.array.size != 1:
            raise RuntimeError(f"Boolean value of a Tensor with {self.array.size} elements is ambiguous; use .any() or .all()")
        return bool(self.array.reshape(()))

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.array.dtype.kind not in "iu" or self.array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __array__(self, dtype=None, copy=None):
        d = self.array if array_module(self.array) is _np else self.array.get()
        return d if dtype is None else d.astype(dtype)

    def __repr__(self) -> str:
        return format_tensor(self)

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its Python number (``f"{loss:.4f}"``), as PyTorch's; any other tensor, and a
        subclass with its own printing (a Parameter), as ``object.__format__``: its repr for an empty spec,
        TypeError for any other.

        >>> import autograd
        >>> f"{autograd.tensor(0.123456):.4f}", f"{autograd.tensor(7):03d}"
        ('0.1235', '007')
        """
        if self.array.ndim == 0 and type(self).__repr__ is Tensor.__repr__:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self.numpy() if not self._rg else self.array, self._rg))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only leaf Tensors (created explicitly by the user) support the deepcopy protocol")
        t = Tensor._wrap(self.array.copy(), None)
        t._rg = self._rg
        if self.grad is not None:
            t.grad = Tensor._wrap(self.grad.array.copy(), None)
        if self.__dict__:
            t.__dict__.update({k: v for k, v in self.__dict__.items() if k in ("name",)})
        memo[id(self)] = t
        return t

    if TYPE_CHECKING:
        # What a type checker needs to see of the methods and operators autograd/_methods.py generates from the
        # op declarations at import time (x * 2.0, x @ w, x.sum().backward()); never executed. Other generated
        # methods reach a checker through __getattr__ as Any. tests/test_typecheck.py checks these against the
        # runtime methods' parameters.
        def __add__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __radd__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __sub__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rsub__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __mul__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rmul__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __truediv__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rtruediv__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __floordiv__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rfloordiv__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __mod__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rmod__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __pow__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rpow__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __matmul__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __rmatmul__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __and__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __or__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __xor__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __lt__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __le__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __gt__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __ge__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __iadd__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __isub__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __imul__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __itruediv__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __ipow__(self, other: Tensor | complex | _np.ndarray | _np.generic) -> Tensor: ...
        def __eq__(self, other: object) -> Tensor: ...  # type: ignore[override]  # element-wise, as PyTorch
        def __ne__(self, other: object) -> Tensor: ...  # type: ignore[override]
        def __neg__(self) -> Tensor: ...
        def __pos__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...
        def __setitem__(self, index: Any, value: Any) -> None: ...
        def sum(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None,
                dtype: Any = None) -> Tensor: ...
        def mean(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None,
                dtype: Any = None) -> Tensor: ...
        def prod(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None,
                keepdim: Any = None) -> Tensor: ...
        def std(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None,
                correction: Any = None, unbiased: Any = None, ddof: Any = None) -> Tensor: ...
        def var(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None,
                correction: Any = None, unbiased: Any = None, ddof: Any = None) -> Tensor: ...
        def max(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Any: ...
        def min(self, dim: Any = None, keepdim: Any = False, *, axis: Any = None, keepdims: Any = None) -> Any: ...
        def amax(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None,
                keepdim: Any = None) -> Tensor: ...
        def amin(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None,
                keepdim: Any = None) -> Tensor: ...
        def argmax(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None,
                keepdim: Any = None) -> Tensor: ...
        def argmin(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None,
                keepdim: Any = None) -> Tensor: ...
        def all(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None) -> Tensor: ...
        def any(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None) -> Tensor: ...
        def logsumexp(self, axis: Any = None, keepdims: Any = False, *, dim: Any = None,
                keepdim: Any = None) -> Tensor: ...
        def norm(self, p: Any = 2, axis: Any = None, keepdims: Any = False, *, dim: Any = None, keepdim: Any = None,
                ord: Any = None) -> Tensor: ...
        def cumsum(self, dim: int, *, dtype: Any = None) -> Tensor: ...
        def reshape(self, *shape: Any) -> Tensor: ...
        def view(self, *shape: Any) -> Tensor: ...
        def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor: ...
        def squeeze(self, dim: Any = None, *, axis: Any = None) -> Tensor: ...
        def unsqueeze(self, dim: int) -> Tensor: ...
        def transpose(self, dim0: Any = None, dim1: Any = None, *, axes: Any = None) -> Tensor: ...
        def permute(self, *dims: Any) -> Tensor: ...
        def t(self) -> Tensor: ...
        def expand(self, *sizes: Any) -> Tensor: ...
        def expand_as(self, other: Any) -> Tensor: ...
        def repeat(self, *sizes: Any) -> Tensor: ...
        def broadcast_to(self, *shape: Any) -> Tensor: ...
        def matmul(self, b: Any) -> Tensor: ...
        def mm(self, mat2: Any) -> Tensor: ...
        def bmm(self, mat2: Any) -> Tensor: ...
        def dot(self, b: Any) -> Tensor: ...
        def add(self, b: Any, *, alpha: Any = 1) -> Tensor: ...
        def sub(self, b: Any, *, alpha: Any = 1) -> Tensor: ...
        def mul(self, b: Any) -> Tensor: ...
        def div(self, b: Any, *, rounding_mode: Any = None) -> Tensor: ...
        def pow(self, b: Any) -> Tensor: ...
        def neg(self) -> Tensor: ...
        def abs(self) -> Tensor: ...
        def exp(self) -> Tensor: ...
        def log(self) -> Tensor: ...
        def sqrt(self) -> Tensor: ...
        def sin(self) -> Tensor: ...
        def cos(self) -> Tensor: ...
        def tanh(self) -> Tensor: ...
        def sigmoid(self) -> Tensor: ...
        def relu(self) -> Tensor: ...
        def softmax(self, axis: Any = None, *, dim: Any = None) -> Tensor: ...
        def log_softmax(self, axis: Any = None, *, dim: Any = None) -> Tensor: ...
        def clamp(self, min: Any = None, max: Any = None) -> Tensor: ...
        def masked_fill(self, mask: Any, value: Any) -> Tensor: ...
        def where(self, *args: Any, **kw: Any) -> Tensor: ...
        def gather(self, dim: int, index: Any, *, sparse_grad: bool = False) -> Tensor: ...
        def index_select(self, dim: int, index: Any) -> Tensor: ...
        def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]: ...
        def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]: ...
        def unbind(self, dim: int = 0) -> tuple[Tensor, ...]: ...
        def sort(self, dim: int = -1, descending: bool = False, *, stable: Any = False) -> Any: ...
        def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any: ...
        def to(self, *args: Any, dtype: Any = None, device: Any = None, non_blocking: bool = False,
                copy: bool = False, memory_format: Any = None) -> Tensor: ...
        def cpu(self) -> Tensor: ...
        def cuda(self, device: Any = None, non_blocking: Any = False) -> Tensor: ...
        def contiguous(self, memory_format: Any = None) -> Tensor: ...
        def clone(self) -> Tensor: ...
        def type_as(self, other: Any) -> Tensor: ...
        def view_as(self, other: Any) -> Tensor: ...
        def reshape_as(self, other: Any) -> Tensor: ...
        def backward(self, gradient: Any = None, retain_graph: Optional[bool] = None, create_graph: bool = False,
                inputs: Any = None) -> None: ...
        def zero_(self) -> Tensor: ...
        def fill_(self, value: Any) -> Tensor: ...
        def copy_(self, src: Any) -> Tensor: ...
        def add_(self, *args: Any, **kw: Any) -> Tensor: ...
        def sub_(self, *args: Any, **kw: Any) -> Tensor: ...
        def mul_(self, *args: Any, **kw: Any) -> Tensor: ...
        def div_(self, *args: Any, **kw: Any) -> Tensor: ...
        def uniform_(self, from_: Any = 0.0, to: Any = 1.0, *, generator: Any = None, **kw: Any) -> Tensor: ...
        def normal_(self, mean: Any = 0.0, std: Any = 1.0, *, generator: Any = None) -> Tensor: ...
        def float(self) -> Tensor: ...
        def double(self) -> Tensor: ...
        def long(self) -> Tensor: ...
        def half(self) -> Tensor: ...
        def int(self) -> Tensor: ...
        def bool(self) -> Tensor: ...


def _rebuild(data, requires_grad):
    return Tensor(data, requires_grad=requires_grad)


class _SizeInt(int):
    """``t.size`` is the element count (NumPy style) and ``t.size(dim)`` a dimension (PyTorch style)."""

    def __new__(cls, n, shape):
        obj = super().__new__(cls, n)
        obj._shape = shape
        return obj

    def __call__(self, dim=None):
        return self._shape if dim is None else self._shape[dim]


class _RemovableHandle:
    def __init__(self, hooks, hook):
        self.hooks, self.hook = hooks, hook

    def remove(self):
        if self.hook in self.hooks:
            self.hooks.remove(self.hook)


def _sole_owner(g, handed) -> bool:
    """Whether array ``g`` is memory no one else can see: it owns it, or it is a view over the whole of a buffer
    that nothing but ``g`` refers to (the transposed product a ``x @ W.T`` backward returns). CPython's reference
    count tells; elsewhere a view is always copied."""
    if getattr(g, "base", None) is None:
        return True
    if buffers.private(g):  # a large result in one of the buffer pool's arrays, viewed by g alone
        return True
    base = g.base
    # the references: g's own .base, the local name, getrefcount's argument
    return (_refcount is not None and base.base is None and base.size == g.size and id(base) not in handed
            and _refcount(base) <= 3)


_refcount = getattr(_sys, "getrefcount", None)


def _unshared(t) -> bool:
    """Whether ``.grad`` Tensor ``t`` and its array are held only by their leaf: references to ``t`` from the
    leaf's slot, the caller's local, this parameter and getrefcount's argument; to its array from ``t``, the
    local ``a`` and the argument. A view, a read-only or a non-NumPy array never is (CuPy arrays: always added
    out of place)."""
    if _refcount is None or t.grad_fn is not None or _refcount(t) > 4:  # (a create_graph gradient: never)
        return False
    a = t.array
    return (type(a) is _np.ndarray and (a.base is None or buffers.private(a)) and a.flags.writeable
            and _refcount(a) <= 3)


def _set_grad(t, value):
    """``t.grad = value``: None, or a Tensor of ``t``'s shape, dtype and device, as PyTorch checks it."""
    if value is None:  # zero_grad(set_to_none=True) on every parameter, every step: no checks to make
        t._grad = None
        return
    if not isinstance(value, Tensor):
        raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type "
                        f"{type(value).__module__.replace('builtins', '').replace('numpy', 'numpy.')}"
                        f"{type(value).__name__}".lstrip("."))
    if value is t:
        raise RuntimeError("can't assign Variable as its own grad")
    a, b = value.array, t.array
    if a.shape != b.shape:
        raise RuntimeError(f"attempting to assign a gradient of shape {tuple(a.shape)} to a tensor of shape "
                           f"{tuple(b.shape)}; the gradient and the tensor must have the same shape")
    if a.dtype != b.dtype:
        raise RuntimeError(f"attempting to assign a gradient of dtype {a.dtype} to a tensor of dtype {b.dtype} "
                           f"(shape {tuple(b.shape)}); convert it first, e.g. g.to({b.dtype.name!r})")
    if type(a) is not type(b) or (type(a) is not _np.ndarray and value.device != t.device):
        raise RuntimeError(f"attempting to assign a gradient on {value.device} to a tensor on {t.device}; move "
                           f"it first, e.g. g.to({str(t.device)!r})")
    t._grad = value


_NON_LEAF_GRAD = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf "
    "Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
    "you access the leaf Tensor instead.")


def _get_grad(t):
    """The gradient summed into ``t`` by ``backward()``: ``None`` until one reaches it.

    Only leaves (made by the user, not by an op) and tensors that called ``retain_grad()`` keep one;
    reading a non-leaf's gives ``None`` with a ``UserWarning``, as PyTorch does.

    >>> import autograd
    >>> x = autograd.tensor([1.0, 2.0], requires_grad=True)
    >>> (3 * x).sum().backward(); x.grad
    tensor([3., 3.])
    """
    g = t._grad
    if g is None and t.grad_fn is not None and not t._retains:  # one test per read: the common case pays ~50 ns
        _warnings.warn(_NON_LEAF_GRAD, UserWarning, stacklevel=2)
    return g


# only assignments are checked; a read costs one Python call (the non-leaf warning)
Tensor.grad = property(_get_grad, _set_grad, doc=_get_grad.__doc__)


def check_hook_result(hook, r, g) -> None:
    """A gradient hook returned ``r`` for gradient ``g``: it must be a Tensor of ``g``'s shape and dtype."""
    name = getattr(hook, "__name__", type(hook).__name__)
    if not isinstance(r, Var):
        raise TypeError(f"hook {name!r} returned a {type(r).__name__}; a gradient hook returns a Tensor (the new "
                        f"gradient, of shape {tuple(getattr(g, 'shape', ()))}) or None")
    shape, dtype = tuple(getattr(g, "shape", ())), getattr(g, "dtype", None)
    if tuple(r.shape) != shape:
        raise RuntimeError(f"hook {name!r} has changed the size of the gradient: it returned shape {tuple(r.shape)} "
                           f"for a gradient of shape {shape}; return a tensor of the gradient's shape")
    if dtype is not None and r.dtype != dtype:
        raise RuntimeError(f"hook {name!r} has changed the type of the gradient: it returned {r.dtype} for a "
                           f"gradient of {dtype} (shape {shape}); convert it back, e.g. .to({dtype.name!r})")


def wrap_like(data, node):
    """A Tensor (or Scalar, for float data) holding ``data`` as the output of ``node``."""
    if type(data) is float:
        from .scalar import Scalar

        return Scalar._wrap(data, node)
    return Tensor._wrap(data, node)


def format_tensor(t: Tensor) -> str:
    """PyTorch-style text: ``tensor([1., 2.], requires_grad=True)``."""
    d = t.array
    if array_module(d) is not _np:
        d = d.get()
    opts: dict[str, Any] = {}
    if d.dtype.kind == "f" and d.size:
        finite = d[_np.isfinite(d)]
        # PyTorch's style: whole numbers print as "1.", others with 4 decimals ("0.4502")
        if finite.size and (finite != _np.round(finite)).any() and _np.abs(finite).max() < 1e8 and _np.abs(finite[finite != 0]).min(initial=1) >= 1e-4:
            opts = {"precision": 4, "floatmode": "fixed"}
    body = _np.array2string(d, separator=", ", prefix="tensor(", threshold=1000, edgeitems=3, **opts)
    extras = []
    dev = t.device
    if dev.type != "cpu":
        extras.append(f"device='{dev}'")
    if d.dtype not in (DEFAULTS.float, _np.dtype(_np.int64), _np.dtype(bool)) or d.size == 0:
        extras.append(f"dtype={d.dtype}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t._rg:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"


def is_tensor(obj) -> bool:
    """Whether ``obj`` is a :class:`Tensor` (``torch.is_tensor``).

    >>> import autograd
    >>> autograd.is_tensor(autograd.zeros(1)), autograd.is_tensor([1.0])
    (True, False)
    """
    return isinstance(obj, Tensor)


__all__ = ["Tensor", "is_tensor", "Node", "state"]
