"""Standardisation: ``(x - mean) / sqrt(var + eps)`` over some axes, the op behind batch, layer and group norm.

Its backward, ``invstd * (g - mean(g) - xhat * mean(g * xhat))``, is written in the ``F`` vocabulary, so it
differentiates itself; ``nn.functional`` adds the per-channel scale and shift and the running statistics.
``BatchNorm`` is the training-mode batch norm in one op, scale and shift included: its statistics are over every
axis but the channels', the ones the scale's and shift's gradients sum over, so the three gradients share their
two reductions.
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..buffers import mul, sub
from ..node import Node, needs


class Normalize(Node):
    """``(x - mean) / sqrt(var + eps)`` over ``axes``; keeps the batch mean and variance for running statistics."""

    __slots__ = ("axes", "eps", "mean", "var", "invstd")
    save_inputs = True
    save_output = True

    def __init__(self, axes, eps):
        self.axes, self.eps = axes, eps

    def forward(self, x):
        xp = array_module(x)
        self.mean = x.mean(axis=self.axes, keepdims=True)
        c = sub(x, self.mean)  # large temporaries in reused buffers, here and in backward
        self.var = mul(c, c).mean(axis=self.axes, keepdims=True)
        self.invstd = 1.0 / xp.sqrt(self.var + self.eps)
        c *= self.invstd
        return c

    def backward(self, g, xs, out, F):
        shape = F.shape(g)
        n = math.prod(shape[a] for a in self.axes)
        if F.graph:  # the scale as a function of x, so a second derivative sees it move
            x = xs[0]
            c = x - F.sum(x, axis=self.axes, keepdims=True) / n
            invstd = 1.0 / F.sqrt(F.sum(c * c, axis=self.axes, keepdims=True) / n + self.eps)
        else:
            invstd = self.invstd
        mean_g = F.sum(g, axis=self.axes, keepdims=True) / n
        if F.graph or g.dtype != out.dtype:  # (in place below only where no promotion could be lost)
            mean_gx = F.sum(g * out, axis=self.axes, keepdims=True) / n
            return (invstd * (g - mean_g - out * mean_gx),)
        mean_gx = mul(g, out).sum(axis=self.axes, keepdims=True) / n
        gx = sub(g, mean_g)  # invstd * (g - mean_g - out * mean_gx), the same steps in place
        gx -= mul(out, mean_gx)
        gx *= invstd
        return (gx,)


_FUSED_DTYPES = ("float32", "float64")


class BatchNorm(Node):
    """``(x - mean) / sqrt(var + eps) * w + b`` per channel (axis 1) of ``x`` (N, C, *), the statistics over every
    other axis; ``w`` and ``b`` (C,) or None. Keeps the batch mean and variance for the running statistics.

    One op instead of standardise, multiply and add: the forward writes one full-size array besides its
    result, the backward needs two channel sums (of ``g`` and of ``g * (x - mean)``) for all three gradients, and
    only ``x`` is kept for backward (not the standardised copy as well).
    """

    __slots__ = ("eps", "mean", "var", "invstd")
    op_name = "batch_norm"
    save_inputs = True

    def __init__(self, eps):
        self.eps = eps

    @staticmethod
    def fusable(x, *params) -> bool:
        """Whether arrays ``x`` and the non-None ``params`` can take this op: float32 or float64, one dtype."""
        return x.dtype.name in _FUSED_DTYPES and all(p is None or p.dtype == x.dtype for p in params)

    def forward(self, x, w, b):
        xp = array_module(x)
        v = x.reshape(x.shape[0], x.shape[1], -1)
        count = v.shape[0] * v.shape[2]
        # einsum: a channel sum over (N, C, P) without a temporary, 2-3x NumPy's sum over axes (0, 2)
        mean = xp.einsum("ncp->c", v) / count
        cen = v - mean[:, None]
        var = xp.einsum("ncp,ncp->c", cen, cen) / count
        invstd = 1.0 / xp.sqrt(var + self.eps)
        self.mean, self.var, self.invstd = mean, var, invstd
        cen *= (invstd if w is None else invstd * w)[:, None]
        if b is not None:
            cen += b[:, None]
        return cen.reshape(x.shape)

    def backward(self, g, xs, out, F):
        x, w = xs[0], xs[1]
        shape = F.shape(g)
        n, c = shape[0], shape[1]
        count = math.prod(shape) // c
        if F.graph:  # the statistics as functions of x, so a second derivative sees them move
            axes = (0,) + tuple(range(2, len(shape)))
            keep = (1, c) + (1,) * (len(shape) - 2)
            cen = x - F.sum(x, axis=axes, keepdims=True) / count
            invstd = 1.0 / F.sqrt(F.sum(cen * cen, axis=axes, keepdims=True) / count + self.eps)
            xhat = cen * invstd
            gxhat = g if w is None else g * F.reshape(w, keep)
            gx = invstd * (gxhat - F.sum(gxhat, axis=axes, keepdims=True) / count
                           - xhat * (F.sum(gxhat * xhat, axis=axes, keepdims=True) / count))
            gw = F.sum(g * xhat, axis=axes) if needs(self, 1) else None
            gb = F.sum(g, axis=axes) if needs(self, 2) else None
            return gx if needs(self, 0) else None, gw, gb
        xp = array_module(g)
        gv = g.reshape(n, c, -1)
        cen = x.reshape(n, c, -1) - self.mean[:, None]
        invstd = self.invstd
        sum_g = xp.einsum("ncp->c", gv)
        dot = xp.einsum("ncp,ncp->c", gv, cen)  # sum(g * (x - mean)): no cancellation however large the mean
        gx = None
        if needs(self, 0):
            # invstd * w * (g - mean(g) - xhat * mean(g * xhat)) as g * k + (x - mean) * k2 + k3, per channel k
            k = invstd if w is None else invstd * w
            gx = gv * k[:, None]
            cen *= (-(k * invstd * invstd * dot) / count)[:, None]
            gx += cen
            gx += (-(k * sum_g) / count)[:, None]
            gx = gx.reshape(shape)
        gw = dot * invstd if needs(self, 1) else None
        gb = sum_g if needs(self, 2) else None
        return gx, gw, gb
