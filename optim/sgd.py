"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""
from __future__ import annotations

from typing import Optional

from autograd import Tensor

from ._inplace import bump, effective_grad, with_grads
from .optimizer import Optimizer, ParamsT, _check, _no_pytorch_only, _scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """SGD as PyTorch's: ``b = momentum * b + (1 - dampening) * g`` (``b = g`` at the first step),
    then ``p -= lr * (g + momentum * b if nesterov else b)``; ``g`` includes ``weight_decay * p``.

    Args:
      params: an iterable of parameters (``model.parameters()``) or of dicts defining parameter groups.
      lr: learning rate. Default 1e-3.
      momentum: momentum factor. Default 0.
      dampening: dampening for momentum. Default 0.
      weight_decay: weight decay (L2 penalty) added to the gradient. Default 0.
      nesterov: enables Nesterov momentum (needs ``momentum > 0`` and ``dampening == 0``). Default ``False``.
      maximize: maximize the objective instead of minimizing it. Default ``False``.
      foreach, differentiable, fused: accepted for PyTorch's signature; denpa has one implementation.

    >>> import autograd, optim
    >>> w = autograd.tensor([1.0, -2.0], requires_grad=True)
    >>> opt = optim.SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     opt.zero_grad(); (w * w).sum().backward(); opt.step()
    >>> w
    tensor([ 0.4600, -0.9200], requires_grad=True)
    """

    def __init__(self, params: ParamsT, lr: float = 1e-3, momentum: float = 0, dampening: float = 0,
                 weight_decay: float = 0, nesterov: bool = False, *, maximize: bool = False,
                 foreach: Optional[bool] = None, differentiable: bool = False, fused: Optional[bool] = None) -> None:
        _check(lr >= 0.0, "SGD", "learning rate", lr)
        _check(momentum >= 0.0, "SGD", "momentum value", momentum)
        _check(weight_decay >= 0.0, "SGD", "weight_decay value", weight_decay)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("SGD: Nesterov momentum requires a momentum and zero dampening")
        _no_pytorch_only("SGD", differentiable=differentiable, fused=fused)
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, momentum, dampening = _scalar(group["lr"]), group["momentum"], group["dampening"]
        wd, nesterov, maximize = _scalar(group["weight_decay"]), group["nesterov"], group["maximize"]
        for p, pd, g in with_grads(group, complex_ok=True):
            d = effective_grad(pd, g, wd, maximize)
            if momentum != 0:
                st = self.state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    b = d.copy()
                    st["momentum_buffer"] = Tensor._wrap(b, None)
                else:
                    b = buf.array
                    b *= momentum
                    b += d if dampening == 0 else (1 - dampening) * d
                d = d + momentum * b if nesterov else b
            pd -= lr * d
            bump(p)
