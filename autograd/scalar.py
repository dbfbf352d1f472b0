"""Scalar: a pure-Python number on the same engine as Tensor (no NumPy), for
teaching backpropagation neuron by neuron.

The ops are the very Node classes tensors use; their forward and backward
rules run on floats through ``math``. After ``backward()`` every Scalar in the
graph, not only the leaves, shows its gradient, as in micrograd.

>>> from autograd import Scalar
>>> a, b = Scalar(0.5), Scalar(-1.0)
>>> c = (a * b + 1).tanh()
>>> c.backward()
>>> round(a.grad, 6), round(b.grad, 6)
(-0.786448, 0.393224)
"""
from __future__ import annotations

from .engine import run_backward
from .grad_mode import state
from .node import GRAD_LOCK, Var
from .ops.declare import DECLARED, fast

_new = object.__new__


class Scalar(Var):
    """A float that records the ops applied to it."""

    # ``array`` is the slot the engine reads on every Var; ``data`` (the teaching name) is the same slot
    __slots__ = ("array", "_grad", "grad_fn", "_rg", "name")
    _vc = None  # no in-place ops on Scalars, so no version counter

    def __init__(self, data: float, requires_grad: bool = True, name=None):
        self.array = float(data)
        self._grad = None
        self.grad_fn = None
        self._rg = requires_grad
        self.name = name

    @staticmethod
    def _wrap(data, node):
        s = _new(Scalar)
        s.array = data
        s.grad_fn = node
        s.name = None
        if node is not None:
            s._rg = True
            # the node keeps the value (a float, no cycle) so drawings show it after backward; the slot
            # _grad is read only on leaves (an op's gradient lives on its node), so it stays unset here
            node.forward_value = data
        else:
            s._grad = None
            s._rg = False
        return s

    @staticmethod
    def _const(v):
        if isinstance(v, (int, float)):
            return float(v)
        raise TypeError(f"Scalar ops take Scalars or Python numbers, got {type(v).__name__}")

    @property
    def requires_grad(self) -> bool:
        """Whether backward computes this Scalar's gradient (True by default for a Scalar, unlike a Tensor)."""
        return self._rg

    @property
    def is_leaf(self) -> bool:
        """Whether no recorded op made this Scalar (``grad_fn`` is None)."""
        return self.grad_fn is None

    @property
    def grad(self) -> float:
        """d(output)/d(self) after ``backward()``; 0.0 before (as micrograd shows it)."""
        if self.grad_fn is not None:
            g = getattr(self.grad_fn, "grad", None)
            return 0.0 if g is None else g
        return 0.0 if self._grad is None else self._grad

    @grad.setter
    def grad(self, value):
        if self.grad_fn is not None:
            self.grad_fn.grad = value
        else:
            self._grad = value

    shape = ()
    ndim = 0

    def item(self) -> float:
        """The value as a Python float.

        >>> from autograd import Scalar
        >>> (Scalar(2.0) * 3).item()
        6.0
        """
        return self.array

    def _run_hooks(self, g):
        return g

    def _accumulate(self, g, handed, create_graph):
        with GRAD_LOCK:
            self._grad = g if self._grad is None else self._grad + g

    def backward(self, gradient: float = 1.0, retain_graph: bool = False) -> None:
        """Fill ``grad`` of every Scalar this one depends on."""
        if not self._rg:
            raise RuntimeError("backward: this Scalar does not require grad")
        run_backward([self], [float(gradient)], retain_graph, False, keep_grads=True)

    def zero_grad(self) -> None:
        """Forget the gradient (``grad`` reads 0.0 again), before the next ``backward()`` adds into it."""
        self.grad = None

    def __float__(self):
        return self.array

    def __lt__(self, o):
        return self.array < float(o)

    def __gt__(self, o):
        return self.array > float(o)

    def __le__(self, o):
        return self.array <= float(o)

    def __ge__(self, o):
        return self.array >= float(o)

    def __repr__(self):
        grad = "" if not self._rg else f", grad={self.grad:.4g}"
        return f"Scalar(data={self.array:.4g}{grad})"


def _install():
    """Scalar's operators and methods: the same Node classes as Tensor's, from the op declarations."""
    for d in DECLARED.values():
        for name in d.scalar:
            setattr(Scalar, name, fast(d, reflected=name in d.reflected))


_install()
Scalar.data = Scalar.__dict__["array"]  # one slot under two names: no property call on the hot path

__all__ = ["Scalar", "state"]
