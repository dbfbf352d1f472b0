"""The ``denpa train`` and ``denpa predict`` command lines: flags, and every check that needs no data.

``check_train_args`` rejects a bad value, an impossible combination, an
unavailable device or an output folder that cannot be written with argparse's
usage error (exit code 2) before any data is loaded or any training starts.
The commands themselves are in :mod:`denpa.train.run` (train) and
:mod:`denpa.train.predict`.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

DATASETS = ("digits", "mnist", "fashion-mnist", "spiral")
MODELS = ("mlp", "cnn")
OPTIMIZERS = {  # name: (optim class name, default learning rate, extra keyword arguments)
    "sgd": ("SGD", 0.1, {"momentum": 0.9}),
    "adam": ("Adam", 1e-3, {}),
    "adamw": ("AdamW", 1e-3, {}),
    "rmsprop": ("RMSprop", 1e-3, {}),
    "adagrad": ("Adagrad", 1e-2, {}),
    "nadam": ("NAdam", 2e-3, {}),
}
SCHEDULERS = ("none", "plateau", "cosine")


class CommandError(Exception):
    """A failure after the flags were accepted (data unavailable, training diverged): exit code 1."""


WEIGHTS, CHECKPOINT, SUMMARY, CURVES, GRAPH = "model.npz", "checkpoint.npz", "summary.json", "curves.png", "graph"


# -- arguments ------------------------------------------------------------------------
def _checked(convert, what: str, ok, rule: str):
    """An argparse ``type`` that converts with ``convert`` and says what was wrong in words."""
    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"{rule}, got {text}")
        return value
    return parse


_positive_int = _checked(int, "a whole number", lambda v: v >= 1, "must be at least 1")
_non_negative_int = _checked(int, "a whole number", lambda v: v >= 0, "must be 0 or more")
_positive_float = _checked(float, "a number", lambda v: 0 < v < float("inf"), "must be a positive finite number")
_fraction = _checked(float, "a number between 0 and 1", lambda v: 0 < v < 1, "must be strictly between 0 and 1")


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", default="digits", choices=DATASETS,
                   help="digits: 8x8 handwritten digits bundled with scikit-learn, offline (default); "
                        "mnist / fashion-mnist: downloaded once and cached; spiral: 2-D toy points")
    p.add_argument("--model", default="mlp", choices=MODELS, help="mlp (default) or a small cnn")
    p.add_argument("--epochs", type=_positive_int, default=50, help="most epochs to train (default 50)")
    p.add_argument("--batch-size", type=_positive_int, default=32, help="mini-batch size (default 32)")
    p.add_argument("--optimizer", default="adam", choices=sorted(OPTIMIZERS), help="default adam")
    p.add_argument("--lr", type=_positive_float, default=None,
                   help="learning rate (default: " + ", ".join(f"{k} {v[1]:g}" for k, v in OPTIMIZERS.items()) + ")")
    p.add_argument("--weight-decay", type=float, default=0.0, help="L2 penalty (default 0)")
    p.add_argument("--scheduler", default="none", choices=SCHEDULERS,
                   help="learning-rate schedule: plateau (ReduceLROnPlateau on val_loss) or cosine (default none)")
    p.add_argument("--patience", type=_non_negative_int, default=5,
                   help="stop after this many epochs without a better validation loss, and keep the best "
                        "weights; 0 turns early stopping off (default 5)")
    p.add_argument("--val-fraction", type=_fraction, default=0.15, help="default 0.15")
    p.add_argument("--test-fraction", type=_fraction, default=0.15,
                   help="held out for the final test accuracy (default 0.15; MNIST uses its own test set)")
    p.add_argument("--seed", type=int, default=0, help="seeds the split, the initial weights and the shuffling")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--out", default=None,
                   help="output folder (default runs/<dataset>-<model>-<time>); created if missing")
    p.add_argument("--resume", action="store_true", help="continue the run whose checkpoint is in --out")
    p.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines; the result only")


def add_predict_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--weights", required=True,
                   help="a run folder written by 'denpa train' (or its model.npz, with summary.json beside it)")
    p.add_argument("--input", required=True,
                   help="a .npy file of images: (N, 8, 8), (N, 64), (N, 1, 8, 8) for digits; (N, 28, 28) for MNIST")
    p.add_argument("--probs", action="store_true", help="print each class probability too")


def check_train_args(args, parser: argparse.ArgumentParser) -> None:
    """Every check that needs no data: a bad value ends here, with exit code 2, before any training."""
    if args.model == "cnn" and args.dataset == "spiral":
        parser.error("--model cnn needs images; the spiral dataset is 2-D points: use --model mlp")
    if args.val_fraction + args.test_fraction >= 0.9:
        parser.error(f"--val-fraction {args.val_fraction} + --test-fraction {args.test_fraction} leave less "
                     f"than 10% of the data for training; lower them")
    if not 0 <= args.weight_decay < 1:
        parser.error(f"--weight-decay must be in [0, 1), got {args.weight_decay}")
    _check_device(args.device, parser)
    if args.resume:
        if args.out is None:
            parser.error("--resume needs --out: the folder of the run to continue")
        if not os.path.exists(os.path.join(args.out, CHECKPOINT)):
            parser.error(f"--resume: no {CHECKPOINT} in {args.out!r}; pass the --out folder of the run to continue")
    if args.out is None:
        args.out = os.path.join("runs", f"{args.dataset}-{args.model}-{time.strftime('%Y%m%d-%H%M%S')}")
    _check_writable(args.out, parser)


def _check_device(name: str, parser) -> None:
    import autograd

    try:
        dev = autograd.device(name)
        autograd.zeros(1, device=dev)
    except (ValueError, RuntimeError) as e:
        parser.error(f"--device {name}: {e}")


def _check_writable(folder: str, parser) -> None:
    path = Path(folder)
    if path.exists() and not path.is_dir():
        parser.error(f"--out {folder}: exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as e:
        parser.error(f"--out {folder}: cannot write there ({e.strerror or e}); pick another folder")
