"""Convergence: every optimizer drives the Rosenbrock function and a least-squares problem below a
stated loss within a stated number of steps; L-BFGS gets there in far fewer evaluations than SGD.

The budgets are each optimizer's own (Adadelta and RAdam are slow on Rosenbrock's curved valley,
Lion's fixed-size sign steps stall at a loss set by its learning rate), measured once and given
margin; each run is deterministic (float64, fixed start).
"""
from __future__ import annotations

import numpy as np
import pytest

import autograd
import optim

START = (-1.2, 1.0)  # the classic start: loss 24.2, at the far end of the curved valley
ROSEN_MIN = (1.0, 1.0)


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def descend(opt, params, loss_fn, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
    with autograd.no_grad():
        return float(loss_fn())


ROSENBROCK = [  # optimizer, options, steps, loss to get below
    ("SGD", dict(lr=1e-3, momentum=0.9), 1000, 1e-4),
    ("SGD", dict(lr=5e-4, momentum=0.95, nesterov=True), 1000, 1e-4),
    ("Adam", dict(lr=0.05), 1500, 1e-4),
    ("AdamW", dict(lr=0.05, weight_decay=1e-4), 1500, 1e-4),
    ("NAdam", dict(lr=0.03), 2000, 1e-2),
    ("RAdam", dict(lr=5e-3), 8500, 1e-3),
    ("Adamax", dict(lr=0.2), 2000, 1e-3),
    ("RMSprop", dict(lr=1e-3, momentum=0.9), 1200, 1e-4),
    ("Adagrad", dict(lr=1.5), 2000, 1e-2),
    ("Adadelta", dict(lr=0.1, rho=0.99), 6000, 0.2),
    ("Rprop", dict(), 2200, 1e-3),
    ("Lion", dict(lr=2e-3), 1500, 1e-2),
]


@pytest.mark.parametrize("name,kw,steps,target", ROSENBROCK, ids=[r[0] + "-" + str(i) for i, r in enumerate(ROSENBROCK)])
def test_rosenbrock(name, kw, steps, target):
    x = autograd.tensor(START, dtype=autograd.float64, requires_grad=True)
    loss = descend(getattr(optim, name)([x], **kw), [x], lambda: rosenbrock(x), steps)
    assert loss < target, f"{name}{kw}: loss {loss:.3g} after {steps} steps, wanted < {target}"
    if target <= 1e-3:
        np.testing.assert_allclose(x.array, ROSEN_MIN, atol=0.1)


@pytest.fixture(scope="module")
def least_squares():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((40, 6))
    b = A @ rng.standard_normal(6) + 0.3 * rng.standard_normal(40)
    x_star = np.linalg.lstsq(A, b, rcond=None)[0]
    return A, b, float(np.mean((A @ x_star - b) ** 2))


LEAST_SQUARES = [
    ("SGD", dict(lr=0.1), 300, 1e-8),
    ("SGD", dict(lr=0.05, momentum=0.9), 200, 1e-8),
    ("Adam", dict(lr=0.1), 400, 1e-8),
    ("AdamW", dict(lr=0.1, weight_decay=0.0), 400, 1e-8),
    ("NAdam", dict(lr=0.05, momentum_decay=0.05), 600, 1e-8),
    ("RAdam", dict(lr=0.1), 400, 1e-8),
    ("Adamax", dict(lr=0.1), 600, 1e-8),
    ("RMSprop", dict(lr=0.01), 600, 1e-4),
    ("Adagrad", dict(lr=0.5), 400, 1e-8),
    ("Adadelta", dict(lr=1.0), 2000, 5e-3),
    ("Rprop", dict(lr=0.01), 300, 1e-8),
    ("Lion", dict(lr=1e-3), 1500, 1e-4),
]


@pytest.mark.parametrize("name,kw,steps,excess", LEAST_SQUARES, ids=[r[0] + "-" + str(i) for i, r in enumerate(LEAST_SQUARES)])
def test_least_squares(least_squares, name, kw, steps, excess):
    A, b, best = least_squares
    At, bt = autograd.tensor(A), autograd.tensor(b)
    x = autograd.zeros(6, dtype=autograd.float64, requires_grad=True)
    loss = descend(getattr(optim, name)([x], **kw), [x], lambda: ((At @ x - bt) ** 2).mean(), steps)
    assert loss - best < excess, f"{name}{kw}: loss {loss:.10g} vs optimum {best:.10g} after {steps} steps"


def lbfgs_run(loss_fn, x, **kw):
    opt = optim.LBFGS([x], **kw)

    def closure():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        return loss

    opt.step(closure)
    return opt.state[x]["func_evals"], float(loss_fn())


def test_lbfgs_needs_far_fewer_evaluations_than_sgd_on_rosenbrock():
    x = autograd.tensor(START, dtype=autograd.float64, requires_grad=True)
    evals, loss = lbfgs_run(lambda: rosenbrock(x), x, max_iter=100, line_search_fn="strong_wolfe")
    assert loss < 1e-8 and evals <= 60
    np.testing.assert_allclose(x.array, ROSEN_MIN, atol=1e-4)

    y = autograd.tensor(START, dtype=autograd.float64, requires_grad=True)
    opt = optim.SGD([y], lr=1e-3, momentum=0.9)
    sgd_steps = 0
    while float(rosenbrock(y)) >= 1e-4:  # SGD only has to reach 1e-4
        opt.zero_grad()
        rosenbrock(y).backward()
        opt.step()
        sgd_steps += 1
    assert evals * 10 < sgd_steps, (evals, sgd_steps)


def test_lbfgs_without_line_search_converges_on_rosenbrock():
    x = autograd.tensor(START, dtype=autograd.float64, requires_grad=True)
    evals, loss = lbfgs_run(lambda: rosenbrock(x), x, max_iter=200, max_eval=250)
    assert loss < 1e-10 and evals <= 100


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_least_squares(least_squares, line_search_fn):
    A, b, best = least_squares
    At, bt = autograd.tensor(A), autograd.tensor(b)
    x = autograd.zeros(6, dtype=autograd.float64, requires_grad=True)
    evals, loss = lbfgs_run(lambda: ((At @ x - bt) ** 2).mean(), x, line_search_fn=line_search_fn)
    assert loss - best < 1e-10 and evals <= 25


def test_lbfgs_float32_converges():
    x = autograd.tensor(START, requires_grad=True)  # float32
    evals, loss = lbfgs_run(lambda: rosenbrock(x), x, max_iter=100, line_search_fn="strong_wolfe")
    assert x.dtype == np.float32 and loss < 1e-6
