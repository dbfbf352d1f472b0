"""What hovering a node shows: Graphviz ``tooltip`` attributes, which an SVG shows with no JavaScript.

A tensor (leaf, input, constant or output) tells its full shape and size, dtype, device, a
preview of its values with their range and spread, and, after ``backward()``, its gradient's
preview and norm. An op tells the call, its output's shape, dtype and device where they can be
recovered (:mod:`autograd.viz.facts`), its value and gradient where something still holds them
(the outputs passed to ``draw``, a ``retain_grad()``, a Scalar graph), and what it saved for
backward, with shapes and dtypes. What cannot be known is said, not left out, so an empty
line is never mistaken for a zero.

>>> import autograd
>>> from autograd.viz.tooltips import array_lines
>>> for line in array_lines(autograd.arange(6.0).reshape(2, 3).array):
...     print(line)
shape (2, 3) · 6 values
dtype float32 · device cpu
value [0, 1, 2, 3, 4, 5]
min 0 · max 5 · mean 2.5 · std 1.708
"""
from __future__ import annotations

import math

from ..backend import array_module, device_of
from ..node import RetainGrad, Var
from ..scalar import Scalar
from .facts import UNKNOWN
from .labels import fmt_shape

SHOWN = 8  # values listed before the ellipsis
NOT_KEPT = "grad not kept (call .retain_grad() on this op's output before backward() to keep it)"


def dot_string(text: str) -> str:
    """``text`` as a quoted DOT string for an escString attribute (``\\n`` breaks a line in a tooltip)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _num(x) -> str:
    return str(x) if isinstance(x, bool) else format(x, ".4g")


def grad_of(v):
    """``v``'s stored gradient without the warning ``.grad`` gives on a non-leaf tensor (None if none)."""
    if isinstance(v, Scalar):
        return v.grad if v.grad_fn is None else getattr(v.grad_fn, "grad", None)
    return v._grad


def values(a) -> str:
    """The first values of ``a``, flattened: ``[0.1, -2, 3.5, …]``."""
    if isinstance(a, Var):
        a = a.array
    if isinstance(a, (int, float, complex, bool)):
        return _num(a)
    if a.ndim == 0:
        return _num(a.item())
    flat = a.reshape(-1)
    head = flat[:SHOWN].tolist()  # a few elements to the host, however large the array
    return "[" + ", ".join(_num(x) for x in head) + (", …" if flat.size > SHOWN else "") + "]"


def stats(a) -> str:
    """``min · max · mean · std`` of a real array with more than one value, else ``""``."""
    if isinstance(a, (int, float, complex, bool)) or a.size < 2 or a.dtype.kind not in "fiu":
        return ""
    xp = array_module(a)
    return (f"min {_num(float(a.min()))} · max {_num(float(a.max()))} · mean {_num(float(xp.mean(a)))} · "
            f"std {_num(float(xp.std(a)))}")


def norm(g) -> float:
    """The Euclidean norm of a gradient (an array or a number), computed in float64 for floats."""
    if isinstance(g, (int, float)):
        return abs(float(g))
    xp = array_module(g)
    return float(xp.sqrt(xp.sum(xp.abs(g.astype(xp.float64) if g.dtype.kind == "f" else g) ** 2)))


def array_lines(a, device=None) -> list:
    """Shape and size, dtype and device, values and their stats of array ``a``."""
    dev = device if device is not None else device_of(a)
    lines = [f"shape {fmt_shape(a.shape)} · {int(a.size):,} value{'s' if a.size != 1 else ''}",
             f"dtype {a.dtype} · device {dev}", "value " + values(a)]
    return lines + [s for s in (stats(a),) if s]


def grad_lines(g) -> list:
    """A gradient's preview, stats and L2 norm (the one number that says how large it is)."""
    if isinstance(g, Var):
        g = g.array
    if isinstance(g, (int, float)):  # a Scalar's: the number says it all
        return [f"grad {g:.6g}"]
    lines = ["grad " + values(g)]
    lines += [s for s in (stats(g),) if s]
    return lines + [f"‖grad‖₂ = {_num(norm(g))}"]


def tensor_tip(v, title: str, role: str) -> str:
    """The tooltip of a tensor (or Scalar) node: ``role`` says what it is in the graph."""
    lines = [f"{title}: {role}"]
    if isinstance(v, Scalar):
        lines.append(f"Scalar · value {v.array:.6g}")
    else:
        lines += array_lines(v.array, getattr(v, "device", None))
    if v.requires_grad:
        g = grad_of(v)
        if g is not None:
            lines += grad_lines(g)
        elif v.grad_fn is None:
            lines.append("grad None (no backward() has reached it yet)")
        elif not isinstance(v, Scalar) and not v.retains_grad:
            lines.append("grad not kept (call .retain_grad() on it before backward() to keep it)")
        else:
            lines.append("grad None (no backward() has reached it yet)")
    else:
        lines.append("needs no grad")
    return "\n".join(lines)


def op_grad(node, outputs):
    """The gradient of ``node``'s output, where something holds it: a drawn output's ``.grad``, a
    ``retain_grad()``, or a Scalar graph's node. ``UNKNOWN`` where nothing does."""
    v = outputs.get(node)
    if v is not None and grad_of(v) is not None:
        return grad_of(v)
    g = getattr(node, "grad", None)  # a Scalar graph's node keeps the last gradient it saw
    if g is not None:
        return g
    for h in node.hooks or ():
        if isinstance(h, RetainGrad):
            t = h.ref()
            if t is not None and t._grad is not None:
                return t._grad
    return UNKNOWN


def op_tip(node, call: str, facts, saved: list, outputs) -> str:
    """The tooltip of an op node: ``call`` its label text, ``saved`` the lines of what it saved."""
    lines = [f"{call}: {node.name}"]
    value = facts.value.get(node, UNKNOWN)
    shape = facts.shape.get(node)
    dtype, device = facts.dtype.get(node), facts.device.get(node)
    if isinstance(value, (int, float)):  # a Scalar graph keeps every value
        lines.append(f"Scalar · value {value:.6g}")
    elif value is not UNKNOWN:
        lines += array_lines(value, device)
    else:
        if shape is not None:
            size = math.prod(shape)
            lines.append(f"output shape {fmt_shape(shape)} · {size:,} value{'s' if size != 1 else ''}")
        else:
            lines.append("output shape unknown (nothing that is left records it)")
        known = [f"dtype {dtype}" if dtype is not None else "", f"device {device}" if device is not None else ""]
        if any(known):
            lines.append(" · ".join(k for k in known if k))
        lines.append("value not kept (only the outputs passed to draw and what backward needs are)")
    g = op_grad(node, outputs)
    if g is not UNKNOWN:
        lines += grad_lines(g)
    elif isinstance(value, (int, float)):  # a Scalar graph: every node gets its gradient in backward()
        lines.append("grad None (no backward() has reached it yet)")
    else:
        lines.append(NOT_KEPT)
    lines += [s.replace("saved:", "saved for backward:", 1) for s in saved]  # no indent: SVG keeps no spaces
    return "\n".join(lines)


def constant_tip(value, shape, title: str) -> str:
    """The tooltip of an array operand that needs no grad (``value`` is UNKNOWN once backward freed it)."""
    lines = [f"{title}: input or constant (needs no grad)"]
    if value is UNKNOWN:
        lines.append("shape " + (fmt_shape(shape) if shape is not None else "unknown"))
        lines.append("value not kept (backward() freed what the op saved)")
    else:
        lines += array_lines(value)
    return "\n".join(lines)
