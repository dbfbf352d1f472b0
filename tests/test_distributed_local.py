"""The parts of denpa.distributed that need no second process: argument errors, the sampler's arithmetic,
SyncBatchNorm without a process group, bucket assignment, and the NCCL backend's availability check."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import autograd
import denpa
import denpa.distributed as dist
import nn
from autograd.data import DistributedSampler
from nn.parallel.reducer import assign_buckets


def test_namespace():
    assert denpa.distributed is dist and dist.ReduceOp.SUM.name == "SUM"
    assert denpa.utils.data.DistributedSampler is DistributedSampler
    assert denpa.nn.parallel.DistributedDataParallel is nn.parallel.DistributedDataParallel
    assert not dist.is_initialized()


def test_uninitialised_group_errors():
    for call in (dist.get_rank, dist.get_world_size, dist.barrier, lambda: dist.all_reduce(autograd.ones(1)),
                 lambda: nn.parallel.DistributedDataParallel(nn.Linear(1, 1))):
        with pytest.raises(ValueError, match="not been initialized"):
            call()
    with pytest.raises(ValueError, match="not been initialized"):
        dist.destroy_process_group()


def test_init_argument_errors():
    with pytest.raises(ValueError, match="backend must be 'mpi' or 'nccl'"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="init_method"):
        dist.init_process_group("mpi", init_method="tcp://10.0.0.1:23456")
    with pytest.raises(ValueError, match="timeout"):
        dist.init_process_group("mpi", timeout=-1)
    assert not dist.is_initialized()


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 40), replicas=st.integers(1, 5), drop_last=st.booleans(), shuffle=st.booleans(),
       epoch=st.integers(0, 3))
def test_sampler_partitions_every_epoch(n, replicas, drop_last, shuffle, epoch):
    shares = []
    for r in range(replicas):
        s = DistributedSampler(range(n), replicas, r, shuffle=shuffle, seed=1, drop_last=drop_last)
        s.set_epoch(epoch)
        shares.append(list(s))
        assert len(s) == len(shares[-1])
    assert len({len(x) for x in shares}) == 1  # equal shares: no rank waits for another at the epoch's end
    flat = [i for x in shares for i in x]
    if drop_last:
        assert len(flat) == len(set(flat)) == n - n % replicas
    elif n:
        assert set(flat) == set(range(n)) and len(flat) == n + (-n) % replicas


def test_sampler_order_changes_with_epoch_and_seed():
    s = DistributedSampler(range(100), 2, 0, seed=5)
    first = list(s)
    assert list(s) == first  # same epoch: same order
    s.set_epoch(1)
    assert list(s) != first
    assert list(DistributedSampler(range(100), 2, 0, seed=6)) != first
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(range(4), 2, 2)
    with pytest.raises(RuntimeError, match="init_process_group"):
        DistributedSampler(range(4))


def test_sampler_feeds_a_dataloader():
    ds = autograd.data.TensorDataset(autograd.arange(10.0))
    loader = autograd.data.DataLoader(ds, batch_size=3, sampler=DistributedSampler(ds, 2, 1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1.0, 3.0, 5.0], [7.0, 9.0]]


def test_sync_batchnorm_without_a_group_is_batchnorm():
    autograd.manual_seed(0)
    x = autograd.randn(6, 3, 4, 4, dtype=autograd.float64)
    bn, sbn = nn.BatchNorm2d(3).double(), nn.SyncBatchNorm(3).double()
    assert np.allclose(bn(x).array, sbn(x).array)
    assert np.allclose(bn.running_var.array, sbn.running_var.array)
    sbn.eval(), bn.eval()
    assert np.allclose(bn(x).array, sbn(x).array)
    with pytest.raises(ValueError, match="at least 2D"):
        sbn(autograd.ones(3))


def test_convert_sync_batchnorm_keeps_parameters_and_buffers():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Sequential(nn.BatchNorm1d(5)))
    w, rm = net[1].weight, net[1].running_mean
    out = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net and type(net[1]) is nn.SyncBatchNorm and type(net[2][0]) is nn.SyncBatchNorm
    assert net[1].weight is w and net[1].running_mean is rm
    assert sorted(net.state_dict()) == sorted(["0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean",
                                               "1.running_var", "1.num_batches_tracked", "2.0.weight", "2.0.bias",
                                               "2.0.running_mean", "2.0.running_var", "2.0.num_batches_tracked"])


def test_buckets_reverse_order_and_cap():
    params = [nn.Parameter(autograd.zeros(n)) for n in (1000, 10, 1000, 10)]  # float32: 4000 and 40 bytes
    buckets = assign_buckets(params, cap_bytes=4040, first_cap_bytes=100)
    assert [b.members for b in buckets] == [[3, 2], [1, 0]]
    assert [b.offsets for b in buckets] == [[0, 10], [0, 10]]
    mixed = [nn.Parameter(autograd.zeros(2)), nn.Parameter(autograd.zeros(2, dtype=autograd.float64))]
    assert [b.members for b in assign_buckets(mixed, 1 << 20)] == [[1], [0]]  # one dtype per bucket


def test_nccl_backend_skips_cleanly_without_cuda():
    if dist.is_nccl_available():  # pragma: no cover - a GPU machine
        pytest.skip("a GPU is here: the 2-GPU NCCL run belongs to test_distributed_nccl")
    assert dist.is_nccl_available() is False
