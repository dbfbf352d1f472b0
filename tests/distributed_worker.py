"""What each rank runs for tests/test_distributed*.py: ``mpiexec -n 2 python tests/distributed_worker.py CASE``.

Each case checks its results on every rank and raises on a mismatch (the excepthook of
``init_process_group`` then aborts the job, so the launcher exits non-zero); it prints ``CASE ok`` at the end.
Data is drawn from seeded generators, so each rank can rebuild every other rank's inputs for the NumPy
reference.
"""
from __future__ import annotations

import copy
import os
import signal
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import autograd  # noqa: E402
import denpa.distributed as dist  # noqa: E402
import nn  # noqa: E402
import optim  # noqa: E402
from autograd.data import DistributedSampler  # noqa: E402
from nn.parallel import DistributedDataParallel as DDP  # noqa: E402

R = dist.ReduceOp


def rank_data(r, shape, dtype=np.float64, seed=0):
    return np.random.default_rng(1000 * seed + r).standard_normal(shape).astype(dtype)


def expect(cond, what):
    if not cond:
        raise AssertionError(f"rank {dist.get_rank()}: {what}")


def expect_raises(fn, exc, words):
    try:
        fn()
    except exc as e:
        for w in words:
            expect(w in str(e), f"error message lacks {w!r}: {e}")
        return str(e)
    raise AssertionError(f"rank {dist.get_rank()}: expected {exc.__name__}")


