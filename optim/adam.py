"""Adam and AdamW: bias-corrected moving averages of the gradient and of its square."""
from __future__ import annotations

import math
from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, effective_grad, ema_square_, lerp_, with_grads, zeros
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["Adam", "AdamW"]


def moments_step(st, pd, g, lr, group, buf):
    """The Adam family's common start of a step, in place: count it, apply weight decay (decoupled into
    the parameter, or L2 into the gradient), update ``m = lerp(m, g, 1 - beta1)`` and
    ``v = beta2 v + (1 - beta2) g^2``. Returns ``(step, g, m, v)``; the state needs ``step``,
    ``exp_avg`` and ``exp_avg_sq``."""
    beta1, beta2 = group["betas"]
    wd, decoupled = group["weight_decay"], group["decoupled_weight_decay"]
    st["step"] = step = st["step"] + 1
    if wd and decoupled:
        pd *= 1 - lr * wd
    g = effective_grad(pd, g, 0 if decoupled else wd, group["maximize"])
    m, v = st["exp_avg"].array, st["exp_avg_sq"].array
    lerp_(m, g, 1 - beta1, buf)
    ema_square_(v, g, beta2, buf)
    return step, g, m, v


def new_moments(pd, **extra):
    """Fresh Adam-family state for the parameter array ``pd``."""
    return dict(step=0, exp_avg=zeros(pd), exp_avg_sq=zeros(pd), **extra)


def _check_adam(name, lr, betas, eps, weight_decay):
    _check(lr >= 0.0, name, "learning rate", lr)
    _check(eps >= 0.0, name, "epsilon value", eps)
    _check(0.0 <= betas[0] < 1.0, name, "beta parameter at index 0", betas[0])
    _check(0.0 <= betas[1] < 1.0, name, "beta parameter at index 1", betas[1])
    _check(weight_decay >= 0.0, name, "weight_decay value", weight_decay)


class Adam(Optimizer):
    """Adam (Kingma & Ba) as PyTorch's: ``m = lerp(m, g, 1 - beta1)``, ``v = beta2 v + (1 - beta2) g^2``,
    ``p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)``.

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2), or with
    ``decoupled_weight_decay=True`` shrinks ``p *= 1 - lr * weight_decay`` first
    (AdamW); ``amsgrad`` divides by the running maximum of ``v`` instead.

    Args:
      params: an iterable of parameters (``model.parameters()``) or of dicts defining parameter groups.
      lr: learning rate. Default 1e-3.
      betas: coefficients for the running averages of the gradient and its square. Default (0.9, 0.999).
      eps: term added to the denominator for numerical stability. Default 1e-8.
      weight_decay: weight decay (L2 penalty). Default 0.
      amsgrad: use the AMSGrad variant (the running maximum of the second moment). Default ``False``.
      maximize: maximize the objective instead of minimizing it. Default ``False``.
      decoupled_weight_decay: if ``True``, apply the decay as AdamW does. Default ``False``.
      foreach, capturable, differentiable, fused: accepted for PyTorch's signature; denpa has one implementation.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.Adam([w], lr=0.1)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.9000, -0.9000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0, amsgrad: bool = False, *, foreach: Optional[bool] = None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None, decoupled_weight_decay: bool = False) -> None:
        name = type(self).__name__
        _check_adam(name, lr, betas, eps, weight_decay)
        _no_pytorch_only(name, differentiable=differentiable, capturable=capturable, fused=fused)
        defaults = dict(lr=lr, betas=tuple(_scalar(b) for b in betas), eps=eps, weight_decay=weight_decay,
                        amsgrad=amsgrad, maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused, decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (beta1, beta2), eps, amsgrad = _scalar(group["lr"]), group["betas"], group["eps"], group["amsgrad"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:
                st.update(new_moments(pd, **({"max_exp_avg_sq": zeros(pd)} if amsgrad else {})))
            xp = array_module(pd)
            buf = xp.empty_like(pd)
            step, g, m, v = moments_step(st, pd, g, lr, group, buf)
            if amsgrad:
                vmax = st["max_exp_avg_sq"].array
                xp.maximum(vmax, v, out=vmax)
                v = vmax
            # p -= m / ((sqrt(v) / sqrt(bc2) + eps) / step_size): the step size folded into the denominator
            step_size = lr / (1 - beta1 ** step)
            xp.sqrt(v, out=buf)
            buf /= math.sqrt(1 - beta2 ** step) * step_size
            buf += eps / step_size
            xp.divide(m, buf, out=buf)
            pd -= buf
            bump(p)


class AdamW(Adam):
    """Adam with decoupled weight decay (Loshchilov & Hutter): ``p *= 1 - lr * weight_decay`` before
    the Adam update; PyTorch's defaults (``weight_decay=0.01``).

    Args:
      params: an iterable of parameters (``model.parameters()``) or of dicts defining parameter groups.
      lr: learning rate. Default 1e-3.
      betas: coefficients for the running averages of the gradient and its square. Default (0.9, 0.999).
      eps: term added to the denominator for numerical stability. Default 1e-8.
      weight_decay: weight decay coefficient (decoupled: ``p *= 1 - lr * weight_decay``). Default 0.01.
      amsgrad: use the AMSGrad variant (the running maximum of the second moment). Default ``False``.
      maximize: maximize the objective instead of minimizing it. Default ``False``.
      foreach, capturable, differentiable, fused: accepted for PyTorch's signature; denpa has one implementation.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.8500, -0.8500], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 1e-2, amsgrad: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
