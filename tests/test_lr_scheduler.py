"""Learning-rate schedules: 30 steps of each against its documented formula, written out here.

Each schedule drives an SGD optimizer with two parameter groups (lr 0.1 and
0.2); the learning rate in force at epoch ``e`` (read before that epoch's
``optimizer.step()``) must equal the formula at ``e``.
"""
from __future__ import annotations

import copy
import math
import pickle
import warnings

import numpy as np
import pytest

import autograd
import optim
from optim import lr_scheduler as L

BASES = (0.1, 0.2)
N = 30


def make_opt(cls=optim.SGD, **kw):
    kw.setdefault("momentum", 0.9) if cls is optim.SGD else None
    groups = [{"params": [autograd.zeros(2, requires_grad=True)], "lr": lr} for lr in BASES]
    return cls(groups, **kw)


def lrs(build, n=N, metrics=None, cls=optim.SGD, **kw):
    """The (per-group) learning rates in force at epochs 0..n-1, and the momenta alongside."""
    opt = make_opt(cls, **kw)
    sched = build(opt)
    out, moms = [], []
    for e in range(n):
        out.append(list(sched.get_last_lr()))
        assert out[-1] == [g["lr"] for g in opt.param_groups]
        moms.append([g["momentum"] if "momentum" in g else g["betas"][0] for g in opt.param_groups])
        opt.step()
        sched.step() if metrics is None else sched.step(metrics[e])
    return np.array(out), np.array(moms)


def expect(formula, n=N):
    return np.array([[formula(base, e) for base in BASES] for e in range(n)])


def cos_anneal(a, b, pct):
    """From a to b along half a cosine."""
    return b + (a - b) * (1 + math.cos(math.pi * pct)) / 2


