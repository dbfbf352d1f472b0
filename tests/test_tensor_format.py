"""``format(tensor, spec)`` as PyTorch's ``Tensor.__format__``: a 0-d tensor is its Python number (so training
loops' ``f"{loss:.4f}"`` work), anything else goes through ``object.__format__``."""
from __future__ import annotations

import pytest

import autograd
import nn


def test_zero_d_tensors_format_as_their_python_number():
    loss = autograd.tensor(0.123456, requires_grad=True) * 2  # requires grad: no detach needed, as PyTorch's
    assert f"{loss:.4f}" == "0.2469"
    assert f"{loss}" == str(loss.item()) == format(loss)  # PyTorch: the number, not 'tensor(...)'
    assert f"{autograd.tensor(7):03d}" == "007"
    assert f"{autograd.tensor(True)}" == "True"
    assert f"{autograd.tensor(2.5, dtype=autograd.float64):e}" == "2.500000e+00"
    assert f"{nn.Buffer(autograd.tensor(1.5)):.1f}" == "1.5"  # torch.nn.Buffer gives a plain Tensor


def test_other_tensors_format_as_object_does():
    x = autograd.ones(2)
    assert f"{x}" == repr(x)
    for t in (x, autograd.ones(1)):  # one element but 1-d: PyTorch refuses a spec too
        with pytest.raises(TypeError, match="unsupported format string passed to Tensor.__format__"):
            f"{t:.2f}"


def test_a_parameter_keeps_its_own_printing_as_pytorch():
    p = nn.Parameter(autograd.tensor(1.5))
    assert f"{p}" == repr(p) and f"{p}".startswith("Parameter containing:")
    with pytest.raises(TypeError, match="unsupported format string passed to Parameter.__format__"):
        f"{p:.2f}"
