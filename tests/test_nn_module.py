"""nn.Module: registration, iteration, repr, modes, hooks, dtype moves, copies, state_dict and load_state_dict.

Expected key lists, reprs and error messages were taken from PyTorch 2.x and are written out literally.
"""
from __future__ import annotations

import copy
import pickle
from collections import OrderedDict

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd
import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.25))
        self.heads = nn.ModuleDict({"a": nn.Linear(8, 2),
                                    "b": nn.Sequential(OrderedDict([("fc", nn.Linear(8, 3)), ("act", nn.Tanh())]))})
        self.blocks = nn.ModuleList([nn.Linear(8, 8) for _ in range(3)] + [nn.ReLU()])
        self.scale = nn.Parameter(autograd.ones(3))
        self.register_buffer("steps", autograd.zeros(2))
        self.empty = nn.Sequential()

    def forward(self, x):
        h = self.features(x)
        for b in self.blocks:
            h = b(h)
        return self.heads["a"](h)


NET_REPR = """Net(
  (features): Sequential(
    (0): Linear(in_features=4, out_features=8, bias=True)
    (1): ReLU()
    (2): Dropout(p=0.25, inplace=False)
  )
  (heads): ModuleDict(
    (a): Linear(in_features=8, out_features=2, bias=True)
    (b): Sequential(
      (fc): Linear(in_features=8, out_features=3, bias=True)
      (act): Tanh()
    )
  )
  (blocks): ModuleList(
    (0-2): 3 x Linear(in_features=8, out_features=8, bias=True)
    (3): ReLU()
  )
  (empty): Sequential()
)"""


class Tied(nn.Module):
    """Two layers sharing one weight (and a child registered twice)."""

    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(3, 3, bias=False)
        self.dec = nn.Linear(3, 3)
        self.dec.weight = self.enc.weight
        self.again = self.enc


# -- registration ---------------------------------------------------------------------------------------

def test_attribute_assignment_registers_modules_parameters_and_buffers():
    m = nn.Module()
    m.lin = nn.Linear(2, 2)
    m.p = nn.Parameter(autograd.zeros(3))
    m.buf = nn.Buffer(autograd.ones(2))
    m.plain = autograd.zeros(4)  # a plain Tensor is an ordinary attribute, not state
    m.number = 3
    assert list(m._modules) == ["lin"] and list(m._parameters) == ["p"] and list(m._buffers) == ["buf"]
    assert [n for n, _ in m.named_parameters()] == ["p", "lin.weight", "lin.bias"]
    assert list(m.state_dict()) == ["p", "buf", "lin.weight", "lin.bias"]
    assert m.p is m._parameters["p"] and m.lin is m._modules["lin"] and m.number == 3
    # as in PyTorch: a Parameter or a Module takes any name over; nothing else may replace a parameter
    m.buf = nn.Parameter(autograd.zeros(1))
    assert "buf" not in m._buffers and "buf" in m._parameters
    m.plain = nn.ReLU()
    assert "plain" in m._modules and "plain" not in m.__dict__
    m.lin = nn.Parameter(autograd.zeros(1))
    assert "lin" not in m._modules and "lin" in m._parameters
    with pytest.raises(TypeError, match="cannot assign 'Linear' as parameter 'p'"):
        m.p = nn.Linear(1, 1)


def test_assigning_to_registered_names():
    m = nn.Linear(2, 3)
    m.bias = None  # a placeholder, as PyTorch keeps it
    assert "bias" in m._parameters and m.bias is None and list(m.state_dict()) == ["weight"]
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        m.weight = autograd.zeros(3, 2)
    seq = nn.Sequential(nn.ReLU())
    with pytest.raises(TypeError, match="cannot assign 'int' as child module '0'"):
        setattr(seq, "0", 3)
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        seq[0] = 3
    b = nn.Module()
    b.register_buffer("running", autograd.zeros(2))
    b.running = autograd.ones(2)  # a plain Tensor replaces a buffer's value
    assert b._buffers["running"].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="buffer 'running'"):
        b.running = [1.0, 2.0]


