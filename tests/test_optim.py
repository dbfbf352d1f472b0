"""Optimizers: each update rule against its published formula, and the Optimizer base class's contract.

The references below are written from the papers' / PyTorch documentation's
formulas in plain NumPy float64, step by step; the optimizers run on a (2, 3)
parameter fed three fixed gradients, and must match to 1e-12. Every option is
also shown to change the trajectory.
"""
from __future__ import annotations

import copy
import inspect
import math
import pickle
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import optim

P0 = np.array([[0.5, -1.2, 2.0], [0.1, -0.3, 0.8]])
GRADS = [np.array([[0.3, -0.2, 0.5], [-1.0, 0.4, 0.05]]),
         np.array([[-0.1, -0.6, 0.7], [0.2, 0.9, -0.3]]),
         np.array([[0.4, 0.3, -0.8], [-0.5, 0.1, 0.6]])]
# RAdam's rectified step needs rho_t > 5, i.e. six steps with beta2 = 0.9
GRADS6 = GRADS + [-0.5 * g[::-1] for g in GRADS]
STEPS = {"RAdam": GRADS6}


def run(cls, grads=GRADS, **kw):
    """The parameter after each step of ``cls`` fed ``grads`` (float64)."""
    p = autograd.tensor(P0.copy(), requires_grad=True)
    opt = cls([p], **kw)
    out = []
    for g in grads:
        p.grad = autograd.tensor(g.copy())
        opt.step()
        out.append(p.array.copy())
    return out


# -- references: the formulas, one step at a time ------------------------------------------------
def decay(p, g, lr, weight_decay, decoupled, maximize):
    """Ascent flips g; weight decay either shrinks p (decoupled, AdamW) or adds weight_decay * p to g (L2)."""
    g = -g if maximize else g
    if decoupled:
        return p * (1 - lr * weight_decay), g
    return p, g + weight_decay * p


def ref_sgd(grads=GRADS, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    p, b, out = P0.copy(), None, []
    for g in grads:
        g = (-g if maximize else g) + weight_decay * p
        if momentum:
            b = g.copy() if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        p = p - lr * g
        out.append(p)
    return out


def ref_adam(grads=GRADS, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, maximize=False,
             decoupled_weight_decay=False):
    (b1, b2), p, out = betas, P0.copy(), []
    m, v, vmax = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, 1):
        p, g = decay(p, g, lr, weight_decay, decoupled_weight_decay, maximize)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        vmax = np.maximum(vmax, v)
        m_hat = m / (1 - b1 ** t)
        v_hat = (vmax if amsgrad else v) / (1 - b2 ** t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def ref_adamw(grads=GRADS, lr=1e-3, weight_decay=1e-2, **kw):
    return ref_adam(grads, lr=lr, weight_decay=weight_decay, decoupled_weight_decay=True, **kw)


def ref_nadam(grads=GRADS, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, momentum_decay=4e-3,
              decoupled_weight_decay=False, maximize=False):
    (b1, b2), p, out = betas, P0.copy(), []
    m, v, mu_prod = np.zeros_like(p), np.zeros_like(p), 1.0
    for t, g in enumerate(grads, 1):
        p, g = decay(p, g, lr, weight_decay, decoupled_weight_decay, maximize)
        mu = b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        mu_prod_next = mu_prod * mu * mu_next
        mu_prod = mu_prod * mu
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        v_hat = v / (1 - b2 ** t)
        p = p - lr * (1 - mu) / (1 - mu_prod) * g / (np.sqrt(v_hat) + eps) \
              - lr * mu_next / (1 - mu_prod_next) * m / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def ref_radam(grads=GRADS, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False, maximize=False):
    (b1, b2), p, out = betas, P0.copy(), []
    m, v = np.zeros_like(p), np.zeros_like(p)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, 1):
        p, g = decay(p, g, lr, weight_decay, decoupled_weight_decay, maximize)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1 ** t)
        rho_t = rho_inf - 2 * t * b2 ** t / (1 - b2 ** t)
        if rho_t > 5:
            l_t = math.sqrt(1 - b2 ** t) / (np.sqrt(v) + eps)
            r_t = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
            p = p - lr * m_hat * l_t * r_t
        else:
            p = p - lr * m_hat
        out.append(p)
    return out


