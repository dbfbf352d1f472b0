"""Standardisation: ``(x - mean) / sqrt(var + eps)`` over some axes, the op behind batch, layer and group norm.

Its backward, ``invstd * (g - mean(g) - xhat * mean(g * xhat))``, is written in the ``F`` vocabulary, so it
differentiates itself; ``nn.functional`` adds the per-channel scale and shift and the running statistics.
"""
from __future__ import annotations

import math

from ..backend import array_module
from ..node import Node


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
        c = x - self.mean
        self.var = (c * c).mean(axis=self.axes, keepdims=True)
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
        mean_gx = F.sum(g * out, axis=self.axes, keepdims=True) / n
        return (invstd * (g - mean_g - out * mean_gx),)
