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

    exit_code = 1


class UsageError(CommandError):
    """Input the command cannot use, found only once it was read (a malformed checkpoint or summary): exit code 2."""

    exit_code = 2


WEIGHTS, CHECKPOINT, SUMMARY, CURVES, GRAPH = "model.npz", "checkpoint.npz", "summary.json", "curves.png", "graph"
#: every file 'denpa train' writes into --out (what --overwrite removes first; nothing else is touched)
RUN_FILES = (WEIGHTS, CHECKPOINT, SUMMARY, CURVES, GRAPH + ".svg", GRAPH + ".dot")

#: the flags that decide what a run computes: recorded in its checkpoint, and --resume continues with them.
#: Their argparse default is None (so an explicit value can be told from an omitted one); these are the defaults.
RUN_FLAGS = {"dataset": "digits", "model": "mlp", "batch_size": 32, "optimizer": "adam", "lr": None,
             "weight_decay": 0.0, "scheduler": "none", "val_fraction": 0.15, "test_fraction": 0.15, "seed": 0,
             "patience": 5}
#: flags a resumed run may change: how long it goes on (--epochs, --patience) and where and how it runs;
#: --patience, when left out, is the run's own too
RESUME_MAY_CHANGE = ("epochs", "patience", "device", "quiet", "download_timeout")


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


def flag(dest: str) -> str:
    """The command-line spelling of an argparse ``dest``.

    >>> flag("batch_size")
    '--batch-size'
    """
    return "--" + dest.replace("_", "-")


def add_train_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``denpa train``'s options (dataset, model, epochs, optimizer, ``--resume``, ...) to parser ``p``.

    >>> p = argparse.ArgumentParser(); add_train_arguments(p)
    >>> p.parse_args(["--epochs", "3", "--lr", "0.01"]).epochs
    3
    """
    p.add_argument("--dataset", choices=DATASETS,
                   help="digits: 8x8 handwritten digits bundled with scikit-learn, offline (default); "
                        "mnist / fashion-mnist: downloaded once and cached; spiral: 2-D toy points")
    p.add_argument("--model", choices=MODELS, help="mlp (default) or a small cnn")
    p.add_argument("--epochs", type=_positive_int, default=50,
                   help="epochs in total, counting those a resumed run already has (default 50)")
    p.add_argument("--batch-size", type=_positive_int, help="mini-batch size (default 32)")
    p.add_argument("--optimizer", choices=sorted(OPTIMIZERS), help="default adam")
    p.add_argument("--lr", type=_positive_float,
                   help="learning rate (default: " + ", ".join(f"{k} {v[1]:g}" for k, v in OPTIMIZERS.items()) + ")")
    p.add_argument("--weight-decay", type=float, help="L2 penalty (default 0)")
    p.add_argument("--scheduler", choices=SCHEDULERS,
                   help="learning-rate schedule: plateau (ReduceLROnPlateau on val_loss) or cosine (default none)")
    p.add_argument("--patience", type=_non_negative_int,
                   help="stop after this many epochs without a better validation loss, and keep the best "
                        "weights; 0 turns early stopping off (default 5)")
    p.add_argument("--val-fraction", type=_fraction, help="default 0.15")
    p.add_argument("--test-fraction", type=_fraction,
                   help="held out for the final test accuracy (default 0.15; MNIST uses its own test set)")
    p.add_argument("--seed", type=int, help="seeds the split, the initial weights and the shuffling (default 0)")
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda")
    p.add_argument("--download-timeout", type=_positive_float, default=None, metavar="SECONDS",
                   help="mnist / fashion-mnist: the most seconds one file's download from one mirror may "
                        "take, connecting included (default 300, autograd.data.MNIST's)")
    p.add_argument("--out", default=None,
                   help="output folder (default runs/<dataset>-<model>-<time>); created if missing")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out with the flags it was started with (it says which); "
                        "--epochs and --patience may change, other flags that differ are refused")
    p.add_argument("--overwrite", action="store_true", help="replace the run already in --out (default: refuse)")
    p.add_argument("--quiet", action="store_true", help="no progress bars or per-epoch lines; the result only")


def add_predict_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``denpa predict``'s options (``--weights``, ``--input``, ``--probs``) to parser ``p``."""
    p.add_argument("--weights", required=True,
                   help="a run folder written by 'denpa train' (or its model.npz, with summary.json beside it)")
    p.add_argument("--input", required=True,
                   help="a .npy file (numpy.save) of images or points at the training data's scale: "
                        "(N, 8, 8), (N, 64) or (N, 1, 8, 8) with grey levels 0-16 for digits; (N, 28, 28) with "
                        "0-255 for MNIST; (N, 2) for spiral. An .npz holding one array works too")
    p.add_argument("--probs", action="store_true", help="print each class probability too")


