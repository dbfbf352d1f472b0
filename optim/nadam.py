"""NAdam: Adam with Nesterov momentum and a momentum schedule (Dozat 2016)."""
from __future__ import annotations

from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, with_grads
from .adam import _check_adam, moments_step, new_moments
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam as PyTorch's: momentum ``mu_t = beta1 (1 - 0.5 * 0.96^(t * momentum_decay))``, its running
    product ``P_t``, and ``p -= lr [(1 - mu_t) / (1 - P_t) g + mu_{t+1} / (1 - P_t mu_{t+1}) m] / (sqrt(v / (1 - beta2^t)) + eps)``.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.NAdam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8944, -0.8944], requires_grad=True)
    """

    _scalar_state = frozenset({"step", "mu_product"})

    def __init__(self, params: ParamsT, lr: float = 2e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False) -> None:
        _check_adam("NAdam", lr, betas, eps, weight_decay)
        _check(momentum_decay >= 0.0, "NAdam", "momentum_decay value", momentum_decay)
        _no_pytorch_only("NAdam", differentiable=differentiable, capturable=capturable)
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize, foreach=foreach,
                        capturable=capturable, differentiable=differentiable)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (beta1, beta2), eps, psi = _scalar(group["lr"]), group["betas"], group["eps"], group["momentum_decay"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st.update(new_moments(pd, mu_product=1.0))
            xp = array_module(pd)
            buf = xp.empty_like(pd)
            step, g, m, v = moments_step(st, pd, g, lr, group, buf)
            mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * psi))
            mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * psi))
            st["mu_product"] = mu_product = st["mu_product"] * mu
            denom = xp.divide(v, 1 - beta2 ** step, out=xp.empty_like(pd))
            xp.sqrt(denom, out=denom)
            denom += eps
            xp.divide(g, denom, out=buf)
            buf *= lr * (1.0 - mu) / (1.0 - mu_product)
            pd -= buf
            xp.divide(m, denom, out=buf)
            buf *= lr * mu_next / (1.0 - mu_product * mu_next)
            pd -= buf
            bump(p)
