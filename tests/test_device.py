"""Devices: parsing, placement, moving, DLPack, and the CUDA path.

The CPU tests run everywhere. The CUDA tests are real (CuPy arrays on a GPU) and skip with a reason where CuPy or a
GPU is missing, so CI without a GPU stays green and a machine with one runs them.
"""
from __future__ import annotations

import importlib.util
import pickle
import threading

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import nn
import optim
from autograd import backend
from autograd.device import Device, get_default_device, set_default_device

CUDA = autograd.cuda.is_available()
no_cuda = pytest.mark.skipif(CUDA, reason="checks the error raised where CUDA is unavailable; this machine has a GPU")


# -- devices: parsing, equality, printing --------------------------------------------------------------------

@pytest.mark.parametrize("spec,type_,index,text", [
    ("cpu", "cpu", None, "cpu"), ("cpu:0", "cpu", None, "cpu"), ("cuda", "cuda", None, "cuda"),
    ("cuda:0", "cuda", 0, "cuda:0"), ("cuda:1", "cuda", 1, "cuda:1"), ("cuda:12", "cuda", 12, "cuda:12"),
])
def test_device_parsing(spec, type_, index, text):
    d = autograd.device(spec)
    assert (d.type, d.index, str(d)) == (type_, index, text)
    assert Device(d) == d and Device(text) == d


def test_device_constructor_forms_and_repr():
    assert Device("cuda", 1) == Device(1) == Device("cuda:1") == Device(Device("cuda"), 1)
    assert Device(np.int64(2)) == "cuda:2"
    assert repr(Device("cuda", 1)) == "device(type='cuda', index=1)"
    assert repr(Device("cuda")) == "device(type='cuda')" and repr(autograd.device("cpu")) == "device(type='cpu')"
    assert autograd.device is Device


@pytest.mark.parametrize("spec,err,match", [
    ("tpu", ValueError, "unknown device type 'tpu'"), ("CUDA", ValueError, "unknown device type"),
    ("cuda:x", ValueError, "invalid device string 'cuda:x'"), ("cuda:-1", ValueError, "invalid device string"),
    ("cuda:01", ValueError, "invalid device string"), ("cuda:", ValueError, "invalid device string"),
    ("cuda: 1", ValueError, "invalid device string"), ("cuda:²", ValueError, "invalid device string"),
    ("cpu:1", ValueError, "the CPU has no index 1"), (1.5, TypeError, "expected a string"),
    (None, TypeError, "expected a string"),
])
def test_device_rejects_bad_specs(spec, err, match):
    with pytest.raises(err, match=match):
        autograd.device(spec)


def test_device_rejects_bad_indices():
    with pytest.raises(ValueError, match="not be negative"):
        Device("cuda", -1)
    with pytest.raises(TypeError, match="must be an integer"):
        Device("cuda", "1")
    with pytest.raises(ValueError, match="invalid device string"):
        Device("cuda:1", 2)  # the index twice


def test_device_equality_hash_and_pickle():
    assert autograd.device("cpu") == "cpu" and "cpu" == autograd.device("cpu")
    assert autograd.device("cuda:0") == "cuda:0" and autograd.device("cuda:0") != "cuda:1"
    assert autograd.device("cuda") != "cuda:0"  # "cuda" means the current GPU, as in PyTorch
    assert autograd.device("cpu") != "banana" and autograd.device("cpu") != 0 and autograd.device("cpu") != "cuda"
    assert len({Device("cuda:1"), Device("cuda", 1), Device(1), Device("cpu"), Device("cpu:0")}) == 2
    for d in (Device("cpu"), Device("cuda"), Device("cuda:3")):
        assert pickle.loads(pickle.dumps(d)) == d


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000))
def test_device_index_round_trips(i):
    d = Device(f"cuda:{i}")
    assert d.index == i and Device(str(d)) == d and hash(Device("cuda", i)) == hash(d)


# -- creation with device= --------------------------------------------------------------------------------------

