"""Every op in the registry (tests/registry.py): forward against NumPy, float32 kept, gradients to second order."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

import autograd
from autograd.testing import gradcheck, gradgradcheck
from registry import ERRORS, REGISTRY, covered_names, errors_for

# deterministic and database-less, so CI runs the same examples every time
FORWARD = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
GRADIENTS = settings(max_examples=15, deadline=None, derandomize=True, database=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

DIFFERENTIABLE = [s for s in REGISTRY if s.differentiable]
ids = lambda s: s.id  # noqa: E731


def to_tensors(args, dtype=np.float64, requires_grad=True):
    """Float arrays become Tensors of ``dtype`` (requiring grad); other arrays constant Tensors; the rest as is."""
    out = []
    for a in args:
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            out.append(autograd.tensor(a.astype(dtype), requires_grad=requires_grad))
        elif isinstance(a, np.ndarray):
            out.append(autograd.tensor(a))
        else:
            out.append(a)
    return out


def as_tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def cast(args, dtype):
    return tuple(a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a for a in args)


def draw_case(spec, data):
    args, kw = data.draw(spec.cases(), label="inputs, kwargs")
    note(f"inputs: {args!r}\nkwargs: {kw!r}")
    if spec.domain is not None:
        assume(spec.domain(args, kw))
    return args, kw


def check_against(outs, refs, rtol, atol):
    assert len(outs) == len(refs), f"{len(outs)} outputs, the reference has {len(refs)}"
    for k, (o, r) in enumerate(zip(outs, refs)):
        r = np.asarray(r)
        assert isinstance(o, autograd.Tensor), f"output {k} is a {type(o).__name__}, not a Tensor"
        assert o.shape == r.shape, f"output {k}: shape {o.shape}, reference {r.shape}"
        assert o.dtype.kind == r.dtype.kind, f"output {k}: dtype {o.dtype}, reference {r.dtype}"
        if r.dtype.kind == "f":
            assert o.dtype == r.dtype, f"output {k}: dtype {o.dtype}, reference {r.dtype}"
        np.testing.assert_allclose(o.array, r, rtol=rtol, atol=atol, equal_nan=True, err_msg=f"output {k}")


# -- coverage of autograd.OPS ---------------------------------------------------------------------------

def test_every_op_has_a_registry_entry():
    missing = sorted(set(autograd.OPS) - covered_names())
    assert not missing, f"ops without a registry entry in tests/registry.py: {missing}"


def test_registry_names_are_ops():
    unknown = sorted(covered_names() - set(autograd.OPS))
    assert not unknown, f"registry names that are not in autograd.OPS: {unknown}"


@pytest.mark.parametrize("spec", [s for s in REGISTRY if len(s.names) > 1], ids=ids)
def test_aliases_sharing_an_entry_are_the_same_function(spec):
    first = getattr(autograd, spec.names[0])
    for alias in spec.names[1:]:
        assert getattr(autograd, alias) is first, f"{alias} is not {spec.names[0]}: give it an entry of its own"


def test_every_public_op_has_error_inputs():
    """OpInfo's rule: an op cannot land without bad calls that pin down its errors."""
    missing = sorted(n for n in autograd.OPS
                     if not ERRORS.get(n) and not any(n in s.names and errors_for(s) for s in REGISTRY))
    assert not missing, f"ops without error inputs in tests/registry.py's ERRORS: {missing}"


def test_error_inputs_name_ops():
    unknown = sorted(set(ERRORS) - set(autograd.OPS))
    assert not unknown, f"ERRORS entries that are not in autograd.OPS: {unknown}"


_ERROR_CASES = [(name, e) for name, errs in ERRORS.items() for e in errs]


@pytest.mark.parametrize("name, bad", _ERROR_CASES, ids=[f"{n}: {e.what}" for n, e in _ERROR_CASES])
def test_error_inputs_raise_their_error(name, bad):
    with pytest.raises(bad.exc, match=bad.match):
        bad.call()


