"""Graph nodes: one per recorded op, holding what backward needs.

An op is a :class:`Node` subclass with ``forward`` on raw data (arrays, or
floats for :class:`~autograd.Scalar`) and ``backward(g, xs, out, F)`` beside it.
``F`` is a namespace of NumPy-named functions: over raw arrays for a plain
backward, over Tensors when ``create_graph=True``. So one rule, written once,
gives first derivatives cheaply and higher derivatives by differentiating
itself.

A node points at its parents' nodes (or at leaf tensors), never at the
intermediate tensors, so releasing the saved arrays after backward frees them,
and dropping a forward's output frees its whole graph without reference cycles.
"""
from __future__ import annotations

import math
import os
import threading
import traceback
import weakref
from typing import Callable, Union

from .backend import DEFAULTS, array_module, erf as _erf, index_add as _index_add, mixed_device_error
from .buffers import buffers
from .grad_mode import state as _state
from .promotion import promote, result_type
from .versions import AT_ZERO as _AT_ZERO  # a just-made output's counter is at version 0


_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


def forward_trace() -> str:
    """The stack of the forward call that is recording an op, for anomaly mode's report: every frame up to the
    last one outside the engine (so the report ends at the user's line, however deep the op's own calls go).
    One definition for every recording path: nodes, multi-output splits and custom Functions."""
    stack = traceback.extract_stack()
    while stack and stack[-1].filename.startswith(_PACKAGE):
        stack.pop()
    return "".join(traceback.format_list(stack))


#: held while a backward adds into a leaf's ``.grad``: concurrent backward calls into one leaf lose no update
GRAD_LOCK = threading.Lock()


class Var:
    """Common base of Tensor and Scalar: what the engine sees as a leaf edge."""

    __slots__ = ()
    parents = ()  # a leaf has no parents in the walk


