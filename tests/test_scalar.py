"""Scalar: the pure-Python value on the same engine."""
import math

import numpy as np
import pytest

import autograd
from autograd import Scalar, tensor


def close(a, b, tol=1e-12):
    return a == pytest.approx(b, rel=tol, abs=tol)


# (name, f(x), f(1.5), f'(1.5))
X0 = 1.5
UNARY = [
    ("add", lambda x: x + 2.0, 3.5, 1.0),
    ("radd", lambda x: 2 + x, 3.5, 1.0),
    ("sub", lambda x: x - 4, -2.5, 1.0),
    ("rsub", lambda x: 2 - x, 0.5, -1.0),
    ("mul", lambda x: x * 3, 4.5, 3.0),
    ("rmul", lambda x: 2.0 * x, 3.0, 2.0),
    ("div", lambda x: x / 4, 0.375, 0.25),
    ("rdiv", lambda x: 2 / x, 2 / 1.5, -2 / 1.5 ** 2),
    ("pow", lambda x: x ** 3, 3.375, 3 * 1.5 ** 2),
    ("pow_frac", lambda x: x ** 0.5, math.sqrt(1.5), 0.5 / math.sqrt(1.5)),
    ("rpow", lambda x: 2 ** x, 2 ** 1.5, 2 ** 1.5 * math.log(2)),
    ("neg", lambda x: -x, -1.5, -1.0),
    ("exp", lambda x: x.exp(), math.exp(1.5), math.exp(1.5)),
    ("log", lambda x: x.log(), math.log(1.5), 1 / 1.5),
    ("tanh", lambda x: x.tanh(), math.tanh(1.5), 1 - math.tanh(1.5) ** 2),
    ("sigmoid", lambda x: x.sigmoid(), 1 / (1 + math.exp(-1.5)),
     math.exp(-1.5) / (1 + math.exp(-1.5)) ** 2),
    ("relu_pos", lambda x: x.relu(), 1.5, 1.0),
    ("relu_neg", lambda x: (x - 3).relu(), 0.0, 0.0),
    ("pow_scalar", lambda x: x ** Scalar(2.0), 2.25, 3.0),
]


@pytest.mark.parametrize("name,f,value,deriv", UNARY, ids=[u[0] for u in UNARY])
def test_scalar_ops_values_and_derivatives(name, f, value, deriv):
    x = Scalar(X0)
    y = f(x)
    assert isinstance(y, Scalar)
    assert type(y.array) is float
    assert close(y.array, value)
    y.backward()
    assert close(x.grad, deriv)
    assert y.grad == 1.0


def test_binary_ops_between_scalars():
    a, b = Scalar(2.0), Scalar(-3.0)
    for f, da, db in [
        (lambda: a + b, 1.0, 1.0),
        (lambda: a - b, 1.0, -1.0),
        (lambda: a * b, -3.0, 2.0),
        (lambda: a / b, 1 / -3.0, -2.0 / 9.0),
        (lambda: a ** Scalar(3.0) * b, 3 * 4 * -3.0, 8.0),
    ]:
        a.zero_grad()
        b.zero_grad()
        f().backward()
        assert close(a.grad, da) and close(b.grad, db)


def test_every_scalar_gets_its_grad():
    a, b = Scalar(2.0), Scalar(-3.0)
    c = a * b
    d = c + 1
    e = d.tanh()
    e.backward()
    t = math.tanh(-5.0)
    de = 1 - t * t
    assert e.grad == 1.0
    assert close(d.grad, de)
    assert close(c.grad, de)
    assert close(a.grad, de * -3.0)
    assert close(b.grad, de * 2.0)


def test_grad_is_zero_before_backward():
    a = Scalar(2.0)
    b = a * 3
    assert a.grad == 0.0 and b.grad == 0.0


def test_reused_scalar_and_leaf_accumulation():
    x = Scalar(3.0)
    (x * x).backward()
    assert x.grad == 6.0
    (x * x).backward()
    assert x.grad == 12.0
    x.zero_grad()
    assert x.grad == 0.0


def test_intermediate_used_twice():
    a = Scalar(2.0)
    b = a * 3
    c = b * b + b
    c.backward()
    assert b.grad == 2 * 6.0 + 1
    assert a.grad == 3 * 13.0


def test_second_backward_needs_retain_graph():
    a = Scalar(2.0)
    c = (a * 3) * (a * 3)
    c.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        c.backward()
    a2 = Scalar(2.0)
    c2 = (a2 * 3) * (a2 * 3)
    c2.backward(retain_graph=True)
    c2.backward()
    assert a2.grad == 2 * 36.0


def test_requires_grad_false_and_no_grad():
    c = Scalar(2.0, requires_grad=False)
    y = c * 3
    assert not y.requires_grad and y.grad_fn is None
    with pytest.raises(RuntimeError, match="require"):
        y.backward()
    w = Scalar(0.5)
    with autograd.no_grad():
        q = w * 2
    assert not q.requires_grad


def test_comparisons_float_and_repr():
    w = Scalar(0.5)
    assert w > 0 and w < 1 and w >= 0.5 and w <= 0.5
    assert float(w) == 0.5 and w.item() == 0.5
    assert "0.5" in repr(w)


