"""denpa.train: fit / Trainer, early stopping, checkpoints and resume, the NaN guard, history curves."""
import io
import math
import sys

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import data
from denpa.train import (CNN, MLP, EarlyStopping, History, NonFiniteError, Trainer, accuracy,
                            build_model, check_finite_grads, evaluate, fit, load_checkpoint, model_spec)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def blobs(n=96, seed=0):
    """Two Gaussian blobs in 2-D, labels 0/1: separable, so a linear model learns it in a few epochs."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.normal(size=(n, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)
    return x.astype(np.float32), y.astype(np.int64)


def loader(x, y, batch_size=16, shuffle=False, seed=None):
    return data.DataLoader(data.TensorDataset(autograd.tensor(x), autograd.tensor(y)), batch_size=batch_size,
                           shuffle=shuffle, seed=seed)


def params_of(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def small_net(hidden=8, dropout=0.0):
    layers = [nn.Linear(2, hidden), nn.ReLU()] + ([nn.Dropout(dropout)] if dropout else []) + [nn.Linear(hidden, 2)]
    return nn.Sequential(*layers)


# -- fit ----------------------------------------------------------------------------------
def test_fit_learns_and_records_history():
    autograd.manual_seed(0)
    x, y = blobs()
    model = small_net()
    history = fit(model, nn.functional.cross_entropy, optim.Adam(model.parameters(), lr=0.05),
                  loader(x[:64], y[:64]), loader(x[64:], y[64:]), epochs=8, verbose=False)
    assert history.epoch == list(range(1, 9))
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"} <= set(history.keys())
    assert history["loss"][-1] < history["loss"][0]
    assert history["val_accuracy"][-1] >= 0.9
    # the recorded validation numbers are what evaluate() measures on the final weights
    final = evaluate(model, loader(x[64:], y[64:]), nn.functional.cross_entropy)
    assert final["loss"] == pytest.approx(history["val_loss"][-1], rel=1e-6)
    assert final["accuracy"] == history["val_accuracy"][-1]


def test_train_loss_is_the_batch_size_weighted_mean():
    """An epoch's loss is the mean over samples, not over batches (the last batch is smaller)."""
    autograd.manual_seed(0)
    x, y = blobs(40)
    model = small_net()
    seen = []
    loss_fn = nn.functional.cross_entropy

    def recording_loss(out, target):
        loss = loss_fn(out, target)
        seen.append((loss.item(), target.shape[0]))
        return loss

    history = fit(model, recording_loss, optim.SGD(model.parameters(), lr=0.0), loader(x, y, batch_size=16),
                  epochs=1, verbose=False)
    expected = sum(v * n for v, n in seen) / sum(n for _, n in seen)
    assert [n for _, n in seen] == [16, 16, 8]
    assert history["loss"][0] == pytest.approx(expected, rel=1e-12)


def test_early_stopping_stops_and_restores_best_weights():
    """Validation labels are the training labels flipped: val_loss is best after epoch 1 and then only rises."""
    autograd.manual_seed(0)
    x, y = blobs()
    model = small_net()
    snapshots = {}
    patience = 3
    history = fit(model, nn.functional.cross_entropy, optim.Adam(model.parameters(), lr=0.05),
                  loader(x, y), loader(x, 1 - y), epochs=30, verbose=False,
                  early_stopping=EarlyStopping("val_loss", patience=patience, restore_best_weights=True),
                  callbacks=[lambda trainer, epoch, logs: snapshots.__setitem__(epoch, params_of(trainer.model))])
    best_epoch = int(np.argmin(history["val_loss"])) + 1
    assert best_epoch == 1
    assert len(history) == best_epoch + patience
    restored = params_of(model)
    for k, v in snapshots[best_epoch].items():
        np.testing.assert_array_equal(restored[k], v)
    assert not np.array_equal(restored["0.weight"], snapshots[len(history)]["0.weight"])


