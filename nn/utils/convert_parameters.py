"""parameters_to_vector and vector_to_parameters: all parameters as one flat vector and back."""
from __future__ import annotations

from typing import Iterable

import autograd
from autograd.grad_mode import no_grad
from autograd.tensor import Tensor
from autograd.versions import bump

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """One 1-D tensor holding every parameter, flattened and concatenated (differentiable).

    >>> import autograd, nn
    >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    flat = [p.reshape(-1) for p in parameters]
    if not flat:
        raise ValueError("parameters_to_vector: got no parameters")
    return autograd.cat(flat)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of 1-D ``vec`` into the parameters, in place (no graph is recorded).

    >>> import autograd, nn
    >>> layer = nn.Linear(3, 2)
    >>> nn.utils.vector_to_parameters(autograd.zeros(8), layer.parameters())
    >>> float(layer.weight.abs().sum())
    0.0
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected vec to be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"vector_to_parameters: expected a 1-D vector, got shape {tuple(vec.shape)}")
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if total != vec.shape[0]:
        raise ValueError(f"vector_to_parameters: the parameters hold {total} values but vec has {vec.shape[0]}; "
                         f"shapes {[tuple(p.shape) for p in params]}")
    data = vec.array
    start = 0
    with no_grad():
        for p in params:
            n = p.numel()
            p.array[...] = data[start:start + n].reshape(p.array.shape)
            bump(p)
            start += n
