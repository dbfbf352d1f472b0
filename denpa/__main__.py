"""``python -m denpa`` / ``denpa``: the main job.

``denpa train`` trains a classifier on the handwritten digits bundled with
scikit-learn (offline) and writes weights, curves, graph and a summary;
``denpa predict`` classifies images with the saved weights (see
``denpa/train/cli.py``, ``run.py``, ``predict.py``). ``denpa demo`` fits a tiny two-layer network to
``y = sin(x)`` with plain gradient descent and prints the loss falling.
"""
from __future__ import annotations

import argparse
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


def main(argv=None) -> int:
    from .train import cli

    parser = argparse.ArgumentParser(prog="denpa", description="denpa: a define-by-run autograd engine")
    sub = parser.add_subparsers(dest="command")
    d = sub.add_parser("demo", help="fit a tiny network to sin(x) and print the loss falling")
    d.add_argument("--steps", type=int, default=300)
    d.add_argument("--lr", type=float, default=0.1)
    d.add_argument("--seed", type=int, default=0)
    t = sub.add_parser("train", help="train a classifier (digits by default) and save it",
                       description="Train a classifier (the handwritten digits bundled with scikit-learn by "
                                   "default, offline) with early stopping; print its test accuracy and write "
                                   "weights, curves, graph and a JSON summary into --out.")
    cli.add_train_arguments(t)
    p = sub.add_parser("predict", help="classify images from a .npy file with saved weights")
    cli.add_predict_arguments(p)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse's usage errors (code 2) and --help (0), as a return value
        return e.code if isinstance(e.code, int) else 2
    try:
        if args.command == "train":
            args.argv = argv
            cli.check_train_args(args, t)
            from .train.run import train

            train(args)
            return 0
        if args.command == "predict":
            from .train.predict import predict

            predict(args, p)
            return 0
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else 2
    except cli.CommandError as e:
        print(f"denpa {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\ndenpa {args.command}: interrupted", file=sys.stderr)
        return 130
    losses = demo(getattr(args, "steps", 300), getattr(args, "lr", 0.1), getattr(args, "seed", 0))
    print(f"loss fell from {losses[0]:.4f} to {losses[-1]:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