def test_early_stopping_rules():
    s = EarlyStopping("val_accuracy", patience=2, min_delta=0.01, restore_best_weights=False)
    assert s.mode == "max"
    # 0.905 is not better than 0.9 by more than min_delta; NaN never improves
    assert [s.step(v) for v in [0.9, 0.905, 0.95, float("nan"), 0.94]] == [False, False, False, False, True]
    assert (s.best, s.best_epoch, s.wait) == (0.95, 3, 2)
    zero = EarlyStopping("loss", patience=0)
    assert [zero.step(v) for v in [1.0, 0.5, 0.6]] == [False, False, True]
    restored = EarlyStopping("val_accuracy", patience=2, min_delta=0.01)
    restored.load_state_dict(s.state_dict())
    assert (restored.best, restored.best_epoch, restored.wait) == (0.95, 3, 2)
    with pytest.raises(KeyError, match="val_loss"):
        EarlyStopping("val_loss").step({"loss": 1.0})
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping("loss", mode="up")


def test_validation_monitor_without_validation_data_is_refused():
    model = small_net()
    x, y = blobs(32)
    with pytest.raises(ValueError, match="no val_loader"):
        fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y), epochs=2,
            verbose=False, early_stopping=EarlyStopping("val_loss"))


def test_reduce_on_plateau_gets_the_monitored_metric():
    """ReduceLROnPlateau is stepped with val_loss, which (flipped labels) never improves after epoch 1."""
    autograd.manual_seed(0)
    x, y = blobs()
    model = small_net()
    opt = optim.Adam(model.parameters(), lr=0.04)
    sched = optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
    history = fit(model, nn.functional.cross_entropy, opt, loader(x, y), loader(x, 1 - y), epochs=4,
                  scheduler=sched, verbose=False)
    # history["lr"] is the rate each epoch ran with; the schedule halves it after every non-improving epoch
    assert history["lr"] == pytest.approx([0.04, 0.04, 0.02, 0.01])


def test_step_interval_scheduler_steps_per_batch():
    x, y = blobs(64)
    model = small_net()
    opt = optim.SGD(model.parameters(), lr=1.0)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    fit(model, nn.functional.cross_entropy, opt, loader(x, y, batch_size=16), epochs=1, scheduler=sched,
        scheduler_interval="step", verbose=False)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.5 ** 4)


# -- checkpoints and resume --------------------------------------------------------------
def _run(tmp_path, name, epochs, interrupt_at=None, resume=False, init_seed=0, loader_seed=None):
    """A run with every kind of state: dropout and shuffling (RNG), Adam moments, a schedule, early stopping."""
    autograd.manual_seed(init_seed)
    x, y = blobs(80)
    model = small_net(hidden=16, dropout=0.3)
    opt = optim.Adam(model.parameters(), lr=0.02)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    if not resume:
        autograd.manual_seed(123)  # the data order and dropout masks of the run

    def interrupt(trainer, epoch, logs):
        if epoch == interrupt_at:
            raise KeyboardInterrupt

    ckpt = tmp_path / f"{name}.npz"
    trainer = Trainer(model, nn.functional.cross_entropy, opt, scheduler=sched, verbose=False,
                      early_stopping=EarlyStopping("val_loss", patience=50), checkpoint=ckpt,
                      callbacks=[interrupt])
    history = trainer.fit(loader(x[:64], y[:64], shuffle=True, seed=loader_seed), loader(x[64:], y[64:]), epochs,
                          resume=ckpt if resume else None)
    return model, opt, history, trainer