class Node:
    """Base class of every recorded op (subclasses define forward/backward)."""

    # vc: flat (counter, snapshot, counter, snapshot, ...) of the tensors backward reads (see versions.py)
    __slots__ = ("parents", "saved", "out", "vc", "grad", "forward_value", "__dict__", "__weakref__")
    save_inputs = False  # keep the forward inputs for backward
    save_output = False  # keep the forward output for backward
    cross_save = False  # with save_inputs: input i enters only the other input's gradient (mul), so it is kept only then
    hooks = None  # functions run on the incoming gradient (tensor hooks, retain_grad)
    trace = None
    label: Union[str, Callable[..., str], None] = None  # the op's drawing name: text, a function of the node, or None for op_name
    # slot ``grad``: the last gradient seen, set only for Scalar graphs (unset otherwise)
    # slot ``forward_value``: the output's value, set only for Scalar graphs (so drawings show every value, as micrograd)

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        cls.op_name = cls.__dict__.get("op_name", cls.__name__.lower())

    @property
    def name(self) -> str:
        """The node's name as ``grad_fn`` shows it: the op's class name + ``Backward`` (PyTorch's ``name()``).

        >>> import autograd
        >>> x = autograd.tensor([1.0], requires_grad=True)
        >>> (x * 2).grad_fn.name
        'MulBackward'
        """
        return type(self).__name__ + "Backward"

    def __repr__(self):
        return "<%s>" % self.name

    @property
    def next_functions(self):
        """Parents as PyTorch shows them: nodes, leaf tensors, or None for constants."""
        return self.parents

    def label_args(self) -> str:
        """The op's arguments as its call was typed, for drawings (``(axis=1)``); empty when it has none."""
        return ""

    def register_hook(self, fn):
        """Call ``fn(grad)`` on the gradient flowing into this node's output before its backward runs; a
        returned value replaces the gradient. ``Tensor.register_hook`` on a non-leaf lands here (unlike
        PyTorch's ``Node.register_hook``, the hook sees the output's gradient only, not ``grad_inputs``).

        >>> import autograd
        >>> x = autograd.tensor([1.0], requires_grad=True)
        >>> y = x * 3
        >>> y.grad_fn.register_hook(lambda g: g * 10)
        >>> y.sum().backward(); x.grad
        tensor([30.])
        """
        if self.hooks is None:
            self.hooks = []
        self.hooks.append(fn)

    def forward(self, *xs):  # pragma: no cover - abstract
        """The op on raw data: NumPy/CuPy arrays, Python numbers, or floats for a Scalar graph; returns the raw
        result. It may keep on ``self`` what backward needs besides the saved values (a shape, an axis).

        >>> import numpy as np
        >>> from autograd.ops.elementwise import Exp
        >>> Exp().forward(np.zeros(2))
        array([1., 1.])
        """
        raise NotImplementedError

    def backward(self, g, xs, out, F):  # pragma: no cover - abstract
        """The gradients of the op's inputs from ``g``, the gradient of its output: a tuple with one entry per
        input (``None`` for an input that wants none, see ``self.parents``). ``xs`` are the inputs kept by
        ``save_inputs`` (else None), ``out`` the output kept by ``save_output`` (else None), and ``F`` the
        vocabulary the rule is written in: :class:`ArrayOps` (or :class:`MathOps` for Scalars) in a plain
        backward, functions on Tensors under ``create_graph=True``, so the rule differentiates itself.

        >>> import numpy as np, autograd
        >>> from autograd.node import ops_for
        >>> x = autograd.tensor([2.0], requires_grad=True)
        >>> n = (x * x).grad_fn
        >>> g = np.ones(1, dtype=np.float32)
        >>> n.backward(g, n.saved, n.out, ops_for(g))
        (array([2.], dtype=float32), array([2.], dtype=float32))
        """
        raise NotImplementedError

    # -- recording: the per-op hot path -------------
    def _finish(self, proto, out):
        """The one recording tail of every single-output op (``apply1``, ``apply2``, ``applyn``): wrap the output
        with this node as its ``grad_fn``, keep it for backward if the op asks (watching its version), and in
        anomaly mode the forward call's stack. Multi-output ops (``split``, custom Functions) wrap each piece
        under a selector node and share ``forward_trace``."""
        t = proto._wrap(out, self)
        if self.save_output:  # (inline: this runs once per recorded op)
            self.out = t.array  # the wrapped form: NumPy turns 0-d results into scalars
            vt = t._vc
            if vt is not None:
                vc = self.vc
                self.vc = (vt, _AT_ZERO) if vc is None else vc + (vt, _AT_ZERO)
        else:
            self.out = None
        if _state.anomaly:
            self.trace = forward_trace()
        return t

    def apply1(self, x):
        """Run a one-input op on Var ``x``."""
        d = x.array
        out = self.forward(d)
        if x._rg and _state.enabled:
            self.parents = (x.grad_fn or x,)
            if self.save_inputs:
                self.saved = (d,)
                vc = x._vc
                self.vc = None if vc is None else (vc, vc.copy())
            else:
                self.saved = self.vc = None
            return self._finish(x, out)
        return x._wrap(out, None)

    def apply2(self, a, b):
        """Run a two-input op; one of ``a``, ``b`` may be a constant (a Python number stays weakly typed)."""
        if isinstance(a, Var):
            proto = a
            ad = a.array
            ra = a._rg
            if isinstance(b, Var):
                bd = b.array
                rb = b._rg
                both = True
                if type(ad) is float or type(bd) is float:
                    if type(ad) is not type(bd):
                        raise _mix_error(a, b)
                elif ad.dtype != bd.dtype:
                    if ra or rb:  # cast in the graph, so each input's gradient comes back in its own dtype
                        return self._apply_promoted(a, b)
                    ad, bd = promote(ad, bd)
            else:
                tb = type(b)
                if tb is not int and tb is not float and tb is not complex:
                    b = a._const(b)  # a NumPy scalar becomes a Python number: weak, as PyTorch's
                    tb = type(b)
                if tb is float:
                    if type(ad) is not float and ad.dtype.kind in "biu":
                        ad = ad.astype(DEFAULTS.float)  # int tensor * 2.5 is float32, as in PyTorch
                elif tb is complex and type(ad) is not float and ad.dtype.kind != "c":
                    ad = ad.astype(result_type(ad, b))  # float32 * 1j is complex64
                bd = b
                rb = both = False
        else:
            proto = b
            bd = b.array
            rb = b._rg
            ta = type(a)
            if ta is not int and ta is not float and ta is not complex:
                a = b._const(a)
                ta = type(a)
            if ta is float:
                if type(bd) is not float and bd.dtype.kind in "biu":
                    bd = bd.astype(DEFAULTS.float)
            elif ta is complex and type(bd) is not float and bd.dtype.kind != "c":
                bd = bd.astype(result_type(bd, a))
            ad = a
            ra = both = False
        try:  # free until it raises (Python 3.11+ zero-cost try): devices are only compared once an op failed
            out = self.forward(ad, bd)
        except OverflowError:  # a Python int outside an integer tensor's range: PyTorch wraps it into the dtype
            ad, bd = wrap_int(ad, bd), wrap_int(bd, ad)
            out = self.forward(ad, bd)
        except (TypeError, ValueError):
            _raise_if_mixed(self, ad, bd)
            raise
        if (ra or rb) and _state.enabled:
            self.parents = ((a.grad_fn or a) if ra else None, (b.grad_fn or b) if rb else None)
            if self.save_inputs:
                self.saved = (ad, bd)
                vp = proto._vc
                if vp is None:  # Scalars have no in-place ops, hence no versions
                    self.vc = None
                elif self.cross_save and not (ra and rb):
                    # one input wants a gradient, and only the other input's value enters it (x * c)
                    if ra:
                        self.saved = (None, bd)
                        self.vc = (b._vc, b._vc.copy()) if both else None
                    else:
                        self.saved = (ad, None)
                        self.vc = (vp, vp.copy()) if proto is a else None
                elif both:
                    vb = b._vc
                    self.vc = (vp, vp.copy(), vb, vb.copy())
                else:
                    self.vc = (vp, vp.copy())
            else:
                self.saved = self.vc = None
            return self._finish(proto, out)
        return proto._wrap(out, None)

    def _apply_promoted(self, a, b):
        """``apply2`` on operands of different dtypes of which one requires grad: both cast (by recorded casts)
        to the dtype the op computes in. The cast op lives with the ops, above this module."""
        from .ops.cast import promoted

        a, b = promoted(a, b)
        return self.apply2(a, b)

    def applyn(self, *inputs):
        """Run an op of any number of inputs (Vars or constants)."""
        proto = next(t for t in inputs if isinstance(t, Var))
        datas = tuple(t.array if isinstance(t, Var) else t for t in inputs)
        try:
            out = self.forward(*datas)
        except (TypeError, ValueError):
            _raise_if_mixed(self, *datas)
            raise
        if _state.enabled and any(isinstance(t, Var) and t.requires_grad for t in inputs):
            self.parents = tuple((t.grad_fn or t) if isinstance(t, Var) and t.requires_grad else None for t in inputs)
            if self.save_inputs:
                self.saved = datas
                self.vc = tuple(x for t in inputs if isinstance(t, Var) and t._vc is not None for x in (t._vc, t._vc.copy())) or None
            else:
                self.saved = self.vc = None
            return self._finish(proto, out)
        return proto._wrap(out, None)