# -- per op ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("spec", REGISTRY, ids=ids)
@FORWARD
@given(data=st.data())
def test_forward_matches_numpy(spec, data):
    args, kw = draw_case(spec, data)
    res = spec.fn(*to_tensors(args), **kw)
    with np.errstate(all="ignore"):
        ref = spec.ref(*args, **kw)
    outs = as_tuple(res)
    check_against(outs, as_tuple(ref), rtol=1e-7, atol=1e-12)
    for k, o in enumerate(outs):
        if spec.differentiable and o.dtype.kind == "f":
            assert o.requires_grad, f"output {k} of a differentiable op does not require grad"
        if not spec.differentiable:
            assert not o.requires_grad and o.grad_fn is None, f"output {k} of a non-differentiable op records a node"


@pytest.mark.parametrize("spec", REGISTRY, ids=ids)
@FORWARD
@given(data=st.data())
def test_float32_stays_float32(spec, data):
    args, kw = draw_case(spec, data)
    args32 = cast(args, np.float32)
    ts = to_tensors(args32, np.float32, requires_grad=spec.differentiable)
    outs = as_tuple(spec.fn(*ts, **kw))
    with np.errstate(all="ignore"):
        refs = as_tuple(spec.ref(*args32, **kw))
    check_against(outs, refs, rtol=spec.f32_rtol, atol=spec.f32_atol)
    for k, o in enumerate(outs):
        if o.dtype.kind == "f":
            assert o.dtype == np.float32, f"output {k} is {o.dtype} for float32 inputs"
    if not spec.differentiable:
        return
    live = [o for o in outs if o.dtype.kind == "f" and o.requires_grad]
    ins = [t for t in ts if isinstance(t, autograd.Tensor) and t.requires_grad]
    gs = autograd.grad(live, ins, grad_outputs=[np.ones(o.shape, np.float32) for o in live], allow_unused=True)
    for i, g in enumerate(gs):
        assert g is None or g.dtype == np.float32, f"the gradient of float32 input {i} is {g.dtype}"


@pytest.mark.parametrize("spec", DIFFERENTIABLE, ids=ids)
@GRADIENTS
@given(data=st.data())
def test_gradients(spec, data):
    """gradcheck in float64 (zero upstream gradient included), then gradgradcheck where the entry claims it."""
    args, kw = draw_case(spec, data)
    ts = to_tensors(args)
    floats = [i for i, t in enumerate(ts) if isinstance(t, autograd.Tensor) and t.requires_grad]
    if len(floats) > 1:  # sometimes only some inputs require grad: the ops' `parent is None` branches
        keep = data.draw(st.one_of(st.just(floats), st.lists(st.sampled_from(floats), min_size=1, unique=True)),
                         label="inputs that require grad")
        ts = [t.detach() if i in floats and i not in keep else t for i, t in enumerate(ts)]

    def f(*xs):
        return spec.fn(*xs, **kw)

    assert gradcheck(f, ts, atol=spec.atol, rtol=spec.rtol, check_zero_grad=True)
    if spec.second_order:
        assert gradgradcheck(f, ts, atol=spec.atol, rtol=spec.rtol, check_zero_grad=True)


# -- behaviour worth pinning down by hand ---------------------------------------------------------------

def t64(data, requires_grad=True):
    return autograd.tensor(np.asarray(data, dtype=np.float64), requires_grad=requires_grad)


@pytest.mark.parametrize("index", [[0, 0, 1], np.array([0, 0, 1]), autograd.tensor([0, 0, 1])],
                         ids=["list", "ndarray", "tensor"])
def test_repeated_integer_indices_accumulate(index):
    x = t64([1.0, 2.0, 3.0])
    y = x[index]
    assert y.tolist() == [1.0, 1.0, 2.0]
    (g,) = autograd.grad(y.sum(), x)
    assert g.tolist() == [2.0, 1.0, 0.0]
    assert gradgradcheck(lambda t: t[index] ** 2, (x,))


