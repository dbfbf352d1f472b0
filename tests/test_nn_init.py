"""nn.init: the gain table, the bounds and spreads of each initialiser, orthogonality, truncation, seeding, no graph."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
from nn import init


@pytest.fixture(autouse=True)
def _seeded():
    autograd.manual_seed(1234)


def _empty(*shape, dtype=autograd.float64):
    return autograd.empty(*shape, dtype=dtype)


# PyTorch 2.x's calculate_gain, value by value
GAINS = [
    ("linear", None, 1.0), ("conv1d", None, 1.0), ("conv2d", None, 1.0), ("conv3d", None, 1.0),
    ("conv_transpose1d", None, 1.0), ("conv_transpose2d", None, 1.0), ("conv_transpose3d", None, 1.0),
    ("sigmoid", None, 1.0), ("tanh", None, 1.6666666666666667), ("relu", None, 1.4142135623730951),
    ("leaky_relu", None, 1.4141428569978354), ("leaky_relu", 0.2, 1.3867504905630728),
    ("leaky_relu", 5 ** 0.5, 0.5773502691896257), ("leaky_relu", 0, 1.4142135623730951), ("selu", None, 0.75),
]


@pytest.mark.parametrize("name, param, expected", GAINS)
def test_calculate_gain_matches_pytorch(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="negative_slope True is not a valid number"):
        init.calculate_gain("leaky_relu", True)
    with pytest.raises(ValueError, match="negative_slope x"):
        init.calculate_gain("leaky_relu", "x")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'"):
        init.calculate_gain("swish")


# -- fan-based initialisers -------------------------------------------------------------------------------

SHAPE = (64, 32, 3)  # a Conv1d weight: fan_in = 32 * 3, fan_out = 64 * 3
FAN = {"fan_in": 96, "fan_out": 192}


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity, a", [("leaky_relu", 0), ("leaky_relu", math.sqrt(5)), ("relu", 0),
                                             ("tanh", 0), ("linear", 0), ("selu", 0)])
def test_kaiming_uniform_bounds(mode, nonlinearity, a):
    gain = {"leaky_relu": math.sqrt(2 / (1 + a * a)), "relu": math.sqrt(2), "tanh": 5 / 3, "linear": 1.0,
            "selu": 0.75}[nonlinearity]
    bound = gain * math.sqrt(3 / FAN[mode])
    w = init.kaiming_uniform_(_empty(*SHAPE), a=a, mode=mode, nonlinearity=nonlinearity).numpy()
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.98 * bound  # the draws fill the interval
    assert abs(w.mean()) < 0.03 * bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity", ["relu", "leaky_relu", "tanh"])
def test_kaiming_normal_std(mode, nonlinearity):
    w = init.kaiming_normal_(_empty(*SHAPE), mode=mode, nonlinearity=nonlinearity).numpy()
    std = init.calculate_gain(nonlinearity, 0) / math.sqrt(FAN[mode])
    assert w.std() == pytest.approx(std, rel=0.03)
    assert abs(w.mean()) < 0.03 * std


@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_xavier_uniform_and_normal(gain):
    fan_in, fan_out = 200, 100
    bound = gain * math.sqrt(6 / (fan_in + fan_out))
    w = init.xavier_uniform_(_empty(fan_out, fan_in), gain=gain).numpy()
    assert bound * 0.98 < np.abs(w).max() <= bound
    assert w.std() == pytest.approx(bound / math.sqrt(3), rel=0.03)
    w = init.xavier_normal_(_empty(fan_out, fan_in), gain=gain).numpy()
    assert w.std() == pytest.approx(gain * math.sqrt(2 / (fan_in + fan_out)), rel=0.03)


def test_uniform_normal_constant_zeros_ones():
    u = init.uniform_(_empty(100, 100), -2.0, 3.0).numpy()
    assert u.min() >= -2.0 and u.max() < 3.0 and u.mean() == pytest.approx(0.5, abs=0.05)
    n = init.normal_(_empty(100, 100), mean=1.5, std=0.5).numpy()
    assert n.mean() == pytest.approx(1.5, abs=0.02) and n.std() == pytest.approx(0.5, rel=0.03)
    assert init.constant_(_empty(2, 3), 0.25).tolist() == [[0.25] * 3] * 2
    assert init.zeros_(_empty(3)).tolist() == [0.0] * 3
    assert init.ones_(_empty(2)).tolist() == [1.0, 1.0]


def test_eye_and_dirac():
    assert init.eye_(_empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    w = init.dirac_(_empty(4, 2, 3, 3), groups=2).numpy()
    expected = np.zeros((4, 2, 3, 3))
    for g in range(2):
        for d in range(2):
            expected[g * 2 + d, d, 1, 1] = 1
    np.testing.assert_array_equal(w, expected)
    # a Dirac-initialised convolution passes its input through
    conv = nn.Conv2d(3, 3, 3, padding=1, bias=False)
    init.dirac_(conv.weight)
    x = autograd.randn(1, 3, 5, 5)
    np.testing.assert_allclose(conv(x).detach().numpy(), x.numpy(), atol=1e-6)
    with pytest.raises(ValueError, match="only 2-D"):
        init.eye_(_empty(2, 2, 2))
    with pytest.raises(ValueError, match="3, 4 or 5-D"):
        init.dirac_(_empty(2, 2))


@pytest.mark.parametrize("shape", [(40, 10), (10, 40), (8, 3, 2, 2), (5, 5)])
@pytest.mark.parametrize("gain", [1.0, 0.5])
def test_orthogonal(shape, gain):
    w = init.orthogonal_(_empty(*shape), gain=gain).numpy().reshape(shape[0], -1)
    rows, cols = w.shape
    gram = w.T @ w if rows >= cols else w @ w.T  # orthonormal columns (tall) or rows (wide)
    np.testing.assert_allclose(gram, gain ** 2 * np.eye(min(rows, cols)), atol=1e-12)


def test_orthogonal_draws_differ_and_zero_size_is_a_no_op():
    a, b = init.orthogonal_(_empty(4, 4)).numpy(), init.orthogonal_(_empty(4, 4)).numpy()
    assert not np.allclose(a, b)
    assert init.orthogonal_(_empty(0, 3)).shape == (0, 3)
    assert init.kaiming_uniform_(_empty(0, 3)).shape == (0, 3)
    with pytest.raises(ValueError, match="2 or more dimensions"):
        init.orthogonal_(_empty(3))


def _truncated_moments(mean, std, a, b):
    """Mean and standard deviation of N(mean, std^2) conditioned on [a, b] (closed forms)."""
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    al, be = (a - mean) / std, (b - mean) / std
    z = cdf(be) - cdf(al)
    m = (pdf(al) - pdf(be)) / z
    var = 1 + (al * pdf(al) - be * pdf(be)) / z - m * m
    return mean + std * m, std * math.sqrt(var)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, 0.0, 1.0), (0.0, 1.0, 3.0, 4.0),
                                             (0.0, 0.02, -0.04, 0.04)])
def test_trunc_normal_stays_in_bounds_with_the_right_moments(mean, std, a, b):
    w = init.trunc_normal_(_empty(200, 100), mean=mean, std=std, a=a, b=b).numpy()
    assert w.min() >= a and w.max() <= b
    m, s = _truncated_moments(mean, std, a, b)
    assert w.mean() == pytest.approx(m, abs=0.02 * s)
    assert w.std() == pytest.approx(s, rel=0.03)


def test_trunc_normal_errors():
    with pytest.raises(ValueError, match="a < b"):
        init.trunc_normal_(_empty(3), a=1.0, b=1.0)
    with pytest.raises(ValueError, match="std must be positive"):
        init.trunc_normal_(_empty(3), std=0.0)


def test_fan_errors():
    with pytest.raises(ValueError, match="fewer than 2 dims"):
        init.xavier_uniform_(_empty(3))
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported"):
        init.kaiming_uniform_(_empty(3, 3), mode="fan_avg")


# -- seeding, dtypes, no graph -------------------------------------------------------------------------------

def test_manual_seed_makes_initial_weights_repeat():
    autograd.manual_seed(7)
    a = nn.Sequential(nn.Linear(5, 4), nn.Embedding(3, 2))
    autograd.manual_seed(7)
    b = nn.Sequential(nn.Linear(5, 4), nn.Embedding(3, 2))
    autograd.manual_seed(8)
    c = nn.Linear(5, 4)
    for (k, x), (_, y) in zip(a.state_dict().items(), b.state_dict().items()):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    assert not np.array_equal(a[0].weight.detach().numpy(), c.weight.detach().numpy())


def test_an_explicit_generator_is_used():
    w1 = init.normal_(_empty(5), generator=np.random.default_rng(3)).numpy().copy()
    w2 = init.normal_(_empty(5), generator=np.random.default_rng(3)).numpy()
    np.testing.assert_array_equal(w1, w2)


@pytest.mark.parametrize("fn", [
    lambda t: init.uniform_(t), lambda t: init.normal_(t), lambda t: init.constant_(t, 2.0),
    lambda t: init.xavier_uniform_(t), lambda t: init.kaiming_normal_(t), lambda t: init.trunc_normal_(t),
    lambda t: init.orthogonal_(t), lambda t: init.eye_(t), lambda t: init.zeros_(t)])
def test_initialisers_record_no_graph_and_keep_dtype(fn):
    p = nn.Parameter(autograd.zeros(4, 3))
    version = p._version
    out = fn(p)
    assert out is p and p.is_leaf and p.grad_fn is None and p.requires_grad
    assert p.dtype == np.float32
    assert p._version == version + 1  # an in-place write, as any other
    assert p.shape == (4, 3)


def test_init_after_use_invalidates_the_old_graph():
    layer = nn.Linear(3, 2)
    y = layer(autograd.randn(2, 3)).sum()
    init.zeros_(layer.weight)
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()