def test_register_buffer_persistent_and_not():
    m = nn.Module()
    m.register_buffer("kept", autograd.zeros(2))
    m.register_buffer("scratch", autograd.ones(2), persistent=False)
    m.tagged = nn.Buffer(autograd.ones(1), persistent=False)
    assert [n for n, _ in m.named_buffers()] == ["kept", "scratch", "tagged"]
    assert list(m.state_dict()) == ["kept"]
    m.register_buffer("scratch", autograd.ones(2))  # registering again as persistent makes it persistent
    assert list(m.state_dict()) == ["kept", "scratch"]
    m.register_buffer("none", None)
    assert "none" in m._buffers and [n for n, _ in m.named_buffers()] == ["kept", "scratch", "tagged"]


@pytest.mark.parametrize("register, kind", [
    (lambda m, n: m.register_buffer(n, None), "buffer"),
    (lambda m, n: m.register_parameter(n, None), "parameter"),
    (lambda m, n: m.add_module(n, nn.ReLU()), "module"),
])
def test_bad_names(register, kind):
    m = nn.Linear(2, 2)
    with pytest.raises(KeyError, match='contain "\\."'):
        register(m, "a.b")
    with pytest.raises(KeyError, match="be empty string"):
        register(m, "")
    with pytest.raises(TypeError, match=f"{kind} name should be a string"):
        register(m, 1)
    for taken in ("forward", "in_features"):  # a method and a plain attribute
        with pytest.raises(KeyError, match=f"attribute '{taken}' already exists"):
            register(m, taken)
    # a name held by another store is taken too (a buffer may not shadow a parameter)
    other = "bias" if kind != "parameter" else "sub"
    if kind == "parameter":
        m.add_module("sub", nn.ReLU())
    with pytest.raises(KeyError, match=f"attribute '{other}' already exists"):
        register(m, other)


def test_bad_values():
    m = nn.Module()
    with pytest.raises(TypeError, match="cannot assign 'int' object to buffer 'b'"):
        m.register_buffer("b", 3)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' object to parameter 'p'"):
        m.register_parameter("p", autograd.zeros(2))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        m.add_module("c", 3)
    x = autograd.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="non-leaf"):
        m.register_parameter("q", _nonleaf_parameter(x))


def _nonleaf_parameter(x):
    p = nn.Parameter(autograd.zeros(2))
    p.grad_fn = (x * 2).grad_fn  # what a computed weight looks like
    return p


@pytest.mark.parametrize("value, what", [(nn.ReLU(), "module"), (nn.Parameter(autograd.zeros(1)), "parameters"),
                                         (nn.Buffer(autograd.zeros(1)), "buffer")])
def test_assignment_before_init(value, what):
    class Forgot(nn.Module):
        def __init__(self):
            self.x = value

    with pytest.raises(AttributeError, match=f"cannot assign {what} before Module.__init__"):
        Forgot()


def test_delattr_and_missing_attribute():
    m = nn.Linear(2, 2)
    del m.bias
    assert list(m.state_dict()) == ["weight"]
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'bias'"):
        m.bias
    m.extra = 1
    del m.extra
    assert not hasattr(m, "extra")
    assert {"weight", "forward"} <= set(dir(m))


def test_module_init_takes_no_arguments():
    class Bad(nn.Module):
        def __init__(self):
            super().__init__(3)

    with pytest.raises(TypeError, match="Module.__init__"):
        Bad()
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        nn.Module()(1)


# -- iteration -----------------------------------------------------------------------------------------