def ref_adamax(grads=GRADS, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, maximize=False):
    (b1, b2), p, out = betas, P0.copy(), []
    m, u = np.zeros_like(p), np.zeros_like(p)
    for t, g in enumerate(grads, 1):
        g = (-g if maximize else g) + weight_decay * p
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        p = p - lr / (1 - b1 ** t) * m / u
        out.append(p)
    return out


def ref_rmsprop(grads=GRADS, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False, maximize=False):
    p, out = P0.copy(), []
    v, gbar, b = np.zeros_like(p), np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = (-g if maximize else g) + weight_decay * p
        v = alpha * v + (1 - alpha) * g * g
        if centered:
            gbar = alpha * gbar + (1 - alpha) * g
            denom = np.sqrt(v - gbar * gbar) + eps
        else:
            denom = np.sqrt(v) + eps
        if momentum > 0:
            b = momentum * b + g / denom
            p = p - lr * b
        else:
            p = p - lr * g / denom
        out.append(p)
    return out


def ref_adagrad(grads=GRADS, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10, maximize=False):
    p, out = P0.copy(), []
    s = np.full_like(p, initial_accumulator_value)
    for t, g in enumerate(grads, 1):
        g = (-g if maximize else g) + weight_decay * p
        lr_t = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        p = p - lr_t * g / (np.sqrt(s) + eps)
        out.append(p)
    return out


def ref_adadelta(grads=GRADS, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    p, out = P0.copy(), []
    v, u = np.zeros_like(p), np.zeros_like(p)
    for g in grads:
        g = (-g if maximize else g) + weight_decay * p
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta
        out.append(p)
    return out


def ref_rprop(grads=GRADS, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    p, out = P0.copy(), []
    prev, size = np.zeros_like(p), np.full_like(p, lr)
    for g in grads:
        g = -g if maximize else g.copy()
        prod = g * prev
        size = np.clip(np.where(prod > 0, size * etas[1], np.where(prod < 0, size * etas[0], size)), *step_sizes)
        g = np.where(prod < 0, 0.0, g)
        p = p - np.sign(g) * size
        prev = g
        out.append(p)
    return out


def ref_lion(grads=GRADS, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False):
    (b1, b2), p, out = betas, P0.copy(), []
    m = np.zeros_like(p)
    for g in grads:
        g = -g if maximize else g
        c = b1 * m + (1 - b1) * g
        p = p * (1 - lr * weight_decay) - lr * np.sign(c)
        m = b2 * m + (1 - b2) * g
        out.append(p)
    return out


CASES = {
    "SGD": (ref_sgd, [dict(lr=0.1), dict(lr=0.1, momentum=0.9), dict(lr=0.1, momentum=0.9, dampening=0.3),
                      dict(lr=0.1, momentum=0.9, nesterov=True), dict(lr=0.1, weight_decay=0.2),
                      dict(lr=0.1, maximize=True), dict(lr=0.1, momentum=0.5, weight_decay=0.1, maximize=True)]),
    "Adam": (ref_adam, [dict(lr=0.1), dict(lr=0.1, betas=(0.5, 0.9)), dict(lr=0.1, eps=0.1),
                        dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, betas=(0.9, 0.5), amsgrad=True), dict(lr=0.1, maximize=True),
                        dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)]),
    "AdamW": (ref_adamw, [dict(lr=0.1), dict(lr=0.1, weight_decay=0.5), dict(lr=0.1, betas=(0.9, 0.5), amsgrad=True),
                          dict(lr=0.1, betas=(0.5, 0.9), eps=0.01, maximize=True)]),
    "NAdam": (ref_nadam, [dict(lr=0.1), dict(lr=0.1, momentum_decay=0.2), dict(lr=0.1, betas=(0.5, 0.9)),
                          dict(lr=0.1, eps=0.1), dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, maximize=True),
                          dict(lr=0.1, weight_decay=0.3, decoupled_weight_decay=True)]),
    # with beta2 = 0.9, rho_t passes 5 at step 6: both branches run
    "RAdam": (ref_radam, [dict(lr=0.1), dict(lr=0.1, betas=(0.9, 0.9)), dict(lr=0.1, betas=(0.5, 0.9), eps=0.1),
                          dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, maximize=True),
                          dict(lr=0.1, betas=(0.9, 0.9), weight_decay=0.3, decoupled_weight_decay=True)]),
    "Adamax": (ref_adamax, [dict(lr=0.1), dict(lr=0.1, betas=(0.5, 0.5)), dict(lr=0.1, eps=0.5),
                            dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, maximize=True)]),
    "RMSprop": (ref_rmsprop, [dict(lr=0.1), dict(lr=0.1, alpha=0.5), dict(lr=0.1, eps=0.5), dict(lr=0.1, centered=True),
                              dict(lr=0.1, momentum=0.9), dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, maximize=True),
                              dict(lr=0.1, momentum=0.5, centered=True, alpha=0.7)]),
    "Adagrad": (ref_adagrad, [dict(lr=0.1), dict(lr=0.1, lr_decay=0.5), dict(lr=0.1, initial_accumulator_value=0.7),
                              dict(lr=0.1, eps=0.5), dict(lr=0.1, weight_decay=0.3), dict(lr=0.1, maximize=True)]),
    "Adadelta": (ref_adadelta, [dict(), dict(lr=0.5), dict(rho=0.5), dict(eps=1e-2), dict(weight_decay=0.3),
                                dict(maximize=True)]),
    "Rprop": (ref_rprop, [dict(lr=0.1), dict(lr=0.1, etas=(0.3, 1.5)), dict(lr=0.1, step_sizes=(0.05, 0.11)),
                          dict(lr=0.1, maximize=True)]),
    "Lion": (ref_lion, [dict(lr=0.1), dict(lr=0.1, betas=(0.99, 0.5)), dict(lr=0.1, betas=(0.9, 0.0)),
                        dict(lr=0.1, weight_decay=0.5), dict(lr=0.1, maximize=True)]),
}


