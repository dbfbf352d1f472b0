"""Every public name of autograd, nn, optim and denpa has a docstring (issue 17).

Public means: a module under the four packages whose dotted path has no ``_``-prefixed part, each name in
its ``__all__`` (or, without one, each function and class defined there without a leading ``_``), and each
public method, classmethod, staticmethod and property a public class defines itself, Tensor's generated
methods and operators' aliases included. A method that overrides a documented one inherits its docstring
(``inspect.getdoc``, what ``help()`` shows), so each Node's ``forward``/``backward`` is covered by Node's.
"""
from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import pydoc
import re
import types
from pathlib import Path

import pytest

PACKAGES = ("autograd", "nn", "optim", "denpa")


def public_modules() -> list:
    mods = []
    for name in PACKAGES:
        pkg = importlib.import_module(name)
        mods.append(pkg)
        for info in pkgutil.walk_packages(pkg.__path__, name + "."):
            if any(part.startswith("_") for part in info.name.split(".")[1:]):
                continue
            mods.append(importlib.import_module(info.name))
    return mods


def _ours(obj) -> bool:
    return (getattr(obj, "__module__", None) or "").split(".")[0] in PACKAGES


def _public_names(mod):
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, v in vars(mod).items() if not n.startswith("_") and (inspect.isfunction(v) or
                 inspect.isclass(v)) and getattr(v, "__module__", None) == mod.__name__]
    for n in names:
        v = getattr(mod, n)
        if (inspect.isfunction(v) or inspect.isclass(v)) and _ours(v):
            yield n, v


def _member_doc(cls, name, attr) -> str:
    if isinstance(attr, property):
        for klass in cls.__mro__:  # a property overriding a documented one keeps its doc, as getdoc does
            p = vars(klass).get(name)
            if p is not None and (getattr(p, "__doc__", None) or "").strip():
                return p.__doc__
        return ""
    return inspect.getdoc(getattr(cls, name)) or ""


def _members(cls):
    for name, attr in vars(cls).items():
        if name.startswith("_"):
            continue
        fn = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
        if inspect.isfunction(fn) or isinstance(fn, property):
            yield name, fn


def public_api() -> dict:
    """Qualified name -> its docstring ('' where missing), each object once (at the module that owns it)."""
    out, seen = {}, set()
    for mod in public_modules():
        out[mod.__name__] = mod.__doc__ or ""
        for name, obj in _public_names(mod):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            qual = f"{mod.__name__}.{name}"
            out[qual] = inspect.getdoc(obj) or ""
            if inspect.isclass(obj):
                for m, attr in _members(obj):
                    out[f"{qual}.{m}"] = _member_doc(obj, m, attr)
    return out


API = public_api()


#: names still lacking a docstring (issue 17's debt): the list may only shrink
DEBT_FILE = Path(__file__).with_name("docstring_debt.txt")
DEBT = set(DEBT_FILE.read_text().split())


def test_every_public_name_has_a_docstring():
    missing = sorted(k for k, doc in API.items() if not doc.strip() and k not in DEBT)
    assert len(API) > 1000  # the walk really found the API
    assert not missing, f"{len(missing)} of {len(API)} public names have no docstring:\n" + "\n".join(missing)


def test_the_debt_list_only_shrinks():
    """A documented (or removed) name leaves tests/docstring_debt.txt, so the list stays what is left to do."""
    paid = sorted(k for k in DEBT if API.get(k, "x").strip())
    assert not paid, "documented now: remove from tests/docstring_debt.txt:\n" + "\n".join(paid)


def test_the_walk_sees_generated_tensor_methods():
    for name in ("autograd.tensor.Tensor.exp", "autograd.tensor.Tensor.flatten", "autograd.tensor.Tensor.float",
                 "autograd.tensor.Tensor.add_", "autograd.tensor.Tensor.grad"):
        assert name in API


def test_generated_methods_carry_the_op_docstring():
    import autograd
    from autograd.ops.declare import DECLARED

    for d in DECLARED.values():
        doc = d.fn.__doc__
        for name in d.methods + d.operators + d.reflected:
            assert getattr(autograd.Tensor, name).__doc__ == doc, name
        for name in d.inplace:
            assert (doc or "") in getattr(autograd.Tensor, name).__doc__, name
            assert "In-place" in getattr(autograd.Tensor, name).__doc__, name


def test_conversion_method_examples_run():
    import autograd
    from autograd._methods import _CONVERSION_DOCS

    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tried = 0
    for name in _CONVERSION_DOCS:
        for test in doctest.DocTestFinder().find(getattr(autograd.Tensor, name), name, globs={}):
            runner.run(test)
            tried += len(test.examples)
    assert tried >= 6 and runner.failures == 0


@pytest.mark.parametrize("cls, words", [
    ("nn.Linear", ["in_features", "out_features", "bias", "device", "dtype"]),
    ("nn.Conv2d", ["in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                   "bias", "padding_mode"]),
    ("nn.LSTM", ["input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional",
                 "device", "dtype"]),
    ("nn.TransformerEncoderLayer", ["d_model", "nhead", "dim_feedforward", "dropout", "activation",
                                    "layer_norm_eps", "batch_first", "norm_first", "bias", "device", "dtype"]),
    ("nn.MultiheadAttention", ["embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn", "kdim",
                               "vdim", "batch_first", "device", "dtype"]),
    ("nn.CrossEntropyLoss", ["weight", "ignore_index", "reduction", "label_smoothing"]),
    ("nn.MSELoss", ["reduction"]),
    ("optim.SGD", ["lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize"]),
    ("optim.Adam", ["lr", "betas", "eps", "weight_decay", "amsgrad"]),
    ("optim.AdamW", ["lr", "betas", "eps", "weight_decay"]),
])
def test_main_classes_describe_their_parameters(cls, words):
    obj = pydoc.locate(cls)
    params = set(inspect.signature(obj.__init__).parameters) - {"self"}
    assert set(words) <= params, f"{cls} has no parameters {sorted(set(words) - params)}"  # the list is real
    text = (obj.__doc__ or "") + (vars(obj).get("__init__") and obj.__init__.__doc__ or "")
    # each described in the docstring (an ``Args:`` entry or in the prose), not just named in the signature
    lacking = [w for w in words if f"``{w}``" not in text and not re.search(rf"^\s+{w}:", text, re.M)]
    assert not lacking, f"help({cls}) does not describe {lacking}"


def test_tensor_says_how_it_picks_dtypes():
    import autograd

    doc = autograd.tensor.__doc__
    for word in ("float32", "int64", "bool", "dtype", "complex"):
        assert word in doc, word


def test_main_names_have_runnable_examples():
    """The entry points a PyTorch user reaches for first each show an example that the doctests run."""
    import autograd
    import nn
    import optim

    names = [autograd.tensor, autograd.zeros, autograd.randn, autograd.arange, nn.Linear, nn.Conv2d, nn.LSTM,
             nn.TransformerEncoderLayer, nn.MultiheadAttention, nn.CrossEntropyLoss, nn.MSELoss, nn.Module, optim.SGD, optim.Adam,
             optim.AdamW, autograd.Tensor.backward, autograd.no_grad]
    lacking = [getattr(n, "__qualname__", str(n)) for n in names if ">>>" not in (inspect.getdoc(n) or "")]
    assert not lacking
    assert isinstance(autograd.tensor, types.FunctionType)
