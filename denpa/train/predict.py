"""``denpa predict``: rebuild a trained model from its run folder and classify images from a ``.npy`` file."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np  # the .npy file and its preprocessing are host-side

import autograd
import nn

from .cli import SUMMARY, WEIGHTS, CommandError
from .models import build_model

BATCH = 256  # images per forward pass: bounded memory for a CNN over a large file


def _load_run(weights: str, parser):
    path = Path(weights)
    folder, file = (path, path / WEIGHTS) if path.is_dir() else (path.parent, path)
    if not file.exists():
        parser.error(f"--weights {weights}: no {file.name} there; pass a folder written by 'denpa train' "
                     f"or its {WEIGHTS}")
    summary_path = folder / SUMMARY
    if not summary_path.exists():
        parser.error(f"--weights {weights}: no {SUMMARY} beside {file.name}; it records the architecture "
                     f"and preprocessing, and 'denpa train' writes it next to the weights")
    try:
        summary = json.loads(summary_path.read_text())
        spec, pre = summary["model"], summary["preprocess"]
    except (ValueError, KeyError) as e:
        parser.error(f"--weights {weights}: {summary_path} is not a 'denpa train' summary ({e})")
    return file, spec, pre, summary


def _images(path: str, input_shape, parser):
    try:
        x = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        parser.error(f"--input {path}: no such file")
    except (ValueError, OSError) as e:
        parser.error(f"--input {path}: not a .npy array file ({e})")
    if x.dtype.kind not in "uif":
        parser.error(f"--input {path}: expected numbers, got an array of dtype {x.dtype}")
    shape = tuple(input_shape)
    n_features = int(np.prod(shape))
    accepted = [shape, (n_features,)] + ([shape[1:]] if len(shape) == 3 and shape[0] == 1 else [])
    if x.size == 0:
        parser.error(f"--input {path}: holds no images (shape {x.shape})")
    for s in accepted:
        if x.shape == s:  # a single image
            return x.reshape((1,) + shape)
        if x.ndim == len(s) + 1 and x.shape[1:] == s:
            return x.reshape((len(x),) + shape)
    forms = ", ".join(str(("N",) + s).replace("'", "") for s in accepted)
    parser.error(f"--input {path}: the model expects images of shape {forms}; the file holds {x.shape}")


def predict(args, parser) -> list:
    """Run ``denpa predict``: print ``index: class`` per image and return the classes."""
    file, spec, pre, summary = _load_run(args.weights, parser)
    x = _images(args.input, spec["input_shape"], parser)
    lo, hi = pre.get("input_range", [None, None])
    if lo is not None and x.size and (x.max() > hi + 0.5 * (hi - lo) or x.min() < lo - 0.5 * (hi - lo)):
        print(f"warning: the images range over [{x.min():g}, {x.max():g}] but the model was trained on "
              f"[{lo:g}, {hi:g}] ({summary.get('dataset', {}).get('name', '?')}); scale them alike",
              file=sys.stderr)
    model = build_model(spec)
    try:
        model.load_state_dict(nn.load(file))
    except (ValueError, RuntimeError, KeyError, OSError) as e:
        raise CommandError(f"{file} does not load into the architecture in {SUMMARY}: {e}") from e
    model.eval()
    xs = ((x.astype(np.float64) - pre["mean"]) / pre["std"]).astype(np.float32)
    with autograd.no_grad():
        probs = np.concatenate([model(autograd.tensor(xs[i:i + BATCH])).softmax(-1).numpy()
                                for i in range(0, len(xs), BATCH)])
    classes = summary.get("dataset", {}).get("classes") or list(range(probs.shape[1]))
    preds = probs.argmax(axis=1)
    for i, (k, p) in enumerate(zip(preds, probs)):
        line = f"{i}: {classes[k]}  (p={p[k]:.3f})"
        if args.probs:
            line += "  [" + " ".join(f"{v:.3f}" for v in p) + "]"
        print(line)
    return [classes[k] for k in preds]