CREATORS = {
    "tensor": lambda **kw: autograd.tensor([[1.0, 2.0]], **kw),
    "as_tensor": lambda **kw: autograd.as_tensor([1, 2], **kw),
    "zeros": lambda **kw: autograd.zeros(2, 3, **kw),
    "ones": lambda **kw: autograd.ones(2, **kw),
    "empty": lambda **kw: autograd.empty(4, **kw),
    "full": lambda **kw: autograd.full((2, 2), 1.5, **kw),
    "eye": lambda **kw: autograd.eye(3, **kw),
    "arange": lambda **kw: autograd.arange(5, **kw),
    "linspace": lambda **kw: autograd.linspace(0, 1, 5, **kw),
    "rand": lambda **kw: autograd.rand(3, **kw),
    "randn": lambda **kw: autograd.randn(3, **kw),
    "randint": lambda **kw: autograd.randint(0, 5, (3,), **kw),
    "randperm": lambda **kw: autograd.randperm(6, **kw),
    "zeros_like": lambda **kw: autograd.zeros_like(autograd.ones(2), **kw),
    "ones_like": lambda **kw: autograd.ones_like(autograd.ones(2), **kw),
    "empty_like": lambda **kw: autograd.empty_like(autograd.ones(2), **kw),
    "full_like": lambda **kw: autograd.full_like(autograd.ones(2), 3.0, **kw),
    "rand_like": lambda **kw: autograd.rand_like(autograd.ones(2), **kw),
    "randn_like": lambda **kw: autograd.randn_like(autograd.ones(2), **kw),
    "randint_like": lambda **kw: autograd.randint_like(autograd.ones(2), 0, 3, **kw),
}


@pytest.mark.parametrize("name", sorted(CREATORS))
def test_creation_on_cpu(name):
    for dev in ("cpu", autograd.device("cpu"), None):
        t = CREATORS[name](device=dev)
        assert t.device == "cpu" and type(t.array) is np.ndarray


@no_cuda
@pytest.mark.parametrize("name", sorted(CREATORS))
@pytest.mark.parametrize("dev", ["cuda", "cuda:1"])
def test_creation_on_cuda_without_cupy_or_gpu_says_how_to_install(name, dev):
    with pytest.raises(RuntimeError) as info:
        CREATORS[name](device=dev)
    _assert_install_hint(str(info.value), dev)


def _assert_install_hint(msg, dev="cuda"):
    assert f"device '{dev}'" in msg and "pip install 'denpa[cuda]'" in msg
    assert "NVIDIA GPU" in msg and "CUDA 12" in msg
    if importlib.util.find_spec("cupy") is None:
        assert "CuPy is not installed" in msg


def test_tensor_copies_and_keeps_dtype_on_cpu():
    a = np.arange(3.0)
    t = autograd.tensor(a, device="cpu")
    a[0] = 9
    assert t.tolist() == [0.0, 1.0, 2.0] and t.dtype == np.float64
    u = autograd.tensor(t, dtype="float32", device="cpu")
    assert u.dtype == np.float32 and u.device == "cpu"


def test_as_tensor_shares_when_it_can():
    a = np.zeros(2, np.float32)
    t = autograd.as_tensor(a, device="cpu")
    a[1] = 4
    assert t.tolist() == [0.0, 4.0]
    assert autograd.as_tensor(t) is t and autograd.as_tensor(t, dtype="float32", device="cpu") is t
    assert autograd.as_tensor(t, dtype="float64").dtype == np.float64


def test_random_creation_repeats_with_the_seed_on_cpu():
    autograd.manual_seed(3)
    first = [autograd.rand(4, device="cpu").tolist(), autograd.randperm(5, device="cpu").tolist()]
    autograd.manual_seed(3)
    assert [autograd.rand(4).tolist(), autograd.randperm(5).tolist()] == first
    assert sorted(first[1]) == list(range(5))