def wrap_int(v, other):
    """Python int ``v`` as a 0-d array of integer array ``other``'s dtype, wrapped as C casts wrap (300 in uint8 is
    44), as PyTorch converts an out-of-range Python int operand; anything else unchanged."""
    if type(v) is int and getattr(other, "dtype", None) is not None and other.dtype.kind in "iu":
        return array_module(other).asarray(v).astype(other.dtype)
    return v


def _raise_if_mixed(node, *datas):
    """After an op failed: if its operands live on different devices, say that instead (NumPy and CuPy refuse
    each other's arrays with TypeErrors that name neither the op nor the devices)."""
    err = mixed_device_error(node.op_name, *datas)
    if err is not None:
        raise err from None


def _mix_error(a, b):
    return TypeError(
        f"cannot combine a {type(a).__name__} with a {type(b).__name__} in one op; "
        "use Scalars with Scalars and Tensors with Tensors (autograd.tensor(s.array) converts)"
    )


class RetainGrad:
    """The hook ``retain_grad()`` adds: stores the gradient on the (weakly held) tensor."""

    __slots__ = ("ref",)

    def __init__(self, tensor):
        self.ref = weakref.ref(tensor)


def needs(node: Node, i: int) -> bool:
    """Whether the op's ``i``-th input wants a gradient."""
    return node.parents[i] is not None


# -- the vocabulary backward rules are written in ----------------------------

VOCAB = (
    "exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "sign", "where", "maximum", "minimum",
    "sum", "reshape", "broadcast_to", "expand_dims", "swapaxes", "transpose", "matmul",
    "zeros_like", "ones_like", "einsum", "flip", "concatenate", "stack",
)


def _shape(a):
    """``a``'s shape; ``()`` for a Python number."""
    return getattr(a, "shape", ())


