"""GradientFlow: per-layer gradient norms and update ratios, checked against NumPy, and their plot."""
from __future__ import annotations

import math

import numpy as np
import pytest

import autograd
import nn
import optim
from denpa.train import History, Trainer
from denpa.train.gradient_flow import GradientFlow, plot_gradient_flow


def _model(seed=0):
    autograd.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 5), nn.Tanh(), nn.Linear(5, 2))


def _batch():
    rng = np.random.default_rng(0)
    return autograd.tensor(rng.normal(size=(16, 4)).astype("float32")), autograd.tensor(rng.integers(0, 2, 16))


def test_norms_and_ratios_match_numpy():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.3)
    flow = GradientFlow(model, opt, update_ratio=True)
    x, y = _batch()
    for _ in range(2):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        want = {}
        before = {}
        for name in ("0", "2", "4"):
            layer = model.get_submodule(name)
            g = np.concatenate([layer.weight.grad.numpy().ravel(), layer.bias.grad.numpy().ravel()]).astype(float)
            want[name] = np.linalg.norm(g)
            before[name] = np.concatenate([layer.weight.detach().numpy().ravel(),
                                           layer.bias.detach().numpy().ravel()]).astype(float)
        opt.step()
        for name in want:
            layer = model.get_submodule(name)
            after = np.concatenate([layer.weight.detach().numpy().ravel(), layer.bias.detach().numpy().ravel()])
            assert math.isclose(flow.history[f"grad_norm/{name}"][-1], want[name], rel_tol=1e-6)
            ratio = np.linalg.norm(after - before[name]) / np.linalg.norm(before[name])
            assert math.isclose(flow.history[f"update_ratio/{name}"][-1], ratio, rel_tol=1e-4)
            # for SGD the step is exactly lr * gradient
            assert math.isclose(ratio, 0.3 * want[name] / np.linalg.norm(before[name]), rel_tol=1e-4)
    assert flow.history.epoch == [1, 2]
    flow.detach()
    opt.step()  # no longer recorded
    assert len(flow.history) == 2
    assert "step" not in vars(opt)


def test_every_and_record_by_hand():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    flow = GradientFlow(model, opt, every=3)
    x, y = _batch()
    for _ in range(7):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    assert flow.history.epoch == [3, 6] and flow.steps == 7
    flow.detach()

    by_hand = GradientFlow(model)
    opt.zero_grad()
    assert all(math.isnan(v) for v in by_hand.grad_norms().values())  # no gradients yet
    nn.functional.cross_entropy(model(x), y).backward()
    by_hand.record(loss=1.0)
    assert by_hand.history["loss"] == [1.0] and by_hand.history["grad_norm/4"][0] > 0


def test_with_trainer_marks_epochs():
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    flow = GradientFlow(model, opt)
    x, y = _batch()
    batches = list(zip(x.split(4), y.split(4)))
    Trainer(model, nn.functional.cross_entropy, opt, verbose=False, progress=False, callbacks=[flow]).fit(
        batches, epochs=2)
    assert len(flow.history) == 8 and flow.epoch_ends == [4, 8]
    fig = flow.plot()
    (ax,) = fig.axes
    assert ax.get_yscale() == "log" and len(ax.get_lines()) == 3 + 2  # three layers, two epoch marks
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["0 (Linear)", "2 (Linear)", "4 (Linear)"]


def test_history_plot_gradient_flow_and_errors(tmp_path):
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.1)
    flow = GradientFlow(model, opt, update_ratio=True)
    x, y = _batch()
    opt.zero_grad()
    nn.functional.cross_entropy(model(x), y).backward()
    opt.step()
    fig = flow.history.plot_gradient_flow(tmp_path / "flow.png", title="t")
    assert len(fig.axes) == 2 and (tmp_path / "flow.png").stat().st_size > 0
    with pytest.raises(ValueError, match="no grad_norm"):
        plot_gradient_flow(History())
    with pytest.raises(RuntimeError, match="already attached"):
        flow.attach(opt)
    with pytest.raises(ValueError, match="no parameters"):
        GradientFlow(nn.ReLU())
    with pytest.raises(ValueError, match="every"):
        GradientFlow(model, every=0)
    unattached = GradientFlow(model)
    with pytest.raises(RuntimeError, match="not attached"):
        unattached(None, 1, {})


def test_works_with_a_scheduler_either_way_round():
    x, y = _batch()

    def train_steps(opt, scheduler, n):
        for _ in range(n):
            opt.zero_grad()
            nn.functional.cross_entropy(model(x), y).backward()
            opt.step()
            scheduler.step()

    model = _model()
    # scheduler first, then the flow: detaching gives the scheduler's wrapper back
    opt = optim.SGD(model.parameters(), lr=0.1)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    wrapped = vars(opt).get("step")
    flow = GradientFlow(model, opt)
    train_steps(opt, scheduler, 2)
    flow.detach()
    assert vars(opt).get("step") is wrapped and len(flow.history) == 2
    train_steps(opt, scheduler, 1)  # no warning about the order of step() calls, nothing recorded
    assert len(flow.history) == 2

    # flow first, then a scheduler wraps it: after detach ours passes straight through
    opt = optim.SGD(model.parameters(), lr=0.1)
    flow = GradientFlow(model, opt)
    scheduler = optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
    train_steps(opt, scheduler, 2)
    flow.detach()
    train_steps(opt, scheduler, 2)
    assert len(flow.history) == 2 and flow.steps == 2
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.5 ** 4)
    flow.attach(opt)  # attaching again records once per step, not twice
    train_steps(opt, scheduler, 1)
    assert len(flow.history) == 3 and flow.history.epoch[-1] == 3
