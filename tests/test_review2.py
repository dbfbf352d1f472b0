"""Regression tests from a numerical review against PyTorch 2.13 (float64, same weights).

Each test states what PyTorch does (they were strict xfails until the library was fixed).
"""
from __future__ import annotations

import numpy as np
import pytest

import denpa as torch
from denpa import nn

F = nn.functional


def test_bce_rejects_target_outside_unit_interval() -> None:
    # PyTorch 2.13: RuntimeError: all elements of target should be between 0 and 1
    x = torch.tensor([0.5], dtype=torch.float64)
    t = torch.tensor([2.0], dtype=torch.float64)
    with pytest.raises(RuntimeError):
        F.binary_cross_entropy(x, t)


def test_cross_entropy_probability_target_rejects_ignore_index() -> None:
    # PyTorch 2.13: RuntimeError: ignore_index is not supported for floating point target
    logits = torch.tensor(np.eye(3))
    probs = torch.tensor(np.eye(3)[[2, 0, 1]])
    with pytest.raises(RuntimeError):
        F.cross_entropy(logits, probs, ignore_index=0)


def test_clip_grad_norm_mixed_dtypes_promotes_total_norm() -> None:
    # PyTorch 2.13: tensor(8.246211117351791, dtype=float64): each tensor's norm in its own dtype, the total in
    # the promoted one (float32 sqrt(27) combined with float64 sqrt(41)); denpa answers float32 8.246211051940918
    a = torch.ones(3, dtype=torch.float32, requires_grad=True)
    b = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    a.grad = torch.full((3,), 3.0, dtype=torch.float32)
    b.grad = torch.tensor([4.0, 5.0], dtype=torch.float64)
    total = nn.utils.clip_grad_norm_([a, b], 1.0)
    assert total.dtype == torch.float64
    expected = np.sqrt(np.float64(np.sqrt(np.float32(27.0))) ** 2 + 41.0)
    assert abs(float(total) - expected) < 1e-12