def test_shared_parameters_and_modules_come_once():
    m = Tied()
    assert [n for n, _ in m.named_parameters()] == ["enc.weight", "dec.bias"]
    assert [n for n, _ in m.named_parameters(remove_duplicate=False)] == \
        ["enc.weight", "dec.weight", "dec.bias", "again.weight"]
    assert len(list(m.parameters())) == 2
    assert [n for n, _ in m.named_modules()] == ["", "enc", "dec"]
    assert [n for n, _ in m.named_modules(remove_duplicate=False)] == ["", "enc", "dec", "again"]
    assert [n for n, _ in m.named_children()] == ["enc", "dec"]
    # state_dict keeps every name (as PyTorch), so a checkpoint loads into either layer
    assert list(m.state_dict()) == ["enc.weight", "dec.weight", "dec.bias", "again.weight"]


def test_iterators_on_a_nested_model():
    net = Net()
    assert [n for n, _ in net.named_modules()] == [
        "", "features", "features.0", "features.1", "features.2", "heads", "heads.a", "heads.b", "heads.b.fc",
        "heads.b.act", "blocks", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "empty"]
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "features.0.weight", "features.0.bias", "heads.a.weight", "heads.a.bias", "heads.b.fc.weight",
        "heads.b.fc.bias", "blocks.0.weight", "blocks.0.bias", "blocks.1.weight", "blocks.1.bias",
        "blocks.2.weight", "blocks.2.bias"]
    assert [n for n, _ in net.named_parameters(prefix="model")][:2] == ["model.scale", "model.features.0.weight"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]
    assert [n for n, _ in net.named_buffers()] == ["steps"]
    assert list(net.buffers())[0] is net.steps
    assert [n for n, _ in net.named_children()] == ["features", "heads", "blocks", "empty"]
    assert list(net.children())[0] is net.features
    assert list(net.modules())[0] is net and len(list(net.modules())) == 16
    assert net.get_submodule("heads.b.fc") is net.heads["b"].fc
    assert net.get_parameter("blocks.1.bias") is net.blocks[1].bias
    assert net.get_buffer("steps") is net.steps
    with pytest.raises(AttributeError, match="no buffer `scale`"):
        net.get_buffer("scale")
    with pytest.raises(AttributeError, match="no attribute `nope`"):
        net.get_submodule("heads.nope")
    with pytest.raises(AttributeError, match="no parameter `nope`"):
        net.get_parameter("features.0.nope")


# -- repr ------------------------------------------------------------------------------------------------

