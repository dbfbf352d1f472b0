"""Loads are all or nothing: Module.load_state_dict, Trainer.load_state_dict and RNG states check everything first."""
from __future__ import annotations

import json

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import random as arandom
from denpa.train import Trainer


def _net():
    autograd.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Linear(3, 1))


def _snapshot(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def _unchanged(module, before):
    after = _snapshot(module)
    return list(after) == list(before) and all(np.array_equal(after[k], before[k]) for k in after)


@pytest.mark.parametrize("bad", [
    np.array(["a", "b", "c"]), np.array([object(), 1, 2], dtype=object), np.array([1 + 2j, 0, 0]), None,
    [[1, 2], [3]], "abc", np.zeros(4),
], ids=["strings", "objects", "complex", "none", "ragged", "str", "shape"])
def test_a_bad_last_entry_writes_nothing(bad):
    net = _net()
    good = {k: v.detach().numpy() + 1 for k, v in net.state_dict().items()}
    before = _snapshot(net)
    with pytest.raises(RuntimeError, match="2.bias") as e:
        net.load_state_dict(dict(good, **{"2.bias": bad}))
    assert "Error(s) in loading state_dict for Sequential" in str(e.value)
    assert _unchanged(net, before)


def test_every_bad_entry_is_listed_in_one_message():
    net = _net()
    sd = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    sd["0.weight"] = np.array([["x"] * 2] * 3)
    sd["1.num_batches_tracked"] = np.array(np.nan)
    sd["2.weight"] = np.zeros((5, 5))
    with pytest.raises(RuntimeError) as e:
        net.load_state_dict(sd)
    msg = str(e.value)
    assert "0.weight holds values of dtype <U1" in msg and "NaN or infinite" in msg
    assert "size mismatch for 2.weight" in msg


def test_castable_values_are_cast_as_copy_does():
    net = _net()
    sd = {k: v.detach().numpy().astype(np.float64) for k, v in net.state_dict().items()}
    sd["1.num_batches_tracked"] = np.array(7.0)
    sd["0.bias"] = [1, 2, 3]  # ints and lists: fine
    net.load_state_dict(sd)
    assert net[0].bias.dtype == np.float32 and net[0].bias.tolist() == [1.0, 2.0, 3.0]
    assert int(net[1].num_batches_tracked.item()) == 7


def test_assign_refuses_integers_for_a_parameter_that_requires_grad():
    lin = nn.Linear(2, 2)
    before = _snapshot(lin)
    with pytest.raises(RuntimeError, match="assign=True"):
        lin.load_state_dict({"weight": np.ones((2, 2), np.int64), "bias": np.zeros(2, np.float32)}, assign=True)
    assert _unchanged(lin, before)


# -- RNG states ---------------------------------------------------------------------------

def _rng_tensor(state: dict):
    return autograd.tensor(np.frombuffer(json.dumps(state).encode(), np.uint8).copy())


@pytest.mark.parametrize("name", ["seed", "default_rng", "__class__", "RandomState", "Generator", 3, None])
def test_rng_state_may_name_only_known_bit_generators(name, monkeypatch):
    called = []
    monkeypatch.setattr(np.random, "seed", lambda *a: called.append(a))
    good = json.loads(autograd.get_rng_state().numpy().tobytes())
    good["numpy"]["bit_generator"] = name
    before = autograd.get_rng_state().numpy().copy()
    with pytest.raises(ValueError, match="bit generator|get_rng_state"):
        autograd.set_rng_state(_rng_tensor(good))
    assert not called and np.array_equal(autograd.get_rng_state().numpy(), before)


@pytest.mark.parametrize("mutate", [lambda s: s.update(seed="x"), lambda s: s.update(seed=True),
                                    lambda s: s["numpy"].update(state={"state": "no"}), lambda s: s.pop("numpy")])
def test_malformed_rng_states_change_nothing(mutate):
    state = json.loads(autograd.get_rng_state().numpy().tobytes())
    mutate(state)
    before = autograd.get_rng_state().numpy().copy()
    with pytest.raises(ValueError):
        autograd.set_rng_state(_rng_tensor(state))
    assert np.array_equal(autograd.get_rng_state().numpy(), before)


def test_every_known_bit_generator_round_trips():
    for name, cls in arandom.BIT_GENERATORS.items():
        bg = cls(5)
        copy = arandom.bit_generator_from_state(bg.state)
        assert type(copy) is cls and copy.random_raw() == bg.random_raw(), name


# -- Trainer checkpoints --------------------------------------------------------------------

def _trainer():
    net = _net()
    return Trainer(net, nn.functional.mse_loss, optim.Adam(net.parameters(), lr=0.01), verbose=False)


def _trained_state():
    t = _trainer()
    x, y = autograd.randn(8, 2), autograd.randn(8, 1)
    t.fit([(x, y)], epochs=2)
    return t.state_dict()


@pytest.mark.parametrize("field,value,match", [
    ("epoch", "x", "epoch"), ("epoch", -5, "epoch is -5"), ("epoch", 2.5, "epoch"), ("epoch", True, "epoch"),
    ("global_step", -1, "global_step"), ("history", {"epoch": "ab"}, "history"), ("history", 3, "history"),
    ("rng", autograd.tensor([1.0]), "get_rng_state"), ("model", [1, 2], "state dict"),
])
def test_a_malformed_checkpoint_changes_nothing(field, value, match):
    state = _trained_state()
    t = _trainer()
    t.fit([(autograd.randn(4, 2), autograd.randn(4, 1))], epochs=1)
    before = (_snapshot(t.model), t.epoch, t.global_step, t.history.to_dict(), t.optimizer.state_dict()["state"].keys(),
              autograd.get_rng_state().numpy().copy())
    state[field] = value
    with pytest.raises((ValueError, TypeError), match=match):
        t.load_state_dict(state)
    assert _unchanged(t.model, before[0]) and t.epoch == before[1] and t.global_step == before[2]
    assert t.history.to_dict() == before[3]
    assert np.array_equal(autograd.get_rng_state().numpy(), before[5])


def test_a_model_entry_that_cannot_be_cast_leaves_the_trainer_as_it_was():
    state = _trained_state()
    t = _trainer()
    before = _snapshot(t.model)
    opt_before = repr(t.optimizer.state_dict())
    state["model"]["2.bias"] = np.array(["nope"])
    with pytest.raises(RuntimeError, match="2.bias"):
        t.load_state_dict(state)
    assert _unchanged(t.model, before) and repr(t.optimizer.state_dict()) == opt_before and t.epoch == 0


def test_a_good_checkpoint_still_loads():
    state = _trained_state()
    t = _trainer()
    t.load_state_dict(state)
    assert t.epoch == 2 and t.global_step == state["global_step"]
    np.testing.assert_array_equal(t.model[0].weight.detach().numpy(), state["model"]["0.weight"].numpy())