@pytest.mark.parametrize("loader_seed", [None, 7], ids=["global-rng", "loader-own-rng"])
def test_resume_continues_the_same_run_exactly(tmp_path, loader_seed):
    full_model, full_opt, full_history, _ = _run(tmp_path, "full", 6, loader_seed=loader_seed)
    # interrupted in epoch 4 (callbacks run before that epoch's checkpoint write): the file holds epoch 3
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, "cut", 6, interrupt_at=4, loader_seed=loader_seed)
    assert int(load_checkpoint(tmp_path / "cut.npz")["epoch"]) == 3
    # a fresh process would build the model with other random weights: the checkpoint replaces them all
    model, opt, history, trainer = _run(tmp_path, "cut", 6, resume=True, init_seed=99, loader_seed=loader_seed)
    assert trainer.epoch == 6
    for k, v in params_of(full_model).items():
        np.testing.assert_allclose(params_of(model)[k], v, rtol=1e-6, atol=1e-7, err_msg=k)
    assert history.epoch == full_history.epoch
    for key in ("loss", "accuracy", "val_loss", "val_accuracy", "lr"):
        np.testing.assert_allclose(history[key], full_history[key], rtol=1e-6, err_msg=key)
    assert opt.param_groups[0]["lr"] == full_opt.param_groups[0]["lr"]


def test_checkpoint_every_n_epochs(tmp_path):
    x, y = blobs(32)
    model = small_net()
    seen = []
    trainer = Trainer(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), verbose=False,
                      checkpoint=tmp_path / "c.npz", checkpoint_every=2,
                      callbacks=[lambda t, e, logs: seen.append(
                          int(load_checkpoint(tmp_path / "c.npz")["epoch"]) if (tmp_path / "c.npz").exists()
                          else None)])
    trainer.fit(loader(x, y), epochs=5)
    # what the file held when each epoch's callbacks ran (before that epoch's own write)
    assert seen == [None, None, 2, 2, 4]
    assert int(load_checkpoint(tmp_path / "c.npz")["epoch"]) == 5  # the last epoch is always saved


def test_resume_from_a_missing_checkpoint_says_so(tmp_path):
    model = small_net()
    x, y = blobs(16)
    with pytest.raises(FileNotFoundError, match="no checkpoint"):
        fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y), epochs=1,
            verbose=False, resume=tmp_path / "nope.npz")


def test_rng_state_round_trip():
    autograd.manual_seed(5)
    state = autograd.get_rng_state()
    a = autograd.randn(5).numpy()
    autograd.manual_seed(6)
    autograd.rand(3)
    autograd.set_rng_state(state)
    np.testing.assert_array_equal(autograd.randn(5).numpy(), a)
    assert autograd.initial_seed() == 5
    with pytest.raises(ValueError, match="get_rng_state"):
        autograd.set_rng_state(autograd.tensor([1.0, 2.0]))


# -- the NaN guard ---------------------------------------------------------------------------
def test_nan_gradient_stops_before_the_step_and_keeps_the_checkpoint(tmp_path):
    autograd.manual_seed(0)
    x, y = blobs(64)
    model = small_net()
    ckpt = tmp_path / "run.npz"
    steps = []
    poison = {"on": False}
    weight = model[0].weight
    weight.register_hook(lambda g: g * float("nan") if poison["on"] else g)

    def arm(trainer, epoch, logs):
        steps.append(trainer.global_step)
        if epoch == 1:
            poison["on"] = True  # epoch 2's first gradient is NaN

    trainer = Trainer(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), verbose=False,
                      checkpoint=ckpt, callbacks=[arm])
    with pytest.raises(NonFiniteError) as err:
        trainer.fit(loader(x, y), epochs=3)
    message = str(err.value)
    assert "epoch 2, step 1" in message and "'0.weight'" in message and "NaN" in message
    assert (err.value.epoch, err.value.step, err.value.name) == (2, 1, "0.weight")
    # no optimizer step with the NaN gradient: the weights are finite and the checkpoint still holds epoch 1
    assert all(np.isfinite(v).all() for v in params_of(model).values())
    saved = load_checkpoint(ckpt)
    assert int(saved["epoch"]) == 1
    for k, v in params_of(model).items():
        np.testing.assert_array_equal(np.asarray(getattr(saved["model"][k], "array", saved["model"][k])), v)
    assert steps == [4]  # epoch 1 took its 4 steps; epoch 2 took none


