"""RAdam: Adam with the variance of its adaptive step rectified (Liu et al. 2019)."""
from __future__ import annotations

import math
from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, with_grads
from .adam import _check_adam, moments_step, new_moments
from .optimizer import Optimizer, ParamsT, _no_pytorch_only, _scalar

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam as PyTorch's: with ``rho_inf = 2 / (1 - beta2) - 1`` and
    ``rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)``, the step is
    ``lr * m_hat * r_t * sqrt(1 - beta2^t) / (sqrt(v) + eps)`` when ``rho_t > 5``
    (``r_t`` the rectification term), else the plain momentum step ``lr * m_hat``.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.RAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8000, -0.8000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, decoupled_weight_decay: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False) -> None:
        _check_adam("RAdam", lr, betas, eps, weight_decay)
        _no_pytorch_only("RAdam", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable, decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (beta1, beta2), eps = _scalar(group["lr"]), group["betas"], group["eps"]
        rho_inf = 2 / (1 - beta2) - 1
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st.update(new_moments(pd))
            xp = array_module(pd)
            buf = xp.empty_like(pd)
            step, g, m, v = moments_step(st, pd, g, lr, group, buf)
            bias_correction1 = 1 - beta1 ** step
            bias_correction2 = 1 - beta2 ** step
            rho_t = rho_inf - 2 * step * beta2 ** step / bias_correction2
            if rho_t > 5.0:
                rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                xp.sqrt(v, out=buf)
                buf += eps
                xp.divide(m, buf, out=buf)
                buf *= lr * rect * math.sqrt(bias_correction2) / bias_correction1
            else:
                xp.multiply(m, lr / bias_correction1, out=buf)
            pd -= buf
            bump(p)