def test_division_by_zero_follows_ieee():
    assert (Scalar(2.0) / 0).array == math.inf
    assert math.isnan((Scalar(0.0) / 0).array)


def test_mixing_scalar_and_tensor_is_refused():
    # Tensor._const says it: "cannot combine a Tensor with a Scalar; convert it with autograd.tensor(...)"
    with pytest.raises(TypeError):
        Scalar(1.0) + tensor(1.0)
    with pytest.raises(TypeError):
        tensor(1.0) + Scalar(1.0)


def test_builtin_sum_and_explicit_gradient():
    xs = [Scalar(1.0), Scalar(2.0), Scalar(3.0)]
    s = sum(x * x for x in xs)  # starts from int 0: reflected add
    assert s.array == 14.0
    s.backward(gradient=2.0)
    assert [x.grad for x in xs] == [4.0, 8.0, 12.0]


def test_deep_scalar_chain_backpropagates_without_recursion():
    x = Scalar(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0


# -- networks ---------------------------------------------------------------------

def _scalar_net(xs, W, b, V, c, target):
    hidden = []
    for j in range(2):
        s = b[j]
        for i in range(2):
            s = s + W[j][i] * xs[i]
        hidden.append(s.tanh())
    out = c
    for j in range(2):
        out = out + V[j] * hidden[j]
    out = out.sigmoid()
    return (out - target) ** 2, hidden, out


def test_two_two_one_network_matches_float64_tensors():
    rng = np.random.default_rng(42)
    Wv, bv, Vv, cv = rng.standard_normal((2, 2)), rng.standard_normal(2), rng.standard_normal(2), rng.standard_normal()
    xv, tv = [0.7, -1.2], 1.0

    W = [[Scalar(Wv[j, i]) for i in range(2)] for j in range(2)]
    b = [Scalar(v) for v in bv]
    V = [Scalar(v) for v in Vv]
    c = Scalar(cv)
    xs = [Scalar(v, requires_grad=False) for v in xv]
    loss, hidden, out = _scalar_net(xs, W, b, V, c, tv)
    loss.backward()

    Wt = tensor(Wv, requires_grad=True)
    bt = tensor(bv, requires_grad=True)
    Vt = tensor(Vv, requires_grad=True)
    ct = tensor(np.float64(cv), requires_grad=True)
    xt = tensor(np.array(xv))
    h = (Wt @ xt + bt).tanh()
    h.retain_grad()
    o = ((Vt * h).sum() + ct).sigmoid()
    lt = (o - tv) ** 2
    lt.backward()
    assert Wt.dtype == np.float64

    assert close(loss.array, lt.item())
    assert close(out.array, o.item())
    for j in range(2):
        for i in range(2):
            assert close(W[j][i].grad, Wt.grad.array[j, i])
        assert close(b[j].grad, bt.grad.array[j])
        assert close(V[j].grad, Vt.grad.array[j])
        assert close(hidden[j].grad, h.grad.array[j])
    assert close(c.grad, ct.grad.item())


def _train_and(rule):
    data = [((0.0, 0.0), 0.0), ((0.0, 1.0), 0.0), ((1.0, 0.0), 0.0), ((1.0, 1.0), 1.0)]
    w = [Scalar(0.1), Scalar(-0.2)]
    b = Scalar(0.0)
    for epoch in range(2000):
        errors = 0
        for (x1, x2), t in data:
            s = w[0] * x1 + w[1] * x2 + b
            if rule == "perceptron":
                y = 1.0 if s.array > 0 else 0.0
                if y != t:
                    errors += 1
                    for wi, xi in zip(w, (x1, x2)):
                        wi.array += 0.1 * (t - y) * xi
                    b.array += 0.1 * (t - y)
            else:  # delta rule: gradient descent on a sigmoid unit, gradients from backward()
                y = s.sigmoid()
                loss = 0.5 * (y - t) ** 2
                for p in (*w, b):
                    p.zero_grad()
                loss.backward()
                for p in (*w, b):
                    p.array -= 2.0 * p.grad
                if (y.array > 0.5) != (t > 0.5):
                    errors += 1
        if errors == 0 and epoch > 0:
            break
    return w, b, epoch


@pytest.mark.parametrize("rule", ["perceptron", "delta"])
def test_perceptron_learns_the_and_gate(rule):
    w, b, epochs = _train_and(rule)
    assert epochs < 1999
    for (x1, x2), t in [((0, 0), 0), ((0, 1), 0), ((1, 0), 0), ((1, 1), 1)]:
        s = (w[0] * x1 + w[1] * x2 + b).array
        assert (s > 0) == bool(t)


def test_delta_rule_gradient_matches_hand_formula():
    w, x, b, t = Scalar(0.3), 2.0, Scalar(-0.1), 1.0
    y = (w * x + b).sigmoid()
    loss = 0.5 * (y - t) ** 2
    loss.backward()
    yv = 1 / (1 + math.exp(-(0.3 * 2.0 - 0.1)))
    delta = (yv - t) * yv * (1 - yv)
    assert close(w.grad, delta * x)
    assert close(b.grad, delta)
