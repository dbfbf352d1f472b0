"""GPU training speed: the same nn models trained on the CPU (NumPy), on CUDA (CuPy), and in PyTorch on CUDA.

Two workloads, float32, cross-entropy, plain SGD (lr 0.01), each run for 50 steps after 3 warm-up steps:

- MLP 784-2048-2048-10 (ReLU), batch 1024;
- CNN Conv2d(1, 16, 3, pad 1), ReLU, MaxPool 2, Conv2d(16, 32, 3, pad 1), ReLU, MaxPool 2, Flatten,
  Linear(1568, 10), batch 512 of 1x28x28.

A step is ``zero_grad``, forward, loss, ``backward``, ``optimizer.step()``, exactly as a user writes it; the only
difference between the CPU and CUDA runs is ``model.to(device)`` and the device of the batch. Every engine starts
from the same weights, and the script checks that the first losses agree. GPU timings end with a device
synchronisation (kernels run asynchronously), so a figure is the wall time of the whole 50 steps divided by 50.
PyTorch runs in full float32 (TF32 off), as CuPy does by default, so both do the same arithmetic.

Targets: on the MLP, denpa on CUDA at least 30 times the steps per second of denpa on the CPU; on both models,
denpa's CUDA step at most 1.5 times PyTorch's CUDA step. Without CuPy or a GPU the CPU part still runs and the
CUDA part is reported as skipped, with the reason.

    python benchmarks/gpu.py [--quick] [--repeat N] [--strict] [--no-gc] [--steps N] [--model mlp|cnn|both]
                             [--skip-without-cuda]

``--quick`` runs 3 steps (1 warm-up) and judges nothing; ``--repeat N`` takes the median of N runs of the steps;
``--skip-without-cuda`` (used by run_all.py) does nothing but report the skip when CUDA is unavailable.
"""
from __future__ import annotations

import gc
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common as C  # noqa: E402

LR = 0.01
STEPS, WARMUP = 50, 3
MLP_BATCH, CNN_BATCH = 1024, 512
TARGET_VS_CPU, TARGET_VS_TORCH = 30.0, 1.5


def parse(argv):
    p = C.parser(__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=None, help=f"timed training steps per run (default {STEPS})")
    p.add_argument("--model", choices=("mlp", "cnn", "both"), default="both")
    p.add_argument("--skip-without-cuda", action="store_true",
                   help="without CuPy or a GPU, only report the skip (run_all.py's default: no minutes on CPUs)")
    args = p.parse_args(argv)
    C.GC_DURING_TIMING = not args.no_gc
    return args


# -- the two models, in denpa and in PyTorch (same layers, same state_dict keys) ----------------------------------

def build(nn, kind):
    if kind == "mlp":
        return nn.Sequential(nn.Linear(784, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 10))
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Flatten(), nn.Linear(32 * 7 * 7, 10))


def make_data(np, kind, seed=0):
    rng = np.random.default_rng(seed)
    shape = (MLP_BATCH, 784) if kind == "mlp" else (CNN_BATCH, 1, 28, 28)
    return rng.standard_normal(shape).astype(np.float32), rng.integers(0, 10, shape[0])


def denpa_engine(autograd, nn, optim, kind, device, state, x, y):
    """A training step of denpa on ``device``, from the weights in ``state``; and the device's synchronisation."""
    model = build(nn, kind)
    model.load_state_dict(state)
    model.to(device)
    stray = [name for name, p in model.named_parameters() if p.device.type != autograd.device(device).type]
    if stray:
        raise RuntimeError(f"Module.to({device!r}) left parameters {stray} on another device")
    step = sgd_step(model, optim.SGD(model.parameters(), lr=LR), nn.functional.cross_entropy,
                    autograd.tensor(x, device=device), autograd.tensor(y, device=device))
    return step, autograd.cuda.synchronize if autograd.device(device).type == "cuda" else (lambda: None)


def torch_engine(torch, kind, state, x, y):
    torch.backends.cuda.matmul.allow_tf32 = False  # full float32, as CuPy's default
    torch.backends.cudnn.allow_tf32 = False
    model = build(torch.nn, kind).cuda()
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in state.items()})
    step = sgd_step(model, torch.optim.SGD(model.parameters(), lr=LR), torch.nn.functional.cross_entropy,
                    torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda())
    return step, torch.cuda.synchronize


def sgd_step(model, opt, loss_fn, x, y):
    """One training step as a user writes it (the same code for denpa and PyTorch)."""
    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return step


def time_steps(step, sync, steps, warmup, repeat):
    """(median seconds per step over ``repeat`` runs of ``steps`` steps, the first warm-up step's loss)."""
    first = float(step())  # float() waits for the GPU: the loss is on the host after it
    for _ in range(warmup - 1):
        step()
    sync()
    gc.collect()
    if not C.GC_DURING_TIMING:
        gc.disable()
    try:
        times = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(steps):
                step()
            sync()
            times.append((time.perf_counter() - t0) / steps)
    finally:
        gc.enable()
    C.last_times[:] = times
    return statistics.median(times), first


def cuda_status(autograd):
    """(True, GPU name) or (False, why CUDA cannot run here)."""
    if not autograd.cuda.is_available():
        try:
            autograd.zeros(1, device="cuda")
        except RuntimeError as e:
            return False, str(e)
        return False, "autograd.cuda.is_available() is False"  # pragma: no cover - the call above raises
    return True, autograd.cuda.get_device_name()


