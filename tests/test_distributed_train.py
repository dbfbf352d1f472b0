"""``denpa train`` under ``mpiexec -n 2``: the same run as one process, resume, files, and a rank that fails.

Tolerance: two ranks sum each batch's gradient in two halves where one process sums it whole, so float32
rounding differs (about 1e-7 relative per step). After 3 epochs of Adam on digits (120 steps, shards of 16 and
15 rows: unequal every step) the weights agree to 1e-5 absolute and the per-epoch losses to 1e-5 relative
(measured: 6e-8 and 3e-8); accuracies may differ by one sample at most.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from test_distributed import _missing, mpiexec  # noqa: E402  (the launcher the distributed tests use)

pytestmark = pytest.mark.skipif(_missing() is not None, reason=str(_missing()))

RUN = ["--dataset", "digits", "--model", "mlp", "--batch-size", "31", "--patience", "0", "--seed", "3"]
TOL = 1e-5


def env(**extra):
    e = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1",
             PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    for name in ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE", "PMIX_SIZE"):
        e.pop(name, None)  # the one-process runs must not look launched (pytest itself may be under mpiexec)
    e.update(extra)
    return e


def denpa(*args, n=1, timeout=240, flags=(), **extra):
    """``denpa train ...`` in one process (n=1) or under ``mpiexec -n n``; returns (code, output)."""
    cmd = [sys.executable, "-m", "denpa", "train", *args]
    if n > 1:
        cmd = [mpiexec(), *flags, "-n", str(n), *cmd]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env(**extra), cwd=ROOT)
    return p.returncode, p.stdout + p.stderr


def summary(folder):
    with open(os.path.join(folder, "summary.json")) as f:
        return json.load(f)


def weights(folder):
    import nn

    return {k: np.asarray(v.array, np.float64) for k, v in nn.load(os.path.join(folder, "model.npz")).items()}


def assert_close_runs(a, b):
    sa, sb = summary(a), summary(b)
    for key in ("loss", "val_loss"):
        x, y = np.array(sa["history"][key]), np.array(sb["history"][key])
        assert np.max(np.abs(x - y) / np.abs(x)) <= TOL, (key, x, y)
    for key, n in (("accuracy", sa["dataset"]["train"]), ("val_accuracy", sa["dataset"]["val"])):
        x, y = np.array(sa["history"][key]), np.array(sb["history"][key])
        assert np.max(np.abs(x - y)) <= 1.0 / n + 1e-12, (key, x, y)
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        assert np.max(np.abs(wa[k] - wb[k])) <= TOL, k


def test_two_processes_train_as_one_with_the_same_global_batch(tmp_path):
    one, two = str(tmp_path / "one"), str(tmp_path / "two")
    rc, out = denpa(*RUN, "--epochs", "3", "--out", one)
    assert rc == 0, out[-3000:]
    rc, out = denpa(*RUN, "--epochs", "3", "--out", two, n=2)
    assert rc == 0, out[-3000:]
    assert "batch 31 (2 processes, 16 each at most)" in out
    assert out.count("test accuracy") == 1 and out.count("epoch 3/3") == 1, out  # rank 0 speaks for the job
    assert_close_runs(one, two)
    s1, s2 = summary(one), summary(two)
    assert s1["world_size"] == 1 and s1["distributed"] is None
    assert s2["world_size"] == 2
    assert s2["distributed"] == {"backend": "mpi", "world_size": 2, "global_batch": 31, "batch_per_rank": [16, 15]}
    assert abs(s1["test"]["loss"] - s2["test"]["loss"]) <= TOL * s1["test"]["loss"]
    # only rank 0 wrote, atomically: the run's files and nothing else (no temporary files left)
    assert sorted(os.listdir(two)) == sorted(os.listdir(one))


def test_resume_across_world_sizes_continues_the_run(tmp_path):
    """2 epochs on 2 ranks, then one more in one process, then one more on 2 ranks: as 4 epochs straight."""
    straight, split = str(tmp_path / "straight"), str(tmp_path / "split")
    rc, out = denpa(*RUN, "--epochs", "4", "--out", straight)
    assert rc == 0, out[-3000:]
    rc, out = denpa(*RUN, "--epochs", "2", "--out", split, n=2)
    assert rc == 0, out[-3000:]
    rc, out = denpa("--resume", "--epochs", "3", "--out", split)
    assert rc == 0 and "resuming" in out, out[-3000:]
    rc, out = denpa("--resume", "--epochs", "4", "--out", split, n=2)
    assert rc == 0, out[-3000:]
    assert summary(split)["epochs_run"] == 4 and summary(split)["world_size"] == 2
    assert_close_runs(straight, split)


def test_a_global_batch_smaller_than_the_world_is_refused(tmp_path):
    rc, out = denpa(*RUN[:4], "--epochs", "1", "--batch-size", "1", "--out", str(tmp_path / "r"), n=2)
    assert rc == 2, out[-3000:]
    assert "--batch-size 1 is the global batch, shared by the 2 processes: give at least 2" in out


def test_a_rank_that_fails_stops_the_other_naming_it(tmp_path):
    """Rank 0 cannot write its checkpoint (a folder stands in its place): rank 1, in the next epoch's
    collectives, stops with an error naming rank 0 and its exception, at once (not at the timeout)."""
    out_dir = tmp_path / "r"
    (out_dir / "checkpoint.npz").mkdir(parents=True)
    start = time.monotonic()
    rc, out = denpa(*RUN, "--epochs", "50", "--out", str(out_dir), n=2, timeout=120, DENPA_DIST_TIMEOUT="100")
    took = time.monotonic() - start
    assert rc != 0 and took < 60, (took, out[-3000:])
    assert re.search(r"rank 1 of 2 stops: .*rank 0 failed \(IsADirectoryError: .*checkpoint\.npz", out), out[-3000:]


def _launch_and_kill_rank_1(tmp_path):
    """Start a long 2-rank run, kill rank 1 with SIGKILL once epoch 2 is done; returns (code, output, seconds
    from the kill to the job's end, rank -> pid as rank 0 printed them)."""
    cmd = [mpiexec(), "-n", "2", sys.executable, "-m", "denpa", "train", *RUN, "--epochs", "100000",
           "--out", str(tmp_path / "r")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env(), cwd=ROOT)
    lines, pids, killed_at = [], {}, None
    try:
        deadline = time.monotonic() + 120
        for line in p.stdout:
            lines.append(line)
            if line.startswith("denpa train: 2 processes"):
                pids = {int(r): int(pid) for r, pid in re.findall(r"rank (\d+): pid (\d+)", line)}
            if re.match(r"epoch +2/", line) and killed_at is None:
                assert set(pids) == {0, 1}, "".join(lines)
                os.kill(pids[1], signal.SIGKILL)
                killed_at = time.monotonic()
                break
            assert time.monotonic() < deadline, "".join(lines)
        assert killed_at is not None, "".join(lines)
        rest, _ = p.communicate(timeout=90)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, "".join(lines) + rest, time.monotonic() - killed_at, pids


def test_a_killed_rank_ends_the_job_and_the_output_names_it(tmp_path):
    """MPICH's launcher kills the survivors at once (SIGKILL: they cannot speak) and names the dead process by
    PID only; rank 0's first line maps that PID to rank 1. (Open MPI's launcher names the rank itself.)"""
    rc, out, took, pids = _launch_and_kill_rank_1(tmp_path)
    assert rc != 0 and took < 60, (took, out[-3000:])
    hydra = re.search(r"PID (\d+) RUNNING AT", out)
    openmpi = re.search(r"process rank (\d+) with PID (\d+)", out)
    assert (hydra and int(hydra.group(1)) == pids[1]) or (openmpi and openmpi.groups() == ("1", str(pids[1]))), \
        out[-3000:]
