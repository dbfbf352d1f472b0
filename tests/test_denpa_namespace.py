"""`import denpa as torch`: one module object per module, PyTorch's submodule paths, clear errors for
names denpa lacks, and the small torch-only pieces (accelerator, backends, inference_mode, cuda seeds)."""
from __future__ import annotations

import importlib
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import autograd
import denpa as torch
import nn
import optim


@pytest.mark.parametrize("alias, real", [
    ("denpa.nn", "nn"), ("denpa.nn.functional", "nn.functional"), ("denpa.nn.init", "nn.init"),
    ("denpa.nn.utils", "nn.utils"), ("denpa.optim", "optim"), ("denpa.optim.lr_scheduler", "optim.lr_scheduler"),
    ("denpa.utils.data", "autograd.data"), ("denpa.autograd", "autograd"), ("denpa.cuda", "autograd.cuda"),
    ("denpa.autograd.functional", "autograd.functional"), ("denpa.nn.modules.batchnorm", "nn.norm"),
    ("denpa.nn.modules.container", "nn.containers"), ("nn.modules.loss", "nn.loss"),
])
def test_submodule_imports_give_the_one_module(alias, real):
    assert importlib.import_module(alias) is importlib.import_module(real)


def test_attribute_paths_and_identity():
    from denpa.nn.modules.loss import _Loss
    from denpa.optim.lr_scheduler import StepLR
    from denpa.utils.data import DataLoader, TensorDataset

    assert torch.nn is nn and torch.optim is optim and torch.nn.functional is nn.functional
    assert DataLoader is autograd.data.DataLoader and TensorDataset is autograd.data.TensorDataset
    assert StepLR is optim.lr_scheduler.StepLR and _Loss is nn.loss._Loss
    assert torch.nn.modules.linear.Linear is nn.Linear and torch.nn.modules.Linear is nn.Linear
    layer = torch.nn.Linear(2, 3)
    assert isinstance(layer, nn.Module) and isinstance(layer, importlib.import_module("denpa.nn").Linear)
    assert torch.tensor is autograd.tensor and torch.Tensor is autograd.Tensor and torch.no_grad is autograd.no_grad
    assert torch.autograd.grad is autograd.grad and torch.autograd.Function is autograd.Function
    assert torch.save is nn.save and torch.load is nn.load


def test_dtype_names_compare_with_tensor_dtypes():
    assert torch.zeros(2).dtype == torch.float == torch.float32
    assert torch.tensor([1]).dtype == torch.long == torch.int64
    assert torch.zeros(2, dtype=torch.int).dtype == np.int32 and torch.zeros(2, dtype=torch.double).dtype == np.float64
    for name in ("half", "float16", "bool", "uint8", "int8", "short", "int16", "cfloat", "cdouble"):
        assert isinstance(getattr(torch, name), np.dtype)


@pytest.mark.parametrize("get, says", [
    (lambda: torch.compile, "torch.compile is PyTorch's, and denpa does not provide it"),
    (lambda: torch.nn.DataParallel, "use nn.parallel.DistributedDataParallel"),
    (lambda: torch.nn.functional.grid_sample, "torch.nn.functional.grid_sample is PyTorch's"),
    (lambda: torch.optim.SparseAdam, "torch.optim.SparseAdam is PyTorch's"),
    (lambda: torch.utils.data.IterDataPipe, "torch.utils.data.IterDataPipe is PyTorch's"),
    (lambda: torch.tensor([1.0]).data_ptr, "use Tensor.array"),
    (lambda: torch.tensor([1.0]).shap, "neither has torch.Tensor.shap in PyTorch"),
    (lambda: torch.no_such_name, "denpa has no attribute 'no_such_name'"),
])
def test_missing_names_say_so(get, says):
    with pytest.raises(AttributeError, match=None) as info:
        get()
    assert says in str(info.value) and "Did you mean" not in str(info.value)


def test_a_failing_property_keeps_its_own_error():
    class Odd(autograd.Tensor):
        @property
        def broken(self):
            raise AttributeError("the property's own message")

    x = Odd(np.ones(2))
    with pytest.raises(AttributeError, match="the property's own message"):
        x.broken
    assert x.grad is None and not x.is_cuda and x.is_cpu


def test_no_leftover_suggestion_in_the_printed_traceback():
    code = "import denpa as torch\ntorch.tensor([1.0]).shap"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "neither has torch.Tensor.shap" in out.stderr and "Did you mean" not in out.stderr


def test_accelerator_backends_and_cuda_seeds_on_cpu():
    assert torch.accelerator.is_available() == torch.cuda.is_available()
    if not torch.cuda.is_available():
        assert torch.accelerator.current_accelerator() is None and torch.accelerator.device_count() == 0
    import denpa.backends.cudnn as cudnn

    cudnn.benchmark, cudnn.deterministic = True, True
    assert cudnn.benchmark and not cudnn.is_available() and cudnn.version() is None
    assert not torch.backends.mps.is_available()
    torch.manual_seed(3)
    a = torch.rand(3)
    torch.manual_seed(3)
    torch.cuda.manual_seed(99)  # the GPU's generator only: the CPU stream is untouched
    torch.cuda.manual_seed_all(99)
    assert bool((torch.rand(3) == a).all())


def test_inference_mode_every_spelling():
    x = torch.ones(2, requires_grad=True)
    with torch.inference_mode():
        assert torch.is_inference_mode_enabled() and not (x * 2).requires_grad
    assert not torch.is_inference_mode_enabled()
    with torch.no_grad():
        assert not torch.is_inference_mode_enabled()

    @torch.inference_mode
    def bare():
        return x * 2

    @torch.inference_mode()
    def called():
        return x * 2

    assert not bare().requires_grad and not called().requires_grad and torch.is_grad_enabled()
    with torch.inference_mode(False):
        assert (x * 2).requires_grad


def test_command_runs_as_python_m_denpa():
    out = subprocess.run([sys.executable, "-m", "denpa", "demo", "--steps", "5"], capture_output=True, text=True)
    assert out.returncode == 0 and "loss fell" in out.stdout


def test_compat_page_is_current():
    script = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "torch_compat.py"
    out = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