def torch_cuda(refs):
    torch, why = refs["torch"]
    if torch is None:
        return None, why
    if not torch.cuda.is_available():
        return None, f"torch {torch.__version__} sees no CUDA device"
    return torch, None


def bench_model(kind, ctx):
    autograd, nn, optim, np, cuda_ok, torch = ctx["autograd"], ctx["nn"], ctx["optim"], ctx["np"], ctx["cuda_ok"], \
        ctx["torch"]
    steps, warmup, repeat = ctx["steps"], ctx["warmup"], ctx["repeat"]
    x, y = make_data(np, kind)
    autograd.manual_seed(0)
    state = {k: v.numpy().copy() for k, v in build(nn, kind).state_dict().items()}
    batch = MLP_BATCH if kind == "mlp" else CNN_BATCH
    what = "MLP 784-2048-2048-10" if kind == "mlp" else "CNN conv16-conv32-linear, 1x28x28"
    print(f"   -- {what}, batch {batch}: ms per step (steps/s)")
    t, losses = {}, {}
    t["cpu"], losses["cpu"] = time_steps(*denpa_engine(autograd, nn, optim, kind, "cpu", state, x, y),
                                         steps, warmup, repeat)
    C.row("denpa cpu (numpy)", t["cpu"], f"  ({1 / t['cpu']:8.1f}/s)")
    if cuda_ok:
        t["cuda"], losses["cuda"] = time_steps(*denpa_engine(autograd, nn, optim, kind, "cuda", state, x, y),
                                               steps, warmup, repeat)
        C.row("denpa cuda (cupy)", t["cuda"], f"  ({1 / t['cuda']:8.1f}/s)")
    else:
        C.skipped("denpa cuda (cupy)", "CUDA unavailable, see above")
    if torch is not None:
        t["torch"], losses["torch"] = time_steps(*torch_engine(torch, kind, state, x, y), steps, warmup, repeat)
        C.row(f"torch {torch.__version__} cuda", t["torch"], f"  ({1 / t['torch']:8.1f}/s)")
    else:
        C.skipped("torch cuda", ctx["torch_why"])
    agree = all(abs(v - losses["cpu"]) <= 1e-3 * abs(losses["cpu"]) for v in losses.values())
    if not agree:
        print(f"   WARNING: first losses differ: {losses}")
    if "cuda" in t:
        C.ratio("cuda speed-up over cpu", t["cpu"], t["cuda"], f"(target >= {TARGET_VS_CPU:g} on the MLP)"
                if kind == "mlp" else "")
        if "torch" in t:
            C.ratio("denpa cuda / torch cuda", t["cuda"], t["torch"], f"(target <= {TARGET_VS_TORCH:g})")
    return t, agree


def verdicts(kind, t, agree, args, reason):
    results = []
    if kind == "mlp":
        name = f"mlp: cuda >= {TARGET_VS_CPU:g}x the cpu's steps/s"
        if "cuda" not in t or args.quick:
            C.verdict(name, None, "--quick run" if args.quick else reason)
        else:
            results.append(C.verdict(name, agree and t["cpu"] >= TARGET_VS_CPU * t["cuda"],
                                     f"{t['cpu'] / t['cuda']:.1f}x" + ("" if agree else "; losses disagree")))
    name = f"{kind}: cuda step <= {TARGET_VS_TORCH:g}x torch cuda's"
    if "cuda" not in t or "torch" not in t or args.quick:
        C.verdict(name, None, "--quick run" if args.quick else (reason if "cuda" not in t else "torch cuda not here"))
    else:
        results.append(C.verdict(name, agree and t["cuda"] <= TARGET_VS_TORCH * t["torch"],
                                 f"{t['cuda'] * 1e3:.2f} vs {t['torch'] * 1e3:.2f} ms, {t['cuda'] / t['torch']:.2f}x"))
    return results


def main(argv=None):
    args = parse(argv)
    autograd = C.import_autograd()
    refs = C.preload("torch")
    cuda_ok, cuda_note = cuda_status(autograd)
    if not cuda_ok and args.skip_without_cuda:
        C.header("gpu: training on CUDA vs the CPU")
        print(f"   CUDA skipped: {cuda_note}")
        C.verdict("cuda targets", None, "no CUDA here; run benchmarks/gpu.py alone for the CPU figures")
        return 0
    import numpy as np

    import nn
    import optim

    torch, torch_why = torch_cuda(refs)
    steps = args.steps or (3 if args.quick else STEPS)
    warmup = 1 if args.quick else WARMUP
    repeat = args.repeat or 1
    C.header("gpu: training steps on the CPU (NumPy), on CUDA (CuPy) and in PyTorch on CUDA",
             f"   {steps} steps after {warmup} warm-up, median of {repeat}; float32, cross-entropy, SGD lr {LR}; "
             f"{os.cpu_count()} CPUs")
    print(f"   CUDA: {cuda_note}" if cuda_ok else f"   CUDA skipped: {cuda_note}")
    ctx = dict(autograd=autograd, nn=nn, optim=optim, np=np, cuda_ok=cuda_ok, torch=torch if cuda_ok else None,
               torch_why=torch_why or "CUDA unavailable", steps=steps, warmup=warmup, repeat=repeat)
    results = []
    for kind in (("mlp", "cnn") if args.model == "both" else (args.model,)):
        t, agree = bench_model(kind, ctx)
        results += verdicts(kind, t, agree, args, "CUDA unavailable" if not cuda_ok else "")
    return C.finish(results, args)


if __name__ == "__main__":
    sys.exit(main())