CASES = {
    "LambdaLR": (lambda o: L.LambdaLR(o, lambda e: 0.95 ** e), lambda b, e: b * 0.95 ** e),
    "LambdaLR per group": (lambda o: L.LambdaLR(o, [lambda e: 0.95 ** e, lambda e: 1 / (1 + e)]),
                           lambda b, e: b * (0.95 ** e if b == 0.1 else 1 / (1 + e))),
    "MultiplicativeLR": (lambda o: L.MultiplicativeLR(o, lambda e: 0.8 if e % 3 == 0 else 0.97),
                         lambda b, e: b * math.prod(0.8 if k % 3 == 0 else 0.97 for k in range(1, e + 1))),
    "StepLR": (lambda o: L.StepLR(o, step_size=4, gamma=0.5), lambda b, e: b * 0.5 ** (e // 4)),
    "MultiStepLR": (lambda o: L.MultiStepLR(o, milestones=[3, 7, 7, 12], gamma=0.3),
                    lambda b, e: b * 0.3 ** sum(m <= e for m in [3, 7, 7, 12])),
    "ConstantLR": (lambda o: L.ConstantLR(o, factor=0.25, total_iters=9), lambda b, e: b * (0.25 if e < 9 else 1.0)),
    "ConstantLR defaults": (lambda o: L.ConstantLR(o), lambda b, e: b * (1 / 3 if e < 5 else 1.0)),
    "LinearLR": (lambda o: L.LinearLR(o, start_factor=0.2, end_factor=0.7, total_iters=11),
                 lambda b, e: b * (0.2 + 0.5 * min(e, 11) / 11)),
    "LinearLR defaults": (lambda o: L.LinearLR(o), lambda b, e: b * (1 / 3 + 2 / 3 * min(e, 5) / 5)),
    "ExponentialLR": (lambda o: L.ExponentialLR(o, gamma=0.87), lambda b, e: b * 0.87 ** e),
    "PolynomialLR": (lambda o: L.PolynomialLR(o, total_iters=17, power=2.5), lambda b, e: b * (1 - min(e, 17) / 17) ** 2.5),
    "PolynomialLR defaults": (lambda o: L.PolynomialLR(o), lambda b, e: b * (1 - min(e, 5) / 5)),
    # past T_max the schedule carries on along the cosine (it rises again), as PyTorch's recursive form does
    "CosineAnnealingLR": (lambda o: L.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
                          lambda b, e: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * e / 7)) / 2),
    "CosineAnnealingLR T_max=30": (lambda o: L.CosineAnnealingLR(o, T_max=30), lambda b, e: cos_anneal(b, 0.0, e / 30)),
    "SequentialLR": (lambda o: L.SequentialLR(o, [L.LinearLR(o, 0.1, total_iters=5), L.ExponentialLR(o, 0.9)], milestones=[5]),
                     lambda b, e: b * (0.1 + 0.9 * e / 5) if e < 5 else b * 0.9 ** (e - 5)),
    "SequentialLR three parts": (
        lambda o: L.SequentialLR(o, [L.ConstantLR(o, 0.5, total_iters=3), L.CosineAnnealingLR(o, T_max=8),
                                     L.StepLR(o, 3, 0.5)], milestones=[4, 12]),
        lambda b, e: b * (0.5 if e < 3 else 1.0) if e < 4 else cos_anneal(b, 0.0, (e - 4) / 8) if e < 12
        else b * 0.5 ** ((e - 12) // 3)),
    "ChainedScheduler": (lambda o: L.ChainedScheduler([L.ConstantLR(o, 0.5, total_iters=4), L.ExponentialLR(o, 0.9)]),
                         lambda b, e: b * (0.5 if e < 4 else 1.0) * 0.9 ** e),
    "ChainedScheduler three": (
        lambda o: L.ChainedScheduler([L.LinearLR(o, 0.2, total_iters=6), L.StepLR(o, 5, 0.5), L.MultiStepLR(o, [10, 20])],
                                     optimizer=o),
        lambda b, e: b * (0.2 + 0.8 * min(e, 6) / 6) * 0.5 ** (e // 5) * 0.1 ** ((e >= 10) + (e >= 20))),
}


@pytest.mark.parametrize("name", list(CASES))
def test_sequence_matches_the_formula(name):
    build, formula = CASES[name]
    got, _ = lrs(build)
    np.testing.assert_allclose(got, expect(formula), rtol=1e-12, atol=1e-15)


def sgdr(b, e, T_0, T_mult, eta_min):
    """SGDR: the cosine restarts every T_i epochs, T_i = T_0 * T_mult^i."""
    T_i, t = T_0, e
    while t >= T_i:
        t -= T_i
        T_i *= T_mult
    return eta_min + (b - eta_min) * (1 + math.cos(math.pi * t / T_i)) / 2


@pytest.mark.parametrize("T_0,T_mult", [(4, 1), (3, 2), (2, 3)])
def test_cosine_annealing_warm_restarts(T_0, T_mult):
    got, _ = lrs(lambda o: L.CosineAnnealingWarmRestarts(o, T_0=T_0, T_mult=T_mult, eta_min=0.001))
    np.testing.assert_allclose(got, expect(lambda b, e: sgdr(b, e, T_0, T_mult, 0.001)), rtol=1e-12)


def test_cosine_annealing_warm_restarts_fractional_epochs():
    opt = make_opt()
    sched = L.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.001)
    for k in range(N):
        epoch = 0.37 * k
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sched.step(epoch)
        # fractional epoch: the position within the current restart period, by the same rule
        T_i, t = 3, epoch
        while t >= T_i:
            t, T_i = t - T_i, T_i * 2
        assert sched.get_last_lr() == pytest.approx([0.001 + (b - 0.001) * (1 + math.cos(math.pi * t / T_i)) / 2
                                                    for b in BASES], rel=1e-12)


def triangle(e, up, down):
    """Position in the cycle as the height of a triangle wave: 0 at the base, 1 at the peak."""
    pos = e % (up + down)
    return pos / up if pos <= up else 1 - (pos - up) / down


@pytest.mark.parametrize("mode,kw,scale", [
    ("triangular", dict(step_size_up=4), lambda cycle, e: 1.0),
    ("triangular2", dict(step_size_up=3, step_size_down=5), lambda cycle, e: 0.5 ** (cycle - 1)),
    ("exp_range", dict(step_size_up=4, gamma=0.9), lambda cycle, e: 0.9 ** e),
])
def test_cyclic_lr(mode, kw, scale):
    up, down = kw["step_size_up"], kw.get("step_size_down", kw["step_size_up"])
    got, moms = lrs(lambda o: L.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], mode=mode, **kw))
    for e in range(N):
        h = triangle(e, up, down) * scale(e // (up + down) + 1, e)
        np.testing.assert_allclose(got[e], [0.01 + 0.09 * h, 0.02 + 0.28 * h], rtol=1e-12)
        np.testing.assert_allclose(moms[e], [0.9 - 0.1 * h] * 2, rtol=1e-12)  # momentum moves against the lr


def test_cyclic_lr_custom_scale_fn_and_no_momentum_cycling():
    got, moms = lrs(lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=4, scale_fn=lambda x: 0.5 ** x,
                                         scale_mode="iterations", cycle_momentum=False))
    np.testing.assert_allclose(got[:, 0], [0.01 + 0.09 * triangle(e, 4, 4) * 0.5 ** e for e in range(N)], rtol=1e-12)
    assert (moms == 0.9).all()


def test_cyclic_lr_cycles_adams_beta1():
    got, moms = lrs(lambda o: L.CyclicLR(o, 0.01, 0.1, step_size_up=5, base_momentum=0.85, max_momentum=0.95),
                    cls=optim.Adam)
    h = np.array([triangle(e, 5, 5) for e in range(N)])
    np.testing.assert_allclose(moms[:, 0], 0.95 - 0.1 * h, rtol=1e-12)


def one_cycle(e, total, pct, max_lr, div, final_div, anneal, three_phase):
    lo, top = max_lr / div, max_lr
    floor = lo / final_div
    up = pct * total - 1
    if three_phase:
        points = [(0, lo, 0.95), (up, top, 0.85), (2 * pct * total - 2, lo, 0.95), (total - 1, floor, 0.95)]
    else:
        points = [(0, lo, 0.95), (up, top, 0.85), (total - 1, floor, 0.95)]
    for (s0, a, ma), (s1, b, mb) in zip(points, points[1:]):
        if e <= s1 or s1 == total - 1:
            frac = (e - s0) / (s1 - s0)
            if anneal == "cos":
                return cos_anneal(a, b, frac), cos_anneal(ma, mb, frac)
            return a + (b - a) * frac, ma + (mb - ma) * frac


@pytest.mark.parametrize("kw", [dict(), dict(anneal_strategy="linear", pct_start=0.4),
                                dict(three_phase=True, div_factor=10.0, final_div_factor=100.0),
                                dict(three_phase=True, anneal_strategy="linear", pct_start=0.25)])
def test_one_cycle_lr(kw):
    got, moms = lrs(lambda o: L.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=N, **kw))
    o = dict(dict(pct_start=0.3, div_factor=25.0, final_div_factor=1e4, anneal_strategy="cos", three_phase=False), **kw)
    for e in range(N):
        for g, top in enumerate((1.0, 0.5)):
            lr, mom = one_cycle(e, N, o["pct_start"], top, o["div_factor"], o["final_div_factor"], o["anneal_strategy"],
                                o["three_phase"])
            assert got[e, g] == pytest.approx(lr, rel=1e-12)
            assert moms[e, g] == pytest.approx(mom, rel=1e-12)