@pytest.mark.parametrize("name,kw", [(n, kw) for n, (_, kws) in CASES.items() for kw in kws + [{}]],
                         ids=lambda x: x if isinstance(x, str) else ",".join(f"{k}={v}" for k, v in x.items()) or "defaults")
def test_three_steps_match_the_formula(name, kw):
    ref, _ = CASES[name]
    grads = STEPS.get(name, GRADS)
    for ours, expected in zip(run(getattr(optim, name), grads, **kw), ref(grads, **kw), strict=True):
        np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", list(CASES))
def test_every_option_changes_the_trajectory(name):
    # each option a case sets (beyond the first case's) is dropped in turn, back to its default: the end point must move
    _, kws = CASES[name]
    base, cls, tested = kws[0], getattr(optim, name), set()
    grads = STEPS.get(name, GRADS)
    for kw in kws[1:]:
        ours = run(cls, grads, **kw)
        for key in kw.keys() - base.keys():
            try:
                plain = run(cls, grads, **{k: v for k, v in kw.items() if k != key})
            except ValueError:  # an option others need (nesterov needs momentum): varied in another case
                continue
            assert not np.allclose(ours[-1], plain[-1], rtol=1e-9, atol=1e-12), f"{name}: {key}={kw[key]} made no difference"
            tested.add(key)
    options = set(inspect.signature(cls).parameters) - {"params", "lr", "foreach", "capturable", "differentiable", "fused"}
    assert tested >= options, f"{name}: options never varied: {options - tested}"


def test_rprop_sign_flip_skips_the_coordinate():
    # coordinate 0 flips sign at step 2: it must not move then, and step 3 compares against 0 (no shrink, no growth)
    grads = [np.array([1.0, 1.0]), np.array([-1.0, 1.0]), np.array([-1.0, 1.0])]
    p = autograd.tensor([0.0, 0.0], dtype=autograd.float64, requires_grad=True)
    opt = optim.Rprop([p], lr=0.1)
    steps = []
    for g in grads:
        p.grad = autograd.tensor(g)
        opt.step()
        steps.append(p.array.copy())
    np.testing.assert_allclose(steps[0], [-0.1, -0.1], rtol=1e-15)
    np.testing.assert_allclose(steps[1], [-0.1, -0.1 - 0.12], rtol=1e-15)
    np.testing.assert_allclose(steps[2], [-0.1 + 0.05, -0.1 - 0.12 - 0.144], rtol=1e-14)