# -- collectives against NumPy ------------------------------------------------------------------------------------
def case_collectives():
    r, n = dist.get_rank(), dist.get_world_size()
    every = [rank_data(q, (3, 4)) for q in range(n)]
    refs = {R.SUM: sum(every), R.PRODUCT: np.prod(every, axis=0), R.MIN: np.min(every, axis=0),
            R.MAX: np.max(every, axis=0), R.AVG: sum(every) / n}
    for op, ref in refs.items():
        t = autograd.tensor(every[r].copy())
        before = t.array
        dist.all_reduce(t, op)
        expect(t.array is before, f"{op}: all_reduce must work in place")
        expect(np.allclose(t.array, ref, rtol=1e-14, atol=1e-14), f"all_reduce {op}")
    ints = [np.random.default_rng(q).integers(0, 1 << 20, 6) for q in range(n)]
    for op, ref in ((R.BAND, np.bitwise_and.reduce(ints)), (R.BOR, np.bitwise_or.reduce(ints)),
                    (R.BXOR, np.bitwise_xor.reduce(ints)), (R.SUM, sum(ints))):
        t = autograd.tensor(ints[r].copy())
        dist.all_reduce(t, op)
        expect(np.array_equal(t.array, ref), f"integer all_reduce {op}")
    # a non-contiguous view is reduced through a copy and written back; a 0-d tensor works too
    base = autograd.tensor(every[r].copy())
    view = base.t()
    dist.all_reduce(view)
    expect(np.allclose(base.array, refs[R.SUM]), "all_reduce of a transposed view")
    s = autograd.tensor(float(r + 1))
    dist.all_reduce(s, R.MAX)
    expect(s.item() == n, "0-d all_reduce")
    f32 = autograd.tensor(every[r].astype(np.float32))
    dist.all_reduce(f32)
    expect(f32.dtype == np.float32 and np.allclose(f32.array, refs[R.SUM], rtol=1e-5), "float32 all_reduce")
    for src in range(n):
        t = autograd.tensor(every[r].copy())
        dist.broadcast(t, src)
        expect(np.array_equal(t.array, every[src]), f"broadcast from {src}")
    outs = [autograd.zeros(3, 4, dtype=autograd.float64) for _ in range(n)]
    dist.all_gather(outs, autograd.tensor(every[r]))
    expect(all(np.array_equal(o.array, every[q]) for q, o in enumerate(outs)), "all_gather")
    big = autograd.zeros(n * 3, 4, dtype=autograd.float64)
    dist.all_gather_into_tensor(big, autograd.tensor(every[r]))
    expect(np.array_equal(big.array, np.concatenate(every)), "all_gather_into_tensor")
    lists = [[rank_data(q, (2, 2), seed=7 + k) for k in range(n)] for q in range(n)]
    out = autograd.zeros(2, 2, dtype=autograd.float64)
    dist.reduce_scatter(out, [autograd.tensor(a) for a in lists[r]])
    expect(np.allclose(out.array, sum(lists[q][r] for q in range(n))), "reduce_scatter")
    flat = [np.concatenate(lists[q]) for q in range(n)]
    dist.reduce_scatter_tensor(out, autograd.tensor(flat[r]), R.MAX)
    expect(np.allclose(out.array, np.max([f[2 * r:2 * r + 2] for f in flat], axis=0)), "reduce_scatter_tensor")
    # point to point: a ring, then any-source receives
    right, left = (r + 1) % n, (r - 1) % n
    box = autograd.zeros(3, 4, dtype=autograd.float64)
    sent = dist.isend(autograd.tensor(every[r]), right)
    got = dist.irecv(box, left)
    got.wait()
    sent.wait()
    expect(np.array_equal(box.array, every[left]), "isend/irecv ring")
    if r == 0:
        senders = sorted(dist.recv(box, tag=3) for _ in range(n - 1))
        expect(senders == list(range(1, n)), f"recv from any source gave {senders}")
    else:
        dist.send(autograd.tensor(every[r]), 0, tag=3)
    # async handles: several in flight, waited in reverse order
    ts = [autograd.tensor(rank_data(r, (50,), seed=20 + k)) for k in range(4)]
    works = [dist.all_reduce(t, R.SUM, async_op=True) for t in ts]
    expect(all(isinstance(w, dist.Work) for w in works), "async_op returns Work")
    for w in reversed(works):
        expect(w.wait() is True, "Work.wait()")
    for k, t in enumerate(ts):
        expect(np.allclose(t.array, sum(rank_data(q, (50,), seed=20 + k) for q in range(n))), "async all_reduce")
        expect(works[k].is_completed(), "is_completed after wait")
    wb = dist.broadcast(autograd.tensor(every[r].copy()), 0, async_op=True)
    wb.wait()
    dist.barrier()
    # the version counter moves: backward refuses a tensor that a collective changed after it was saved
    w = autograd.tensor([1.0, 2.0], requires_grad=True)
    x = autograd.tensor([3.0, 4.0])
    y = (w * x).sum()
    dist.all_reduce(x)
    expect_raises(y.backward, RuntimeError, ["modified by an in-place"])
    # mismatches are errors that list every rank's call, never hangs
    expect_raises(lambda: dist.all_reduce(autograd.zeros(3 + r)), dist.DistBackendError,
                  ["rank 0", "rank 1", "(3,)", "(4,)"])
    expect_raises(lambda: dist.all_reduce(autograd.zeros(3, dtype=autograd.float64 if r else autograd.float32)),
                  dist.DistBackendError, ["float32", "float64"])
    expect_raises(lambda: (dist.all_reduce if r == 0 else lambda t: dist.broadcast(t, 0))(autograd.zeros(2)),
                  dist.DistBackendError, ["all_reduce", "broadcast"])
    if r == 0:
        expect_raises(lambda: dist.recv(autograd.zeros(5), 1), dist.DistBackendError, ["rank 1 sent", "(4,)", "(5,)"])
    elif r == 1:
        dist.isend(autograd.zeros(4), 0)  # never received in full: the receiver refused it
    dist.barrier()
    expect_raises(lambda: dist.all_reduce(autograd.zeros(2), "sum"), TypeError, ["ReduceOp"])
    expect_raises(lambda: dist.all_reduce(autograd.zeros(2, dtype=autograd.int64), R.AVG), TypeError, ["floating"])
    expect_raises(lambda: dist.broadcast(autograd.zeros(2), n), ValueError, ["src"])


# -- models ------------------------------------------------------------------------------------------------------------
def mlp():
    return nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 16), nn.Tanh(), nn.Linear(16, 5))


def cnn():
    # no conv bias before a batch norm: its true gradient is 0, and Adam would scale the rounding noise up to lr
    return nn.Sequential(nn.Conv2d(2, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 6, 3, bias=False), nn.BatchNorm2d(6), nn.ReLU(), nn.Flatten(), nn.Linear(6 * 2 * 2, 5))


def batches(kind, steps, size, seed=5):
    g = np.random.default_rng(seed)
    shape = (size, 20) if kind == "mlp" else (size, 2, 8, 8)
    return [(g.standard_normal(shape), g.integers(0, 5, size)) for _ in range(steps)]


