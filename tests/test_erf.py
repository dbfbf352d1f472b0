"""autograd.backend.erf on NumPy arrays (no SciPy needed) against math.erf: float64 and float32 accuracy, edges."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd.backend import erf


def _grid():
    rng = np.random.default_rng(0)
    return np.concatenate([
        rng.standard_normal(20000) * 2, rng.uniform(-7, 7, 20000),
        np.logspace(-300, 1, 3000), -np.logspace(-300, 1, 3000),
        # around each piece's edges (|x| = 1, 2, 2.25, 3, 4, 6)
        np.concatenate([np.linspace(e - 1e-3, e + 1e-3, 201) for e in (1, 2, 2.25, 3, 4, 6)]),
        [0.0, -0.0, 5e-324, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 30.0, 1e300],
    ])


def test_float64_within_a_few_ulps_of_math_erf():
    x = _grid()
    ref = np.array([math.erf(v) for v in x])
    y = erf(x)
    assert y.dtype == np.float64 and y.shape == x.shape
    rel = np.abs(y - ref) / np.maximum(np.abs(ref), np.finfo(np.float64).tiny)
    assert rel.max() <= 1e-15, (x[rel.argmax()], rel.max())


def test_float32_within_a_few_ulps_of_math_erf():
    x = _grid().astype(np.float32)
    ref = np.array([math.erf(float(v)) for v in x])
    y = erf(x)
    assert y.dtype == np.float32
    rel = np.abs(y.astype(np.float64) - ref) / np.maximum(np.abs(ref), np.finfo(np.float32).tiny)
    assert rel.max() <= 3e-7, (x[rel.argmax()], rel.max())


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=64))
def test_any_float64(v):
    assert erf(np.array([v]))[0] == pytest.approx(math.erf(v), rel=1e-15, abs=1e-300)


def test_odd_and_bounded():
    x = np.linspace(-8, 8, 4001)
    y = erf(x)
    assert np.array_equal(erf(-x), -y)
    assert np.all(np.abs(y) <= 1) and np.all(np.diff(y) >= 0)


def test_edges_and_dtypes():
    assert np.isnan(erf(np.array([np.nan]))[0]) and np.isnan(erf(np.array([np.nan], np.float32))[0])
    assert erf(np.array([np.inf, -np.inf])).tolist() == [1.0, -1.0]
    assert math.copysign(1, erf(np.array([-0.0]))[0]) == -1
    assert erf(np.array(0.5)).shape == () and erf(np.float64(0.5)) == pytest.approx(math.erf(0.5), rel=1e-15)
    assert erf(np.zeros((2, 0))).shape == (2, 0)
    assert erf(np.ones(3, np.float16)).dtype == np.float16
    assert erf(np.array([1, 2])).dtype == np.float64  # integers give float64, as SciPy's
    x = np.linspace(-3, 3, 6, dtype=np.float32).reshape(2, 3)
    assert np.array_equal(erf(x[:, ::2]), erf(x)[:, ::2])  # strided input
