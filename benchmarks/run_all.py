"""Run every benchmark (overhead, chain, scalar, optim_step, draw, mlp, cnn, the model workloads, gpu), each in its own process, then list the verdicts.

    python benchmarks/run_all.py [--quick] [--repeat N] [--strict] [--no-gc]

The flags are passed to each script. A fresh interpreter per script keeps one
script's imports and garbage out of the next one's timings, so the figures are
those each script prints when run alone. With --strict the exit status is 1 if
any target is not met (or a script fails). gpu.py runs only where CUDA is available
(elsewhere it reports the skip and takes no time). The model workloads (gpt,
lstm, dcgan, mnist_cnn, vae) compare denpa with PyTorch CPU and are skipped
with a reason where torch is not importable.
"""
from __future__ import annotations

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ("overhead.py", "chain.py", "scalar.py", "optim_step.py", "draw.py", "mlp.py", "cnn.py",
           "gpt.py", "lstm.py", "dcgan.py", "mnist_cnn.py", "vae.py", "gpu.py")
EXTRA = {"gpu.py": ["--skip-without-cuda"],  # without CUDA its CPU half alone would take a minute on 2 cores
         "gpt.py": ["--scaling"], "cnn.py": ["--scaling"]}  # their step time against batch size and depth


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if "-h" in argv or "--help" in argv:
        print(__doc__)
        return 0
    verdicts, status = [], 0
    for name in SCRIPTS:
        proc = subprocess.run([sys.executable, os.path.join(HERE, name), *argv, *EXTRA.get(name, ())],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        print(proc.stdout, end="", flush=True)
        if proc.returncode:
            status = 1
            verdicts.append(f"{name}: exited with status {proc.returncode}")
        verdicts += [f"{name[:-3]:9s} {line.strip()}" for line in proc.stdout.splitlines()
                     if line.strip().startswith("target ")]
        print()
    print("== summary ==")
    for v in verdicts:
        print("  ", v)
    return status


if __name__ == "__main__":
    sys.exit(main())
