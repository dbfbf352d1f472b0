"""nn.utils: clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
from autograd.testing import gradcheck
from nn.utils import clip_grad_norm_, clip_grad_value_, parameters_to_vector, vector_to_parameters


def _params_with_grads(grads, dtype=np.float32):
    ps = []
    for g in grads:
        p = nn.Parameter(autograd.zeros(*np.shape(g), dtype=dtype))
        p.grad = autograd.tensor(np.asarray(g, dtype=dtype))
        ps.append(p)
    return ps


def _reference_norm(grads, p):
    flat = np.concatenate([np.ravel(g) for g in grads]).astype(np.float64)
    if math.isinf(p):
        return np.abs(flat).max()
    return (np.abs(flat) ** p).sum() ** (1 / p)


# -- clip_grad_norm_ ----------------------------------------------------------------------

@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf, "inf"])
def test_clip_grad_norm_returns_the_norm_and_scales_to_max_norm(norm_type):
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal((3, 4)), rng.standard_normal(5), rng.standard_normal(())]
    ps = _params_with_grads(grads, np.float64)
    p = float(norm_type)
    expected = _reference_norm(grads, p)
    total = clip_grad_norm_(ps, max_norm=0.5, norm_type=norm_type)
    assert isinstance(total, autograd.Tensor) and total.dtype == np.float64
    np.testing.assert_allclose(total.item(), expected, rtol=1e-12)
    coef = 0.5 / (expected + 1e-6)
    for param, g in zip(ps, grads):
        np.testing.assert_allclose(param.grad.numpy(), np.asarray(g) * coef, rtol=1e-12)
    np.testing.assert_allclose(_reference_norm([q.grad.numpy() for q in ps], p), 0.5, rtol=1e-5)


def test_clip_grad_norm_leaves_small_gradients_alone():
    ps = _params_with_grads([[0.3, 0.4]])
    total = clip_grad_norm_(ps, max_norm=1.0)
    assert total.item() == pytest.approx(0.5)
    assert ps[0].grad.tolist() == pytest.approx([0.3, 0.4])


def test_clip_grad_norm_accepts_a_single_tensor_and_skips_missing_grads():
    a, b = _params_with_grads([[3.0, 4.0], [1.0]])
    b.grad = None
    total = clip_grad_norm_(a, 1.0)
    assert total.item() == pytest.approx(5.0)
    assert a.grad.tolist() == pytest.approx([0.6, 0.8], rel=1e-5)
    assert clip_grad_norm_([b], 1.0).item() == 0.0  # nothing to clip: norm 0


def test_clip_grad_norm_through_a_model_after_backward():
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    (model(autograd.randn(16, 4)) * 100).sum().backward()
    before = [p.grad.numpy().copy() for p in model.parameters()]
    total = clip_grad_norm_(model.parameters(), max_norm=1.0)
    np.testing.assert_allclose(total.item(), _reference_norm(before, 2), rtol=1e-5)
    np.testing.assert_allclose(_reference_norm([p.grad.numpy() for p in model.parameters()], 2), 1.0, rtol=1e-4)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_clip_grad_norm_error_if_nonfinite(bad):
    ps = _params_with_grads([[1.0, bad]])
    with pytest.raises(RuntimeError, match="non-finite.*error_if_nonfinite=False"):
        clip_grad_norm_(ps, 1.0, error_if_nonfinite=True)
    assert ps[0].grad.tolist()[0] == 1.0  # an error changes nothing
    total = clip_grad_norm_(ps, 1.0)  # without the flag: the norm comes back, as in PyTorch
    assert not math.isfinite(total.item())


def test_clip_grad_norm_rejects_unknown_norm_names():
    with pytest.raises(ValueError, match="norm_type"):
        clip_grad_norm_(_params_with_grads([[1.0]]), 1.0, norm_type="fro")


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(-1e3, 1e3), min_size=1, max_size=12), max_norm=st.floats(1e-3, 1e3))
def test_clip_grad_norm_never_leaves_a_norm_above_max(values, max_norm):
    ps = _params_with_grads([values], np.float64)
    total = clip_grad_norm_(ps, max_norm)
    assert total.item() == pytest.approx(_reference_norm([values], 2), rel=1e-12, abs=1e-300)
    assert _reference_norm([ps[0].grad.numpy()], 2) <= max_norm * (1 + 1e-9)


# -- clip_grad_value_ ----------------------------------------------------------------------

def test_clip_grad_value_clamps_each_entry_in_place():
    ps = _params_with_grads([[-5.0, 0.25, 2.0], [[7.0]]])
    arrays = [p.grad.array for p in ps]
    assert clip_grad_value_(ps, 1.0) is None
    assert ps[0].grad.tolist() == [-1.0, 0.25, 1.0] and ps[1].grad.tolist() == [[1.0]]
    assert all(p.grad.array is a for p, a in zip(ps, arrays))  # in place


def test_clip_grad_value_rejects_negative():
    with pytest.raises(ValueError, match="clip_value"):
        clip_grad_value_(_params_with_grads([[1.0]]), -1.0)


# -- parameters <-> vector --------------------------------------------------------------------

def test_parameters_to_vector_concatenates_in_order():
    layer = nn.Linear(3, 2)
    vec = parameters_to_vector(layer.parameters())
    expected = np.concatenate([layer.weight.detach().numpy().ravel(), layer.bias.detach().numpy()])
    np.testing.assert_array_equal(vec.detach().numpy(), expected)


def test_parameters_to_vector_is_differentiable():
    a = autograd.tensor(np.arange(6.0).reshape(2, 3), dtype="float64", requires_grad=True)
    b = autograd.tensor([0.5, -1.0], dtype="float64", requires_grad=True)
    assert gradcheck(lambda x, y: parameters_to_vector([x, y]) ** 2, (a, b))


def test_vector_to_parameters_round_trip_and_dtype():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    n = sum(p.numel() for p in model.parameters())
    target = autograd.arange(n, dtype="float64")  # float64 values land in float32 parameters
    ids = [id(p.array) for p in model.parameters()]
    vector_to_parameters(target, model.parameters())
    assert [id(p.array) for p in model.parameters()] == ids  # copied in place: optimizers keep their arrays
    assert all(p.dtype == np.float32 for p in model.parameters())
    np.testing.assert_array_equal(parameters_to_vector(model.parameters()).detach().numpy(), np.arange(n))


def test_vector_to_parameters_checks_its_input():
    layer = nn.Linear(2, 2)
    before = layer.weight.detach().numpy().copy()
    with pytest.raises(ValueError, match="hold 6 values but vec has 5"):
        vector_to_parameters(autograd.zeros(5), layer.parameters())
    with pytest.raises(ValueError, match="1-D"):
        vector_to_parameters(autograd.zeros(2, 3), layer.parameters())
    with pytest.raises(TypeError, match="Tensor"):
        vector_to_parameters(np.zeros(6), layer.parameters())
    np.testing.assert_array_equal(layer.weight.detach().numpy(), before)