def test_repr_of_a_nested_model_matches_pytorch():
    assert repr(Net()) == NET_REPR
    assert repr(nn.ModuleList([nn.ReLU(), nn.ReLU(), nn.Tanh(), nn.ReLU()])) == (
        "ModuleList(\n  (0-1): 2 x ReLU()\n  (2): Tanh()\n  (3): ReLU()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"

    class Custom(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(1, 1)

        def extra_repr(self):
            return "two\nlines"

    assert repr(Custom()) == "Custom(\n  two\n  lines\n  (inner): Linear(in_features=1, out_features=1, bias=True)\n)"


# -- modes, gradients, apply ----------------------------------------------------------------------------------

def test_train_and_eval_reach_every_module():
    net = Net()
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.heads.train(False)
    assert [n for n, m in net.named_modules() if not m.training] == ["heads", "heads.a", "heads.b", "heads.b.fc",
                                                                     "heads.b.act"]
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_train_calls_a_childs_own_train():
    class Frozen(nn.Linear):
        def train(self, mode=True):  # a layer that stays in eval mode, as frozen BatchNorms do
            return super().train(False)

    seq = nn.Sequential(nn.Linear(2, 2), Frozen(2, 2))
    seq.train()
    assert seq.training and seq[0].training and not seq[1].training


def _grads_of(model):
    x = autograd.randn(5, 4)
    model(x).sum().backward()
    return [p.grad for p in model.parameters()]


def test_zero_grad_both_modes():
    net = Net()
    grads = _grads_of(net)
    assert sum(g is not None for g in grads) == 10  # all but scale and heads.b, which forward does not use
    net.zero_grad(set_to_none=False)
    after = [p.grad for p in net.parameters()]
    for g, a in zip(grads, after):
        if g is not None:
            assert a is g and not a.array.any()  # the same arrays, zeroed in place
    _grads_of(net)
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_toggles_every_parameter():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    assert not net(autograd.randn(2, 4)).requires_grad
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


def test_apply_visits_children_first_then_self():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen[-1] == "Net" and seen[:4] == ["Linear", "ReLU", "Dropout", "Sequential"]

    def init(m):
        if isinstance(m, nn.Linear):
            nn.init.constant_(m.weight, 0.5)

    net.apply(init)
    assert all(float(m.weight.min()) == 0.5 for m in net.modules() if isinstance(m, nn.Linear))


# -- hooks ---------------------------------------------------------------------------------------------------

class Scale(nn.Module):
    def forward(self, x, factor=1.0):
        return x * factor


def test_forward_pre_hook_replaces_args_and_is_removable():
    m = Scale()
    seen = []
    h1 = m.register_forward_pre_hook(lambda mod, args: seen.append((mod, args)))
    h2 = m.register_forward_pre_hook(lambda mod, args: args[0] + 1)  # a single value becomes the one argument
    out = m(autograd.tensor([1.0]), factor=3.0)
    assert out.tolist() == [6.0] and seen[0][0] is m and seen[0][1][0].tolist() == [1.0]
    h2.remove()
    assert m(autograd.tensor([1.0])).tolist() == [1.0]
    h1.remove()
    h1.remove()  # removing twice is harmless
    m(autograd.tensor([1.0]))
    assert len(seen) == 2


def test_forward_hook_replaces_output_and_sees_args():
    m = Scale()
    calls = []

    def hook(mod, args, out):
        calls.append(args)
        return out * 10

    with m.register_forward_hook(hook):
        assert m(autograd.tensor([2.0])).tolist() == [20.0]
    assert m(autograd.tensor([2.0])).tolist() == [2.0]  # the handle's context removed it
    assert len(calls) == 1 and calls[0][0].tolist() == [2.0]


def test_hook_order_prepend_and_kwargs():
    m = Scale()
    order = []
    m.register_forward_pre_hook(lambda mod, a: order.append("a"))
    m.register_forward_pre_hook(lambda mod, a: order.append("b"), prepend=True)
    m.register_forward_pre_hook(lambda mod, a, kw: (a, {"factor": 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, a, kw, out: out + kw["factor"], with_kwargs=True)
    assert m(autograd.ones(1)).tolist() == [6.0] and order == ["b", "a"]
    bad = Scale()
    bad.register_forward_pre_hook(lambda mod, a, kw: 5, with_kwargs=True)
    with pytest.raises(RuntimeError, match="must return None or an \\(args, kwargs\\) tuple"):
        bad(autograd.ones(1))
    with pytest.raises(TypeError, match="callable"):
        m.register_forward_hook(3)


def test_hooks_run_under_no_grad_and_outputs_are_differentiable():
    m = nn.Linear(3, 2)
    m.register_forward_hook(lambda mod, a, out: out * 2)
    x = autograd.randn(4, 3)
    with autograd.no_grad():
        y0 = m(x)
    assert y0.grad_fn is None
    y = m(x)
    np.testing.assert_allclose(y.detach().numpy(), y0.numpy())
    y.sum().backward()
    np.testing.assert_allclose(m.bias.grad.numpy(), np.full(2, 8.0))  # d/db of sum(2 * (xW^T + b)) over 4 rows


def test_module_scopes_label_recorded_graphs_only():
    from autograd import scope

    net = nn.Sequential(nn.Linear(2, 2), nn.Tanh())
    y = net(autograd.randn(1, 2))
    assert [c.path for c in scope.calls_of(y.grad_fn)] == ["1", ""]
    with autograd.no_grad():
        assert net(autograd.randn(1, 2)).grad_fn is None
    assert scope.current() is None
    with pytest.raises(ValueError):
        net(autograd.randn(1, 3))
    assert scope.current() is None  # a failing forward leaves no call open


# -- dtypes and devices ---------------------------------------------------------------------------------------

def _with_int_buffer():
    m = nn.Sequential(nn.Linear(2, 2))
    m.register_buffer("count", autograd.tensor(3))
    m.register_buffer("avg", autograd.zeros(2))
    return m


def test_to_dtype_casts_float_parameters_buffers_and_grads():
    m = _with_int_buffer()
    m(autograd.randn(1, 2)).sum().backward()
    w = m[0].weight
    before = w.array.astype(np.float64)
    assert m.to(autograd.float64) is m
    assert w is m[0].weight and w.dtype == np.float64 and w.grad.dtype == np.float64 and m.avg.dtype == np.float64
    assert m.count.dtype == np.int64  # integer buffers keep their dtype
    np.testing.assert_array_equal(w.array, before)
    assert m.float()[0].bias.dtype == np.float32
    assert m.double()[0].bias.dtype == np.float64
    assert m.to(dtype="float32")[0].weight.dtype == np.float32
    assert m.to(autograd.zeros(1, dtype=autograd.float64))[0].weight.dtype == np.float64  # a tensor's dtype
    assert m.half()[0].weight.dtype == np.float16
    assert m.cpu() is m and m.to("cpu") is m
    with pytest.raises(TypeError, match="only accepts floating point dtypes"):
        m.to(autograd.int64)
    with pytest.raises(TypeError, match="unexpected keyword"):
        m.to(colour="red")


def test_to_cuda_raises_a_clear_error():
    m = nn.Linear(2, 2)
    for call in (lambda: m.to("cuda"), lambda: m.cuda(), lambda: m.to(device="cuda:0")):
        with pytest.raises(RuntimeError, match="CUDA"):
            call()


# -- copies ------------------------------------------------------------------------------------------------------

def test_deepcopy_is_independent_and_keeps_sharing():
    m = Tied()
    m.dec(m.enc(autograd.randn(2, 3))).sum().backward()
    c = copy.deepcopy(m)
    assert c.dec.weight is c.enc.weight and c.again is c.enc  # tied weights stay tied inside the copy
    assert c.enc.weight is not m.enc.weight and isinstance(c.enc.weight, nn.Parameter)
    np.testing.assert_array_equal(c.enc.weight.grad.numpy(), m.enc.weight.grad.numpy())
    c.enc.weight.array[...] = 0
    assert m.enc.weight.array.any()
    assert c.enc.weight.requires_grad


def test_pickle_round_trip():
    net = Net()
    back = pickle.loads(pickle.dumps(net))
    assert repr(back) == NET_REPR
    for (k, a), (_, b) in zip(net.state_dict().items(), back.state_dict().items()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert isinstance(back.scale, nn.Parameter) and back.scale.requires_grad


# -- state_dict ---------------------------------------------------------------------------------------------------

STATE_KEYS = {  # PyTorch 2.x: (key, shape) for every layer
    "Linear": (lambda: nn.Linear(3, 2), [("weight", (2, 3)), ("bias", (2,))]),
    "LinearNoBias": (lambda: nn.Linear(3, 2, bias=False), [("weight", (2, 3))]),
    "Conv1d": (lambda: nn.Conv1d(2, 4, 3), [("weight", (4, 2, 3)), ("bias", (4,))]),
    "Conv2d": (lambda: nn.Conv2d(2, 4, 3, bias=False), [("weight", (4, 2, 3, 3))]),
    "ConvTranspose2d": (lambda: nn.ConvTranspose2d(2, 4, 3), [("weight", (2, 4, 3, 3)), ("bias", (4,))]),
    "BatchNorm1d": (lambda: nn.BatchNorm1d(3), [("weight", (3,)), ("bias", (3,)), ("running_mean", (3,)),
                                                ("running_var", (3,)), ("num_batches_tracked", ())]),
    "BatchNorm2d": (lambda: nn.BatchNorm2d(3, affine=False), [("running_mean", (3,)), ("running_var", (3,)),
                                                              ("num_batches_tracked", ())]),
    "LayerNorm": (lambda: nn.LayerNorm(4), [("weight", (4,)), ("bias", (4,))]),
    "GroupNorm": (lambda: nn.GroupNorm(2, 4), [("weight", (4,)), ("bias", (4,))]),
    "Embedding": (lambda: nn.Embedding(5, 3), [("weight", (5, 3))]),
    "RNN": (lambda: nn.RNN(3, 4, num_layers=2), [
        ("weight_ih_l0", (4, 3)), ("weight_hh_l0", (4, 4)), ("bias_ih_l0", (4,)), ("bias_hh_l0", (4,)),
        ("weight_ih_l1", (4, 4)), ("weight_hh_l1", (4, 4)), ("bias_ih_l1", (4,)), ("bias_hh_l1", (4,))]),
    "LSTM": (lambda: nn.LSTM(3, 4, bidirectional=True), [
        ("weight_ih_l0", (16, 3)), ("weight_hh_l0", (16, 4)), ("bias_ih_l0", (16,)), ("bias_hh_l0", (16,)),
        ("weight_ih_l0_reverse", (16, 3)), ("weight_hh_l0_reverse", (16, 4)), ("bias_ih_l0_reverse", (16,)),
        ("bias_hh_l0_reverse", (16,))]),
    "GRU": (lambda: nn.GRU(3, 4, bias=False), [("weight_ih_l0", (12, 3)), ("weight_hh_l0", (12, 4))]),
    "MultiheadAttention": (lambda: nn.MultiheadAttention(4, 2), [
        ("in_proj_weight", (12, 4)), ("in_proj_bias", (12,)), ("out_proj.weight", (4, 4)), ("out_proj.bias", (4,))]),
    "TransformerEncoderLayer": (lambda: nn.TransformerEncoderLayer(4, 2, dim_feedforward=8), [
        ("self_attn.in_proj_weight", (12, 4)), ("self_attn.in_proj_bias", (12,)), ("self_attn.out_proj.weight", (4, 4)),
        ("self_attn.out_proj.bias", (4,)), ("linear1.weight", (8, 4)), ("linear1.bias", (8,)),
        ("linear2.weight", (4, 8)), ("linear2.bias", (4,)), ("norm1.weight", (4,)), ("norm1.bias", (4,)),
        ("norm2.weight", (4,)), ("norm2.bias", (4,))]),
    "stateless": (lambda: nn.Sequential(
        nn.MaxPool2d(2), nn.AvgPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Dropout(), nn.Flatten(), nn.Unflatten(1, (2, 2)),
        nn.Identity(), nn.ReLU(), nn.LeakyReLU(), nn.ELU(), nn.GELU(), nn.SiLU(), nn.Sigmoid(), nn.Tanh(),
        nn.Softplus(), nn.Softmax(1), nn.LogSoftmax(1), nn.Step()), []),
}


@pytest.mark.parametrize("name", sorted(STATE_KEYS))
def test_state_dict_keys_match_pytorch_and_round_trip(name):
    make, expected = STATE_KEYS[name]
    m = make()
    state = m.state_dict()
    assert [(k, tuple(v.shape)) for k, v in state.items()] == expected
    assert all(v.grad_fn is None and not v.requires_grad for v in state.values())
    other = make()
    for t in other.state_dict(keep_vars=True).values():  # scramble the target so the load has work to do
        if t.dtype.kind == "f":
            t.array[...] = 7.0
    assert repr(other.load_state_dict(state)) == "<All keys matched successfully>"
    for k, v in other.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), state[k].numpy())


def test_transformer_encoder_keys_repeat_the_layer_keys():
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, dim_feedforward=8), 2)
    layer_keys = [k for k, _ in STATE_KEYS["TransformerEncoderLayer"][1]]
    assert list(enc.state_dict()) == [f"layers.{i}.{k}" for i in range(2) for k in layer_keys]


def test_state_dict_shares_memory_keep_vars_and_prefix():
    m = nn.Sequential(nn.Linear(2, 2))
    sd = m.state_dict()
    sd["0.weight"].array[0, 0] = 42.0  # detached, but the same memory (as PyTorch's)
    assert float(m[0].weight[0, 0]) == 42.0
    assert m.state_dict(keep_vars=True)["0.weight"] is m[0].weight
    assert list(m.state_dict(prefix="model.")) == ["model.0.weight", "model.0.bias"]


# -- load_state_dict -------------------------------------------------------------------------------------------------

def _model():
    return nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))


