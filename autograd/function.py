"""Custom ops: subclass :class:`Function`, as in PyTorch.

>>> import autograd
>>> class Cube(autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         ctx.save_for_backward(x)
...         return x ** 3
...     @staticmethod
...     def backward(ctx, g):
...         (x,) = ctx.saved_tensors
...         return g * 3 * x ** 2
>>> x = autograd.tensor(2.0, requires_grad=True)
>>> Cube.apply(x).backward(); x.grad
tensor(12.)
"""
from __future__ import annotations

from .grad_mode import no_grad, state
from .node import Node, Var, forward_trace
from .tensor import Tensor, wrap_like
from .versions import AT_ZERO

_NOTHING_SAVED = (AT_ZERO, AT_ZERO)  # a version pair that never goes stale


class _Ctx(Node):
    """The node of one custom-Function call; also the ``ctx`` its methods see."""

    label = staticmethod(lambda node: node.fn_cls.__name__)  # drawn under the Function's class name

    def __init__(self, fn_cls):
        self.fn_cls = fn_cls
        self.to_save = ()
        self.needs_input_grad = ()
        self.outputs = ()

    @property
    def name(self):
        return self.fn_cls.__name__ + "Backward"

    def save_for_backward(self, *tensors):
        self.to_save = tensors

    def mark_non_differentiable(self, *tensors):
        self.non_diff = {id(t) for t in tensors}

    @property
    def saved_tensors(self):
        if self.saved is _released():
            from .engine import _retain_graph_error

            raise _retain_graph_error(self)
        out = []
        for kind, v in self.saved or ():
            if kind == "out":  # rebuilt on demand, connected to this node (or its output selector)
                data, index = v
                node = self if len(self.out_shapes) == 1 else _Select.make(self, index, len(self.out_shapes))
                out.append(wrap_like(data, node))
            else:
                out.append(v)
        return tuple(out)

    def backward(self, g, xs, out, F):
        grads = tuple(g) if isinstance(g, MultiGrad) else (g,)
        graph = F.graph
        gts = tuple(None if gi is None else (gi if isinstance(gi, Var) else Tensor._wrap(gi, None)) for gi in grads)
        if any(gi is None for gi in gts):
            gts = tuple(gi if gi is not None else Tensor._wrap(_zeros(o), None) for gi, o in zip(gts, self.out_shapes))
        res = self.fn_cls.backward(self, *gts)
        if not isinstance(res, tuple):
            res = (res,)
        if len(res) != len(self.parents):
            raise RuntimeError(f"{self.fn_cls.__name__}.backward returned {len(res)} gradients, but forward took {len(self.parents)} inputs")
        out_grads = []
        for r, p, shape in zip(res, self.parents, self.in_shapes):
            if p is None or r is None:
                out_grads.append(None)
                continue
            if not isinstance(r, Var):
                r = Tensor(r)
            if tuple(r.shape) != tuple(shape):
                raise RuntimeError(f"{self.fn_cls.__name__}.backward returned a gradient of shape {tuple(r.shape)} for an input of shape {tuple(shape)}")
            out_grads.append(r if graph else r.array)
        return tuple(out_grads)


def _zeros(spec):
    shape, dtype, xp = spec
    return xp.zeros(shape, dtype)


def _released():
    from .engine import _RELEASED

    return _RELEASED


class MultiGrad:
    """Gradients of a multi-output node, one slot per output (None where nothing arrived), summed slot by slot.

    The walk owns each one, so adding another output's gradient fills its slot in place: a node with L outputs
    costs O(L) to collect, not a new L-tuple per output (O(L²): an RNN unbinds its whole sequence).
    """

    __slots__ = ("slots", "count")

    def __init__(self, count, index, g):
        self.slots = {index: g}
        self.count = count

    def __add__(self, other):
        slots = self.slots
        for i, b in other.slots.items():
            a = slots.get(i)
            slots[i] = b if a is None else a + b
        return self

    def __iter__(self):
        get = self.slots.get
        return (get(i) for i in range(self.count))


class _Select(Node):
    """Output ``i`` of a multi-output node (a custom Function, split, unbind): sends its gradient to that slot."""

    __slots__ = ("index", "count")
    label = "select"

    def label_args(self) -> str:
        return f"({self.index})"

    @property
    def name(self):
        return "SelectBackward"

    @staticmethod
    def make(parent, index, count):
        node = _Select()
        node.index, node.count = index, count
        node.parents = (parent,)
        node.saved = node.out = node.vc = None
        return node

    def backward(self, g, xs, out, F):
        return (MultiGrad(self.count, self.index, g),)