def test_creation_with_an_explicit_generator():
    g = np.random.default_rng(0)
    t = autograd.randn(3, generator=g, device="cpu")
    assert np.allclose(t.numpy(), np.random.default_rng(0).standard_normal(3).astype(np.float32))


# -- the default device --------------------------------------------------------------------------------------

def test_default_device_context_nests_and_restores():
    assert get_default_device() == "cpu"
    with autograd.device("cpu") as d:
        assert d == "cpu" and get_default_device() is d
        with autograd.device("cuda:1"):
            assert get_default_device() == "cuda:1"
        assert get_default_device() is d
    assert get_default_device() == "cpu"


def test_set_default_device_is_per_thread():
    try:
        set_default_device("cuda:1")
        assert get_default_device() == "cuda:1"
        seen = []
        th = threading.Thread(target=lambda: seen.append(get_default_device()))
        th.start()
        th.join()
        assert seen == ["cpu"]  # another thread keeps its own default
    finally:
        set_default_device(None)
    assert get_default_device() == "cpu"


@no_cuda
def test_default_cuda_device_reaches_creation():
    with autograd.device("cuda"):
        with pytest.raises(RuntimeError) as info:
            autograd.zeros(2)
        _assert_install_hint(str(info.value))
        assert autograd.zeros(2, device="cpu").device == "cpu"  # an explicit device wins
        t = autograd.ones(2, device="cpu")
        assert autograd.tensor(t).device == "cpu"  # a tensor's copy stays on its device, as PyTorch's


# -- moving: to / cpu / cuda ---------------------------------------------------------------------------------------

