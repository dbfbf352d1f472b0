"""autograd.functional: vjp, jvp, jacobian, hessian, hvp against hand-computed results."""
import numpy as np
import pytest

import autograd
from autograd import tensor
from autograd.functional import hessian, hvp, jacobian, jvp, vjp


def f64(data, requires_grad=False):
    return tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


A_NP = np.array([[1.0, -2.0, 0.5], [3.0, 0.0, 4.0]])


def test_jacobian_of_square_is_diag_2x():
    x = f64([1.0, -2.0, 3.0])
    J = jacobian(lambda t: t ** 2, x)
    assert J.shape == (3, 3)
    np.testing.assert_allclose(J.array, np.diag(2 * x.array))
    assert not J.requires_grad


def test_jacobian_of_linear_map_is_the_matrix():
    A = f64(A_NP)
    J = jacobian(lambda t: A @ t, f64([0.3, 0.1, -0.7]))
    np.testing.assert_allclose(J.array, A_NP)


def test_jacobian_shape_is_out_shape_plus_in_shape():
    x = f64(np.arange(6.0).reshape(2, 3))
    J = jacobian(lambda t: t.sum(axis=0) * 2, x)
    assert J.shape == (3, 2, 3)
    expected = np.zeros((3, 2, 3))
    for j in range(3):
        expected[j, :, j] = 2.0
    np.testing.assert_allclose(J.array, expected)


def test_jacobian_of_several_inputs():
    x, y = f64([1.0, 2.0]), f64([3.0, 4.0])
    Jx, Jy = jacobian(lambda a, b: a * b, (x, y))
    np.testing.assert_allclose(Jx.array, np.diag(y.array))
    np.testing.assert_allclose(Jy.array, np.diag(x.array))


def test_jacobian_of_unused_input_is_zero():
    x, y = f64([1.0, 2.0]), f64([3.0])
    Jx, Jy = jacobian(lambda a, b: a.exp(), (x, y))
    np.testing.assert_allclose(Jx.array, np.diag(np.exp(x.array)))
    assert Jy.shape == (2, 1)
    np.testing.assert_array_equal(Jy.array, np.zeros((2, 1)))


def test_jacobian_leaves_inputs_alone():
    x = tensor([1.0, 2.0], requires_grad=True)
    J = jacobian(lambda t: t.exp(), x)
    np.testing.assert_allclose(J.array, np.diag(np.exp([1.0, 2.0])), rtol=1e-6)
    assert x.grad is None


def test_hessian_of_sum_of_cubes_is_diag_6x():
    x = f64([1.0, -2.0, 0.5])
    H = hessian(lambda t: (t ** 3).sum(), x)
    assert H.shape == (3, 3)
    np.testing.assert_allclose(H.array, np.diag(6 * x.array))


def test_hessian_of_quadratic_form():
    M = np.array([[2.0, 1.0], [0.0, 3.0]])
    Mt = f64(M)
    H = hessian(lambda t: (t * (Mt @ t)).sum(), f64([0.4, -1.1]))
    np.testing.assert_allclose(H.array, M + M.T)


def test_hessian_of_two_inputs():
    x, y = f64([1.0, 2.0]), f64([3.0, 4.0])
    (Hxx, Hxy), (Hyx, Hyy) = hessian(lambda a, b: (a * a * b).sum(), (x, y))
    np.testing.assert_allclose(Hxx.array, np.diag(2 * y.array))
    np.testing.assert_allclose(Hxy.array, np.diag(2 * x.array))
    np.testing.assert_allclose(Hyx.array, np.diag(2 * x.array))
    np.testing.assert_allclose(Hyy.array, np.zeros((2, 2)))


def test_vjp_of_linear_map_is_transpose_product():
    A = f64(A_NP)
    x = f64([0.3, 0.1, -0.7])
    v = f64([1.0, -1.0])
    out, g = vjp(lambda t: A @ t, x, v)
    np.testing.assert_allclose(out.array, A_NP @ x.array)
    np.testing.assert_allclose(g.array, A_NP.T @ v.array)
    assert not out.requires_grad and not g.requires_grad


def test_vjp_of_scalar_function_without_v_is_the_gradient():
    x = f64([1.0, 2.0, 3.0])
    out, g = vjp(lambda t: (t ** 2).sum(), x)
    assert out.item() == 14.0
    np.testing.assert_allclose(g.array, 2 * x.array)