def test_one_cycle_lr_epochs_and_its_end():
    opt = make_opt()
    sched = L.OneCycleLR(opt, max_lr=1.0, epochs=3, steps_per_epoch=10)
    assert sched.total_steps == 30
    for _ in range(29):
        opt.step()
        sched.step()
    assert sched.get_last_lr()[0] == pytest.approx(1.0 / 25 / 1e4)
    with pytest.raises(ValueError, match="Tried to step 31 times"):
        opt.step()
        sched.step()
        sched.step()


def plateau(metrics, base, mode="min", factor=0.1, patience=10, threshold=1e-4, threshold_mode="rel", cooldown=0,
            min_lr=0.0, eps=1e-8):
    """The lr in force at each epoch, by the rule in the docs (independent of the implementation's layout)."""
    lr, best, bad, cool, out = base, math.inf if mode == "min" else -math.inf, 0, 0, []
    for m in metrics:
        out.append(lr)
        if mode == "min":
            better = m < (best * (1 - threshold) if threshold_mode == "rel" else best - threshold)
        else:
            better = m > (best * (1 + threshold) if threshold_mode == "rel" else best + threshold)
        best, bad = (m, 0) if better else (best, bad + 1)
        if cool > 0:
            cool, bad = cool - 1, 0
        if bad > patience:
            new = max(lr * factor, min_lr)
            lr = new if lr - new > eps else lr
            cool, bad = cooldown, 0
    return out


