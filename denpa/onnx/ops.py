"""ONNX for the engine's own recorded ops: the glue between layers (residuals, attention written with
matmul/softmax, reshapes). Ops are told apart by class name, and their attributes read as the nodes hold them."""
from __future__ import annotations

import numpy as np

from .layers import Unsupported

_UNARY = {"Neg": "Neg", "Exp": "Exp", "Log": "Log", "Sqrt": "Sqrt", "Tanh": "Tanh", "Sigmoid": "Sigmoid",
          "Relu": "Relu", "Erf": "Erf", "Abs": "Abs", "Sin": "Sin", "Cos": "Cos"}
_BINARY = {"Add": "Add", "Sub": "Sub", "Mul": "Mul", "Div": "Div", "Pow": "Pow", "Matmul": "MatMul",
           "Maximum": "Max", "Minimum": "Min"}
_REDUCE = {"Sum": "ReduceSum", "Mean": "ReduceMean"}


def saved_inputs(node):
    """The inputs ``node`` saved for backward, one per parent, or None where it did not save
    them all (a constant operand's value is then out of reach)."""
    s = getattr(node, "saved", None)
    return s if getattr(node, "save_inputs", False) and type(s) is tuple and len(s) == len(node.parents) else None


def constant_operand(node, i):
    """The value of a constant (no-grad) operand of ``node`` where the node kept it, else an Unsupported error."""
    s = saved_inputs(node)
    if s is None or s[i] is None:
        raise Unsupported(f"op {node.name}: its input {i} is a constant the graph does not keep (the op saves "
                          "nothing for it), so its value cannot be written; make it a tensor that requires grad "
                          "or a registered buffer used by a covered layer")
    v = s[i]
    if isinstance(v, (int, float)):
        return np.float32(v)
    return np.asarray(v)


def emit(g, node, ins):
    """ONNX for one recorded ``node``; ``ins`` are the ONNX names of its inputs (None for constant slots).
    Returns the output name (a list for a multi-output node)."""
    kind = type(node).__name__
    ins = [g.const(constant_operand(node, i), "const") if v is None else v for i, v in enumerate(ins)]
    if kind in _UNARY:
        return g.op(_UNARY[kind], ins)
    if kind in _BINARY:
        return g.op(_BINARY[kind], ins)
    if kind in ("Softmax", "LogSoftmax"):
        return g.op(kind, ins, axis=int(node.axis))
    if kind == "Permute":
        return g.op("Transpose", ins, perm=[int(d) for d in node.dims])
    if kind == "Reshape":
        return g.op("Reshape", [ins[0], g.ints(node.shape, "shape")])
    if kind == "Concat":
        return g.op("Concat", ins, axis=int(node.axis))
    if kind in _REDUCE:
        return g.reduce(_REDUCE[kind], ins[0], node.axes, node.keepdims)
    if kind == "Split":
        sizes = [b - a for a, b in node.bounds]
        return g.op("Split", [ins[0], g.ints(sizes, "split")], n_out=len(sizes), axis=int(node.axis))
    if kind == "LeakyRelu":
        return g.op("LeakyRelu", ins, alpha=float(node.slope))
    raise Unsupported(f"op {node.name} ({kind}) has no ONNX export; covered ops are "
                      f"{', '.join(sorted(set(_UNARY) | set(_BINARY) | set(_REDUCE)))}, Softmax, LogSoftmax, "
                      "Permute, Reshape, Concat, Split and the layers listed in denpa.onnx")
