"""parameters_to_vector and vector_to_parameters."""
from __future__ import annotations

from autograd._backend import array_module
from autograd.tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters) -> Tensor:
    """All parameters flattened into one vector (a copy, in the graph like ``cat``).

    >>> import autograd, nn
    >>> nn.utils.parameters_to_vector(nn.Linear(2, 3).parameters()).shape
    (9,)
    """
    from autograd import cat

    return cat([p.reshape(-1) for p in parameters])


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Copy consecutive slices of ``vec`` into the parameters, in place (no graph)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    params = list(parameters)
    need = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.shape[0] != need:
        raise ValueError(f"vector_to_parameters: the parameters hold {need} values but the vector has shape "
                         f"{tuple(vec.shape)}")
    start = 0
    for p in params:
        n = p.numel()
        xp = array_module(p.data)
        p.data[...] = xp.asarray(vec.data[start:start + n]).reshape(p.shape).astype(p.data.dtype, copy=False)
        p._vc[0] += 1
        start += n
