"""denpa.distributed, DistributedDataParallel, SyncBatchNorm and DistributedSampler across 2 MPI processes.

Each test launches ``mpiexec -n 2 python tests/distributed_worker.py CASE`` (the checks run inside every rank;
see that file) with a bounded wall time. They skip only where mpi4py or an MPI launcher is missing
(``pip install 'denpa[distributed]'`` brings both); the CI script installs them, so there they run.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "distributed_worker.py")


def mpiexec():
    """The launcher next to this interpreter (the mpich wheel's), else the one on PATH."""
    local = os.path.join(sysconfig.get_path("scripts"), "mpiexec")
    return local if os.path.exists(local) else shutil.which("mpiexec")


def _missing():
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (pip install 'denpa[distributed]')"
    if mpiexec() is None:
        return "no mpiexec launcher (pip install 'denpa[distributed]' brings the mpich wheel's)"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))


def launch(*args, n=2, timeout=120, flags=(), env=None):
    """Run the worker on ``n`` ranks; returns (exit code, output, seconds)."""
    e = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    e.update(env or {})
    start = time.monotonic()
    p = subprocess.run([mpiexec(), *flags, "-n", str(n), sys.executable, WORKER, *args], capture_output=True,
                       text=True, timeout=timeout, env=e)
    return p.returncode, p.stdout + p.stderr, time.monotonic() - start


def run_case(case, *args, **kw):
    rc, out, _ = launch(case, *args, **kw)
    assert rc == 0, out[-4000:]
    for r in range(kw.get("n", 2)):
        assert f"{case} ok rank {r}" in out, out[-4000:]


def test_collectives_match_numpy_on_every_rank():
    run_case("collectives")


def test_distributed_sampler_covers_each_index_once_and_reshuffles():
    run_case("sampler")


def test_no_sync_accumulates_like_one_process():
    run_case("no_sync")


def test_find_unused_parameters_and_the_error_without_it():
    run_case("unused")


def test_two_ranks_train_exactly_as_one_process_and_checkpoints_load_in_one(tmp_path):
    run_case("equivalence", str(tmp_path))
    import nn

    for kind in ("mlp", "cnn"):
        for opt in ("sgd", "adam"):
            ddp = nn.load(str(tmp_path / f"{kind}_{opt}_ddp.pt"))
            ref = nn.load(str(tmp_path / f"{kind}_{opt}_ref.pt"))
            assert list(ddp) == list(ref)  # no "module." prefix: the inner module's state loads as is
            sys.path.insert(0, HERE)
            import distributed_worker as w

            model = (w.mlp if kind == "mlp" else w.cnn)().double()
            model.load_state_dict(ddp)  # written by rank 0 of a distributed run, loaded in one process
            for k, v in model.state_dict().items():
                assert np.max(np.abs(np.asarray(v.array, float) - np.asarray(ref[k].array, float))) <= 1e-12


def test_a_single_process_checkpoint_starts_every_rank(tmp_path):
    sys.path.insert(0, HERE)
    import autograd
    import distributed_worker as w
    import nn

    autograd.manual_seed(42)
    path = str(tmp_path / "start.pt")
    nn.save(w.mlp().double().state_dict(), path)
    run_case("checkpoint_in", path)


@pytest.mark.parametrize("how", ["raise", "kill"])
def test_a_failing_rank_stops_the_other_within_60_s(how):
    rc, out, took = launch("fault", how, timeout=90)
    assert rc != 0 and took < 60, out[-3000:]
    assert "unreachable" not in out
    if how == "raise":  # the survivor's own error names the failed rank and its exception
        assert "rank 1 failed (ValueError: injected failure at step 3)" in out, out[-3000:]


def test_a_stalled_rank_is_named_by_the_timeout():
    rc, out, took = launch("fault", "stall", timeout=90, env={"DIST_TEST_TIMEOUT": "5"})
    assert rc != 0 and took < 60, out[-3000:]
    assert "timed out after" in out and "rank 1 did not answer" in out, out[-3000:]


def test_one_process_without_mpiexec():
    """A process started without the launcher is a world of one: every collective is the identity."""
    code = ("import autograd, denpa.distributed as dist, nn\n"
            "dist.init_process_group('mpi', timeout=10)\n"
            "assert (dist.get_rank(), dist.get_world_size()) == (0, 1)\n"
            "t = autograd.tensor([1.0, 2.0]); dist.all_reduce(t, dist.ReduceOp.AVG); assert t.tolist() == [1.0, 2.0]\n"
            "m = nn.parallel.DistributedDataParallel(nn.Linear(3, 1)); m(autograd.ones(2, 3)).sum().backward()\n"
            "assert m.module.weight.grad.tolist() == [[2.0, 2.0, 2.0]]\n"
            "dist.destroy_process_group(); assert not dist.is_initialized(); print('single ok')\n")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       cwd=os.path.dirname(HERE))
    assert p.returncode == 0 and "single ok" in p.stdout, p.stdout + p.stderr