def test_repeated_indices_in_two_dims_accumulate():
    x = t64(np.arange(6.0).reshape(2, 3))
    y = x[[1, 1, 0], [2, 2, 2]]
    (g,) = autograd.grad(y.sum(), x)
    assert g.tolist() == [[0.0, 0.0, 1.0], [0.0, 0.0, 2.0]]


def test_boolean_mask_gradient():
    x = t64([[1.0, -2.0], [-3.0, 4.0]])
    mask = x.array > 0
    (g,) = autograd.grad((x[mask] * 3).sum(), x)
    assert g.tolist() == [[3.0, 0.0], [0.0, 3.0]]


@pytest.mark.parametrize("fn, np_val, np_idx", [(autograd.max, np.max, np.argmax), (autograd.min, np.min, np.argmin)])
def test_max_min_with_dim_return_values_and_indices(fn, np_val, np_idx):
    d = np.array([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]])
    x = t64(d)
    res = fn(x, 1)
    values, indices = res
    assert res.values is values and res.indices is indices
    assert values.tolist() == np_val(d, axis=1).tolist()
    assert indices.tolist() == np_idx(d, axis=1).tolist()
    assert indices.dtype.kind == "i" and not indices.requires_grad
    kept = fn(x, dim=1, keepdim=True)
    assert kept.values.shape == (2, 1) and kept.indices.shape == (2, 1)
    # with dim, the gradient goes to the index reported (the first extreme), as PyTorch
    (g,) = autograd.grad(values.sum(), x)
    expect = np.zeros_like(d)
    expect[np.arange(2), np_idx(d, axis=1)] = 1
    assert g.tolist() == expect.tolist()


def test_full_max_splits_the_gradient_among_ties():
    x = t64([1.0, 3.0, 3.0])
    (g,) = autograd.grad(autograd.max(x), x)
    assert g.tolist() == [0.0, 0.5, 0.5]


@pytest.mark.parametrize("op", [autograd.softmax, autograd.log_softmax])
def test_softmax_is_stable_for_large_logits(op):
    x = t64([[1e4, 0.0, -1e4], [1e4, 1e4, 1e4]])
    y = op(x, dim=-1)
    assert np.isfinite(y.array).all()
    (g,) = autograd.grad((y * t64([[1.0, 2.0, 3.0], [1.0, 0.0, 0.0]], False)).sum(), x)
    assert np.isfinite(g.array).all()
    expect = np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    if op is autograd.softmax:
        np.testing.assert_allclose(y.array, expect, atol=1e-12)
    else:
        np.testing.assert_allclose(y.array[1], np.log(expect[1]), atol=1e-12)
        assert y.array[0, 0] == 0.0 and y.array[0, 2] == -2e4


def test_logsumexp_is_stable_for_large_values():
    x = t64([1e4, 1e4])
    y = autograd.logsumexp(x)
    assert math.isclose(y.item(), 1e4 + math.log(2), rel_tol=1e-15)
    (g,) = autograd.grad(y, x)
    np.testing.assert_allclose(g.array, [0.5, 0.5], rtol=1e-12)


def test_prod_gradient_with_zeros():
    x = t64([2.0, 0.0, 3.0])
    (g,) = autograd.grad(autograd.prod(x), x)
    assert g.tolist() == [0.0, 6.0, 0.0]
    x2 = t64([2.0, 0.0, 0.0])
    (g2,) = autograd.grad(autograd.prod(x2), x2)
    assert g2.tolist() == [0.0, 0.0, 0.0]
    assert gradgradcheck(autograd.prod, (t64([[2.0, 0.0, 3.0], [0.0, 0.0, 1.5]]),))
    assert gradgradcheck(lambda t: autograd.prod(t, dim=1), (t64([[2.0, 0.0, 3.0], [0.0, 0.0, 1.5]]),))


@pytest.mark.parametrize("correction", [0, 1])
def test_var_std_correction(correction):
    d = np.array([[1.0, 2.0, 4.0], [0.5, -1.0, 3.0]])
    for op, ref in ((autograd.var, np.var), (autograd.std, np.std)):
        np.testing.assert_allclose(op(t64(d), dim=1, correction=correction).array, ref(d, axis=1, ddof=correction))
        assert gradgradcheck(lambda t: op(t, dim=1, correction=correction), (t64(d),))
    # PyTorch's default is the unbiased estimate
    np.testing.assert_allclose(autograd.var(t64(d)).array, np.var(d, ddof=1))


