"""Rprop: per-coordinate step sizes that grow while the gradient keeps its sign and shrink when it flips."""
from __future__ import annotations

from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, with_grads, zeros
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop as PyTorch's: where ``g * g_prev > 0`` the step size grows by ``etas[1]``, where it is
    negative it shrinks by ``etas[0]`` and that coordinate's gradient counts as 0 (no move, and no
    sign to compare next time); sizes stay in ``step_sizes``; ``p -= sign(g) * step_size``.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.Rprop([w], lr=0.25)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.7500, -0.7500], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, etas: tuple = (0.5, 1.2), step_sizes: tuple = (1e-6, 50),
                 *, capturable: bool = False, foreach: Optional[bool] = None, maximize: bool = False,
                 differentiable: bool = False) -> None:
        _check(lr >= 0.0, "Rprop", "learning rate", lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Rprop: Invalid eta values: {etas[0]}, {etas[1]} (need 0 < etas[0] < 1 < etas[1])")
        _no_pytorch_only("Rprop", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, etas=tuple(etas), step_sizes=tuple(step_sizes), foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        (etaminus, etaplus), (size_min, size_max) = group["etas"], group["step_sizes"]
        maximize = group["maximize"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st["step"] = 0
                st["prev"], st["step_size"] = zeros(pd), zeros(pd, _scalar(group["lr"]))
            st["step"] += 1
            xp = array_module(pd)
            prev, size = st["prev"].array, st["step_size"].array
            g = -g if maximize else g
            factor = xp.multiply(g, prev, out=xp.empty_like(pd))
            xp.sign(factor, out=factor)
            flipped = factor < 0
            factor[factor > 0] = etaplus
            factor[flipped] = etaminus
            factor[factor == 0] = 1
            size *= factor
            xp.clip(size, size_min, size_max, out=size)
            xp.copyto(prev, g)
            prev[flipped] = 0  # a sign flip: no move now, and no sign to compare with next step
            xp.sign(prev, out=factor)
            factor *= size
            pd -= factor
            bump(p)