class ArrayOps:
    """The vocabulary over raw arrays of one array module (a plain backward)."""

    graph = False

    def __init__(self, xp):
        self.xp = xp
        for name in VOCAB:
            if not hasattr(type(self), name):
                setattr(self, name, getattr(xp, name))

    shape = staticmethod(_shape)
    matmul = staticmethod(buffers.product)  # a large product into a reused buffer (its pages stay mapped)

    def broadcast_to(self, g, shape):
        """``g`` spread over ``shape`` (a sum's gradient). NumPy's broadcast_to costs ~3 µs however small the
        result; a filled array costs ~0.4 µs and needs no copy to become a ``.grad``. Big results stay a view."""
        if g.shape == shape:
            return g
        if math.prod(shape) > 16384:
            return self.xp.broadcast_to(g, shape)
        out = self.xp.empty(shape, g.dtype)
        out[...] = g
        return out

    @staticmethod
    def unbroadcast(g, shape):
        """Sum ``g`` back to ``shape`` after broadcasting."""
        gs = g.shape
        if gs == shape:
            return g
        lead = len(gs) - len(shape)
        axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape) if n == 1 and gs[i + lead] != 1)
        g = g.sum(axis=axes, keepdims=True) if axes else g
        return g.reshape(shape)

    def sigmoid(self, x):
        """Elementwise ``1 / (1 + exp(-x))`` without overflow."""
        xp = self.xp
        # split by sign so neither branch overflows exp
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e))

    @staticmethod
    def erf(x):
        """Elementwise Gauss error function (``autograd.backend.erf``: SciPy's or NumPy-only)."""
        return _erf(x)

    def index_add(self, shape, index, g):
        """zeros(shape) with ``g`` added at ``index``; repeated indices accumulate."""
        z = self.xp.zeros(shape, dtype=g.dtype)
        _index_add(z, index, g)
        return z

    @staticmethod
    def getitem(x, index):
        """``x[index]``."""
        return x[index]

    @staticmethod
    def astype(x, dtype):
        """``x`` as ``dtype``, not copied when it already is."""
        return x.astype(dtype, copy=False)


class MathOps:
    """The vocabulary over Python floats, for Scalar graphs."""

    graph = False
    exp = staticmethod(math.exp)
    sqrt = staticmethod(math.sqrt)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tanh = staticmethod(math.tanh)
    abs = staticmethod(abs)
    maximum = staticmethod(max)
    minimum = staticmethod(min)

    @staticmethod
    def log(x):
        """Natural logarithm; -inf at 0 and NaN below, as for arrays (``math.log`` raises)."""
        return math.log(x) if x > 0 else (-math.inf if x == 0 else math.nan)

    @staticmethod
    def log1p(x):
        """``log(1 + x)``; -inf at -1 and NaN below, as for arrays."""
        return math.log1p(x) if x > -1 else (-math.inf if x == -1 else math.nan)

    @staticmethod
    def expm1(x):
        """``exp(x) - 1``; inf on overflow, as for arrays."""
        try:
            return math.expm1(x)
        except OverflowError:
            return math.inf

    @staticmethod
    def tan(x):
        """Tangent; NaN at +-inf, as for arrays."""
        return math.tan(x) if math.isfinite(x) else math.nan

    @staticmethod
    def sign(x):
        """-1, 0 or 1."""
        return (x > 0) - (x < 0)

    @staticmethod
    def where(c, a, b):
        """``a`` if ``c`` else ``b``."""
        return a if c else b

    @staticmethod
    def sigmoid(x):
        """``1 / (1 + exp(-x))`` without overflow."""
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def erf(x):
        """Gauss error function."""
        return math.erf(x)

    @staticmethod
    def unbroadcast(g, shape):
        """``g`` itself: a float has nothing to sum back."""
        return g

    @staticmethod
    def shape(a):
        """``()``: a float is 0-d."""
        return ()

    @staticmethod
    def sum(x, axis=None, keepdims=False):
        """``x`` itself: the sum of a single number."""
        return x


MATH_OPS = MathOps()
_ARRAY_OPS: dict = {}


def ops_for(g):
    """The plain-backward vocabulary for gradient ``g``'s kind of data."""
    t = type(g)
    ops = _ARRAY_OPS.get(t)
    if ops is None:
        if t is float or t is int or t is bool:
            ops = MATH_OPS
        else:
            ops = ArrayOps(array_module(g))
        _ARRAY_OPS[t] = ops
    return ops
