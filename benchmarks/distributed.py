"""Data-parallel training over MPI: 1 process against 2, one BLAS thread each (DistributedDataParallel).

Models: the MLP 784-512-256-10 (batch 128 per process) and the CNN of ``cnn.py`` (batch 64 per process),
float32, cross-entropy, SGD. Printed per model and world size: steps per second (every rank steps at once, so
the job's throughput in samples/s is world size x batch x steps/s), the share of a step spent blocked on
gradient all-reduces, and backward-plus-communication (DDP's backward) against backward alone (the same model
without DDP, same rank, same batch): the overlap. Also the scaling: 2-process throughput / 1-process.

Target: 2 processes give at least 1.7 times the throughput of 1 on the CNN (this 2-core machine).

    python benchmarks/distributed.py [--steps N] [--bucket-cap-mb MB]

It starts ``mpiexec -n 1`` and ``mpiexec -n 2`` of itself (``--worker``); needs ``pip install 'denpa[distributed]'``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = 1.7


def models():
    import nn

    mlp = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(),
                        nn.Linear(256, 10))
    cnn = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 3, padding=1),
                        nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1568, 10))
    return {"mlp": (mlp, 128), "cnn": (cnn, 64)}


def worker(steps: int, cap: float) -> None:
    sys.path.insert(0, REPO_ROOT)
    import numpy as np

    import autograd
    import denpa.distributed as dist
    import nn
    import optim

    dist.init_process_group("mpi", timeout=120)
    rank, world = dist.get_rank(), dist.get_world_size()
    out = {}
    for name, (model, batch) in models().items():
        g = np.random.default_rng(rank)
        x = autograd.tensor(g.standard_normal((batch, 1, 28, 28)).astype(np.float32))
        y = autograd.tensor(g.integers(0, 10, batch))
        loss_fn = nn.CrossEntropyLoss()
        plain = models()[name][0]  # backward alone: the same architecture without DDP
        plain.load_state_dict(model.state_dict())
        ddp = nn.parallel.DistributedDataParallel(model, bucket_cap_mb=cap)
        opt = optim.SGD(ddp.parameters(), lr=0.01)
        plain_opt = optim.SGD(plain.parameters(), lr=0.01)
        step_t, bwd_t, alone_t, waits = [], [], [], []
        for i in range(steps + 3):
            dist.barrier()  # every step starts together: the timings are per step, not skewed by the last one
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(ddp(x), y)
            w0 = ddp._comm_wait_s
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            t3 = time.perf_counter()
            plain_opt.zero_grad()
            lp = loss_fn(plain(x), y)
            t4 = time.perf_counter()
            lp.backward()
            t5 = time.perf_counter()
            if i >= 3:  # warm-up steps are not counted
                step_t.append(t3 - t0)
                bwd_t.append(t2 - t1)
                alone_t.append(t5 - t4)
                waits.append(ddp._comm_wait_s - w0)
        med = statistics.median
        out[name] = {"step_s": med(step_t), "backward_comm_s": med(bwd_t), "backward_alone_s": med(alone_t),
                     "wait_s": med(waits), "batch": batch}
    worst = autograd.tensor([out[n]["step_s"] for n in sorted(out)], dtype=autograd.float64)
    dist.all_reduce(worst, dist.ReduceOp.MAX)  # the job steps at its slowest rank's pace
    for n, v in zip(sorted(out), worst.tolist()):
        out[n]["step_s"] = v
    if rank == 0:
        print("RESULT " + json.dumps({"world": world, "models": out}), flush=True)
    dist.destroy_process_group()


def launch(n: int, steps: int, cap: float) -> dict:
    exe = os.path.join(sysconfig.get_path("scripts"), "mpiexec")
    exe = exe if os.path.exists(exe) else shutil.which("mpiexec")
    if exe is None:
        raise SystemExit("no mpiexec: pip install 'denpa[distributed]'")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    p = subprocess.run([exe, "-n", str(n), sys.executable, os.path.abspath(__file__), "--worker", "--steps",
                        str(steps), "--bucket-cap-mb", str(cap)], capture_output=True, text=True, env=env,
                       timeout=1200)
    for line in p.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"mpiexec -n {n} failed:\n{p.stdout}\n{p.stderr}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--bucket-cap-mb", type=float, default=25.0)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        worker(args.steps, args.bucket_cap_mb)
        return 0
    runs = {n: launch(n, args.steps, args.bucket_cap_mb) for n in (1, 2)}
    print(f"DistributedDataParallel over MPI, one BLAS thread per process, {args.steps} steps, "
          f"bucket_cap_mb={args.bucket_cap_mb:g}")
    print(f"{'model':5} {'procs':>5} {'steps/s':>8} {'samples/s':>10} {'comm wait':>10} {'bwd+comm ms':>12} "
          f"{'bwd alone ms':>13}")
    ok = True
    for name in ("mlp", "cnn"):
        thr = {}
        for n, run in runs.items():
            m = run["models"][name]
            sps = 1.0 / m["step_s"]
            thr[n] = sps * n * m["batch"]
            print(f"{name:5} {n:>5} {sps:8.2f} {thr[n]:10.0f} {100 * m['wait_s'] / m['step_s']:9.1f}% "
                  f"{1e3 * m['backward_comm_s']:12.2f} {1e3 * m['backward_alone_s']:13.2f}")
        scale = thr[2] / thr[1]
        print(f"{name:5} throughput 2 procs / 1 proc: {scale:.2f}x" + (f" (target {TARGET}x)" if name == "cnn" else ""))
        if name == "cnn":
            ok = scale >= TARGET
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
