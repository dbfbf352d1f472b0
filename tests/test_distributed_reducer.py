"""DistributedDataParallel's reducer in a world of one (no launcher needed): gradients start their bucket's
all-reduce from the post-accumulate-grad hook and the averages become ``.grad`` without a copy back, yet a
``.grad`` kept from an earlier step is never overwritten and no two parameters' gradients overlap."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytest.importorskip("mpi4py", reason="mpi4py is not installed (pip install 'denpa[distributed]')")

CODE = r'''
import itertools
import numpy as np
import autograd, denpa.distributed as dist, nn
dist.init_process_group("mpi", timeout=30)
autograd.manual_seed(0)
def net():
    return nn.Sequential(nn.Linear(300, 400), nn.ReLU(), nn.Linear(400, 400), nn.ReLU(), nn.Linear(400, 10)).double()
plain, inner = net(), net()
inner.load_state_dict(plain.state_dict())
ddp = nn.parallel.DistributedDataParallel(inner, bucket_cap_mb=0.5)
assert len(ddp._reducer.buckets) > 1
def step(model, seed, set_to_none=True):
    for p in model.parameters():
        if set_to_none:
            p.grad = None
        elif p.grad is not None:
            p.grad.array.fill(0)
    x = autograd.tensor(np.random.default_rng(seed).standard_normal((8, 300)))
    model(x).pow(2).sum().backward()
    return [p.grad for p in model.parameters()]
kept = step(ddp, 1)
copies = [g.array.copy() for g in kept]
for g, ref in zip(kept, step(plain, 1)):
    assert np.array_equal(g.array, ref.array)
assert all(g.array.base is not None for g in kept)  # each .grad is its bucket slot: no copy back
for a, b in itertools.combinations(kept, 2):
    assert not np.shares_memory(a.array, b.array)
now = step(ddp, 2)  # a new step: the gradients kept from the last one stay as they were
for g, c in zip(kept, copies):
    assert np.array_equal(g.array, c)
for g, ref in zip(now, step(plain, 2)):
    assert np.array_equal(g.array, ref.array)
del kept, now
for seed in (3, 4):  # zero_grad(set_to_none=False): zeroed in place, then accumulated
    for g, ref in zip(step(ddp, seed, False), step(plain, seed, False)):
        assert np.array_equal(g.array, ref.array)
with ddp.no_sync():  # accumulation, then the synced step reduces the sum
    step(ddp, 5)
    step(plain, 5)
x = autograd.tensor(np.random.default_rng(6).standard_normal((8, 300)))
ddp(x).pow(2).sum().backward()
plain(x).pow(2).sum().backward()
for p, q in zip(ddp.parameters(), plain.parameters()):
    assert np.allclose(p.grad.array, q.grad.array, rtol=1e-14, atol=0)
dist.destroy_process_group()
print("reducer ok")
'''


def test_gradients_are_bucket_slots_without_aliasing_across_steps():
    env = {k: v for k, v in os.environ.items() if k not in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE")}
    p = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=120, cwd=ROOT,
                       env=dict(env, OPENBLAS_NUM_THREADS="1"))
    assert p.returncode == 0 and "reducer ok" in p.stdout, p.stdout + p.stderr