def _snapshot(m):
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def _assert_unchanged(m, snap):
    now = _snapshot(m)
    assert list(now) == list(snap)
    for k in snap:
        np.testing.assert_array_equal(now[k], snap[k])


def test_load_errors_come_in_one_message_as_pytorch_writes_it():
    m = _model()
    snap = _snapshot(m)
    sd = {k: v.numpy().copy() + 1 for k, v in m.state_dict().items()}
    del sd["0.bias"]
    sd["extra"] = np.zeros(1)
    sd["0.weight"] = np.zeros((4, 2))
    sd["1.running_mean"] = np.zeros(5)
    with pytest.raises(RuntimeError) as info:
        m.load_state_dict(sd)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Sequential:\n'
        '\tMissing key(s) in state_dict: "0.bias". \n'
        '\tUnexpected key(s) in state_dict: "extra". \n'
        '\tsize mismatch for 0.weight: copying a param with shape (4, 2) from checkpoint, '
        'the shape in current model is (3, 2).\n'
        '\tsize mismatch for 1.running_mean: copying a param with shape (5,) from checkpoint, '
        'the shape in current model is (3,).')
    _assert_unchanged(m, snap)  # the valid keys (1.weight, 1.bias, ...) were not written either
    with pytest.raises(RuntimeError) as info:  # strict=False still refuses size mismatches
        m.load_state_dict(sd, strict=False)
    assert "Missing" not in str(info.value) and "size mismatch for 0.weight" in str(info.value)
    _assert_unchanged(m, snap)