def add_demo_arguments(p: argparse.ArgumentParser) -> None:
    """Add ``denpa demo``'s options (``--steps``, ``--lr``, ``--seed``) to parser ``p``."""
    p.add_argument("--steps", type=_non_negative_int, default=300, help="gradient-descent steps (default 300)")
    p.add_argument("--lr", type=_positive_float, default=0.1, help="learning rate (default 0.1)")
    p.add_argument("--seed", type=int, default=0, help="seeds the initial weights (default 0)")


def check_train_args(args, parser: argparse.ArgumentParser) -> None:
    """Every check that needs no data: a bad value ends here, with exit code 2, before any training.

    With ``--resume`` the run's own flags are read from its checkpoint: omitted ones are taken from it
    (``args.resume_note`` says which), conflicting ones are refused, and a run with nothing left to do
    (all its epochs done, or stopped early) says so and how to go on.
    """
    if args.resume and args.overwrite:
        parser.error("--resume continues the run in --out and --overwrite replaces it: pass one of them")
    args.resume_note = None
    args.resume_state = None
    if args.resume:
        if args.out is None:
            parser.error("--resume needs --out: the folder of the run to continue")
        path = os.path.join(args.out, CHECKPOINT)
        if not os.path.exists(path):
            parser.error(f"--resume: no {CHECKPOINT} in {args.out!r}; pass the --out folder of the run to continue")
        args.resume_state = state = read_checkpoint(path, parser)
        _take_run_flags(args, state, path, parser)
    for name, default in RUN_FLAGS.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    if args.model == "cnn" and args.dataset == "spiral":
        parser.error("--model cnn needs images; the spiral dataset is 2-D points: use --model mlp")
    if args.val_fraction + args.test_fraction >= 0.9:
        parser.error(f"--val-fraction {args.val_fraction} + --test-fraction {args.test_fraction} leave less "
                     f"than 10% of the data for training; lower them")
    if not 0 <= args.weight_decay < 1:
        parser.error(f"--weight-decay must be in [0, 1), got {args.weight_decay}")
    _check_device(args.device, parser)
    if args.resume:
        _check_work_left(args, args.resume_state, parser)
    if args.out is None:
        args.out = _new_folder(os.path.join("runs", f"{args.dataset}-{args.model}-{time.strftime('%Y%m%d-%H%M%S')}"))
    elif not args.resume:
        held = [f for f in (WEIGHTS, CHECKPOINT, SUMMARY) if os.path.isfile(os.path.join(args.out, f))]
        if held and not args.overwrite:
            parser.error(f"--out {args.out} already holds a run ({', '.join(held)}): add --resume to continue it, "
                         f"--overwrite to replace it, or pick another --out")
    _check_writable(args.out, parser)