def test_to_on_cpu():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    assert x.to("cpu") is x and x.cpu() is x and x.to(autograd.device("cpu")) is x and x.to(device="cpu") is x
    y = x.to("cpu", "float64")
    assert y.dtype == np.float64 and y.grad_fn is not None
    z = x.to(autograd.zeros(1, dtype=autograd.float64))  # another tensor's device and dtype
    assert z.dtype == np.float64 and z.device == "cpu"
    c = x.to("cpu", copy=True)
    assert c is not x and not np.shares_memory(c.array, x.array)
    (c * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert x.to(dtype="float32", non_blocking=True) is x
    with pytest.raises(ValueError, match="invalid device string"):
        x.to("cuda:x")


@no_cuda
@pytest.mark.parametrize("call", [lambda x: x.cuda(), lambda x: x.cuda(1), lambda x: x.to("cuda"),
                                  lambda x: x.to(0), lambda x: x.to(device="cuda:0", dtype="float64")])
def test_to_cuda_without_cupy_or_gpu_says_how_to_install(call):
    with pytest.raises(RuntimeError, match=r"pip install 'denpa\[cuda\]'"):
        call(autograd.ones(2))


@no_cuda
def test_module_to_cuda_without_cupy_or_gpu_says_how_to_install():
    with pytest.raises(RuntimeError, match=r"pip install 'denpa\[cuda\]'"):
        nn.Linear(2, 2).to("cuda")


def test_numpy_and_item_on_cpu():
    x = autograd.tensor([1.5, 2.0])
    a = x.numpy()
    a[0] = 7
    assert x.tolist() == [7.0, 2.0]  # shared on the CPU
    w = autograd.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        w.numpy()
    assert w.numpy(force=True).tolist() == [1.0]
    assert x[1].item() == 2.0 and type(x[1].item()) is float


# -- the mixed-device error -------------------------------------------------------------------------------------

def test_mixed_device_message():
    cpu, gpu0, gpu1 = Device("cpu"), Device("cuda:0"), Device("cuda:1")
    assert backend.mixed_device_message("add", [cpu, gpu0]) == "add: tensors on cpu and cuda:0; move one with .to(...)"
    assert backend.mixed_device_message("matmul", [gpu1, cpu]) == \
        "matmul: tensors on cuda:1 and cpu; move one with .to(...)"
    assert backend.mixed_device_message("cat", [cpu, gpu0, gpu1]) == \
        "cat: tensors on cpu, cuda:0 and cuda:1; move one with .to(...)"


def test_mixed_device_error_is_none_on_one_device():
    assert backend.mixed_device_error("add", np.zeros(2), np.ones(3), 2.0, None, (1, 2)) is None


def test_failing_ops_on_one_device_keep_their_own_errors():
    # the engine only looks at devices after an op failed; on one device the op's own error must come through
    with pytest.raises(ValueError, match=r"add: operands of shapes \(2,\) and \(3,\) cannot be broadcast"):
        autograd.zeros(2) + autograd.zeros(3)
    with pytest.raises(ValueError, match="matmul"):
        autograd.zeros(2, 3) @ autograd.zeros(2, 3)
    with pytest.raises(ValueError):
        autograd.cat([autograd.zeros(2, 3), autograd.zeros(2, 4)], 0)
    with pytest.raises(TypeError, match="Scalar"):
        autograd.Scalar(1.0) + autograd.tensor(1.0)


# -- DLPack on the CPU -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8"])
def test_dlpack_round_trips_share_memory(dtype):
    a = np.arange(6).reshape(2, 3).astype(dtype)
    t = autograd.from_dlpack(a)
    assert t.dtype == a.dtype and t.shape == (2, 3) and t.device == "cpu"
    a[0, 0] = 5
    assert t.array[0, 0] == 5  # numpy -> tensor shares
    b = np.from_dlpack(t)
    b[1, 2] = 9
    assert t.array[1, 2] == 9 and a[1, 2] == 9  # tensor -> numpy shares
    u = autograd.from_dlpack(t)
    u.array[0, 1] = 4
    assert a[0, 1] == 4  # tensor -> tensor shares
    assert t.__dlpack_device__() == (1, 0)


def test_dlpack_strided_and_zero_d():
    a = np.arange(12.0).reshape(3, 4)
    t = autograd.from_dlpack(a.T)
    assert t.shape == (4, 3) and np.array_equal(t.numpy(), a.T)
    a[0, 1] = -1
    assert t.array[1, 0] == -1
    s = autograd.from_dlpack(np.full((), 2.5, np.float32))
    assert s.shape == () and s.item() == 2.5
    assert np.from_dlpack(autograd.tensor(3.0)).shape == ()


def test_dlpack_errors():
    with pytest.raises(RuntimeError, match="requires grad"):
        np.from_dlpack(autograd.ones(2, requires_grad=True))
    assert np.from_dlpack(autograd.ones(2, requires_grad=True).detach()).tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match="__dlpack__"):
        autograd.from_dlpack([1.0, 2.0])


def test_dlpack_with_pytorch_if_present():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (the project never depends on it)")
    pt = torch.arange(4, dtype=torch.float32)
    t = autograd.from_dlpack(pt)
    pt[0] = 8
    assert t.tolist()[0] == 8.0
    back = torch.from_dlpack(t)
    back[1] = -2
    assert t.tolist()[1] == -2.0


# -- autograd.cuda without a GPU --------------------------------------------------------------------------------

@no_cuda
def test_cuda_namespace_without_cupy_or_gpu():
    assert autograd.cuda.is_available() is False and autograd.cuda.device_count() == 0
    for call in (autograd.cuda.current_device, autograd.cuda.synchronize, lambda: autograd.cuda.set_device(0),
                 autograd.cuda.get_device_name):
        with pytest.raises(RuntimeError) as info:
            call()
        assert "pip install 'denpa[cuda]'" in str(info.value)
    with autograd.cuda.device(None), autograd.cuda.device(-1):  # no device: nothing to do, as PyTorch's
        pass
    with pytest.raises(RuntimeError, match=r"denpa\[cuda\]"):
        with autograd.cuda.device(0):
            pass


def test_cuda_namespace_rejects_a_cpu_device():
    with pytest.raises(ValueError, match="expected a CUDA device"):
        autograd.cuda.synchronize("cpu")