def test_lbfgs_three_steps_match_the_two_loop_recursion():
    # f(x) = 0.5 x'Ax - b'x, one iteration per step(), fixed step lr: the published L-BFGS update by hand
    A = np.array([[3.0, 0.5, 0.0], [0.5, 2.0, 0.3], [0.0, 0.3, 1.0]])
    b = np.array([1.0, -2.0, 0.5])
    x = autograd.tensor([0.2, 0.4, -0.6], dtype=autograd.float64, requires_grad=True)
    At, bt = autograd.tensor(A), autograd.tensor(b)
    lr = 0.5
    opt = optim.LBFGS([x], lr=lr, max_iter=1, history_size=2)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (At @ x)) - bt @ x
        loss.backward()
        return loss

    grad = lambda z: A @ z - b  # noqa: E731
    xr = np.array([0.2, 0.4, -0.6])
    g = grad(xr)
    d = -g
    t = min(1.0, 1.0 / np.abs(g).sum()) * lr
    pairs = []
    for k in range(3):
        if k:
            g_new = grad(xr)
            y, s = g_new - g, t * d
            pairs = (pairs + [(s, y)])[-2:]
            g = g_new
            q = -g
            alphas = []
            for s_i, y_i in reversed(pairs):
                a_i = s_i @ q / (y_i @ s_i)
                alphas.append(a_i)
                q = q - a_i * y_i
            s_l, y_l = pairs[-1]
            r = q * (s_l @ y_l) / (y_l @ y_l)
            for (s_i, y_i), a_i in zip(pairs, reversed(alphas)):
                r = r + s_i * (a_i - y_i @ r / (y_i @ s_i))
            d, t = r, lr
        xr = xr + t * d
        opt.step(closure)
        np.testing.assert_allclose(x.array, xr, rtol=1e-12, atol=1e-14)


def test_lbfgs_strong_wolfe_step_meets_the_wolfe_conditions():
    rng = np.random.default_rng(3)
    M = rng.standard_normal((6, 4))
    A, b = M.T @ M + np.eye(4), rng.standard_normal(4)
    f = lambda z: 0.5 * z @ A @ z - b @ z + 0.1 * (z ** 4).sum()  # noqa: E731
    grad = lambda z: A @ z - b + 0.4 * z ** 3  # noqa: E731
    x = autograd.tensor(np.ones(4), requires_grad=True)
    At, bt = autograd.tensor(A), autograd.tensor(b)
    opt = optim.LBFGS([x], max_iter=1, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (At @ x)) - bt @ x + 0.1 * (x ** 4).sum()
        loss.backward()
        return loss

    for _ in range(4):
        x0 = x.array.copy()
        loss = opt.step(closure)
        assert float(loss) == pytest.approx(f(x0), rel=1e-12)
        st_ = opt.state[x]
        d, t = st_["d"].array, st_["t"]
        np.testing.assert_allclose(x.array, x0 + t * d, rtol=1e-12)
        assert f(x0 + t * d) <= f(x0) + 1e-4 * t * grad(x0) @ d
        assert abs(grad(x0 + t * d) @ d) <= 0.9 * abs(grad(x0) @ d)


# -- the base class's contract --------------------------------------------------------------------
ALL = ["SGD", "Adam", "AdamW", "NAdam", "RAdam", "Adamax", "RMSprop", "Adagrad", "Adadelta", "Rprop", "Lion"]
KW = {"SGD": dict(lr=0.05, momentum=0.9), "RMSprop": dict(momentum=0.5, centered=True), "Adam": dict(amsgrad=True),
      "Lion": dict(lr=0.01, weight_decay=0.1)}


def grad_field(x, k):
    return 0.5 * x + 0.3 * np.sin(x) + 0.2 * np.cos(0.7 * k)


def trajectory(opt, params, start, stop):
    for k in range(start, stop):
        for p in params:
            p.grad = autograd.tensor(grad_field(p.array, k))
        opt.step()
    return [p.array.copy() for p in params]


def fresh_params(seed=0):
    rng = np.random.default_rng(seed)
    return [autograd.tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 4), (4,), ())]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("via", ["deepcopy", "pickle"])
def test_state_dict_round_trip_resumes_exactly(name, via):
    cls, kw = getattr(optim, name), KW.get(name, {})
    params = fresh_params()
    opt = cls([{"params": params[:2]}, {"params": params[2:], "lr": 0.003}], **kw)
    trajectory(opt, params, 0, 4)
    saved = copy.deepcopy(opt.state_dict()) if via == "deepcopy" else pickle.loads(pickle.dumps(opt.state_dict()))
    values = [p.array.copy() for p in params]
    expected = trajectory(opt, params, 4, 9)

    params2 = [autograd.tensor(v.copy(), requires_grad=True) for v in values]
    opt2 = cls([{"params": params2[:2]}, {"params": params2[2:]}], **kw)
    opt2.load_state_dict(saved)
    assert opt2.param_groups[1]["lr"] == 0.003
    got = trajectory(opt2, params2, 4, 9)
    for a, b in zip(got, expected):
        np.testing.assert_array_equal(a, b)


