"""nn.save / nn.load: round trips, atomic writes, damaged files, and refusing code on load."""
from __future__ import annotations

import math
import os
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn
import optim
from nn import serialization

FORMATS = ["npz", "safetensors"]


def _path(tmp_path, fmt, name="model"):
    if fmt == "safetensors":
        pytest.importorskip("safetensors")
    return str(tmp_path / f"{name}.{fmt}")


def _model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))


def _same_state(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype
        np.testing.assert_array_equal(a[k].numpy(), b[k].numpy())


def _checkpoint():
    return {
        "epoch": 7,
        "lr": 0.125,
        "best": math.inf,
        "name": "run-1",
        "done": False,
        "note": None,
        "betas": (0.9, 0.999),
        "history": [1.5, 0.75, {"acc": 0.5}],
        "state": {0: {"step": 3, "exp_avg": autograd.tensor([[1.0, -2.0]])}, 1: {}},
        "raw": np.arange(6, dtype=np.int64).reshape(2, 3),
        "mask": np.array([True, False]),
        "half": np.ones(3, dtype=np.float16),
        "scalar": np.array(2.5),
        "empty": np.zeros((0, 4), dtype=np.float64),
        "np_number": np.float32(1.25),
    }


def _assert_same(a, b):
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, autograd.Tensor):
        assert type(b) is type(a) and b.requires_grad == a.requires_grad and b.dtype == a.dtype
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert type(b) is np.ndarray and b.dtype == a.dtype and b.shape == a.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, np.generic):
        assert b == a.item() and type(b) is type(a.item())
    else:
        assert type(b) is type(a) and b == a


@pytest.mark.parametrize("fmt", FORMATS)
def test_state_dict_round_trip_loads_into_a_fresh_model(tmp_path, fmt):
    path = _path(tmp_path, fmt)
    a, b = _model(), _model()
    nn.save(a.state_dict(), path)
    loaded = nn.load(path)
    assert all(type(v) is autograd.Tensor for v in loaded.values())
    assert repr(b.load_state_dict(loaded)) == "<All keys matched successfully>"
    _same_state(a.state_dict(), b.state_dict())
    x = autograd.randn(5, 3)
    np.testing.assert_array_equal(a(x).detach().numpy(), b(x).detach().numpy())


@pytest.mark.parametrize("fmt", FORMATS)
def test_nested_checkpoint_round_trip_keeps_types(tmp_path, fmt):
    path = _path(tmp_path, fmt, "ckpt")
    ckpt = _checkpoint()
    if fmt == "safetensors":
        ckpt["names"] = ["a", "b"]  # strings stay in the JSON part: fine in both formats
    nn.save(ckpt, path)
    _assert_same(ckpt, nn.load(path))


@pytest.mark.parametrize("fmt", FORMATS)
def test_requires_grad_and_parameters_come_back(tmp_path, fmt):
    path = _path(tmp_path, fmt)
    obj = {"p": nn.Parameter(autograd.ones(2)), "t": autograd.ones(3, requires_grad=True), "c": autograd.zeros(1)}
    nn.save(obj, path)
    back = nn.load(path)
    assert type(back["p"]) is nn.Parameter and back["p"].requires_grad
    assert type(back["t"]) is autograd.Tensor and back["t"].requires_grad
    assert not back["c"].requires_grad


def test_npz_keys_are_readable_with_plain_numpy(tmp_path):
    path = _path(tmp_path, "npz")
    model = _model()
    nn.save({"model": model.state_dict(), "epoch": 1}, path)
    with np.load(path, allow_pickle=False) as f:
        assert {"model/0.weight", "model/0.bias", "model/2.weight", "model/2.bias"} <= set(f.files)
        np.testing.assert_array_equal(f["model/0.weight"], model[0].weight.detach().numpy())


def test_plain_npz_from_another_program_loads_as_flat_tensors(tmp_path):
    path = str(tmp_path / "exported.npz")
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    b = np.ones(3, dtype=np.float32)
    np.savez(path, weight=w, bias=b)
    state = nn.load(path)
    assert set(state) == {"weight", "bias"} and all(type(v) is autograd.Tensor for v in state.values())
    layer = nn.Linear(2, 3)
    layer.load_state_dict(state)
    np.testing.assert_array_equal(layer.weight.detach().numpy(), w)