# -- backend helpers (the parts NumPy and CuPy spell differently) ---------------------------------------------

def test_backend_moves_on_cpu():
    a = np.ones(3)
    assert backend.to_device(a, "cpu") is a and backend.to_host(a) is a
    assert backend.device_of(a) == "cpu" and backend.device_of(1.0) == "cpu"
    assert backend.module_for("cpu") is np and backend.resolve(None) == "cpu"
    with backend.on_device("cpu") as xp:
        assert xp is np


def test_index_add_accumulates_repeats():
    z = np.zeros((3, 2))
    backend.index_add(z, (np.array([0, 2, 0]), np.array([1, 0, 1])), np.array([1.0, 2.0, 3.0]))
    assert z.tolist() == [[0.0, 4.0], [0.0, 0.0], [2.0, 0.0]]


@pytest.mark.parametrize("shape,window,axis", [
    ((7,), 3, None), ((4, 5), (2, 3), None), ((2, 3, 6, 6), (3, 3), (2, 3)), ((5, 4), 2, -1), ((5, 4), (2, 2), (0, 1)),
])
def test_strided_windows_match_numpy(shape, window, axis):
    # CuPy arrays take this path; on NumPy arrays it must give exactly NumPy's windows
    x = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    expected = np.lib.stride_tricks.sliding_window_view(x, window, axis)
    assert np.array_equal(backend._strided_windows(x, window, axis), expected)
    assert np.array_equal(backend.sliding_window_view(x, window, axis), expected)


def test_strided_windows_errors():
    with pytest.raises(ValueError, match="larger than axis"):
        backend._strided_windows(np.zeros(2), 3)
    with pytest.raises(ValueError, match="window sizes"):
        backend._strided_windows(np.zeros((2, 2)), (1, 1), 0)


def test_random_helpers():
    assert np.array_equal(backend.normal(np.random.default_rng(1), 2.0, 3.0, (4,)),
                          np.random.default_rng(1).normal(2.0, 3.0, (4,)))
    assert sorted(backend.permutation(np.random.default_rng(1), 9).tolist()) == list(range(9))
    # a generator without normal()/permutation() (as CuPy's) goes through standard_normal() and argsort(random())
    legacy = np.random.RandomState(0)
    assert np.allclose(backend.normal(legacy, 2.0, 3.0, (4,)), np.random.RandomState(0).standard_normal(4) * 3 + 2)
    p = backend.permutation(np.random.RandomState(0), 50)
    assert sorted(p.tolist()) == list(range(50)) and p.tolist() != list(range(50))


# -- on a GPU (CuPy) -------------------------------------------------------------------------------------------------

@pytest.fixture
def cp():
    cupy = pytest.importorskip("cupy", reason="CuPy is not installed (pip install 'denpa[cuda]'); CUDA tests skip")
    try:
        n = cupy.cuda.runtime.getDeviceCount()
    except Exception as e:  # no driver
        pytest.skip(f"CuPy cannot reach a GPU: {type(e).__name__}: {e}")
    if n == 0:
        pytest.skip("no GPU visible to CuPy")
    assert autograd.cuda.is_available() and autograd.cuda.device_count() == n
    return cupy


@pytest.mark.parametrize("name", sorted(CREATORS))
def test_creation_on_cuda(cp, name):
    t = CREATORS[name](device="cuda")
    assert type(t.array) is cp.ndarray and t.device == "cuda:0" and t.device.index == 0
    ref = CREATORS[name](device="cpu")
    assert t.shape == ref.shape and t.dtype == ref.dtype
    if name not in ("empty", "empty_like") and not name.startswith("rand"):
        assert np.array_equal(t.numpy(), ref.numpy())
    assert "device='cuda:0'" in repr(t)