def train(model, opt, data, lo, hi):
    loss_fn = nn.CrossEntropyLoss()
    for x, y in data:
        opt.zero_grad()
        loss = loss_fn(model(autograd.tensor(x[lo:hi])), autograd.tensor(y[lo:hi]))
        loss.backward()
        opt.step()


def make_opt(name, params):
    return optim.SGD(params, lr=0.1, momentum=0.9) if name == "sgd" else optim.Adam(params, lr=1e-2)


def case_equivalence():
    r, n = dist.get_rank(), dist.get_world_size()
    per = 32
    out_dir = sys.argv[2] if len(sys.argv) > 2 else None
    for kind in ("mlp", "cnn"):
        for opt_name in ("sgd", "adam"):
            autograd.manual_seed(11)
            ref = (mlp if kind == "mlp" else cnn)().double()
            start = copy.deepcopy(ref.state_dict())
            data = batches(kind, 5, per * n)
            train(ref, make_opt(opt_name, ref.parameters()), data, 0, per * n)  # one process, batch 64
            autograd.manual_seed(100 + r)  # every rank starts from different weights: DDP must copy rank 0's
            local = (mlp if kind == "mlp" else cnn)().double()
            if r == 0:
                local.load_state_dict(start)
            if kind == "cnn":
                local = nn.SyncBatchNorm.convert_sync_batchnorm(local)
            model = DDP(local)
            expect(all(k.startswith("module.") for k in model.state_dict()), "state_dict keys start with module.")
            train(model, make_opt(opt_name, model.parameters()), data, per * r, per * (r + 1))
            for (name, a), b in zip(ref.state_dict().items(), model.module.state_dict().values()):
                diff = float(np.max(np.abs(np.asarray(a.array, np.float64) - np.asarray(b.array, np.float64))))
                expect(diff <= 1e-12, f"{kind}/{opt_name}: {name} differs from one process by {diff:.3g}")
            if r == 0 and out_dir:  # a checkpoint written in distributed training, loaded later in one process
                nn.save(model.module.state_dict(), os.path.join(out_dir, f"{kind}_{opt_name}_ddp.pt"))
                nn.save(ref.state_dict(), os.path.join(out_dir, f"{kind}_{opt_name}_ref.pt"))
    dist.barrier()


def case_checkpoint_in():
    """A checkpoint written by one process, loaded by rank 0 only, is what every rank trains from."""
    r = dist.get_rank()
    autograd.manual_seed(300 + r)
    model = mlp().double()
    if r == 0:
        model.load_state_dict(nn.load(sys.argv[2]))
    ddp = DDP(model)
    want = nn.load(sys.argv[2])
    for k, v in ddp.module.state_dict().items():
        expect(np.array_equal(v.array, want[k].array), f"rank {r}: {k} is not the checkpoint's")


def case_no_sync():
    r, n = dist.get_rank(), dist.get_world_size()
    autograd.manual_seed(3)
    ref = mlp().double()
    model = DDP(copy.deepcopy(ref), bucket_cap_mb=0.001)  # tiny buckets: several all-reduces overlap backward
    expect(len(model._reducer.buckets) > 1, "several buckets")
    data = batches("mlp", 3, 8 * n, seed=9)
    loss_fn = nn.CrossEntropyLoss()
    with model.no_sync():
        for x, y in data[:2]:
            loss_fn(model(autograd.tensor(x[8 * r:8 * r + 8])), autograd.tensor(y[8 * r:8 * r + 8])).backward()
    local = [p.grad.array.copy() for p in model.parameters()]
    gathered = [autograd.zeros(*a.shape, dtype=autograd.float64) for a in local for _ in range(n)]
    x, y = data[2]
    loss_fn(model(autograd.tensor(x[8 * r:8 * r + 8])), autograd.tensor(y[8 * r:8 * r + 8])).backward()
    for x, y in data:  # one process: every micro-batch of every rank, each loss averaged over ranks
        for q in range(n):
            (loss_fn(ref(autograd.tensor(x[8 * q:8 * q + 8])), autograd.tensor(y[8 * q:8 * q + 8])) / n).backward()
    for (name, p), q in zip(model.module.named_parameters(), ref.parameters()):
        diff = float(np.max(np.abs(p.grad.array - q.grad.array)))
        expect(diff <= 1e-12, f"no_sync accumulation: {name} gradient differs by {diff:.3g}")
    # inside no_sync nothing was communicated: the ranks' local sums differed
    outs = [autograd.zeros(*local[0].shape, dtype=autograd.float64) for _ in range(n)]
    dist.all_gather(outs, autograd.tensor(local[0]))
    expect(not np.array_equal(outs[0].array, outs[1].array), "no_sync must not reduce")
    del gathered