METRICS = list(np.concatenate([np.linspace(5, 3, 6), np.full(9, 3.0), 3 - 1e-5 * np.arange(6), np.linspace(2.9, 1, 5),
                               [1.5, 0.9, 0.95, 0.95]]))


@pytest.mark.parametrize("kw", [dict(), dict(patience=2), dict(patience=2, mode="max"),
                                dict(patience=1, threshold=0.01, threshold_mode="abs", cooldown=2),
                                dict(patience=0, factor=0.5, min_lr=0.03), dict(patience=1, factor=0.5, eps=0.02),
                                dict(mode="max", threshold_mode="abs", patience=1, factor=0.7)])
def test_reduce_lr_on_plateau(kw):
    got, _ = lrs(lambda o: L.ReduceLROnPlateau(o, **kw), metrics=METRICS)
    assert len(METRICS) == N
    for g, base in enumerate(BASES):
        np.testing.assert_allclose(got[:, g], plateau(METRICS, base, **kw), rtol=1e-12)


def test_reduce_lr_on_plateau_per_group_min_lr_and_errors():
    got, _ = lrs(lambda o: L.ReduceLROnPlateau(o, patience=0, factor=0.5, min_lr=[0.02, 0.09]), metrics=[1.0] * N)
    assert got[-1].tolist() == [0.02, 0.09]
    opt = make_opt()
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        L.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="expected 2 min_lrs"):
        L.ReduceLROnPlateau(opt, min_lr=[0.1])
    with pytest.raises(ValueError, match="mode"):
        L.ReduceLROnPlateau(opt, mode="lowest")
    with pytest.raises(ValueError, match="threshold mode"):
        L.ReduceLROnPlateau(opt, threshold_mode="ratio")


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "SequentialLR", "ChainedScheduler", "LinearLR"])
def test_state_dict_round_trip(name):
    build, _ = CASES[name]
    full, _ = lrs(build)
    opt = make_opt()
    sched = build(opt)
    for _ in range(11):
        opt.step()
        sched.step()
    saved_opt, saved_sched = pickle.loads(pickle.dumps((opt.state_dict(), sched.state_dict())))
    opt2 = make_opt()
    sched2 = build(opt2)  # built first: building sets the groups' lr, which loading then overwrites (as in PyTorch)
    opt2.load_state_dict(saved_opt)
    sched2.load_state_dict(saved_sched)
    got = []
    for _ in range(11, N):
        got.append(sched2.get_last_lr())
        opt2.step()
        sched2.step()
    np.testing.assert_allclose(got, full[11:], rtol=1e-12)


def test_multistep_state_survives_a_plain_dict_round_trip():
    opt = make_opt()
    sched = L.MultiStepLR(opt, milestones=[2, 4, 4])
    sd = dict(sched.state_dict(), milestones={str(k): v for k, v in sched.milestones.items()})  # as JSON would
    other = L.MultiStepLR(make_opt(), milestones=[9])
    other.load_state_dict(sd)
    assert other.milestones == {2: 1, 4: 2}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        other.step(5)  # the closed form reads the milestones as a multiset
    assert other.get_last_lr() == pytest.approx([b * 0.1 ** 3 for b in BASES])


