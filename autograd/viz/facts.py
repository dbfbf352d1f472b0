"""What the drawing can know about results nobody holds any more.

A node does not keep its output tensor (so memory is freed as soon as the user
drops it), and recording stores nothing for the drawing. The shape and value of
an intermediate result are recovered at draw time from what is still there, and
left out of the picture where nothing is:

1. the outputs passed to :func:`~autograd.draw` (exact);
2. ``node.forward_value``, which a Scalar graph keeps for every op (so Scalars show
   every value, as in micrograd), and ``node.out``, the output an op saved
   for its backward (exact);
3. a consumer's saved inputs, and the input shapes ops keep for backward
   (``in_shape`` of reshape/sum/getitem, ``shapes`` of a broadcasting add);
4. forward rules: an elementwise op keeps its input's shape, ``matmul`` of
   ``(4, 3)`` and ``(3, 2)`` gives ``(4, 2)``, ...

``backward()`` frees what ops saved, so fewer facts survive it: a constant
operand (``2 * x``) is known while its op holds it, and the shape of a tensor
op's output may then be unknown (it is left out of the label).
"""
from __future__ import annotations

import numpy as _np  # shapes only (host metadata)

from ..backend import device_of
from ..engine import _RELEASED
from ..function import _Ctx, _Select
from ..node import Node, Var
from ..ops import arith, elementwise as ew, index, linalg, reduce, shape
from ..ops import cast, conv, pool

UNKNOWN = object()

_SAME = (arith.Neg, arith.Abs, arith.ZeroGrad, ew.Exp, ew.Log, ew.Log1p, ew.Expm1, ew.Sqrt, ew.Sin, ew.Cos, ew.Tan,
         ew.Tanh, ew.Sigmoid, ew.Relu, ew.LeakyRelu, ew.Elu, ew.Erf, ew.Gelu, ew.Silu, ew.Softplus, ew.Clamp,
         reduce.Softmax, reduce.LogSoftmax, cast.Clone, cast.Cast, shape.Flip, index.IndexPut)
_ELEMENTWISE = tuple(c for c in _SAME if c is not index.IndexPut)  # one input, of the output's shape
# add/sub/mul record no operand shapes when nothing broadcast: then each tensor operand has the output's shape
_SAME_IN = (arith.Add, arith.Sub, arith.Mul)
_BCAST = (arith.Add, arith.Sub, arith.Mul, arith.Div, arith.Pow, ew._MaxMin, ew.Where)
_IN_SHAPE = (shape.Reshape, shape.BroadcastTo, index.GetItem, reduce._Reduce)


def _shape(v):
    return tuple(getattr(v, "shape", ()))


def saved_inputs(node):
    """The inputs an op saved for backward, one per input slot, or None (none saved, or freed)."""
    s = node.saved
    return s if node.save_inputs and type(s) is tuple and len(s) == len(node.parents) else None


def input_shapes(node) -> list:
    """The shape of each input of ``node`` as far as the node itself records it (None where it does not)."""
    s = saved_inputs(node)
    if s is not None:
        shapes = [None if v is None else _shape(v) for v in s]
        if None in shapes and isinstance(node, arith.Mul) and node.shapes is None and hasattr(s[shapes.index(None) ^ 1], "shape"):
            shapes = [shapes[1] if shapes[0] is None else shapes[0]] * 2  # x * c keeps only c; no broadcasting, so x had c's shape
        return shapes
    hint: list = [None] * len(node.parents)
    try:
        if isinstance(node, _Ctx):
            return list(node.in_shapes)
        if isinstance(node, shape.Tile):
            hint[0] = tuple(node.orig_shape)  # its in_shape is padded to the repeats' rank
        elif isinstance(node, _IN_SHAPE):
            hint[0] = tuple(node.in_shape)
        elif isinstance(node, (arith.Add, arith.Sub, arith.Mul)) and node.shapes is not None:
            hint = list(node.shapes)
        elif isinstance(node, ew.Where):
            hint[1], hint[2] = node.shapes  # slot 0 is the condition
        elif isinstance(node, index.IndexPut):
            hint = [tuple(node.mask.shape), tuple(node.v_shape)]
    except AttributeError:  # a node made by hand, without the fields its op's forward sets
        pass
    return hint


def _reduced(node, _):
    axes = node.axes
    if node.keepdims:
        return tuple(1 if i in axes else n for i, n in enumerate(node.in_shape))
    return tuple(n for i, n in enumerate(node.in_shape) if i not in axes)


