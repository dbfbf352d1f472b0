"""How an op is written in a drawing: each Node class declares its ``label`` (the name) and ``label_args`` (the
arguments, as the call was typed) beside its forward and backward; these are the text helpers they use.

Convolution and pooling show the arguments that differ from the defaults, read back from the op's ``geo``.
A convolution node keeps a :class:`~autograd.ops.conv.Geometry` and a pooling node a
:class:`~autograd.ops.pool.PoolGeometry`; both hold what the call was given (after
``nn.functional`` turned ints into per-dimension tuples and paddings into ``(lo, hi)``
pairs), so the label is written as the user would have typed the call: one int where every
dimension agrees, a tuple where they differ, nothing at all for a default.

>>> import autograd, nn.functional as F
>>> from autograd.viz.labels import op_label
>>> x = autograd.randn(1, 4, 9, 9, requires_grad=True)
>>> w = autograd.randn(8, 2, 3, 3)
>>> op_label(F.conv2d(x, w, stride=2, padding=1, groups=2).grad_fn)
'conv2d(stride=2, padding=1, groups=2)'
>>> op_label(F.max_pool2d(x, 3, stride=(2, 1)).grad_fn)
'max_pool2d(3, stride=(2, 1))'
"""
from __future__ import annotations


def call(*parts) -> str:
    """``(a, b)`` from the non-empty parts; nothing at all when every part is empty."""
    text = ", ".join(p for p in parts if p)
    return f"({text})" if text else ""


def fmt_shape(s) -> str:
    """A shape as drawings print it: ``(2, 3)``, ``(4,)``, ``()``.

    >>> from autograd.ops.labels import fmt_shape
    >>> fmt_shape((2, 3)), fmt_shape((4,)), fmt_shape(())
    ('(2, 3)', '(4,)', '()')
    """
    return "(" + ", ".join(str(n) for n in s) + ("," if len(s) == 1 else "") + ")"


def index_text(idx) -> str:
    """An index as typed: ``[0, 1:3, ..., None]``, arrays as ``index(3,)`` or ``mask(2, 2)``."""
    items = idx if isinstance(idx, tuple) else (idx,)
    out = []
    for i in items:
        if isinstance(i, slice):
            s = ("" if i.start is None else str(i.start)) + ":" + ("" if i.stop is None else str(i.stop))
            out.append(s + (f":{i.step}" if i.step is not None else ""))
        elif i is None:
            out.append("None")
        elif i is Ellipsis:
            out.append("...")
        elif hasattr(i, "shape"):
            out.append(("mask" if i.dtype == bool else "index") + fmt_shape(i.shape))
        else:
            out.append(str(i))
    return "[" + ", ".join(out) + "]"


def reduce_args(node) -> str:
    """A reduction's axes as typed (nothing for all of them), ``keepdims=True``, a correction other than 1."""
    axes, nd = node.axes, len(node.in_shape)
    text = "" if axes == tuple(range(nd)) else "axis=" + (str(axes[0]) if len(axes) == 1 else str(axes))
    corr = getattr(node, "correction", None)
    return call(text, "keepdims=True" if node.keepdims else "", f"correction={corr}" if corr not in (None, 1) else "")


def _dims(values) -> str:
    """``2`` when every spatial dimension has that value, ``(2, 1)`` otherwise (as the call accepts)."""
    values = tuple(values)
    return str(values[0]) if len(set(values)) == 1 else "(" + ", ".join(map(str, values)) + ")"


def _padding(geo, same_ok: bool) -> str:
    """The padding argument: ``padding=1`` for symmetric ``(lo, hi)`` pairs; the asymmetric pairs of
    ``padding='same'`` (an even window span puts the extra cell on the high side) named as such."""
    pads = tuple(geo.pad)
    if not any(lo or hi for lo, hi in pads):
        return ""
    if all(lo == hi for lo, hi in pads):
        return "padding=" + _dims(lo for lo, _ in pads)
    spans = tuple(d * (k - 1) for k, d in zip(geo.kernel, geo.dilation))
    if same_ok and all(s == 1 for s in geo.stride) and all(lo == t // 2 and hi == t - t // 2
                                                             for (lo, hi), t in zip(pads, spans)):
        return "padding='same'"
    return "padding=(" + ", ".join(f"({lo}, {hi})" for lo, hi in pads) + ")"


def _common(geo, same_ok=True) -> list:
    parts = ["stride=" + _dims(geo.stride) if any(s != 1 for s in geo.stride) else "", _padding(geo, same_ok),
             "dilation=" + _dims(geo.dilation) if any(d != 1 for d in geo.dilation) else "",
             f"groups={geo.groups}" if geo.groups != 1 else ""]
    return [p for p in parts if p]


def conv_name(node) -> str:
    """``Convolution``'s name in a drawing: ``conv1d``, ``conv2d``, ... by its number of spatial dims."""
    return f"conv{len(node.geo.kernel)}d"


def conv_attrs(node) -> str:
    """``Convolution``: stride, padding, dilation and groups where they are not 1, 0, 1, 1."""
    return call(*_common(node.geo))


def transpose_name(node) -> str:
    """``ConvTranspose``'s name in a drawing: ``conv_transpose2d`` etc."""
    return f"conv_transpose{len(node.geo.kernel)}d"


def transpose_attrs(node) -> str:
    """``ConvTranspose``: its geometry is the convolution it transposes (``in_size`` is this op's output), so
    ``output_padding`` is the part of the output no window of that convolution reaches."""
    geo = node.geo
    extra = tuple(n - ((o - 1) * s - 2 * lo + d * (k - 1) + 1)
                  for n, o, s, (lo, _), d, k in zip(geo.in_size, geo.out_size, geo.stride, geo.pad, geo.dilation,
                                                    geo.kernel))
    parts = _common(geo, same_ok=False)
    if any(extra):
        parts.insert(2 if parts and parts[0].startswith("stride") else 1, "output_padding=" + _dims(extra))
    return call(*parts)


def weight_grad_name(node) -> str:
    """``ConvWeightGrad``'s name in a drawing: ``conv2d_weight`` etc. (PyTorch's ``nn.grad.conv2d_weight``)."""
    return f"conv{len(node.geo.kernel)}d_weight"  # PyTorch's nn.grad.conv2d_weight


def pool_name(kind):
    """``max_pool2d`` / ``sum_pool2d``: ``avg_pool`` records a sum pool and then the division (a separate op)."""
    def name(node) -> str:
        """The pooling's name in a drawing: ``max_pool2d``, ``sum_pool1d``, ... by its number of spatial dims."""
        return f"{kind}_pool{len(node.geo.kernel)}d"

    return name


def pool_attrs(node) -> str:
    """The kernel (the call's first argument), then stride where it is not the kernel, padding, dilation, and
    ``ceil_mode=True`` where it made the output larger (otherwise it changed nothing and cannot be seen)."""
    geo = node.geo
    parts = [_dims(geo.kernel)]
    if tuple(geo.stride) != tuple(geo.kernel):
        parts.append("stride=" + _dims(geo.stride))
    if any(lo for lo, _ in geo.pad):
        parts.append("padding=" + _dims(lo for lo, _ in geo.pad))  # the high side is whatever the last window needs
    if any(d != 1 for d in geo.dilation):
        parts.append("dilation=" + _dims(geo.dilation))
    floor = tuple((n + 2 * lo - d * (k - 1) - 1) // s + 1
                  for n, (lo, _), d, k, s in zip(geo.in_size, geo.pad, geo.dilation, geo.kernel, geo.stride))
    if tuple(geo.out_size) != floor:
        parts.append("ceil_mode=True")
    return call(*parts)