def test_resuming_with_last_epoch_uses_initial_lr():
    opt = make_opt()
    with pytest.raises(KeyError, match="initial_lr"):
        L.StepLR(opt, 3, last_epoch=5)
    for g, b in zip(opt.param_groups, BASES):  # as a checkpoint saved at epoch 5 leaves them
        g["initial_lr"], g["lr"] = b, cos_anneal(b, 0.0, 5 / 10)
    sched = L.CosineAnnealingLR(opt, T_max=10, last_epoch=4)  # resuming keeps the groups' lr for epoch 5...
    assert sched.base_lrs == list(BASES) and sched.last_epoch == 5
    for e in range(6, 10):  # ... and carries on along the schedule
        opt.step()
        sched.step()
        assert sched.get_last_lr() == pytest.approx([cos_anneal(b, 0.0, e / 10) for b in BASES], rel=1e-12)


def test_lambda_state_dict_saves_callable_objects_not_functions():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, e):
            return self.rate ** e

    opt = make_opt()
    sched = L.LambdaLR(opt, [Decay(0.5), lambda e: 1.0])
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"rate": 0.5}, None]
    sd["lr_lambdas"][0]["rate"] = 0.25
    other = L.LambdaLR(make_opt(), [Decay(0.5), lambda e: 1.0])
    other.load_state_dict(sd)
    assert other.lr_lambdas[0].rate == 0.25


def test_warnings():
    opt = make_opt()
    sched = L.StepLR(opt, 3)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    opt2 = make_opt()
    sched2 = L.StepLR(opt2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt2.step()
        sched2.step()  # the right order: no warning
    with pytest.warns(UserWarning, match="get_last_lr"):
        sched2.get_lr()
    with pytest.warns(UserWarning, match="epoch parameter"):
        sched2.step(7)
    assert sched2.get_last_lr() == pytest.approx([b * 0.1 ** 2 for b in BASES])  # the closed form at epoch 7


def test_construction_errors():
    opt = make_opt()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        L.StepLR(object(), 3)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas"):
        L.LambdaLR(opt, [lambda e: 1.0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        L.ConstantLR(opt, factor=2.0)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        L.LinearLR(opt, start_factor=0)
    with pytest.raises(ValueError, match="positive integer T_0"):
        L.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="base_lr must have the same length"):
        L.CyclicLR(opt, [0.1], 1.0)
    with pytest.raises(ValueError, match="momentum or beta1"):
        L.CyclicLR(optim.Adagrad([autograd.zeros(1, requires_grad=True)]), 0.1, 1.0)
    with pytest.raises(ValueError, match="total_steps OR"):
        L.OneCycleLR(opt, 1.0)
    with pytest.raises(ValueError, match="anneal_strategy"):
        L.OneCycleLR(opt, 1.0, total_steps=10, anneal_strategy="exp")
    a, b = L.StepLR(opt, 2), L.StepLR(make_opt(), 2)
    with pytest.raises(ValueError, match="number of milestone points"):
        L.SequentialLR(opt, [a, L.StepLR(opt, 3)], milestones=[])
    with pytest.raises(ValueError, match="same optimizer"):
        L.ChainedScheduler([a, b])
    with pytest.raises(ValueError, match="ReduceLROnPlateau"):
        L.SequentialLR(opt, [a, L.ReduceLROnPlateau(opt)], milestones=[3])


def test_tensor_lr_is_updated_in_place():
    w = autograd.zeros(1, requires_grad=True)
    lr = autograd.tensor(0.5, dtype=autograd.float64)
    opt = optim.SGD([w], lr=lr)
    sched = L.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and float(lr) == 0.25
    assert float(sched.get_last_lr()[0]) == 0.25 and sched.get_last_lr()[0] is not lr
    copy.deepcopy(sched.state_dict())