def test_lbfgs_state_dict_round_trip_resumes_exactly():
    def make(values):
        x = autograd.tensor(values.copy(), requires_grad=True)
        opt = optim.LBFGS([x], max_iter=3, history_size=2, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = ((1 - x[:-1]) ** 2).sum() + (100 * (x[1:] - x[:-1] ** 2) ** 2).sum()
            loss.backward()
            return loss
        return x, opt, closure

    x, opt, closure = make(np.array([-1.2, 1.0, 0.3]))
    for _ in range(3):
        opt.step(closure)
    saved, values = pickle.loads(pickle.dumps(opt.state_dict())), x.array.copy()
    for _ in range(3):
        opt.step(closure)
    x2, opt2, closure2 = make(values)
    opt2.load_state_dict(saved)
    for _ in range(3):
        opt2.step(closure2)
    np.testing.assert_array_equal(x2.array, x.array)
    assert opt2.state[x2]["n_iter"] == opt.state[x]["n_iter"]


def _snapshot(opt):
    return pickle.dumps((opt.state_dict(), [dict(g, params=[id(p) for p in g["params"]]) for g in opt.param_groups]))


@pytest.mark.parametrize("corrupt,match", [
    (lambda sd: sd["param_groups"].pop(), "number of parameter groups"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "doesn't match the size"),
    (lambda sd: sd["state"][1].__setitem__("exp_avg", autograd.zeros(5)), r"shape \(5,\) doesn't match.*\(4,\)"),
    (lambda sd: sd["state"][0].__setitem__("exp_avg_sq", np.zeros((4, 3))), r"state\[0\]\['exp_avg_sq'\]"),
    (lambda sd: sd["state"].__setitem__(7, {"step": 1}), "state for parameter 7"),
    (lambda sd: sd["state"][2].__setitem__("step", np.zeros(3)), "expected a number"),
    (lambda sd: sd["state"][2].__setitem__("exp_avg", "zeros"), "expected an array"),
    (lambda sd: sd.pop("state"), "keys 'state' and 'param_groups'"),
])
def test_bad_state_raises_and_changes_nothing(corrupt, match):
    params = fresh_params()
    opt = optim.Adam([{"params": params[:2]}, {"params": params[2:]}], lr=0.1)
    trajectory(opt, params, 0, 2)
    sd = copy.deepcopy(opt.state_dict())
    corrupt(sd)
    target_params = fresh_params(1)
    target = optim.Adam([{"params": target_params[:2]}, {"params": target_params[2:]}], lr=0.5)
    trajectory(target, target_params, 0, 1)
    before = _snapshot(target)
    with pytest.raises(ValueError, match=match):
        target.load_state_dict(sd)
    assert _snapshot(target) == before


def test_state_dict_with_string_keys_loads():
    # a format that only keeps string keys (JSON-like) hands the parameter indices back as "0", "1", ...
    params = fresh_params()
    opt = optim.Adam(params, lr=0.1)
    trajectory(opt, params, 0, 2)
    sd = opt.state_dict()
    sd = {"state": {str(k): v for k, v in sd["state"].items()}, "param_groups": sd["param_groups"]}
    params2 = [autograd.tensor(p.array.copy(), requires_grad=True) for p in params]
    opt2 = optim.Adam(params2, lr=0.1)
    opt2.load_state_dict(sd)
    assert opt2.state[params2[1]]["step"] == 2


def test_loaded_state_is_copied_and_cast_to_the_parameter():
    src = [autograd.tensor(np.ones(3), requires_grad=True)]  # float64
    opt = optim.Adam(src, lr=0.1)
    trajectory(opt, src, 0, 2)
    sd = opt.state_dict()
    dst = [autograd.zeros(3, requires_grad=True)]  # float32
    opt2 = optim.Adam(dst, lr=0.1)
    opt2.load_state_dict(sd)
    m = opt2.state[dst[0]]["exp_avg"]
    assert m.dtype == np.float32 and opt2.state[dst[0]]["step"] == 2
    assert not np.shares_memory(m.array, sd["state"][0]["exp_avg"].array)
    before = sd["state"][0]["exp_avg"].array.copy()
    dst[0].grad = autograd.ones(3)
    opt2.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].array, before)
    assert dst[0].dtype == np.float32