def test_suffix_picks_the_format_and_content_picks_the_reader(tmp_path):
    pytest.importorskip("safetensors")
    npz_path, st_path = str(tmp_path / "w.npz"), str(tmp_path / "w.safetensors")
    odd = str(tmp_path / "weights.bin")  # unknown suffix: npz
    for p in (npz_path, st_path, odd):
        nn.save({"x": autograd.ones(2)}, p)
    assert zipfile.is_zipfile(npz_path) and zipfile.is_zipfile(odd) and not zipfile.is_zipfile(st_path)
    os.replace(st_path, str(tmp_path / "renamed.npz"))  # a misnamed file is still read by its content
    assert nn.load(str(tmp_path / "renamed.npz"))["x"].tolist() == [1.0, 1.0]


def test_written_file_gets_the_usual_permissions(tmp_path):
    mask = os.umask(0)
    os.umask(mask)
    path = _path(tmp_path, "npz")
    nn.save({"x": autograd.ones(1)}, path)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask


# -- atomic writes --------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("fail_at", ["replace", "fsync"])
def test_crash_between_write_and_rename_keeps_previous_file(tmp_path, monkeypatch, fmt, fail_at):
    path = _path(tmp_path, fmt)
    old = {"w": autograd.tensor([1.0, 2.0])}
    nn.save(old, path)

    def crash(*args, **kwargs):
        raise OSError("simulated crash")

    monkeypatch.setattr(serialization.os, fail_at, crash)
    with pytest.raises(OSError, match="simulated crash"):
        nn.save({"w": autograd.tensor([9.0, 9.0, 9.0])}, path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == [os.path.basename(path)]  # no temporary file left behind
    assert nn.load(path)["w"].tolist() == [1.0, 2.0]


def test_unsupported_value_fails_before_touching_the_file(tmp_path):
    path = _path(tmp_path, "npz")
    nn.save({"w": autograd.ones(1)}, path)
    before = open(path, "rb").read()
    with pytest.raises(TypeError, match=r"cannot store a set at \['opt'\]\['bad'\]"):
        nn.save({"w": autograd.zeros(1), "opt": {"bad": {1, 2}}}, path)
    with pytest.raises(TypeError, match=r"nn.save\(model.state_dict\(\), path\)"):
        nn.save(nn.Linear(1, 1), path)
    with pytest.raises(TypeError, match="dtype object"):
        nn.save({"o": np.array([{}], dtype=object)}, path)
    with pytest.raises(TypeError, match="keys must be"):
        nn.save({(1, 2): 3}, path)
    assert open(path, "rb").read() == before and os.listdir(tmp_path) == ["model.npz"]


def test_missing_folder_and_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        nn.save({}, str(tmp_path / "nope" / "m.npz"))
    with pytest.raises(FileNotFoundError, match="no file at"):
        nn.load(str(tmp_path / "absent.npz"))
    with pytest.raises(TypeError, match="file path"):
        nn.save({}, 123)


# -- damaged files ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("keep", [0.5, 0.9, 0.0])
def test_truncated_file_gives_a_clear_error(tmp_path, fmt, keep):
    path = _path(tmp_path, fmt)
    nn.save(_model().state_dict(), path)
    data = open(path, "rb").read()
    with open(path, "wb") as f:
        f.write(data[: int(len(data) * keep)])
    with pytest.raises(ValueError, match="truncated or corrupt") as e:
        nn.load(path)
    assert path in str(e.value)


def test_flipped_bytes_in_an_array_are_caught_by_the_checksum(tmp_path):
    path = _path(tmp_path, "npz")
    nn.save({"w": autograd.zeros(256)}, path)
    data = bytearray(open(path, "rb").read())
    data[len(data) // 3] ^= 0xFF  # inside the array's bytes: the zip's CRC no longer matches
    open(path, "wb").write(bytes(data))
    with pytest.raises(ValueError, match="truncated or corrupt"):
        nn.load(path)


def test_garbage_file_is_not_mistaken_for_a_pickle(tmp_path):
    path = str(tmp_path / "junk.npz")
    open(path, "wb").write(b"hello, this is not an archive")
    with pytest.raises(ValueError, match="truncated or corrupt"):
        nn.load(path)


# -- loading never runs code --------------------------------------------------------------

class _Payload:
    """Unpickling this creates a folder: the test checks it never appears."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_pickle_inside_npz_is_refused_and_never_run(tmp_path):
    marker = str(tmp_path / "pwned")
    path = str(tmp_path / "evil.npz")
    np.savez(path, weight=np.ones(2, dtype=np.float32), evil=np.array([_Payload(marker)], dtype=object))
    with pytest.raises(ValueError, match="pickled objects"):
        nn.load(path)
    assert not os.path.exists(marker)


def test_raw_pickle_file_is_refused_and_never_run(tmp_path):
    marker = str(tmp_path / "pwned")
    path = str(tmp_path / "model.pt")
    with open(path, "wb") as f:
        pickle.dump({"w": _Payload(marker)}, f)
    with pytest.raises(ValueError, match="looks like a pickle"):
        nn.load(path)
    assert not os.path.exists(marker)


def test_safetensors_missing_names_the_install_command(tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        nn.save({"w": autograd.ones(1)}, str(tmp_path / "m.safetensors"))
    assert os.listdir(tmp_path) == []


def test_map_location(tmp_path):
    path = _path(tmp_path, "npz")
    nn.save({"w": autograd.ones(1)}, path)
    assert nn.load(path, map_location="cpu")["w"].tolist() == [1.0]
    with pytest.raises(RuntimeError, match="cuda"):
        nn.load(path, map_location="cuda")


# -- property: any nesting of supported values survives --------------------------------------

_leaves = st.one_of(
    st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False, width=64), st.text(max_size=5),
    st.builds(lambda n, k: np.arange(n * k, dtype=np.float32).reshape(n, k), st.integers(0, 3), st.integers(1, 3)),
    st.builds(lambda n: autograd.arange(n), st.integers(0, 4)),
)
_trees = st.recursive(
    _leaves,
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.tuples(kids, kids),
                           st.dictionaries(st.one_of(st.text(max_size=4), st.integers(-3, 3)), kids, max_size=3)),
    max_leaves=8,
)


@settings(max_examples=30, deadline=None)
@given(tree=_trees)
def test_any_nesting_round_trips(tmp_path_factory, tree):
    path = str(tmp_path_factory.mktemp("prop") / "t.npz")
    nn.save({"tree": tree}, path)
    _assert_same({"tree": tree}, nn.load(path))


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.9))],
                         ids=["sgd-momentum", "adam"])
def test_optimizer_state_survives_a_file_and_resumes_exactly(tmp_path, fmt, make):
    path = _path(tmp_path, fmt, "opt")

    def steps(model, opt, n, seed):
        rng = np.random.default_rng(seed)
        for _ in range(n):
            x = autograd.tensor(rng.standard_normal((4, 3)).astype(np.float32))
            opt.zero_grad()
            (model(x) ** 2).sum().backward()
            opt.step()

    autograd.manual_seed(0)
    a = _model()
    opt_a = make(list(a.parameters()))
    steps(a, opt_a, 3, 1)
    nn.save({"model": a.state_dict(), "optimizer": opt_a.state_dict(), "epoch": 3}, path)
    steps(a, opt_a, 2, 2)

    b = _model()
    opt_b = make(list(b.parameters()))
    ckpt = nn.load(path)
    b.load_state_dict(ckpt["model"])
    opt_b.load_state_dict(ckpt["optimizer"])
    assert ckpt["epoch"] == 3
    steps(b, opt_b, 2, 2)
    _same_state(a.state_dict(), b.state_dict())


@pytest.mark.parametrize("fmt", FORMATS)
def test_keys_any_string_round_trips(tmp_path, fmt):
    """Dict keys that are no file name (NUL, slashes, accents, empty) still round-trip: the archive's own names
    are made safe and the description keeps the keys (a NUL used to cut the zip entry's name short)."""
    obj = {"\x00": autograd.ones(2), "a/b": autograd.zeros(1), "é": autograd.arange(3), "": autograd.ones(1),
           "x/": autograd.ones(1)}
    path = _path(tmp_path, fmt, "keys")
    nn.save(obj, path)
    _assert_same(obj, nn.load(path))