def test_strict_false_returns_missing_and_unexpected_and_loads_the_rest():
    m = _model()
    sd = {k: np.full(v.shape, 2.0) for k, v in m.state_dict().items() if k != "0.bias"}
    sd["num_batches_tracked"] = np.zeros(())
    bias = m[0].bias.detach().numpy().copy()
    res = m.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["0.bias"] and res.unexpected_keys == ["num_batches_tracked"]
    assert repr(res) == "_IncompatibleKeys(missing_keys=['0.bias'], unexpected_keys=['num_batches_tracked'])"
    missing, unexpected = res
    assert missing == ["0.bias"]
    np.testing.assert_array_equal(m[0].weight.detach().numpy(), np.full((3, 2), 2.0, np.float32))
    np.testing.assert_array_equal(m[0].bias.detach().numpy(), bias)
    assert int(m[1].num_batches_tracked) == 2
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "0.bias"'):
        m.load_state_dict(sd)


def test_load_numpy_arrays_lists_and_tensors_casting_to_the_model_dtype():
    m = nn.Linear(2, 2)
    w = np.arange(4, dtype=np.float64).reshape(2, 2)
    m.load_state_dict({"weight": w, "bias": [0.5, -0.5]})
    assert m.weight.dtype == np.float32 and m.weight.detach().numpy().tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert m.bias.tolist() == [0.5, -0.5]
    w[0, 0] = 9  # copied, not shared
    assert float(m.weight[0, 0]) == 0.0
    m.load_state_dict({"weight": autograd.ones(2, 2), "bias": autograd.zeros(2)})
    assert m.weight.tolist() == [[1.0, 1.0], [1.0, 1.0]]
    with pytest.raises(TypeError, match="dict-like"):
        m.load_state_dict([("weight", w)])


