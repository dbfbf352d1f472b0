"""set_default_dtype / get_default_dtype as PyTorch's: one process-wide setting, read at call time by creation,
Python-float promotion, integer inputs of float functions and nn layers (values checked against torch 2.13)."""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import denpa
import nn

F64, F32 = autograd.float64, autograd.float32


@pytest.fixture
def float64_default():
    autograd.set_default_dtype(F64)
    try:
        yield
    finally:
        autograd.set_default_dtype(F32)


def test_default_is_float32_and_denpa_shares_the_setting():
    assert autograd.get_default_dtype() == F32
    assert denpa.set_default_dtype is autograd.set_default_dtype
    assert denpa.get_default_dtype() == F32


@pytest.mark.parametrize("make", [
    lambda: autograd.tensor(1.5), lambda: autograd.tensor([1, 2.5]), lambda: autograd.zeros(2),
    lambda: autograd.ones(2, 2), lambda: autograd.empty(3), lambda: autograd.full((2,), 1.5),
    lambda: autograd.eye(2), lambda: autograd.arange(0.0, 3), lambda: autograd.linspace(0, 1, 3),
    lambda: autograd.rand(2), lambda: autograd.randn(2), lambda: autograd.tensor([1]) * 2.5,
    lambda: 2.5 * autograd.tensor([1]), lambda: autograd.tensor([1]) / autograd.tensor([2]),
    lambda: autograd.tensor([1]).sigmoid(), lambda: autograd.tensor([1]).exp(),
    lambda: autograd.tensor([1, 2]).logsumexp(0), lambda: autograd.where(autograd.tensor([True]), 1, 2.5),
])
def test_creation_and_promotion_follow_the_default(make, float64_default):
    assert make().dtype == F64
    autograd.set_default_dtype(F32)
    assert make().dtype == F32


def test_what_is_explicit_keeps_its_dtype(float64_default):
    assert autograd.tensor(1.5, dtype=F32).dtype == F32
    assert (autograd.ones(2, dtype=F32) + 1.5).dtype == F32  # a Python float stays weakly typed
    assert autograd.tensor(np.array([1.5], np.float32)).dtype == F32  # an array keeps its own dtype
    assert autograd.arange(3).dtype == autograd.int64 and autograd.full((1,), 2).dtype == autograd.int64


def test_complex_defaults_follow(float64_default):
    assert autograd.full((1,), 1j).dtype == np.complex128
    autograd.set_default_dtype(F32)
    assert autograd.full((1,), 1j).dtype == np.complex64


@pytest.mark.parametrize("layer", [lambda: nn.Linear(2, 3), lambda: nn.Conv2d(1, 2, 3), lambda: nn.LSTM(2, 3),
                                   lambda: nn.Embedding(4, 2), lambda: nn.LayerNorm(3), lambda: nn.BatchNorm1d(3)])
def test_new_layers_take_the_default(layer, float64_default):
    m = layer()
    assert all(t.dtype == F64 for t in list(m.parameters()) + list(m.buffers()) if t.dtype.kind == "f")
    autograd.set_default_dtype(F32)
    assert all(p.dtype == F32 for p in layer().parameters())


def test_a_float64_model_trains_in_float64(float64_default):
    autograd.manual_seed(0)
    m = nn.Linear(3, 1)
    loss = nn.functional.mse_loss(m(autograd.randn(4, 3)), autograd.zeros(4, 1))
    loss.backward()
    assert loss.dtype == F64 and m.weight.grad.dtype == F64


def test_printing_names_the_non_default_float(float64_default):
    assert repr(autograd.tensor([1.5])) == "tensor([1.5000])"
    assert repr(autograd.tensor([1.5], dtype=F32)) == "tensor([1.5000], dtype=float32)"


@pytest.mark.parametrize("bad", [autograd.int64, autograd.float16, "float64", float, None, autograd.bool])
def test_only_float32_and_float64_are_accepted(bad):
    with pytest.raises(TypeError, match="set_default_dtype: only floating-point types are supported"):
        autograd.set_default_dtype(bad)
    assert autograd.get_default_dtype() == F32  # a refused call changes nothing


def test_an_empty_parameter_takes_the_default(float64_default):
    assert nn.Parameter().dtype == F64