@pytest.mark.parametrize("name", ALL)
def test_step_is_in_place_keeps_dtype_and_skips_params_without_grad(name):
    cls, kw = getattr(optim, name), KW.get(name, {})
    w = autograd.tensor(np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    frozen = autograd.tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    opt = cls([w, frozen], **kw)
    data = w.array
    w.grad = autograd.tensor(np.full((2, 3), 0.5, dtype=np.float32))
    opt.step()
    assert w.array is data and w.dtype == np.float32
    assert not np.array_equal(w.array, np.linspace(-1, 1, 6).reshape(2, 3).astype(np.float32))
    np.testing.assert_array_equal(frozen.array, np.ones(2, dtype=np.float32))
    assert frozen not in opt.state or name == "Adagrad"  # Adagrad builds its state eagerly, as PyTorch's does
    for v in opt.state[w].values():
        if isinstance(v, autograd.Tensor):
            assert v.dtype == np.float32 and v.shape == (2, 3)


def test_a_step_invalidates_graphs_that_saved_the_parameter():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = (w * w).sum()  # saves w
    w.grad = autograd.ones(2)
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError):
        y.backward()


@given(st.integers(0, 3).flatmap(lambda n: st.tuples(*[st.integers(1, 3)] * n)),
       st.sampled_from(ALL), st.floats(-2, 2), st.floats(-2, 2))
@settings(max_examples=40, deadline=None)
def test_any_shape_steps_and_matches_a_flattened_copy(shape, name, a, b):
    # the update is elementwise: a parameter of any shape (0-d included) moves as its flattened copy does
    cls, kw = getattr(optim, name), KW.get(name, {})
    base = np.linspace(a, b, int(np.prod(shape))).reshape(shape)
    x = autograd.tensor(base.copy(), requires_grad=True)
    flat = autograd.tensor(base.reshape(-1).copy(), requires_grad=True)
    o1, o2 = cls([x], **kw), cls([flat], **kw)
    for k in range(3):
        x.grad = autograd.tensor(grad_field(x.array, k))
        flat.grad = autograd.tensor(grad_field(flat.array, k))
        o1.step(), o2.step()
    assert x.shape == shape and isinstance(x.array, np.ndarray)
    np.testing.assert_array_equal(x.array.reshape(-1), flat.array)


def test_complex_parameters_sgd_only():
    w = autograd.tensor(np.array([1 + 1j, 2 - 1j]), requires_grad=True)
    w.grad = autograd.tensor(np.array([1j, 1.0 + 0j]))
    optim.SGD([w], lr=0.1).step()
    np.testing.assert_allclose(w.array, [1 + 0.9j, 1.9 - 1j], rtol=1e-15)
    with pytest.raises(NotImplementedError, match="complex parameters"):
        optim.Adam([w]).step()
    with pytest.raises(NotImplementedError, match="complex parameters"):
        optim.LBFGS([w])