def _new_folder(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``, ... when a run started in the same second already has it."""
    folder, n = base, 1
    while os.path.exists(folder):
        n += 1
        folder = f"{base}-{n}"
    return folder


def read_checkpoint(path: str, parser) -> dict:
    """The checkpoint at ``path``, with the fields the command reads checked (a bad one: exit code 2)."""
    import nn

    def bad(why):
        parser.error(f"--resume: {path} is not a checkpoint 'denpa train' can continue ({why}); start a new run "
                     f"with another --out, or --overwrite to replace this one")

    try:
        state = nn.load(path)
    except (ValueError, OSError, RuntimeError) as e:
        bad(e)
    if not isinstance(state, dict):
        bad(f"it holds a {type(state).__name__}, not a dict of run state")
    epoch = state.get("epoch")
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        bad(f"'epoch' must be a whole number of epochs done, 0 or more; it is {epoch!r}")
    if not isinstance(state.get("history"), dict):
        bad(f"'history' must be a dict of per-epoch values; it is {type(state.get('history')).__name__}")
    run = state.get("run")
    if run is not None:
        if not isinstance(run, dict):
            bad(f"'run' must be a dict of the run's flags; it is {type(run).__name__}")
        for name, value in run.items():
            if name in RUN_FLAGS and not _flag_ok(name, value):
                bad(f"its recorded {flag(name)} is {value!r}")
    es = state.get("early_stopping")
    if es is not None:
        if not isinstance(es, dict):
            bad(f"'early_stopping' must be a dict; it is {type(es).__name__}")
        for key in ("wait", "best_epoch"):
            v = es.get(key)
            if not isinstance(v, int) or isinstance(v, bool) or v < 0:
                bad(f"early_stopping[{key!r}] must be a whole number, 0 or more; it is {v!r}")
    return state


def _flag_ok(name: str, value) -> bool:
    """Whether a value read from a checkpoint is one the flag could have had."""
    choices = {"dataset": DATASETS, "model": MODELS, "optimizer": tuple(OPTIMIZERS), "scheduler": SCHEDULERS}
    if name in choices:
        return value in choices[name]
    if name in ("batch_size", "seed"):
        return isinstance(value, int) and not isinstance(value, bool) and (name == "seed" or value >= 1)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < float("inf")


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return a is not None and b is not None and abs(a - b) <= 1e-12 * max(abs(a), abs(b))
    return a == b


def _take_run_flags(args, state: dict, path: str, parser) -> None:
    """Resume with the run's own flags: refuse explicit ones that differ, take the omitted ones from the run."""
    run = state.get("run")
    if run is None:  # a checkpoint from before runs recorded their flags: the command's flags must fit it
        return
    given = {name: getattr(args, name) for name in RUN_FLAGS if getattr(args, name) is not None}
    conflicts = [name for name, value in given.items()
                 if name in run and name not in RESUME_MAY_CHANGE and not _same(value, run[name])]
    if conflicts:
        was = " ".join(f"{flag(n)} {run[n]:g}" if isinstance(run[n], float) else f"{flag(n)} {run[n]}"
                       for n in conflicts)
        now = " ".join(f"{flag(n)} {given[n]}" for n in conflicts)
        parser.error(f"--resume: the run in {args.out} was trained with {was}; this command gives {now}. "
                     f"Leave {'them' if len(conflicts) > 1 else 'it'} out to continue with the run's own, or start "
                     f"a new run in another --out (only {', '.join(flag(n) for n in RESUME_MAY_CHANGE)} may change "
                     f"on --resume)")
    taken = [name for name in RUN_FLAGS if name in run and name not in given]
    for name in taken:
        setattr(args, name, run[name])
    if taken:
        args.resume_note = (f"resuming {args.out} after epoch {state['epoch']} with the run's own "
                            + " ".join(f"{flag(n)} {getattr(args, n):g}" if isinstance(getattr(args, n), float)
                                       else f"{flag(n)} {getattr(args, n)}" for n in taken))


def _check_work_left(args, state: dict, parser) -> None:
    """A resumed run that would train no epoch is an error that says how to go on."""
    done = state["epoch"]
    if done >= args.epochs:
        parser.error(f"--resume: the run in {args.out} has already trained {done} epochs and --epochs is "
                     f"{args.epochs} (the total, not a number to add): pass --epochs larger than {done} to go on")
    es = state.get("early_stopping")
    if es is not None and args.patience and es["wait"] > 0 and es["wait"] >= args.patience:
        was = (state.get("run") or {}).get("patience")
        parser.error(f"--resume: the run in {args.out} stopped early after epoch {done}: its validation loss has "
                     f"not improved for {es['wait']} epochs (best at epoch {es['best_epoch']}"
                     + (f", --patience {was}" if was is not None else "") + "), so it would train no further. "
                     f"To go on, pass --patience larger than {es['wait']} (epochs without improvement to allow), "
                     f"or --patience 0 to turn early stopping off")


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