class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 3)
        self.b = nn.Linear(4, 3)
        self.c = nn.Linear(4, 3)  # never used

    def forward(self, x, use_b):
        return self.a(x) + (self.b(x) if use_b else 0)


def case_unused():
    r, n = dist.get_rank(), dist.get_world_size()
    autograd.manual_seed(4)
    model = DDP(Branchy().double(), find_unused_parameters=True)
    x = autograd.tensor(rank_data(r, (6, 4)))
    model(x, use_b=(r == 0)).sum().backward()
    xs = [rank_data(q, (6, 4)) for q in range(n)]
    # b is used on rank 0 only: its gradient is rank 0's divided by n; c is used nowhere: no gradient
    gb = np.ones((6, 3)).T @ xs[0] / n
    expect(np.allclose(model.module.b.weight.grad.array, gb), "locally unused parameter: averaged gradient")
    expect(model.module.c.weight.grad is None, "globally unused parameter keeps grad None")
    ga = np.ones((6, 3)).T @ sum(xs) / n
    expect(np.allclose(model.module.a.weight.grad.array, ga), "used parameter: averaged gradient")
    strict = DDP(Branchy().double())
    strict(x, use_b=True).sum().backward()
    expect_raises(lambda: strict(x, use_b=True), RuntimeError, ["find_unused_parameters", "c.weight", "c.bias"])


def case_sampler():
    r, n = dist.get_rank(), dist.get_world_size()
    for size in (10, 11):
        for drop_last in (False, True):
            s = DistributedSampler(range(size), drop_last=drop_last, seed=3)
            orders = []
            for epoch in (0, 1):
                s.set_epoch(epoch)
                mine = autograd.tensor(np.array(list(s), np.int64))
                expect(len(s) == mine.shape[0], "len matches the indices")
                every = [autograd.zeros(len(s), dtype=autograd.int64) for _ in range(n)]
                dist.all_gather(every, mine)
                idx = np.concatenate([e.array for e in every])
                if drop_last:
                    expect(len(idx) == size - size % n and len(set(idx.tolist())) == len(idx), "drop_last: disjoint")
                else:
                    expect(set(idx.tolist()) == set(range(size)), "every index at least once")
                    expect(len(idx) == size + (-size) % n, "padded to a multiple of the world size")
                orders.append(idx)
            expect(not np.array_equal(orders[0], orders[1]), "set_epoch changes the order")


# -- faults --------------------------------------------------------------------------------------------------------
def case_fault():
    """Rank 1 raises, is killed, or stalls at step 3 of a DDP training loop; rank 0 must stop."""
    r = dist.get_rank()
    how = sys.argv[2]
    autograd.manual_seed(1)
    model = DDP(mlp())
    opt = optim.SGD(model.parameters(), lr=0.01)
    loss_fn = nn.CrossEntropyLoss()
    for step, (x, y) in enumerate(batches("mlp", 1000, 16)):
        if r == 1 and step == 3:
            print(f"rank 1: {how} at step 3", flush=True)
            if how == "raise":
                raise ValueError("injected failure at step 3")
            if how == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            if how == "stall":
                time.sleep(120)
        opt.zero_grad()
        loss_fn(model(autograd.tensor(x, dtype=autograd.float32)), autograd.tensor(y)).backward()
        opt.step()
    print("unreachable: the loop should have stopped", flush=True)


CASES = {name[5:]: fn for name, fn in globals().items() if name.startswith("case_")}

if __name__ == "__main__":
    dist.init_process_group("mpi", timeout=float(os.environ.get("DIST_TEST_TIMEOUT", "60")))
    CASES[sys.argv[1]]()
    dist.barrier()
    print(f"{sys.argv[1]} ok rank {dist.get_rank()}", flush=True)
    dist.destroy_process_group()