def test_param_groups_with_different_learning_rates():
    a, b = autograd.tensor([1.0], requires_grad=True), autograd.tensor([1.0], requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9  # unspecified options come from the defaults
    for _ in range(2):
        a.grad, b.grad = autograd.tensor([1.0]), autograd.tensor([1.0])
        opt.step()
    assert a.item() == pytest.approx(1 - 0.1 * (1 + 1.9))
    assert b.item() == pytest.approx(1 - 0.5 * (1 + 1.9))


def test_closure_returns_the_loss_and_runs_with_gradients_on():
    w = autograd.tensor([2.0], requires_grad=True)
    opt = optim.Adam([w], lr=0.1)
    seen = []

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        seen.append(autograd.is_grad_enabled())
        loss.backward()
        return loss

    with autograd.no_grad():
        loss = opt.step(closure)
    assert float(loss) == 4.0 and seen == [True]
    assert opt.step() is None


def test_zero_grad():
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    (w * 3).sum().backward()
    g = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is g and w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None
    opt.zero_grad()  # no gradient: nothing to do


def test_add_param_group_and_its_errors():
    a, b = autograd.zeros(2, requires_grad=True), autograd.zeros(3, requires_grad=True)
    opt = optim.Adam([a], lr=0.1)
    opt.add_param_group({"params": b, "betas": (0.5, 0.6)})
    assert opt.param_groups[1]["params"] == [b] and opt.param_groups[1]["lr"] == 0.1
    with pytest.raises(ValueError, match="more than one parameter group"):
        opt.add_param_group({"params": [a]})
    with pytest.raises(TypeError, match="ordered collections"):
        opt.add_param_group({"params": {autograd.zeros(1, requires_grad=True)}})
    with pytest.raises(TypeError, match="can only optimize Tensors"):
        opt.add_param_group({"params": [np.zeros(2)]})
    with pytest.raises(ValueError, match="non-leaf"):
        opt.add_param_group({"params": [a * 2]})
    with pytest.raises(TypeError, match="must be a dict"):
        opt.add_param_group([b])
    with pytest.warns(UserWarning, match="duplicate"):
        optim.SGD([a, a])
    assert len(opt.param_groups) == 2


def test_constructor_errors():
    w = autograd.zeros(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(w)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.Adam([w], lr=-1)
    with pytest.raises(ValueError, match="beta parameter at index 1"):
        optim.NAdam([w], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="Nesterov"):
        optim.SGD([w], nesterov=True)
    with pytest.raises(ValueError, match="eta values"):
        optim.Rprop([w], etas=(1.2, 0.5))
    with pytest.raises(NotImplementedError, match="fused=True"):
        optim.Adam([w], fused=True)
    with pytest.raises(ValueError, match="parameter groups"):
        optim.LBFGS([{"params": [w]}, {"params": [autograd.zeros(1, requires_grad=True)]}])
    with pytest.raises(ValueError, match="strong_wolfe"):
        optim.LBFGS([w], line_search_fn="backtracking")
    with pytest.raises(RuntimeError, match="closure"):
        optim.LBFGS([w]).step(None)


def test_defaults_are_pytorchs():
    w = [autograd.zeros(1, requires_grad=True)]
    expect = {"SGD": dict(lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False),
              "Adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False),
              "AdamW": dict(lr=1e-3, weight_decay=1e-2, decoupled_weight_decay=True),
              "NAdam": dict(lr=2e-3, momentum_decay=4e-3), "RAdam": dict(lr=1e-3), "Adamax": dict(lr=2e-3),
              "RMSprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, momentum=0, centered=False),
              "Adagrad": dict(lr=1e-2, lr_decay=0, initial_accumulator_value=0, eps=1e-10),
              "Adadelta": dict(lr=1.0, rho=0.9, eps=1e-6), "Rprop": dict(lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50)),
              "Lion": dict(lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0),
              "LBFGS": dict(lr=1, max_iter=20, max_eval=25, tolerance_grad=1e-7, tolerance_change=1e-9,
                            history_size=100, line_search_fn=None)}
    for name, d in expect.items():
        group = getattr(optim, name)(w).param_groups[0]
        assert {k: group[k] for k in d} == d, name


def test_named_parameters_and_state_dict_layout():
    a, b = autograd.zeros(2, requires_grad=True), autograd.zeros(3, requires_grad=True)
    opt = optim.SGD([("layer.weight", a), ("layer.bias", b)], lr=0.1, momentum=0.9)
    a.grad, b.grad = autograd.ones(2), autograd.ones(3)
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][0]["params"] == [0, 1]
    assert sd["param_groups"][0]["param_names"] == ["layer.weight", "layer.bias"]
    assert set(sd["state"]) == {0, 1} and set(sd["state"][1]) == {"momentum_buffer"}
    with pytest.raises(ValueError, match="with/without names"):
        opt.add_param_group({"params": [autograd.zeros(1, requires_grad=True)]})


def test_tensor_learning_rate_and_repr():
    w = autograd.tensor([1.0], requires_grad=True)
    opt = optim.SGD([w], lr=autograd.tensor(0.5))
    w.grad = autograd.tensor([1.0])
    opt.step()
    assert w.item() == pytest.approx(0.5)
    assert "Parameter Group 0" in repr(opt) and "momentum: 0" in repr(opt)


def test_scheduler_wrapped_optimizer_still_pickles():
    w = autograd.zeros(1, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        optim.lr_scheduler.StepLR(opt, 3)
    clone = pickle.loads(pickle.dumps(opt))
    assert clone.param_groups[0]["initial_lr"] == 0.1
    clone.param_groups[0]["params"][0].grad = autograd.ones(1)
    clone.step()
