"""Adamax: Adam with the infinity norm in place of the root mean square."""
from __future__ import annotations

from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, effective_grad, lerp_, with_grads, zeros
from .adam import _check_adam
from .optimizer import Optimizer, ParamsT, _no_pytorch_only, _scalar

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax as PyTorch's: ``m = lerp(m, g, 1 - beta1)``, ``u = max(beta2 u, |g| + eps)``,
    ``p -= lr / (1 - beta1^t) * m / u``.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.Adamax([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *, maximize: bool = False,
                 differentiable: bool = False, capturable: bool = False) -> None:
        _check_adam("Adamax", lr, betas, eps, weight_decay)
        _no_pytorch_only("Adamax", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (beta1, beta2), eps = _scalar(group["lr"]), group["betas"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st["step"] = 0
                st["exp_avg"], st["exp_inf"] = zeros(pd), zeros(pd)
            st["step"] = step = st["step"] + 1
            g = effective_grad(pd, g, wd, maximize)
            xp = array_module(pd)
            m, u, buf = st["exp_avg"].array, st["exp_inf"].array, xp.empty_like(pd)
            lerp_(m, g, 1 - beta1, buf)
            u *= beta2
            xp.abs(g, out=buf)
            buf += eps
            xp.maximum(u, buf, out=u)
            xp.divide(m, u, out=buf)
            buf *= lr / (1 - beta1 ** step)
            pd -= buf
            bump(p)
