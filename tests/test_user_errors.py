"""Errors a PyTorch user meets first: each says what to do (issue 17)."""
import warnings

import numpy as np
import pytest

import autograd
import nn
import optim


# -- .grad of a non-leaf warns, as PyTorch does ------------------------------------------

def test_non_leaf_grad_warns_like_pytorch():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.sum().backward()
    with pytest.warns(UserWarning, match=r"The \.grad attribute of a Tensor that is not a leaf Tensor is being "
                                         r"accessed.*use \.retain_grad\(\)") as record:
        assert y.grad is None
    assert record[0].filename == __file__  # the warning points at the reading line, not at denpa


@pytest.mark.parametrize("case", ["leaf", "leaf_no_grad", "retained", "no_history", "assigned"])
def test_grad_reads_that_do_not_warn(case):
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    if case == "leaf":
        t, expect = x, [2.0, 2.0]
        (2 * x).sum().backward()
    elif case == "leaf_no_grad":
        t, expect = autograd.tensor([1.0]), None
    elif case == "retained":
        t = x * 3
        t.retain_grad()
        t.sum().backward()
        expect = [1.0, 1.0]
    elif case == "no_history":  # made under no_grad: a leaf, as in PyTorch
        with autograd.no_grad():
            t = x * 3
        expect = None
    else:  # a non-leaf whose .grad was set explicitly has one to give
        t = x * 3
        t.grad = autograd.ones(2)
        expect = [1.0, 1.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = t.grad
    assert (g is None) if expect is None else g.tolist() == expect


def test_drawing_an_output_does_not_warn():
    x = autograd.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).sum()
    y.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "output" in autograd.draw(y, show_grads=True).source


# -- Python data passed to a layer -------------------------------------------------------

@pytest.mark.parametrize("layer", [nn.Linear(3, 2), nn.Sequential(nn.Linear(3, 2), nn.ReLU()), nn.LSTM(3, 2)],
                         ids=["Linear", "Sequential", "LSTM"])
@pytest.mark.parametrize("data", [[[1.0, 2.0, 3.0]], (1.0, 2.0, 3.0), 3.0], ids=["list", "tuple", "float"])
@pytest.mark.parametrize("grad", [True, False], ids=["grad", "no_grad"])
def test_layer_given_python_data_says_pass_a_tensor(layer, data, grad):
    inner = "LSTM" if isinstance(layer, nn.LSTM) else "Linear"  # a container names the layer that refused
    with autograd.set_grad_enabled(grad), pytest.raises(TypeError) as info:
        layer(data)
    msg = str(info.value)
    assert msg.startswith(f"{inner}: the input must be a Tensor, not {type(data).__name__}")
    assert "autograd.tensor(x)" in msg and "torch.tensor(x)" in msg


def test_layer_error_with_hooks_is_explained_too():
    layer = nn.Linear(3, 2)
    layer.register_forward_hook(lambda m, a, out: None)
    with pytest.raises(TypeError, match="Linear: the input must be a Tensor, not list"):
        layer([[1.0, 2.0, 3.0]])


def test_users_own_module_keeps_its_own_error():
    class Mine(nn.Module):
        def forward(self, x):
            return x.shape

    with pytest.raises(AttributeError, match="'list' object has no attribute 'shape'"):
        Mine()([1.0])


def test_tensor_input_errors_are_unchanged():
    with pytest.raises(ValueError, match="linear: input of shape"):
        nn.Linear(3, 2)(autograd.ones(1, 4))


# -- an optimizer given a model ----------------------------------------------------------

@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.LBFGS])
def test_optimizer_given_a_model_says_pass_parameters(cls):
    model = nn.Sequential(nn.Linear(3, 2))
    with pytest.raises(TypeError, match=rf"{cls.__name__}: .*got the module Sequential; pass its parameters: "
                                        rf"{cls.__name__}\(model\.parameters\(\), \.\.\.\)"):
        cls(model, lr=0.1)


def test_optimizer_given_the_unbound_method_says_call_it():
    model = nn.Linear(3, 2)
    with pytest.raises(TypeError, match=r"params is the method parameters itself; call it: "
                                        r"SGD\(model\.parameters\(\), \.\.\.\)"):
        optim.SGD(model.parameters, lr=0.1)


@pytest.mark.parametrize("bad", [3, 0.5, None])
def test_optimizer_given_a_non_iterable_names_its_type(bad):
    with pytest.raises(TypeError, match=rf"SGD: params should be an iterable .* but got {type(bad).__name__}"):
        optim.SGD(bad, lr=0.1)


def test_optimizer_still_takes_parameters_and_groups():
    model = nn.Linear(3, 2)
    assert len(optim.SGD(model.parameters(), lr=0.1).param_groups[0]["params"]) == 2
    opt = optim.SGD([{"params": [model.weight]}, {"params": [model.bias], "lr": 0.01}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01]
    assert np.isclose(optim.SGD(iter([model.weight]), lr=0.5).param_groups[0]["lr"], 0.5)