@pytest.mark.parametrize("p", [2, 1, 3, math.inf])
def test_norm_matches_numpy(p):
    d = np.array([[3.0, -4.0, 0.5], [-1.0, 2.0, -6.0]])
    np.testing.assert_allclose(autograd.norm(t64(d), p).array, np.linalg.norm(d.ravel(), p))
    np.testing.assert_allclose(autograd.norm(t64(d), p, dim=1).array, np.linalg.norm(d, p, axis=1))
    assert gradgradcheck(lambda t: autograd.norm(t, p, dim=1), (t64(d),))


@pytest.mark.parametrize("p", [2, 1, 3, 1.5, math.inf])
def test_norm_gradient_at_zero_is_zero(p):
    x = t64([[0.0, 0.0], [3.0, -4.0]])
    y = autograd.norm(x, p, dim=1)
    assert y.array[0] == 0.0
    (g,) = autograd.grad(y.sum(), x)
    assert g.array[0].tolist() == [0.0, 0.0], "the subgradient at the origin is 0, as PyTorch"
    assert np.isfinite(g.array).all()


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_known_values(approximate):
    # values from PyTorch 2.x, torch.nn.functional.gelu in float64
    expect = {"none": [-0.15865525393145702, 0.0, 0.841344746068543, 2.99595030590511],
              "tanh": [-0.15880800939172324, 0.0, 0.8411919906082768, 2.996362607918227]}[approximate]
    y = autograd.gelu(t64([-1.0, 0.0, 1.0, 3.0]), approximate=approximate)
    np.testing.assert_allclose(y.array, expect, rtol=1e-12)


def test_einsum_repeated_letter_gradient_is_diagonal():
    x = t64(np.arange(9.0).reshape(3, 3))
    (g,) = autograd.grad(autograd.einsum("ii->i", x).sum(), x)
    assert g.tolist() == np.eye(3).tolist()
    (g,) = autograd.grad(autograd.einsum("ii", x), x)
    assert g.tolist() == np.eye(3).tolist()


def test_binary_broadcast_gradients_are_summed_back():
    a = t64(np.ones((2, 1, 3)))
    b = t64(np.ones((4, 1)))
    ga, gb = autograd.grad((a * b).sum(), [a, b])
    assert ga.shape == (2, 1, 3) and gb.shape == (4, 1)
    assert (ga.array == 4).all() and (gb.array == 6).all()


def test_clamp_passes_the_gradient_at_the_bounds():
    x = t64([-2.0, -1.0, 0.0, 1.0, 2.0])
    (g,) = autograd.grad(autograd.clamp(x, -1.0, 1.0).sum(), x)
    assert g.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]


@pytest.mark.parametrize("op", [autograd.maximum, autograd.minimum])
def test_maximum_minimum_split_ties(op):
    a, b = t64([1.0, 2.0]), t64([1.0, 3.0])
    ga, gb = autograd.grad(op(a, b).sum(), [a, b])
    assert ga.array[0] == 0.5 and gb.array[0] == 0.5


def test_expand_rejects_minus_one_in_a_new_leading_dimension():
    assert autograd.ones(2, 1).expand(3, -1, 4).shape == (3, 2, 4)
    with pytest.raises(ValueError, match="leading"):
        autograd.ones(3).expand(-1, 3)


def test_fmod_and_remainder_differ_in_sign():
    a = autograd.tensor([-3.0, 3.0])
    assert autograd.fmod(a, 2.0).tolist() == [-1.0, 1.0]  # the dividend's sign, as C and PyTorch
    assert autograd.remainder(a, 2.0).tolist() == [1.0, 1.0]  # the divisor's sign, as Python
    assert autograd.remainder(a, -2.0).tolist() == [-1.0, -1.0]
