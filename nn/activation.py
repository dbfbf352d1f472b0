"""Activation modules: each calls its functional form (``inplace=True`` writes into the input, as PyTorch).

The functional forms of the activations after the first set (``logsigmoid``, ``mish``, ``prelu``, ...) are
composed from autograd's ops in ``nn/functional/activation.py``.
"""
from __future__ import annotations

from typing import Optional

import autograd

from .functional import activation as A
from . import functional as F
from .module import Module
from .parameter import Parameter

__all__ = ["ReLU", "LeakyReLU", "ELU", "GELU", "SiLU", "Sigmoid", "Tanh", "Softplus", "Softmax", "LogSoftmax", "Step",
           "ReLU6", "Hardtanh", "LogSigmoid", "Softsign", "Tanhshrink", "Mish", "Hardswish", "Hardsigmoid", "PReLU",
           "CELU", "SELU", "GLU", "Softmax2d", "Softmin", "Threshold", "Hardshrink", "Softshrink"]


class _Plain(Module):
    """An activation with no arguments but ``inplace`` (True: the result is written into the input)."""

    fn = None

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self).fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class ReLU(_Plain):
    """max(x, 0).

    >>> import autograd, nn
    >>> nn.ReLU()(autograd.tensor([-1.0, 2.0]))
    tensor([0., 2.])
    """

    fn = F.relu


class ReLU6(_Plain):
    """min(max(x, 0), 6)."""

    fn = F.relu6


class SiLU(_Plain):
    """x * sigmoid(x)."""

    fn = F.silu


class Sigmoid(Module):
    """1 / (1 + exp(-x)), computed without overflow."""

    def forward(self, input):
        return F.sigmoid(input)


class Tanh(Module):
    """The hyperbolic tangent."""

    def forward(self, input):
        return F.tanh(input)


class Step(Module):
    """The Heaviside step (1 where x > 0, else 0): the perceptron's activation; its gradient is zero.

    >>> import autograd, nn
    >>> nn.Step()(autograd.tensor([-0.5, 0.5]))
    tensor([0., 1.])
    """

    def forward(self, input):
        return F.step(input)


class LeakyReLU(Module):
    """x where x > 0, else ``negative_slope * x``.

    >>> import autograd, nn
    >>> nn.LeakyReLU(0.1)(autograd.tensor([-2.0, 3.0]))
    tensor([-0.2000,  3.0000])
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}" + (", inplace=True" if self.inplace else "")


class ELU(Module):
    """x where x > 0, else ``alpha * (exp(x) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class GELU(Module):
    """x * Phi(x) (``approximate="tanh"``: the tanh approximation)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """log(1 + exp(beta x)) / beta; linear above ``threshold`` (in units of beta x)."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """x clamped to [min_val, max_val]."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: max_val ({max_val}) must be greater than min_val ({min_val})")
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class Softmax(Module):
    """exp(x) / sum(exp(x)) along ``dim``.

    >>> import autograd, nn
    >>> nn.Softmax(dim=1)(autograd.zeros(1, 4))
    tensor([[0.2500, 0.2500, 0.2500, 0.2500]])
    """

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSoftmax(Module):
    """log(softmax(x)) along ``dim``, stable for large logits."""

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.log_softmax(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class LogSigmoid(Module):
    """log(sigmoid(x)), without overflow for large |x|.

    >>> import autograd, nn
    >>> nn.LogSigmoid()(autograd.tensor([0.0, -1000.0])).tolist()
    [-0.6931471824645996, -1000.0]
    """

    def forward(self, input):
        return A.logsigmoid(input)


class Softsign(Module):
    """x / (1 + |x|)."""

    def forward(self, input):
        return A.softsign(input)


class Tanhshrink(Module):
    """x - tanh(x)."""

    def forward(self, input):
        return A.tanhshrink(input)


class Mish(_Plain):
    """x * tanh(softplus(x)).

    >>> import autograd, nn
    >>> nn.Mish()(autograd.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8651])
    """

    fn = A.mish


class Hardswish(_Plain):
    """x * relu6(x + 3) / 6."""

    fn = A.hardswish


class Hardsigmoid(_Plain):
    """relu6(x + 3) / 6."""

    fn = A.hardsigmoid


class SELU(_Plain):
    """scale * elu(x, alpha) with the self-normalising constants (alpha ~ 1.6733, scale ~ 1.0507)."""

    fn = A.selu


class CELU(Module):
    """x where x > 0, else ``alpha * (exp(x / alpha) - 1)``."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return A.celu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}" + (", inplace=True" if self.inplace else "")


class PReLU(Module):
    """x where x >= 0, else ``weight * x``, with a learnt slope per channel (``num_parameters`` = C) or one for all.

    The parameter is ``weight`` of shape (num_parameters,), initialised to ``init``; it is applied along dim 1
    (the channel dim) of inputs with two or more dimensions.

    >>> import autograd, nn
    >>> p = nn.PReLU()
    >>> p, dict(p.state_dict())
    (PReLU(num_parameters=1), {'weight': tensor([0.2500])})
    >>> p(autograd.tensor([-4.0, 2.0]))
    tensor([-1.,  2.], grad_fn=<WhereBackward>)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        if not isinstance(num_parameters, int) or num_parameters < 1:
            raise ValueError(f"PReLU: num_parameters must be a positive integer, got {num_parameters!r}")
        self.num_parameters = num_parameters
        self.init = init
        self.weight = Parameter(autograd.empty(num_parameters, dtype=dtype, device=device))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope of ``weight`` back to ``init``, in place."""
        with autograd.no_grad():
            self.weight.fill_(self.init)

    def forward(self, input):
        return A.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class GLU(Module):
    """The gated linear unit: split ``input`` in halves a, b along ``dim``; ``a * sigmoid(b)``.

    >>> import autograd, nn
    >>> nn.GLU()(autograd.tensor([[2.0, 0.0]]))
    tensor([[1.]])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return A.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax2d(Module):
    """Softmax over the channels of each spatial cell: (N, C, H, W) or (C, H, W), along dim -3."""

    def forward(self, input):
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected a 3D (C, H, W) or 4D (N, C, H, W) input, got {input.ndim}D "
                             f"input of shape {tuple(input.shape)}")
        return F.softmax(input, -3)


class Softmin(Module):
    """softmax(-x) along ``dim``."""

    def __init__(self, dim: Optional[int] = None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return A.softmin(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Threshold(Module):
    """x where x > ``threshold``, else ``value``."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return A.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}" + (", inplace=True" if self.inplace else "")


class Hardshrink(Module):
    """x where |x| > ``lambd``, else 0."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return A.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Module):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        if lambd < 0:
            raise ValueError(f"Softshrink: lambd must be non-negative, got {lambd}")
        self.lambd = lambd

    def forward(self, input):
        return A.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return str(self.lambd)
