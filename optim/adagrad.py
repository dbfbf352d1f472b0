"""Adagrad: per-coordinate steps scaled by the root of the summed squared gradients (Duchi et al.)."""
from __future__ import annotations

from typing import Optional

from autograd.backend import array_module

from ._inplace import bump, effective_grad, with_grads, zeros
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad as PyTorch's: ``s += g^2``; ``p -= lr / (1 + (t - 1) lr_decay) * g / (sqrt(s) + eps)``,
    ``s`` starting at ``initial_accumulator_value`` (the state exists from construction, as in PyTorch).

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -1.0], requires_grad=True)
    >>> opt = optim.Adagrad([w], lr=0.5)
    >>> (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.5000, -0.5000], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False, fused: Optional[bool] = None) -> None:
        _check(lr >= 0.0, "Adagrad", "learning rate", lr)
        _check(lr_decay >= 0.0, "Adagrad", "lr_decay value", lr_decay)
        _check(weight_decay >= 0.0, "Adagrad", "weight_decay value", weight_decay)
        _check(initial_accumulator_value >= 0.0, "Adagrad", "initial_accumulator_value value",
               initial_accumulator_value)
        _check(eps >= 0.0, "Adagrad", "epsilon value", eps)
        _no_pytorch_only("Adagrad", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(self.state[p], p.array, group)

    @staticmethod
    def _init_state(st, pd, group):
        st["step"] = 0
        st["sum"] = zeros(pd, group["initial_accumulator_value"])

    def _step_group(self, group):
        lr, lr_decay, eps = _scalar(group["lr"]), group["lr_decay"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        for p, pd, g in with_grads(group):
            st = self.state[p]
            if not st:  # a parameter added after construction
                self._init_state(st, pd, group)
            st["step"] = step = st["step"] + 1
            g = effective_grad(pd, g, wd, maximize)
            xp = array_module(pd)
            s, buf = st["sum"].array, xp.empty_like(pd)
            xp.multiply(g, g, out=buf)
            s += buf
            xp.sqrt(s, out=buf)
            buf += eps
            xp.divide(g, buf, out=buf)
            buf *= lr / (1 + (step - 1) * lr_decay)
            pd -= buf
            bump(p)
