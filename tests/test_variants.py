"""Variant consistency, from the op declarations: each op's Tensor methods, operators, reflected operators and
in-place forms give what its function gives, on the registry's inputs."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings

import autograd
from autograd.node import Var
from autograd.ops.declare import DECLARED
from registry import REGISTRY
from test_registry import to_tensors

SPECS = [s for s in REGISTRY if s.names[0] in DECLARED and s.fn is DECLARED[s.names[0]].fn and (lambda d: d.methods or d.operators or d.reflected
                                                             or d.inplace)(DECLARED[s.names[0]])]
VARIANTS = settings(max_examples=6, derandomize=True, database=None, deadline=None,
                    suppress_health_check=list(HealthCheck))


def _same(a, b):
    if isinstance(a, (tuple, list)):
        assert isinstance(b, (tuple, list)) and len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
        return
    assert isinstance(b, Var) and a.shape == b.shape and a.dtype == b.dtype
    np.testing.assert_array_equal(np.asarray(a.array), np.asarray(b.array))


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.id)
def test_methods_operators_and_inplace_forms_agree_with_the_function(spec):
    d = DECLARED[spec.names[0]]

    @VARIANTS
    @given(spec.cases())
    def check(case):
        args, kw = case
        assume(spec.domain is None or spec.domain(args, kw))
        ts = to_tensors(args, requires_grad=False)
        assume(ts and isinstance(ts[0], Var))
        want = d.fn(*ts, **kw)
        k = d.self_arg  # the method's self: x.where(c, y) is where(c, x, y)
        if len(ts) > k and isinstance(ts[k], Var):
            for name in d.methods:
                _same(want, getattr(ts[k], name)(*ts[:k], *ts[k + 1:], **kw))
        if not kw and len(ts) == 2:
            for name in d.operators:
                _same(want, getattr(ts[0], name)(ts[1]))
            if isinstance(ts[1], Var):
                for name in d.reflected:  # b.__radd__(a) is a + b
                    _same(want, getattr(ts[1], name)(ts[0]))
        elif not kw and len(ts) == 1:
            for name in d.operators:
                _same(want, getattr(ts[0], name)())
        if isinstance(want, Var) and want.shape == ts[0].shape and want.dtype == ts[0].dtype:
            for name in d.inplace:
                x = ts[0].clone()
                if name.startswith("__"):
                    if kw or len(ts) != 2:
                        continue
                    x = getattr(x, name)(ts[1])
                else:
                    getattr(x, name)(*ts[1:], **kw)
                _same(want, x)

    check()
