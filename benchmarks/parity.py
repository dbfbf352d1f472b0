"""Run each program in examples/ once with denpa and once with real PyTorch, and print how far apart they end.

    PYTHONPATH=. python benchmarks/parity.py [--steps 4] [name ...]     (PyTorch installed separately)

The very same example file runs both times: it says ``import denpa as torch``, and for the PyTorch run it is
imported while ``sys.modules["denpa"]`` is PyTorch, so its ``torch`` is the real one. Both runs are float64,
start from the same weights (denpa's initial ``state_dict`` loaded into the PyTorch model) and see the same
batches (each example draws its data, and any noise its step needs, with NumPy). Dropout is switched off on
both sides (``p = 0``, and the dropout rates of LSTM and MultiheadAttention), as its masks come from each
library's own generator. After each step it compares the
loss, every parameter's gradient and every parameter, and prints the largest absolute difference of each over
all steps, and the largest relative one (|a - b| / max(|b|, 1)).
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
sys.path.insert(0, ROOT)

NAMES = ["gpt", "lstm_lm", "dcgan", "mnist_cnn", "vae", "seq2seq_transformer", "lstmcell_timeseries",
         "super_resolution"]


def load(name, backend):
    """Import examples/<name>.py with ``import denpa as torch`` bound to ``backend``."""
    spec = importlib.util.spec_from_file_location(f"parity_{name}_{backend.__name__}",
                                                  os.path.join(EXAMPLES, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("denpa")
    sys.modules["denpa"] = backend
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is not None:
            sys.modules["denpa"] = saved
    return module


def _no_dropout(models):
    """Dropout modules get p = 0, and so do the layers with a dropout rate of their own (LSTM between layers,
    MultiheadAttention on its weights)."""
    for model in models.values():
        for m in model.modules():
            if type(m).__name__.startswith("Dropout"):
                m.p = 0.0
            if isinstance(getattr(m, "dropout", None), float):
                m.dropout = 0.0


def _numpy(t):
    return None if t is None else np.asarray(t.detach().cpu().numpy() if hasattr(t, "cpu") else t.detach().numpy())


def compare(name, steps, seed=0):
    import torch as real

    import denpa

    ours, theirs = load(name, denpa), load(name, real)
    a, b = ours.build(seed, denpa.float64), theirs.build(seed, real.float64)
    for key, model in a.models.items():
        state = {k: real.tensor(v.detach().numpy()) for k, v in model.state_dict().items()}
        b.models[key].load_state_dict(state)
    _no_dropout(a.models)
    _no_dropout(b.models)
    worst = {"loss": 0.0, "grad": 0.0, "param": 0.0}
    rel = dict(worst)
    for _, batch in zip(range(steps), ours.batches(seed)):
        la, lb = ours.train_step(a, batch), theirs.train_step(b, batch)
        pairs = [("loss", np.asarray(la, dtype=np.float64), np.asarray(lb, dtype=np.float64))]
        for key, model in a.models.items():
            theirs_params = dict(b.models[key].named_parameters())
            for pname, p in model.named_parameters():
                q = theirs_params[pname]
                pairs.append(("param", _numpy(p), _numpy(q)))
                if p.grad is not None or q.grad is not None:
                    if p.grad is None or q.grad is None:
                        raise AssertionError(f"{name}: {key}.{pname} has a gradient on one side only")
                    pairs.append(("grad", _numpy(p.grad), _numpy(q.grad)))
        for kind, x, y in pairs:
            diff = np.abs(x - y)
            worst[kind] = max(worst[kind], float(diff.max()) if diff.size else 0.0)
            rel[kind] = max(rel[kind], float((diff / np.maximum(np.abs(y), 1.0)).max()) if diff.size else 0.0)
    return worst, rel


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=NAMES, help=f"examples to compare (default: all: {NAMES})")
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        sys.exit("parity.py needs PyTorch (pip install torch --index-url https://download.pytorch.org/whl/cpu)")
    print(f"{'example':22s} {'loss':>10s} {'gradient':>10s} {'parameter':>10s}   (largest |denpa - torch| over "
          f"{args.steps} float64 steps; relative in brackets)")
    overall = 0.0
    for name in args.names:
        worst, rel = compare(name, args.steps, args.seed)
        overall = max(overall, *rel.values())
        print(f"{name:22s} " + " ".join(f"{worst[k]:10.1e}" for k in ("loss", "grad", "param"))
              + "   [" + ", ".join(f"{rel[k]:.1e}" for k in ("loss", "grad", "param")) + "]")
    print(f"largest relative difference: {overall:.1e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
