"""Adadelta: steps sized by running averages of squared gradients and squared updates (Zeiler 2012)."""
from __future__ import annotations

from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, effective_grad, ema_square_, with_grads, zeros
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta as PyTorch's: ``v = rho v + (1 - rho) g^2``, ``delta = sqrt(u + eps) / sqrt(v + eps) * g``,
    ``u = rho u + (1 - rho) delta^2``, ``p -= lr * delta``.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.Adadelta([w], eps=0.0625)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.2648, -0.2648], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *, capturable: bool = False,
                 maximize: bool = False, differentiable: bool = False) -> None:
        _check(lr >= 0.0, "Adadelta", "learning rate", lr)
        _check(0.0 <= rho <= 1.0, "Adadelta", "rho value", rho)
        _check(eps >= 0.0, "Adadelta", "epsilon value", eps)
        _check(weight_decay >= 0.0, "Adadelta", "weight_decay value", weight_decay)
        _no_pytorch_only("Adadelta", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize, capturable=capturable,
                        foreach=foreach, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, rho, eps = _scalar(group["lr"]), group["rho"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st["step"] = 0
                st["square_avg"], st["acc_delta"] = zeros(pd), zeros(pd)
            st["step"] += 1
            g = effective_grad(pd, g, wd, maximize)
            xp = array_module(pd)
            v, u, buf = st["square_avg"].array, st["acc_delta"].array, xp.empty_like(pd)
            ema_square_(v, g, rho, buf)
            delta = xp.add(u, eps, out=xp.empty_like(pd))
            xp.sqrt(delta, out=delta)
            xp.add(v, eps, out=buf)
            xp.sqrt(buf, out=buf)
            delta /= buf
            delta *= g
            ema_square_(u, delta, rho, buf)
            delta *= lr
            pd -= delta
            bump(p)