def test_cuda_namespace_on_a_gpu(cp):
    assert autograd.cuda.current_device() == 0
    autograd.cuda.synchronize()
    autograd.cuda.synchronize(0)
    assert isinstance(autograd.cuda.get_device_name(), str) and autograd.cuda.get_device_name()
    last = autograd.cuda.device_count() - 1
    with autograd.cuda.device(last):
        assert autograd.cuda.current_device() == last
        assert autograd.zeros(1, device="cuda").device == f"cuda:{last}"  # bare "cuda" is the current GPU
    assert autograd.cuda.current_device() == 0
    with pytest.raises(RuntimeError, match="CUDA device"):
        autograd.zeros(1, device=f"cuda:{last + 1}")


def test_default_device_on_a_gpu(cp):
    with autograd.device("cuda"):
        assert autograd.zeros(2).device == "cuda:0" and autograd.tensor([1.0]).device == "cuda:0"
        assert autograd.tensor(np.ones(2)).device == "cuda:0"  # NumPy data is not a tensor: the default applies
        assert autograd.tensor(autograd.ones(2, device="cpu")).device == "cpu"


def test_to_and_back_with_gradients(cp):
    x = autograd.tensor([1.0, -2.0, 3.0], requires_grad=True)
    g = x.cuda()
    assert g.device == "cuda:0" and type(g.array) is cp.ndarray and g.grad_fn is not None
    assert g.cuda() is g and g.to("cuda:0") is g
    y = (g * g).sum()
    y.backward()
    assert x.grad.device == "cpu" and x.grad.tolist() == [2.0, -4.0, 6.0]
    back = g.cpu()
    assert back.device == "cpu" and back.tolist() == x.tolist()
    assert g.detach().numpy().tolist() == x.tolist() and g[1].item() == -2.0 and type(g[1].item()) is float
    # second order through the move
    (dx,) = autograd.grad((x.cuda() ** 3).sum(), x, create_graph=True)
    (ddx,) = autograd.grad(dx.sum(), x)
    assert np.allclose(ddx.numpy(), 6 * x.detach().numpy())


def _cuda_ops():
    F = nn.functional
    return {
        "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
        "div": lambda a, b: a / (b.abs() + 1), "pow": lambda a, b: (a.abs() + 1) ** b,
        "matmul": lambda a, b: a @ b.T, "exp": lambda a, b: a.exp() + b, "log": lambda a, b: (a.abs() + 1).log() * b,
        "tanh": lambda a, b: a.tanh() * b, "sigmoid": lambda a, b: a.sigmoid() * b, "relu": lambda a, b: a.relu() * b,
        "sum_mean": lambda a, b: a.sum(0) * b.mean(), "max": lambda a, b: a.max(1).values + b.amax(),
        "reshape_transpose": lambda a, b: a.reshape(4, 3).T * b,
        "getitem": lambda a, b: a[[0, 0, 2]] * b[1], "softmax": lambda a, b: a.softmax(-1) * b,
        "log_softmax": lambda a, b: a.log_softmax(-1) * b, "erf": lambda a, b: a.erf() * b,
        "cat": lambda a, b: autograd.cat([a, b], 0), "where": lambda a, b: autograd.where(a > 0, a, b),
        "cross_entropy": lambda a, b: F.cross_entropy(a, autograd.tensor([0, 3, 1], device=a.device)) * b.sum(),
    }


@pytest.mark.parametrize("op", sorted(_cuda_ops()))
def test_ops_agree_on_cpu_and_cuda(cp, op):
    fn = _cuda_ops()[op]
    rng = np.random.default_rng(0)
    a0, b0 = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    results = {}
    for dev in ("cpu", "cuda"):
        a = autograd.tensor(a0, device=dev, requires_grad=True)
        b = autograd.tensor(b0, device=dev, requires_grad=True)
        out = fn(a, b)
        assert out.device == a.device
        out.sum().backward()
        results[dev] = (out.detach().numpy(), a.grad.numpy(), None if b.grad is None else b.grad.numpy())
    for got, want in zip(results["cuda"], results["cpu"]):
        if want is None:
            assert got is None
        else:
            np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("op,fn", [("add", lambda a, b: a + b), ("mul", lambda a, b: a * b),
                                   ("matmul", lambda a, b: a @ b), ("sub", lambda a, b: a - b)])