def test_nan_loss_is_caught_with_its_epoch_and_step():
    x, y = blobs(48)
    x[40, 0] = np.inf  # the third batch of 16
    model = small_net()
    with pytest.raises(NonFiniteError, match=r"epoch 1, step 3: the loss is nan"):
        fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y), epochs=1,
            verbose=False)


def test_check_finite_grads_names_the_parameter():
    w = autograd.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = autograd.tensor([0.0], requires_grad=True)
    b.grad = autograd.tensor([0.5])
    w.grad = autograd.tensor([0.0, float("inf"), float("nan")])
    check_finite_grads([("b", b)])
    with pytest.raises(NonFiniteError, match=r"'w' \(shape \(3,\)\) holds 1 NaN and 1 inf"):
        check_finite_grads([("b", b), ("w", w)], step=4)
    with pytest.raises(NonFiniteError, match="parameter 1"):
        check_finite_grads([b, w])


# -- history, progress, metrics, models ------------------------------------------------------
def test_history_plot_writes_a_png(tmp_path):
    h = History()
    for e, (l, a) in enumerate([(1.0, 0.5), (0.6, 0.7), (0.5, 0.8)], 1):
        h.append(e, loss=l, accuracy=a, val_loss=l + 0.1, val_accuracy=a - 0.05)
    fig = h.plot(tmp_path / "curves.png", best_epoch=3)
    assert (tmp_path / "curves.png").read_bytes()[:8] == PNG_MAGIC
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss", "accuracy (%)"]  # in %, as the console prints it
    assert len(fig.axes[0].lines) == 3  # train, validation, best-epoch marker
    assert fig.axes[0].get_yscale() == "linear"  # 1.1 to 0.5: within two decades
    assert list(fig.axes[1].lines[0].get_ydata()) == [50.0, 70.0, 80.0]
    h2 = History.from_dict(h.to_dict())
    assert h2.epoch == h.epoch and h2["val_loss"] == h["val_loss"]


def test_history_plot_without_matplotlib_says_what_to_install(monkeypatch, tmp_path):
    h = History()
    h.append(1, loss=1.0)
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        h.plot(tmp_path / "x.png")


def test_history_keeps_columns_aligned():
    h = History()
    h.append(1, loss=1.0)
    h.append(2, loss=0.5, val_loss=0.7)
    assert math.isnan(h["val_loss"][0]) and h.to_dict()["val_loss"] == [None, 0.7]
    with pytest.raises(KeyError, match="recorded"):
        h["accuracy"]


@pytest.mark.parametrize("tqdm_installed", [True, False])
def test_progress_bar_shows_the_running_loss(monkeypatch, tqdm_installed):
    if not tqdm_installed:
        monkeypatch.setitem(sys.modules, "tqdm", None)
    x, y = blobs(32)
    model = small_net()
    stream = io.StringIO()
    fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y), epochs=2,
        verbose=False, progress=True, stream=stream)
    text = stream.getvalue()
    assert "epoch 2/2" in text and "loss 0." in text
    quiet = io.StringIO()  # progress=None: only on a terminal, and a StringIO is not one
    fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y), epochs=1,
        verbose=False, stream=quiet)
    assert quiet.getvalue() == ""


def test_verbose_prints_one_line_per_epoch(capsys):
    x, y = blobs(32)
    model = small_net()
    fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y), loader(x, y),
        epochs=3, progress=False)
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("epoch")]
    assert len(lines) == 3 and "val_acc" in lines[-1] and "%" in lines[-1]


