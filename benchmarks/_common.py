"""Shared helpers for the benchmark scripts: import setup, the timer, the printout.

Timing follows the peers' script (``/work/shared/peers_bench.py``): one warm-up
call, then the median of ``repeat`` timings, each the mean of ``number`` calls,
with the garbage collector left on (as the engines run in real code). Compare
ratios taken in one run of one process only: absolute times drift between runs
and machines.

The reference engines are imported before anything is timed (:func:`preload`),
so every engine runs with the same Python heap: a graph of Python objects pays
for the cyclic garbage collector's passes over the whole heap, and importing
torch grows that heap several-fold, so timing our engine before and torch after
the import would flatter us. ``--no-gc`` switches the collector off while
timing (as the stdlib ``timeit`` does), to show how much of a figure it is.
"""
from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_autograd():
    """Import *this* repository's ``autograd`` (denpa), not HIPS autograd or an old install.

    The repository root goes first on ``sys.path``, so running from a checkout
    always measures the checkout.
    """
    if sys.path[:1] != [REPO_ROOT]:
        sys.path.insert(0, REPO_ROOT)
    import autograd

    if not hasattr(autograd, "Scalar") or not hasattr(autograd, "tensor"):
        raise SystemExit(
            f"the 'autograd' imported from {getattr(autograd, '__file__', '?')} is not denpa's "
            "(HIPS autograd uses the same name); run from a checkout or a clean environment"
        )
    return autograd


GC_DURING_TIMING = True  # set by --no-gc
last_times = []  # the individual timings behind the last timeit() median, for the printed spread


def timeit(fn, repeat=7, number=1, gc_on=None):
    """Median over ``repeat`` runs of the mean time of ``number`` calls of ``fn``, in seconds.

    ``gc_on`` overrides ``--no-gc`` for this call (for a diagnostic line).
    """
    fn()  # warm-up
    gc.collect()  # start every engine from the same collector state
    if not (GC_DURING_TIMING if gc_on is None else gc_on):
        gc.disable()
    try:
        ts = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            ts.append((time.perf_counter() - t0) / number)
    finally:
        gc.enable()
    last_times[:] = ts
    return statistics.median(ts)


def optional(module):
    """Import a reference engine if it is installed; ``(module, None)`` or ``(None, reason)``."""
    try:
        return __import__(module, fromlist=["_"]), None
    except Exception as e:  # ImportError, or a broken install
        return None, f"{type(e).__name__}: {e}"


def preload(*modules):
    """Import every reference engine a script may use before any timing; ``{name: (module, reason)}``."""
    return {m: optional(m) for m in modules}


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="a fast smoke run (fewer repeats, smaller sizes); "
                   "the figures are rough and no target is judged")
    p.add_argument("--repeat", type=int, default=None, help="timings to take the median of")
    p.add_argument("--strict", action="store_true", help="exit with status 1 if a target is not met")
    p.add_argument("--no-gc", action="store_true", help="switch the garbage collector off while timing")
    return p


def parse(description, argv):
    global GC_DURING_TIMING
    args = parser(description).parse_args(argv)
    GC_DURING_TIMING = not args.no_gc
    return args


def header(title, note=""):
    print(f"== {title} ==")
    if note:
        print(note)
    import platform

    import numpy

    gc_note = "gc on" if GC_DURING_TIMING else "gc OFF while timing"
    print(f"   python {platform.python_version()}, numpy {numpy.__version__}, {platform.machine()}, {gc_note}")


def row(label, seconds, extra=""):
    """One engine's line: the median, ``extra``, then the spread of the timings behind it."""
    spread = f"  [{min(last_times) * 1e3:.3g}-{max(last_times) * 1e3:.3g} ms]" if len(last_times) > 1 else ""
    print(f"   {label:28s} {seconds * 1e3:10.3f} ms{extra}{spread}", flush=True)


def skipped(label, reason):
    print(f"   {label:28s} {'skipped':>13s}  ({reason})", flush=True)


def ratio(label, num, den, what):
    print(f"   {label:28s} {num / den:10.2f}x  {what}", flush=True)


def verdict(name, ok, detail):
    """Print the target's verdict; ``ok`` is True, False, or None (not judged)."""
    mark = {True: "MET", False: "NOT MET", None: "not judged"}[ok]
    print(f"   target {name}: {mark} ({detail})", flush=True)
    return ok


def finish(results, args):
    """Exit status for a script: 1 only under --strict with a target missed."""
    return 1 if args.strict and any(r is False for r in results) else 0