def test_mixed_devices_raise_a_clear_error(cp, op, fn):
    a, b = autograd.ones(2, 2), autograd.ones(2, 2, device="cuda")
    with pytest.raises(RuntimeError, match=rf"^{op}: tensors on cpu and cuda:0; move one with \.to\(\.\.\.\)$"):
        fn(a, b)
    with pytest.raises(RuntimeError, match=rf"^{op}: tensors on cuda:0 and cpu; "):
        fn(b, a)
    with pytest.raises(RuntimeError, match=r"^(cat|concat): tensors on cpu and cuda:0"):
        autograd.cat([a, b])


def test_module_to_cuda_moves_parameters_in_place(cp):
    m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    params = list(m.parameters())
    before = [p.detach().numpy().copy() for p in params]
    assert m.to("cuda") is m
    assert [id(p) for p in m.parameters()] == [id(p) for p in params]  # the same Parameter objects
    for p, b in zip(m.parameters(), before):
        assert p.device == "cuda:0" and p.is_leaf and p.requires_grad and np.array_equal(p.numpy(force=True), b)
    assert all(b.device == "cuda:0" for b in m.buffers())
    out = m(autograd.randn(5, 3, device="cuda"))
    out.sum().backward()
    assert out.device == "cuda:0" and all(p.grad.device == "cuda:0" for p in m.parameters())
    m.cpu()
    assert all(p.device == "cpu" for p in m.parameters())


@pytest.mark.parametrize("make", [lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: optim.Adam(ps, lr=0.01)])
def test_optimizer_state_lives_on_the_device_and_matches_cpu(cp, make):
    results = {}
    for dev in ("cpu", "cuda"):
        autograd.manual_seed(0)
        m = nn.Linear(4, 3).to(dev)
        opt = make(m.parameters())
        x = autograd.tensor(np.linspace(-1, 1, 8, dtype=np.float32).reshape(2, 4), device=dev)
        for _ in range(3):
            opt.zero_grad()
            (m(x) ** 2).sum().backward()
            opt.step()
        for state in opt.state.values():
            for v in state.values():
                if isinstance(v, autograd.Tensor) and v.ndim:
                    assert v.device == (dev if dev == "cpu" else "cuda:0")
        results[dev] = [p.numpy(force=True) for p in m.parameters()]
    for got, want in zip(results["cuda"], results["cpu"]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_dlpack_with_cupy(cp):
    a = cp.arange(6, dtype=cp.float32).reshape(2, 3)
    t = autograd.from_dlpack(a)
    assert t.device == "cuda:0" and t.__dlpack_device__()[0] == 2
    a[0, 0] = 7
    assert t.array[0, 0].item() == 7  # cupy -> tensor shares
    b = cp.from_dlpack(t)
    b[1, 1] = -3
    assert a[1, 1].item() == -3  # tensor -> cupy shares
    assert autograd.tensor(a).device == "cuda:0"  # a CuPy array stays on its GPU


def test_manual_seed_repeats_on_cuda(cp):
    autograd.manual_seed(7)
    first = (autograd.randn(5, device="cuda").numpy(), autograd.randperm(8, device="cuda").numpy())
    autograd.manual_seed(7)
    again = (autograd.randn(5, device="cuda").numpy(), autograd.randperm(8, device="cuda").numpy())
    assert np.array_equal(first[0], again[0]) and np.array_equal(first[1], again[1])
    assert sorted(first[1].tolist()) == list(range(8))


def test_data_loader_places_batches_on_cuda(cp):
    ds = autograd.data.TensorDataset(autograd.arange(8.0).reshape(4, 2), autograd.arange(4))
    x, y = next(iter(autograd.data.DataLoader(ds, batch_size=2, device="cuda")))
    assert x.device == "cuda:0" and y.device == "cuda:0"
