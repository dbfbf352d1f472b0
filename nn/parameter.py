"""nn.Parameter: a Tensor a Module registers as a weight."""
from __future__ import annotations

from autograd.backend import as_array
from autograd.tensor import Tensor

__all__ = ["Parameter", "Buffer"]


class Parameter(Tensor):
    """A leaf Tensor that a :class:`~nn.Module` lists in ``parameters()`` when assigned as an attribute.

    It shares memory with ``data`` (as PyTorch's does) and requires grad unless told otherwise.

    >>> import autograd, nn
    >>> p = nn.Parameter(autograd.tensor([1.0, 2.0]))
    >>> p
    Parameter containing:
    tensor([1., 2.], requires_grad=True)
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            data = as_array([])  # the default float dtype, as PyTorch's
        Tensor.__init__(self, data.array if isinstance(data, Tensor) else as_array(data))
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach().numpy(), self._rg))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = Parameter(self.array.copy(), requires_grad=self._rg)
        if self.grad is not None:
            p.grad = Tensor._wrap(self.grad.array.copy(), None)
        memo[id(self)] = p
        return p


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """A tensor that registers as a module buffer when assigned (``torch.nn.Buffer``)."""

    __slots__ = ()

    def __init__(self, data, persistent: bool = True):
        Tensor.__init__(self, data.array if isinstance(data, Tensor) else as_array(data))
        self.persistent = persistent