def _reshaped(node, _):
    target = tuple(node.shape)
    if -1 not in target:
        return target
    size = int(_np.prod(node.in_shape))
    rest = int(_np.prod([n for n in target if n != -1]))
    return tuple(size // max(rest, 1) if n == -1 else n for n in target)


def _matmul(_, ins):
    a, b = ins
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    out = _np.broadcast_shapes(a2[:-2], b2[:-2]) + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def _concat(node, ins):
    known = next(s for s in ins if s is not None)
    return known[:node.axis] + (sum(node.sizes),) + known[node.axis + 1:]


def _getitem(node, _):
    if not node.basic:
        return None  # advanced indexing: the result's shape needs the index arrays' broadcasting
    return _np.broadcast_to(_np.empty((), bool), node.in_shape)[node.index].shape  # a view: allocates nothing


def _einsum(node, ins):
    sizes = {}
    for letters, s in zip(node.ins, ins):
        for c, n in zip(letters, s):
            sizes[c] = max(sizes.get(c, 1), n)
    return tuple(sizes[c] for c in node.rhs)


def _ctx_out(node, _):
    return tuple(node.out_shapes[0][0]) if len(node.out_shapes) == 1 else None


def _select(node, _):
    return tuple(node.parents[0].out_shapes[node.index][0])


# op class -> (rule(node, input shapes) -> shape, whether the rule needs every input shape)
_RULES = {
    shape.Reshape: (_reshaped, False),
    shape.BroadcastTo: (lambda n, _: tuple(n.shape), False),
    shape.Permute: (lambda n, ins: tuple(ins[0][d] for d in n.dims), True),
    shape.Tile: (lambda n, _: tuple(r * s for r, s in zip(n.reps, n.in_shape)), False),
    shape.Concat: (_concat, False),
    shape.Pad: (lambda n, ins: tuple(s + lo + hi for s, (lo, hi) in zip(ins[0], n.widths)), True),
    reduce._Reduce: (_reduced, False),
    linalg.Matmul: (_matmul, True),
    linalg.Einsum: (_einsum, True),
    index.GetItem: (_getitem, False),
    index.IndexAdd: (lambda n, _: tuple(n.shape), False),
    _Ctx: (_ctx_out, False),
    _Select: (_select, False),
    # convolutions and poolings: batch and channels from the operands, spatial sizes from the geometry
    conv.Convolution: (lambda n, ins: (ins[0][0], ins[1][0]) + tuple(n.geo.out_size), True),
    conv.ConvTranspose: (lambda n, _: tuple(n.x_shape), False),
    conv.ConvWeightGrad: (lambda n, _: tuple(n.w_shape), False),
    pool.MaxPool: (lambda n, ins: tuple(ins[0][:2]) + tuple(n.geo.out_size), True),
    pool.SumPool: (lambda n, ins: tuple(ins[0][:2]) + tuple(n.geo.out_size), True),
    pool.SumPoolAdjoint: (lambda n, _: tuple(n.lead) + tuple(n.geo.in_size), False),
}


def _rule(cls):
    for k in cls.__mro__:
        if k in _RULES:
            return _RULES[k]
    return None


def out_shape(node, ins):
    """The shape of ``node``'s output from its input shapes (None entries unknown), or None."""
    known = [s for s in ins if s is not None]
    if isinstance(node, _SAME):
        return ins[0] if ins and ins[0] is not None else None
    if isinstance(node, _BCAST):
        if len(known) == len(ins):
            return tuple(_np.broadcast_shapes(*known))
        if isinstance(node, (arith.Add, arith.Sub, arith.Mul)) and known and getattr(node, "shapes", 0) is None:
            return known[0]  # nothing broadcast: the other operand was a number or of the same shape
        return None
    rule = _rule(type(node))
    if rule is None:
        return None
    fn, needs_all = rule
    if needs_all and len(known) < len(ins):
        return None
    try:
        s = fn(node, ins)
    except (AttributeError, ValueError, IndexError, TypeError, StopIteration):
        return None
    return None if s is None else tuple(int(n) for n in s)


class Facts:
    """Shapes and values of op outputs, as far as they can be recovered (see the module's notes)."""

    def __init__(self, topo, outputs):
        self.value = {}
        self.shape = {}
        ops = [e for e in topo if isinstance(e, Node)]
        value = self.value
        for v in outputs:
            if v.grad_fn is not None:
                value[v.grad_fn] = v.array
        for n in ops:
            if n not in value:
                v = getattr(n, "forward_value", UNKNOWN)  # Scalar graphs keep every value on its node
                if v is not UNKNOWN:
                    value[n] = v
                elif n.out is not None:
                    value[n] = n.out
        for c in ops:
            s = saved_inputs(c)
            if s is not None:
                for p, x in zip(c.parents, s):
                    if x is not None and p not in value and isinstance(p, Node):  # None: not kept (x * c)
                        value[p] = x
        shapes = self.shape
        for n, v in value.items():
            shapes[n] = _shape(v)
        for c in ops:
            for p, s in zip(c.parents, input_shapes(c)):
                if s is not None and p is not None and p not in shapes:
                    shapes[p] = tuple(s)
        self._forward(ops)
        for n in reversed(ops):  # children first: an elementwise op's input has its output's shape
            s = shapes.get(n)
            if s is not None and (isinstance(n, _ELEMENTWISE) or isinstance(n, _SAME_IN)
                                  and getattr(n, "shapes", 0) is None):
                for p in n.parents:
                    if isinstance(p, Node) and p not in shapes:
                        shapes[p] = s
        self._forward(ops)
        self.dtype, self.device = {}, {}
        self._dtypes_and_devices(ops)

    def _dtypes_and_devices(self, ops):
        """Each op's output dtype and device: from its value where known, else from its inputs (parents first).

        A recorded op's tensor inputs share a dtype (``promoted`` casts them in the graph first, and
        matmul refuses a mix) and a device (mixing devices is refused), and its output has them, except
        for a cast (``Cast.dtype``) and a move (``ToDevice.device``). Where the inputs disagree, or are
        unknown, nothing is claimed."""
        dtypes, devices = self.dtype, self.device
        for n in ops:
            v = self.value.get(n, UNKNOWN)
            if v is not UNKNOWN and hasattr(v, "dtype"):
                dtypes[n], devices[n] = v.dtype, device_of(v)
                continue
            if isinstance(v, float):  # a Scalar graph
                continue
            ins_dt, ins_dev = set(), set()
            for p in n.parents:
                if isinstance(p, Var):
                    ins_dt.add(p.array.dtype)
                    ins_dev.add(device_of(p.array))
                elif p is not None:
                    ins_dt.add(dtypes.get(p))
                    ins_dev.add(devices.get(p))
            dt = ins_dt.pop() if len(ins_dt) == 1 else None
            dev = ins_dev.pop() if len(ins_dev) == 1 else None
            if isinstance(n, cast.Cast):
                dt = getattr(n, "dtype", None)
            elif isinstance(n, cast.ToDevice):
                dev = getattr(n, "device", None)
            elif isinstance(n, (_Ctx, _Select)):  # a custom Function records (shape, dtype, module) per output
                try:
                    outs = n.out_shapes if isinstance(n, _Ctx) else n.parents[0].out_shapes[n.index:n.index + 1]
                    dt = outs[0][1] if len(outs) == 1 else None
                except (AttributeError, IndexError):
                    dt = None
            if dt is not None:
                dtypes[n] = dt
            if dev is not None:
                devices[n] = dev

    def _forward(self, ops):
        shapes = self.shape
        for n in ops:  # parents first, so each rule sees its inputs' shapes
            if n not in shapes:
                s = out_shape(n, self.input_shapes(n))
                if s is not None:
                    shapes[n] = s

    def input_value(self, node, i):
        """The value of ``node``'s ``i``-th input, or UNKNOWN."""
        p = node.parents[i]
        if isinstance(p, Var):
            return p.array
        if p is not None:
            return self.value.get(p, UNKNOWN)
        s = saved_inputs(node)
        return UNKNOWN if s is None else s[i]

    def input_shapes(self, node) -> list:
        """The shape of each input of ``node``: a leaf's own, a drawn parent's output shape, else what the node
        records (None where nothing tells)."""
        hints = input_shapes(node)
        out = []
        for p, h in zip(node.parents, hints):
            if isinstance(p, Var):
                out.append(_shape(p.array))
            elif p is not None and p in self.shape:
                out.append(self.shape[p])
            else:
                out.append(None if h is None else tuple(h))
        return out

    @staticmethod
    def released(node) -> bool:
        """Whether backward has already freed what ``node`` saved."""
        return node.saved is _RELEASED
