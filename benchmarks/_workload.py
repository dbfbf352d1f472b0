"""The harness of the model workloads (gpt, lstm, dcgan, mnist_cnn, vae): one model, two engines.

A workload script defines ``build(T, xp, fixed)``: given an engine's torch-shaped
namespace ``T`` (``torch``, or ``denpa`` imported as torch), NumPy and the
workload's fixed data, it returns a :class:`Workload` (its modules, a training
``step`` and optionally a ``forward``), written once for both engines. This
harness then:

- builds PyTorch's copy first (``torch.manual_seed(0)``, PyTorch's own
  initialisation), builds denpa's and copies every module's ``state_dict``
  torch -> denpa, so both start from the same weights and buffers;
- runs two steps in each engine with the randomness a step draws replaced by
  fixed values (dropout off, a fixed noise) and prints how far the losses of
  those steps are apart (the second step also checks the optimizer's update);
- times the steps interleaved in one process (denpa, torch, torch, denpa, ...:
  the order alternates each repeat) and prints each engine's median, the spread
  and the ratio of the medians; the same for the forward where there is one;
- measures the peak memory of training, each engine in a fresh process of its
  own (:func:`peak_memory`).

Threads: ``--threads N`` (default 2) sets ``OPENBLAS_NUM_THREADS``,
``OMP_NUM_THREADS`` and ``MKL_NUM_THREADS`` before NumPy is imported and calls
``torch.set_num_threads(N)``, so both engines get the same number.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time

import _common as C

_THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
MEMORY_STEPS = 3  # steps run while the high-water mark is watched (the first allocates grads and optimizer state)


class Workload:
    """What a workload script builds for one engine.

    ``step(fixed)`` runs one training iteration and returns its losses as
    floats; with ``fixed`` true it must draw no random numbers (dropout off,
    fixed noise) so both engines compute the same thing. ``forward`` (optional)
    is an inference call, run under the engine's ``no_grad`` by the harness.
    ``modules`` maps names to the modules whose state is copied torch -> denpa.
    """

    __slots__ = ("forward", "modules", "step")

    def __init__(self, modules, step, forward=None):
        self.modules, self.step, self.forward = modules, step, forward


def parse(doc, argv):
    p = C.parser(doc.splitlines()[0])
    p.add_argument("--threads", type=int, default=2, help="threads for NumPy's BLAS and for PyTorch (default 2)")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory processes")
    p.add_argument("--scaling", action="store_true", help="also print step time against batch size and depth "
                   "(the scripts that define the rows: gpt)")
    p.add_argument("--memory-child", choices=("denpa", "torch"), help=argparse.SUPPRESS)  # run_all never passes it
    args = p.parse_args(argv)
    C.GC_DURING_TIMING = not args.no_gc
    for var in _THREAD_VARS:  # before NumPy is imported, or its BLAS ignores them
        os.environ[var] = str(args.threads)
    return args


def engines(threads):
    """``(denpa, torch or None, why torch is missing)``; torch is imported before anything is timed."""
    C.import_autograd()
    import denpa

    torch, why = C.optional("torch")
    if torch is not None:
        torch.set_num_threads(threads)
    return denpa, torch, why


def set_dropout(T, modules, on):
    """Switch every dropout (nn.Dropout*, an RNN's inter-layer dropout) on or off, leaving BatchNorm in training."""
    for m in modules.values():
        for sub in m.modules():
            if "Dropout" in type(sub).__name__ or isinstance(sub, (T.nn.LSTM, T.nn.GRU, T.nn.RNN)):
                sub.train(on)


def copy_weights(denpa, tw, dw):
    """Load each torch module's state into the denpa module of the same name (strict: every key must match)."""
    for name, tm in tw.modules.items():
        state = {k: denpa.from_numpy(v.detach().cpu().numpy().copy()) for k, v in tm.state_dict().items()}
        dw.modules[name].load_state_dict(state)


def check_losses(T_pairs):
    """Two fixed steps in each engine; prints the losses and the largest difference relative to the loss."""
    losses = {}
    for label, T, w in T_pairs:
        set_dropout(T, w.modules, False)
        losses[label] = [w.step(True), w.step(True)]
        set_dropout(T, w.modules, True)
    (a, la), (b, lb) = losses.items()
    worst = 0.0
    for s, (xa, xb) in enumerate(zip(la, lb), 1):
        diffs = [abs(u - v) / max(abs(v), 1e-12) for u, v in zip(xa, xb)]
        worst = max(worst, *diffs)
        shown = ", ".join(f"{u:.6g} vs {v:.6g}" for u, v in zip(xa, xb))
        print(f"   losses of fixed step {s} ({a} vs {b}): {shown}  (max rel diff {max(diffs):.2g})")
    if worst > 1e-3:
        print(f"   WARNING: the engines' losses differ (relative {worst:.3g}); the timings compare different work")
    return worst


def interleaved(fns, repeat, number):
    """Median seconds per call of each of ``fns`` ({label: fn}), timed in turns, the order alternating each repeat.

    Returns ``{label: (median, [timings])}``. Each fn has run before (the loss check is the warm-up).
    """
    labels = list(fns)
    times = {k: [] for k in labels}
    gc.collect()
    if not C.GC_DURING_TIMING:
        gc.disable()
    try:
        for r in range(repeat):
            for k in (labels if r % 2 == 0 else labels[::-1]):
                fn = fns[k]
                t0 = time.perf_counter()
                for _ in range(number):
                    fn()
                times[k].append((time.perf_counter() - t0) / number)
    finally:
        gc.enable()
    return {k: (statistics.median(v), v) for k, v in times.items()}


def print_timings(what, res):
    for label, (med, ts) in res.items():
        C.last_times[:] = ts
        C.row(f"{label} {what}", med)


def load_note():
    try:
        return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover
        return "load average unknown"


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def memory_child(engine_name, build, make_data, threads):
    """In a fresh process: build one engine's workload and print its training memory as one JSON line.

    Measured (Linux): the resident set size before the first step (engine
    imported, model, optimizer and data built, gc run) and the high-water mark
    of the resident set over ``MEMORY_STEPS`` training steps (the kernel's
    ``VmHWM``, reset through ``/proc/self/clear_refs`` just before the steps).
    ``peak`` is their difference: everything a training step needs beyond the
    model (gradients, optimizer state, activations, temporaries, pools and what
    the allocator keeps). ``after`` is what stays resident after the steps. For
    denpa, ``traced`` is tracemalloc's peak of a further step above the memory
    traced when it began (NumPy reports its arrays to tracemalloc; PyTorch's
    allocator does not, so there is no such figure for torch).
    """
    if engine_name == "torch":
        import torch as T

        T.set_num_threads(threads)
        T.manual_seed(0)
    else:
        C.import_autograd()
        import denpa as T

        T.manual_seed(0)
    import numpy as np

    w = build(T, np, make_data(np))
    gc.collect()
    base = _status_kb("VmRSS")
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets VmHWM to the current RSS
    for _ in range(MEMORY_STEPS):
        w.step(False)
    peak = _status_kb("VmHWM") - base
    gc.collect()
    after = _status_kb("VmRSS") - base
    out = {"engine": engine_name, "base_mb": base / 1024, "peak_mb": peak / 1024, "after_mb": after / 1024}
    if engine_name == "denpa":
        import tracemalloc

        tracemalloc.start()
        start = tracemalloc.get_traced_memory()[0]
        w.step(False)
        out["traced_mb"] = (tracemalloc.get_traced_memory()[1] - start) / 2**20
        tracemalloc.stop()
    print("MEMORY " + json.dumps(out), flush=True)


def peak_memory(script, threads, have_torch, extra_args=()):
    """Run ``script --memory-child ENGINE`` for each engine; prints the figures and returns (denpa, torch) peaks in MB."""
    got = {}
    for eng in ("denpa", "torch") if have_torch else ("denpa",):
        proc = subprocess.run([sys.executable, script, "--memory-child", eng, "--threads", str(threads), *extra_args],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("MEMORY ")]
        if proc.returncode or not lines:
            print(f"   {eng} memory: the process failed (status {proc.returncode}):\n{proc.stdout[-2000:]}")
            continue
        m = json.loads(lines[-1][7:])
        got[eng] = m["peak_mb"]
        traced = f", tracemalloc peak of a step {m['traced_mb']:.1f} MB" if "traced_mb" in m else ""
        print(f"   {eng + ' peak memory':28s} {m['peak_mb']:10.1f} MB  (RSS high-water over {MEMORY_STEPS} steps above "
              f"{m['base_mb']:.0f} MB before them; {m['after_mb']:.1f} MB stays{traced})", flush=True)
    return got.get("denpa"), got.get("torch")


def sized_pair(denpa, torch, np, build, data):
    """Both engines' steps of one size for :func:`scaling`: same weights, each step run once."""
    out = {}
    if torch is not None:
        torch.manual_seed(0)
        tw = build(torch, np, data)
    denpa.manual_seed(0)
    dw = build(denpa, np, data)
    out["denpa"] = lambda: dw.step(False)
    if torch is not None:
        copy_weights(denpa, tw, dw)
        out["torch"] = lambda: tw.step(False)
    for step in out.values():
        step()
    return out


def run(doc, argv, build, make_data, *, title, repeat=7, number=1, target=1.5, forward_target=None,
        extra_args=(), sizes=None):
    """The whole benchmark of one workload script; returns its exit status.

    ``extra_args`` are the script's own flags, passed on to its memory processes.
    ``sizes`` (for ``--scaling``) is ``(groups, sized)``: the rows of
    :func:`scaling`, whose configs ``sized(config)`` turns into the
    ``(build, make_data)`` of that size.
    """
    args = parse(doc, argv)
    if args.memory_child:
        memory_child(args.memory_child, build, make_data, args.threads)
        return 0
    denpa, torch, why = engines(args.threads)
    import numpy as np

    repeat = args.repeat or (2 if args.quick else repeat)
    C.header(title, f"   interleaved, median of {repeat} x {number}; NumPy BLAS threads {args.threads}, "
                    f"torch.set_num_threads({args.threads}); {load_note()} at start")
    data = make_data(np)
    results = []
    if torch is None:
        C.skipped("torch", why)
        denpa.manual_seed(0)
        dw = build(denpa, np, data)
        dw.step(True)
        res = interleaved({"denpa": lambda: dw.step(False)}, repeat, number)
        print_timings("step", res)
        C.verdict(f"<= {target:g}x PyTorch", None, "torch not importable")
        results.append(run_scaling(args, sizes, denpa, None, np))
        return C.finish(results, args)

    torch.manual_seed(0)
    tw = build(torch, np, data)
    denpa.manual_seed(0)
    dw = build(denpa, np, data)
    copy_weights(denpa, tw, dw)
    check_losses([("denpa", denpa, dw), ("torch", torch, tw)])

    res = interleaved({"denpa": lambda: dw.step(False), "torch": lambda: tw.step(False)}, repeat, number)
    print_timings("step", res)
    r = res["denpa"][0] / res["torch"][0]
    C.ratio("denpa / torch step", res["denpa"][0], res["torch"][0], f"(target <= {target:g}; {load_note()})")
    if args.quick:
        C.verdict(f"step <= {target:g}x PyTorch", None, "--quick run")
    else:
        results.append(C.verdict(f"step <= {target:g}x PyTorch", r <= target, f"{r:.2f}x"))

    if dw.forward is not None:
        def dfwd():
            with denpa.no_grad():
                return dw.forward()

        def tfwd():
            with torch.no_grad():
                return tw.forward()

        set_dropout(denpa, dw.modules, False)
        set_dropout(torch, tw.modules, False)
        dfwd(), tfwd()
        res = interleaved({"denpa": dfwd, "torch": tfwd}, repeat, number)
        print_timings("forward (no_grad)", res)
        fr = res["denpa"][0] / res["torch"][0]
        C.ratio("denpa / torch forward", res["denpa"][0], res["torch"][0], f"({load_note()})")
        if forward_target is not None:
            if args.quick:
                C.verdict(f"forward <= {forward_target:g}x PyTorch", None, "--quick run")
            else:
                results.append(C.verdict(f"forward <= {forward_target:g}x PyTorch", fr <= forward_target, f"{fr:.2f}x"))

    if not args.no_memory:
        del dw, tw
        gc.collect()
        script = os.path.abspath(sys.modules["__main__"].__file__)
        dm, tm = peak_memory(script, args.threads, True, extra_args)
        if dm is not None and tm:
            mr = dm / tm
            C.ratio("denpa / torch peak memory", dm, tm, f"(target <= {target:g})")
            if args.quick:
                C.verdict(f"peak memory <= {target:g}x PyTorch", None, "--quick run")
            else:
                results.append(C.verdict(f"peak memory <= {target:g}x PyTorch", mr <= target, f"{mr:.2f}x"))
    results.append(run_scaling(args, sizes, denpa, torch, np))
    return C.finish(results, args)


def run_scaling(args, sizes, denpa, torch, np):
    """:func:`scaling` under ``--scaling`` where the script gave ``sizes``; None (nothing judged) otherwise."""
    if not args.scaling or sizes is None:
        return None
    groups, sized = sizes

    def make(config):
        build_c, data_c = sized(config)
        return sized_pair(denpa, torch, np, build_c, data_c(np))

    return scaling(groups, make, 2 if args.quick else 5, judge=not args.quick)


def scaling(groups, make, repeat, number=1, limit=1.25, judge=True):
    """Step time against size, printed as rows; returns the verdict (True, False, or None without rows).

    ``groups`` is a list of ``(name, rows)``, each row ``(label, factor, config)``
    with the first row of a group at factor 1; ``make(config)`` returns
    ``{"denpa": step, "torch": step}`` (torch's left out where it is missing),
    each step already run once. Both engines' steps of one row are timed
    interleaved (:func:`interleaved`). Per row: both medians, their ratio, and
    each engine's cost per unit of size, ``time / (factor * time of the
    group's first row)``: 1.0 is linear growth, below it the fixed costs are
    being spread, above it each unit costs more as the model grows. Linear
    means denpa's cost per unit stays at most ``limit`` on every row, or
    within 15 % of PyTorch's on that row (a batch that outgrows a cache costs
    both engines more per sample; not judged, None, with ``judge`` false: a
    ``--quick`` run).
    """
    print(f"   scaling: interleaved medians of {repeat} x {number}; per unit = time / (factor x the first row's time)")
    worst = None
    for name, rows in groups:
        first = {}
        for label, factor, config in rows:
            steps = make(config)
            res = interleaved(steps, repeat, number)
            if not first:
                first = {k: med for k, (med, _) in res.items()}
            unit = {k: med / (factor * first[k]) for k, (med, _) in res.items()}
            # judged against the limit, or against PyTorch's growth on the same row where that is higher
            worst = max(unit["denpa"] * limit / max(limit, 1.15 * unit.get("torch", 0.0)), worst or 0.0)
            cells = "  ".join(f"{k} {med * 1e3:8.2f} ms (per unit {unit[k]:.2f})" for k, (med, _) in res.items())
            vs = f"  ratio {res['denpa'][0] / res['torch'][0]:.2f}" if "torch" in res else ""
            print(f"   {name:6s} {label:>4s} ({factor}x)  {cells}{vs}", flush=True)
            del steps, res
            gc.collect()
    if worst is None:
        return None
    return C.verdict(f"linear growth (denpa's cost per unit <= {limit:g}, or <= 1.15 x torch's, on every row)",
                     worst <= limit if judge else None,
                     f"worst {worst:.2f} on the {limit:g} scale" if judge else "--quick run")