def test_load_with_assign_takes_the_arrays():
    m = nn.Linear(2, 2)
    w = np.ones((2, 2))
    m.load_state_dict({"weight": w, "bias": np.zeros(2)}, assign=True)
    assert m.weight.dtype == np.float64 and isinstance(m.weight, nn.Parameter) and m.weight.requires_grad


def test_load_invalidates_graphs_built_from_the_old_values():
    m = nn.Linear(2, 2)
    y = m(autograd.randn(3, 2)).sum()
    m.load_state_dict(m.state_dict())
    with pytest.raises(RuntimeError, match="modified by an in-place operation"):
        y.backward()


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_any_failed_load_leaves_the_model_unchanged(data):
    m = _model()
    snap = _snapshot(m)
    keys = list(snap)
    sd = {k: v + 1 for k, v in snap.items()}
    bad = data.draw(st.sets(st.sampled_from(keys), min_size=1, max_size=len(keys)))
    for k in bad:
        sd[k] = np.zeros(snap[k].shape + (2,))
    with pytest.raises(RuntimeError, match="size mismatch"):
        m.load_state_dict(sd, strict=data.draw(st.booleans()))
    _assert_unchanged(m, snap)


# -- containers ------------------------------------------------------------------------------------------------------

def test_sequential_indexing_slicing_and_editing():
    a, b, c = nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b, c)
    assert seq[0] is a and seq[-1] is c and list(seq) == [a, b, c] and len(seq) == 3
    assert list(seq[1:]._modules) == ["1", "2"] and seq[::2][1] is c
    with pytest.raises(IndexError, match="index 3 is out of range for 3 entries"):
        seq[3]
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and seq[0] is b  # renumbered, as PyTorch does
    seq.insert(0, a)
    seq.append(nn.Tanh())
    assert [type(m).__name__ for m in seq] == ["Linear", "ReLU", "Linear", "Tanh"]
    assert isinstance(seq.pop(), nn.Tanh) and len(seq) == 3
    assert len(seq + nn.Sequential(nn.Tanh())) == 4
    seq[1] = nn.Sigmoid()
    assert isinstance(seq[1], nn.Sigmoid)
    named = nn.Sequential(OrderedDict([("fc", a), ("act", b)]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"]
    x = autograd.randn(4, 1)
    np.testing.assert_allclose(named(x).detach().numpy(), b(a(x)).detach().numpy())


def test_module_list_dict_and_parameter_containers():
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml += [nn.ReLU()]
    ml.insert(0, nn.Tanh())
    assert [type(m).__name__ for m in ml] == ["Tanh", "Linear", "ReLU"] and len(ml[1:]) == 2
    del ml[0]
    assert list(ml._modules) == ["0", "1"]
    with pytest.raises(TypeError, match="iterable of modules"):
        ml.extend(nn.ReLU())
    md = nn.ModuleDict({"x": nn.ReLU()})
    md["y"] = nn.Linear(1, 1)
    assert list(md) == ["x", "y"] and "y" in md and list(md.state_dict()) == ["y.weight", "y.bias"]
    assert isinstance(md.pop("x"), nn.ReLU) and list(md.keys()) == ["y"]
    pl = nn.ParameterList([autograd.zeros(2)])
    pl.append(nn.Parameter(autograd.ones(3)))
    assert all(isinstance(p, nn.Parameter) for p in pl) and [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pd = nn.ParameterDict({"s": autograd.ones(1)})
    assert isinstance(pd["s"], nn.Parameter) and list(pd.state_dict()) == ["s"]
    with pytest.raises(RuntimeError, match="should not be called"):
        pl()


def test_parameter_basics():
    p = nn.Parameter(autograd.tensor([1.0, 2.0]))
    assert p.requires_grad and p.is_leaf and repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    frozen = nn.Parameter(autograd.zeros(2), requires_grad=False)
    assert not frozen.requires_grad
    src = autograd.zeros(3)
    shared = nn.Parameter(src)
    src.array[0] = 5.0
    assert float(shared[0]) == 5.0  # shares memory with its data
    assert nn.Parameter().shape == (0,)
    back = pickle.loads(pickle.dumps(p))
    assert isinstance(back, nn.Parameter) and back.requires_grad and back.tolist() == [1.0, 2.0]