class Function:
    """Base class of custom differentiable ops: define static ``forward(ctx, *args)``
    and ``backward(ctx, *grad_outputs)``, call ``MyOp.apply(*args)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):  # pragma: no cover - abstract
        """Compute the op's output Tensor(s) from ``args`` (run without recording); keep on ``ctx`` what
        backward needs: ``ctx.save_for_backward(*tensors)``, other attributes, ``ctx.mark_non_differentiable``.
        Subclasses define it as a staticmethod (see the module's example)."""
        raise NotImplementedError("Function subclasses must define forward(ctx, *args)")

    @staticmethod
    def backward(ctx, *grad_outputs):  # pragma: no cover - abstract
        """The gradients of forward's inputs from those of its outputs (one per output): one value per input
        of forward, ``None`` for an input that needs none; ``ctx.saved_tensors`` gives what forward saved and
        ``ctx.needs_input_grad`` which inputs want a gradient. Subclasses define it as a staticmethod."""
        raise NotImplementedError("Function subclasses must define backward(ctx, *grad_outputs) to be differentiated")

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward(ctx, *args, **kwargs)`` and, when an input requires grad (and grad mode is on),
        record it so backward calls this class's ``backward``; returns forward's output(s).

        >>> import autograd
        >>> class Double(autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         return x * 2
        ...     @staticmethod
        ...     def backward(ctx, g):
        ...         return g * 2
        >>> x = autograd.tensor([1.0], requires_grad=True)
        >>> y = Double.apply(x); y.sum().backward(); y, x.grad
        (tensor([2.], grad_fn=<DoubleBackward>), tensor([2.]))
        """
        ctx = _Ctx(cls)
        tensors = [a for a in args if isinstance(a, Var)]
        ctx.needs_input_grad = tuple(isinstance(a, Var) and a.requires_grad for a in args)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        for o in outs:
            if not isinstance(o, Var):
                raise TypeError(f"{cls.__name__}.forward must return Tensors (or a tuple of them), got {type(o).__name__}")
        record = state.enabled and any(ctx.needs_input_grad)
        if not record:
            return outputs
        if state.anomaly:
            ctx.trace = forward_trace()
        ctx.parents = tuple((a.grad_fn or a) if isinstance(a, Var) and a.requires_grad else None for a in args)
        ctx.in_shapes = tuple(getattr(a, "shape", ()) for a in args)
        ctx.out_shapes = tuple((o.shape, o.dtype, o._module()) for o in outs)
        ctx.out = None
        non_diff = getattr(ctx, "non_diff", set())
        # saved outputs are kept as (data, node) so the node does not hold its own output
        saved, versions = [], []
        out_ids = {id(o): i for i, o in enumerate(outs)}
        results = []
        for i, o in enumerate(outs):
            if id(o) in non_diff:
                results.append(o)
                continue
            if single:
                node = ctx
            else:
                node = _Select.make(ctx, i, len(outs))
            o = o.detach() if o.grad_fn is not None or any(o is a for a in args) else o
            o.grad_fn = node
            o._rg = True
            results.append(o)
        for t in ctx.to_save:
            if isinstance(t, Var) and id(t) in out_ids:
                # an output is kept as its data and index: holding it (or its node) would be a cycle
                o = results[out_ids[id(t)]]
                saved.append(("out", (o.array, out_ids[id(t)])))
                if o._vc is not None:
                    versions.append((o._vc, o._vc.copy()))
            else:
                saved.append(("in", t))
                if isinstance(t, Var) and t._vc is not None:
                    versions.append((t._vc, t._vc.copy()))
        ctx.saved = tuple(saved)
        # the engine checks these before backward (a fresh dummy when nothing was saved, so saved
        # values are still released after backward and a second backward is refused)
        ctx.vc = tuple(x for pair in versions for x in pair) or _NOTHING_SAVED
        ctx.to_save = ()
        return results[0] if single else tuple(results)


class once_differentiable:  # pragma: no cover - accepted for API compatibility
    """Decorator accepted on a Function's ``backward`` for PyTorch compatibility; it returns the function
    unchanged (PyTorch's makes a double backward through it raise; here it is differentiated as written)."""

    def __new__(cls, fn):
        return fn