def test_accuracy_shapes():
    scores = autograd.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert accuracy(scores, autograd.tensor([1, 0, 0])) == pytest.approx(2 / 3)
    assert accuracy(scores, autograd.tensor([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]])) == 1.0  # one-hot targets
    assert accuracy(autograd.tensor([[0.9], [0.2]]), autograd.tensor([1, 1]), threshold=0.5) == 0.5
    with pytest.raises(ValueError, match="2 rows but target has 3"):
        accuracy(scores[:2], autograd.tensor([1, 0, 0]))
    with pytest.raises(ValueError, match=r"\(N, C\)"):
        accuracy(autograd.zeros(2, 2, 2), autograd.tensor([0, 1]))


def test_regression_targets_get_no_accuracy():
    x, y = blobs(32)
    model = nn.Linear(2, 1)
    history = fit(model, nn.functional.mse_loss, optim.SGD(model.parameters(), lr=0.05),
                  loader(x, y.astype(np.float32)[:, None]), epochs=2, verbose=False)
    assert "accuracy" not in history and len(history["loss"]) == 2


@pytest.mark.parametrize("kind,shape", [("mlp", (1, 8, 8)), ("cnn", (1, 8, 8)), ("mlp", (2,)),
                                        ("cnn", (1, 28, 28)), ("mlp", (1, 28, 28))])
def test_models_build_from_their_spec(kind, shape):
    autograd.manual_seed(0)
    spec = model_spec(kind, shape, 10)
    model = build_model(spec)
    assert isinstance(model, MLP if kind == "mlp" else CNN)
    model.eval()
    x = autograd.randn(3, *shape)
    assert model(x).shape == (3, 10)
    twin = build_model(spec)
    twin.load_state_dict(model.state_dict())  # same architecture, same keys and shapes
    twin.eval()
    np.testing.assert_allclose(twin(x).detach().numpy(), model(x).detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="cnn"):
        model_spec("cnn", (2,), 3)


def test_a_checkpoint_that_does_not_fit_changes_nothing(tmp_path):
    x, y = blobs(32)
    model = small_net()
    trainer = Trainer(model, nn.functional.cross_entropy, optim.Adam(model.parameters(), lr=0.1), verbose=False,
                      checkpoint=tmp_path / "a.npz")
    trainer.fit(loader(x, y), epochs=2)
    other = small_net(hidden=8)
    other_opt = optim.Adam(list(other.parameters())[:2], lr=0.1)  # a different parameter layout
    (other_opt.param_groups[0]["params"][0]).grad = autograd.zeros(8, 2)
    other_opt.step()
    weights, opt_state = params_of(other), other_opt.state_dict()
    fresh = Trainer(other, nn.functional.cross_entropy, other_opt, verbose=False)
    with pytest.raises(ValueError):
        fresh.load_checkpoint(tmp_path / "a.npz")  # the model fits, the optimizer does not
    for k, v in params_of(other).items():
        np.testing.assert_array_equal(v, weights[k])
    assert other_opt.state_dict()["state"][0]["step"] == opt_state["state"][0]["step"] and fresh.epoch == 0


def test_max_grad_norm_clips_each_step():
    x, y = blobs(16)
    model = small_net()
    before = params_of(model)
    fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=1.0), loader(x, y, batch_size=16),
        epochs=1, max_grad_norm=0.01, verbose=False)
    moved = math.sqrt(sum(float(((params_of(model)[k] - v) ** 2).sum()) for k, v in before.items()))
    assert moved == pytest.approx(0.01, rel=1e-4)  # one SGD step of lr 1 with the total gradient norm cut to 0.01


def test_custom_metrics_are_logged_for_train_and_validation():
    x, y = blobs(48)
    model = small_net()
    history = fit(model, nn.functional.cross_entropy, optim.SGD(model.parameters(), lr=0.1), loader(x, y),
                  loader(x, y), epochs=2, verbose=False, metrics={"error": lambda o, t: 1 - accuracy(o, t)})
    assert {"loss", "error", "val_loss", "val_error"} <= set(history.keys()) and "accuracy" not in history
    final = evaluate(model, loader(x, y), nn.functional.cross_entropy)
    assert history["val_error"][-1] == pytest.approx(1 - final["accuracy"])