def test_vjp_without_v_on_vector_output_raises():
    with pytest.raises(RuntimeError, match="v"):
        vjp(lambda t: t * 2, f64([1.0, 2.0]))


def test_jvp_of_linear_map_is_matrix_product():
    A = f64(A_NP)
    x = f64([0.3, 0.1, -0.7])
    v = f64([1.0, 0.0, 2.0])
    out, jv = jvp(lambda t: A @ t, x, v)
    np.testing.assert_allclose(out.array, A_NP @ x.array)
    np.testing.assert_allclose(jv.array, A_NP @ v.array)
    assert not jv.requires_grad


def test_jvp_of_elementwise_function():
    x = f64([0.2, -1.0, 2.5])
    v = f64([1.0, 2.0, -1.0])
    out, jv = jvp(lambda t: t.sin() * t, x, v)
    np.testing.assert_allclose(jv.array, (np.cos(x.array) * x.array + np.sin(x.array)) * v.array, rtol=1e-12)


def test_jvp_of_scalar_input_without_v():
    out, jv = jvp(lambda t: t.sin(), f64(0.5))
    assert out.item() == pytest.approx(np.sin(0.5))
    assert jv.item() == pytest.approx(np.cos(0.5))


def test_jvp_agrees_with_jacobian():
    rng = np.random.default_rng(3)
    W = f64(rng.standard_normal((4, 3)))
    x = f64(rng.standard_normal(3))
    v = f64(rng.standard_normal(3))

    def f(t):
        return (W @ t).tanh()

    _, jv = jvp(f, x, v)
    J = jacobian(f, x)
    np.testing.assert_allclose(jv.array, J.array @ v.array, rtol=1e-10)
    _, vj = vjp(f, x, f64(np.ones(4)))
    np.testing.assert_allclose(vj.array, J.array.T @ np.ones(4), rtol=1e-10)


def test_hvp_matches_hessian_times_v():
    x = f64([1.0, -2.0, 0.5])
    v = f64([1.0, 0.0, 2.0])
    out, hv = hvp(lambda t: (t ** 3).sum(), x, v)
    assert out.item() == pytest.approx(float((x.array ** 3).sum()))
    np.testing.assert_allclose(hv.array, 6 * x.array * v.array)


def test_hvp_of_nonseparable_function():
    x = f64([0.3, 0.7])
    v = f64([1.0, -1.0])

    def f(t):
        return (t[0] * t[1]).sin()

    H = hessian(f, x)
    _, hv = hvp(f, x, v)
    np.testing.assert_allclose(hv.array, H.array @ v.array, rtol=1e-12)
    a, b = 0.3, 0.7
    s, c = np.sin(a * b), np.cos(a * b)
    H_hand = np.array([[-b * b * s, c - a * b * s], [c - a * b * s, -a * a * s]])
    np.testing.assert_allclose(H.array, H_hand, rtol=1e-12)


def test_create_graph_keeps_results_differentiable():
    x = f64([1.0, 2.0], requires_grad=True)
    J = jacobian(lambda t: t ** 3, x, create_graph=True)
    assert J.requires_grad
    (g,) = autograd.grad(J.sum(), x)
    np.testing.assert_allclose(g.array, 6 * x.array)


def test_functions_with_several_outputs():
    x = f64([1.0, 2.0])
    J1, J2 = jacobian(lambda t: (t * 2, t.sum()), x)
    np.testing.assert_array_equal(J1.array, 2 * np.eye(2))
    np.testing.assert_array_equal(J2.array, [1.0, 1.0])
    (o1, o2), g = vjp(lambda t: (t * 2, t.sum()), x, (f64([1.0, -1.0]), f64(3.0)))
    np.testing.assert_array_equal(o1.array, [2.0, 4.0])
    assert o2.item() == 3.0
    np.testing.assert_array_equal(g.array, [2.0 + 3.0, -2.0 + 3.0])
    (o1, o2), (j1, j2) = jvp(lambda t: (t * 2, t.sum()), x, f64([1.0, 0.0]))
    np.testing.assert_array_equal(j1.array, [2.0, 0.0])
    assert j2.item() == 1.0
