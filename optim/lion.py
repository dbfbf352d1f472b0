"""Lion: the sign of an interpolated momentum (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms")."""
from __future__ import annotations

from autograd.backend import array_module

from ._inplace import bump, lerp_, with_grads, zeros
from .optimizer import Optimizer, ParamsT, _check, _scalar

__all__ = ["Lion"]


class Lion(Optimizer):
    """Lion as published: ``p *= 1 - lr * weight_decay`` (decoupled), ``p -= lr * sign(beta1 m + (1 - beta1) g)``,
    then ``m = beta2 m + (1 - beta2) g``. PyTorch has no Lion; the defaults are the paper's
    (``lr=1e-4``, ``betas=(0.9, 0.99)``, ``weight_decay=0.0``); use a learning rate 3-10x
    smaller than AdamW's and a weight decay as much larger.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -0.5], requires_grad=True)
    >>> opt = optim.Lion([w], lr=0.125)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8750, -0.3750], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-4, betas: tuple = (0.9, 0.99), weight_decay: float = 0.0, *,
                 maximize: bool = False) -> None:
        _check(lr >= 0.0, "Lion", "learning rate", lr)
        _check(0.0 <= betas[0] <= 1.0, "Lion", "beta parameter at index 0", betas[0])
        _check(0.0 <= betas[1] <= 1.0, "Lion", "beta parameter at index 1", betas[1])
        _check(weight_decay >= 0.0, "Lion", "weight_decay value", weight_decay)
        super().__init__(params, dict(lr=lr, betas=tuple(betas), weight_decay=weight_decay, maximize=maximize))

    def _step_group(self, group):
        lr, (beta1, beta2), wd, maximize = _scalar(group["lr"]), group["betas"], group["weight_decay"], group["maximize"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st["exp_avg"] = zeros(pd)
            if maximize:
                g = -g
            xp = array_module(pd)
            m, buf = st["exp_avg"].array, xp.empty_like(pd)
            if wd:
                pd *= 1 - lr * wd
            xp.subtract(g, m, out=buf)  # c = m + (1 - beta1)(g - m) = beta1 m + (1 - beta1) g
            buf *= 1 - beta1
            buf += m
            xp.sign(buf, out=buf)
            buf *= lr
            pd -= buf
            lerp_(m, g, 1 - beta2, buf)
            bump(p)
