"""``python -m denpa`` / ``denpa``: the main job.

``denpa train`` trains a classifier on the handwritten digits bundled with
scikit-learn (offline) and writes weights, curves, graph and a summary;
``denpa predict`` classifies images with the saved weights (see
``denpa/train/cli.py``, ``run.py``, ``predict.py``). ``denpa demo`` fits a tiny two-layer network to
``y = sin(x)`` with plain gradient descent and prints the loss falling. ``denpa`` alone prints the usage;
``denpa --version`` the version.
"""
from __future__ import annotations

import argparse
import os
import sys


def demo(steps: int = 300, lr: float = 0.1, seed: int = 0, every: int = 30) -> list:
    import autograd as A

    A.manual_seed(seed)
    x = A.linspace(-3, 3, 64).reshape(64, 1)
    y = x.sin()
    w1 = (A.randn(1, 16) * 0.5).requires_grad_()
    b1 = A.zeros(16, requires_grad=True)
    w2 = (A.randn(16, 1) * 0.5).requires_grad_()
    b2 = A.zeros(1, requires_grad=True)
    params = [w1, b1, w2, b2]
    losses = []
    for step in range(steps + 1):
        pred = (x @ w1 + b1).tanh() @ w2 + b2
        loss = ((pred - y) ** 2).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with A.no_grad():
            for p in params:
                p -= lr * p.grad
        losses.append(loss.item())
        if every and step % every == 0:
            print(f"step {step:4d}  loss {loss.item():.5f}", flush=True)
    return losses


class _PipeSafe:
    """A text stream that goes quiet once its reader has gone (``denpa train | head``), as a pipe's writer should.

    Python ignores SIGPIPE, so a write to a closed pipe raises ``BrokenPipeError``;
    for a training run, losing the log is no reason to lose the run, so later
    writes are dropped and the stream's descriptor is pointed at ``os.devnull`` (so
    the interpreter's final flush cannot fail either).
    """

    def __init__(self, stream):
        self._stream = stream
        self.reader_gone = False

    def write(self, text):
        if not self.reader_gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self):
        if not self.reader_gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self):
        self.reader_gone = True
        _silence(self._stream)

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _silence(stream) -> None:
    """Point ``stream``'s file descriptor at ``os.devnull``, so nothing more written to it can fail."""
    try:
        fd = stream.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's capture): nothing to redirect
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


def build_parser() -> tuple:
    """The ``denpa`` parser and its ``train``, ``predict`` and ``demo`` sub-parsers."""
    from . import __version__
    from .train import cli

    parser = argparse.ArgumentParser(prog="denpa", description="denpa: a define-by-run autograd engine. "
                                     "Run 'denpa COMMAND --help' for a command's flags.")
    parser.add_argument("--version", action="version", version=f"denpa {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    t = sub.add_parser("train", help="train a classifier (digits by default) and save it",
                       description="Train a classifier (the handwritten digits bundled with scikit-learn by "
                                   "default, offline) with early stopping; print its test accuracy and write "
                                   "weights, curves, graph and a JSON summary into --out.")
    cli.add_train_arguments(t)
    p = sub.add_parser("predict", help="classify images (or points) from a .npy file with a trained run's weights",
                       description="Classify each image (or point) in a .npy file with the weights of a run "
                                   "'denpa train' wrote; print 'index: class (p=probability)' per line.")
    cli.add_predict_arguments(p)
    d = sub.add_parser("demo", help="fit a tiny network to sin(x) and print the loss falling",
                       description="Fit a two-layer tanh network to y = sin(x) on [-3, 3] with plain gradient "
                                   "descent, printing the loss every 30 steps.")
    cli.add_demo_arguments(d)
    return parser, {"train": t, "predict": p, "demo": d}


def main(argv=None) -> int:
    """The ``denpa`` command; returns its exit code (0 done, 1 failed, 2 bad input, 130 interrupted,
    141 when the reader of ``denpa predict``'s output went away, as for a tool killed by SIGPIPE)."""
    from .train import cli

    parser, subs = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse's usage errors (code 2), --help and --version (0), as a return value
        return e.code if isinstance(e.code, int) else 2
    if args.command is None:  # `denpa` alone: say what it can do
        parser.print_help(sys.stderr)
        return 2
    out, err = sys.stdout, sys.stderr
    if args.command == "train":  # a closed log pipe must not cost the run: write on into nothing
        sys.stdout, sys.stderr = _PipeSafe(out), _PipeSafe(err)
    try:
        if args.command == "train":
            args.argv = argv
            cli.check_train_args(args, subs["train"])
            from .train.run import train

            train(args)
        elif args.command == "predict":
            from .train.predict import predict

            predict(args, subs["predict"])
        else:
            losses = demo(args.steps, args.lr, args.seed)
            print(f"loss fell from {losses[0]:.4f} to {losses[-1]:.4f}")
        sys.stdout.flush()
        return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    except BrokenPipeError:  # predict's or demo's reader went away (`denpa predict ... | head`): stop quietly
        _silence(out)
        return 141
    except cli.CommandError as e:
        print(f"denpa {args.command}: error: {e}", file=sys.stderr)
        return e.exit_code
    except KeyboardInterrupt:
        print(f"\ndenpa {args.command}: interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout, sys.stderr = out, err


if __name__ == "__main__":
    sys.exit(main())
