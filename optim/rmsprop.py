"""RMSprop: divide the gradient by a running root mean square of its recent values (Hinton)."""
from __future__ import annotations

from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, effective_grad, ema_square_, lerp_, with_grads, zeros
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop as PyTorch's: ``v = alpha v + (1 - alpha) g^2``; ``avg = sqrt(v) + eps``, or with
    ``centered`` ``sqrt(v - gbar^2) + eps`` (``gbar`` the running mean of ``g``); then
    ``p -= lr * g / avg``, or with ``momentum`` ``b = momentum * b + g / avg; p -= lr * b``.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.RMSprop([w], lr=0.01, alpha=0.75)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9800, -0.9800], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False, capturable: bool = False,
                 foreach: Optional[bool] = None, maximize: bool = False, differentiable: bool = False) -> None:
        _check(lr >= 0.0, "RMSprop", "learning rate", lr)
        _check(eps >= 0.0, "RMSprop", "epsilon value", eps)
        _check(momentum >= 0.0, "RMSprop", "momentum value", momentum)
        _check(weight_decay >= 0.0, "RMSprop", "weight_decay value", weight_decay)
        _check(alpha >= 0.0, "RMSprop", "alpha value", alpha)
        _no_pytorch_only("RMSprop", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered, weight_decay=weight_decay,
                        capturable=capturable, foreach=foreach, maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, alpha, eps, momentum = _scalar(group["lr"]), group["alpha"], group["eps"], group["momentum"]
        wd, centered, maximize = group["weight_decay"], group["centered"], group["maximize"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st["step"] = 0
                st["square_avg"] = zeros(pd)
                if momentum > 0:
                    st["momentum_buffer"] = zeros(pd)
                if centered:
                    st["grad_avg"] = zeros(pd)
            st["step"] += 1
            g = effective_grad(pd, g, wd, maximize)
            xp = array_module(pd)
            v, buf = st["square_avg"].array, xp.empty_like(pd)
            ema_square_(v, g, alpha, buf)
            avg = xp.empty_like(pd)
            if centered:
                gbar = st["grad_avg"].array
                lerp_(gbar, g, 1 - alpha, buf)
                xp.multiply(gbar, gbar, out=avg)
                xp.subtract(v, avg, out=avg)
                xp.sqrt(avg, out=avg)
            else:
                xp.sqrt(v, out=avg)
            avg += eps
            xp.divide(g, avg, out=buf)
            if momentum > 0:
                b = st["momentum_buffer"].array
                b *= momentum
                b += buf
                xp.multiply(b, lr, out=buf)
            else:
                buf *= lr
            pd -= buf
            bump(p)
