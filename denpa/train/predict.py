"""``denpa predict``: rebuild a trained model from its run folder and classify images (or points) from a file.

Every input it cannot use honestly is refused with exit code 2 and a message
saying what to do: a file in another format, images of the wrong shape, NaN or
infinite values, a run folder whose ``summary.json`` is broken. Images at
another scale than the training data's (0-255 for a 0-16 model, or 0-1) get a
warning, as they would all predict much the same class.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np  # the .npy file and its preprocessing are host-side

import autograd
import nn

from .cli import SUMMARY, WEIGHTS, CommandError
from .models import build_model

BATCH = 256  # images per forward pass: bounded memory for a CNN over a large file
NPY_MAGIC, ZIP_MAGIC = b"\x93NUMPY", b"PK\x03\x04"
ACCEPTED = "a .npy file (numpy.save(path, array)) or an .npz holding one array"
# what a file that is not NumPy's usually is, told by its first bytes (for the error message)
KNOWN_FORMATS = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
                 (b"%PDF", "a PDF"), (b"\x80", "a Python pickle"), (b"\x1f\x8b", "a gzip file"))


def _load_run(weights: str, parser: argparse.ArgumentParser):
    path = Path(weights)
    folder, file = (path, path / WEIGHTS) if path.is_dir() else (path.parent, path)
    if not file.exists():
        parser.error(f"--weights {weights}: no {file.name} there; pass a folder written by 'denpa train' "
                     f"or its {WEIGHTS}")
    summary_path = folder / SUMMARY
    if not summary_path.exists():
        parser.error(f"--weights {weights}: no {SUMMARY} beside {file.name}; it records the architecture "
                     f"and preprocessing, and 'denpa train' writes it next to the weights")

    def broken(why):
        parser.error(f"--weights {weights}: {summary_path} is not a 'denpa train' summary ({why}); "
                     f"train again, or restore the summary.json the run wrote")

    try:
        summary = json.loads(summary_path.read_text())
    except (ValueError, OSError) as e:  # bad JSON, bad UTF-8, unreadable
        broken(e)
    if not isinstance(summary, dict):
        broken(f"it holds a JSON {type(summary).__name__}, not an object")
    spec, pre = summary.get("model"), summary.get("preprocess")
    if not isinstance(spec, dict):
        broken(f"'model' must be an object describing the architecture, got {spec!r}")
    shape = spec.get("input_shape")
    if not (isinstance(shape, list) and shape and all(isinstance(n, int) and n >= 1 for n in shape)):
        broken(f"model.input_shape must be a list of positive whole numbers, got {shape!r}")
    if not isinstance(pre, dict):
        broken(f"'preprocess' must be an object with mean and std, got {pre!r}")
    for key in ("mean", "std"):
        v = pre.get(key)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or (key == "std" and v <= 0):
            broken(f"preprocess.{key} must be a finite number{' above 0' if key == 'std' else ''}, got {v!r}")
    rng = pre.get("input_range")
    if rng is not None and not (isinstance(rng, list) and len(rng) == 2
                                and all(isinstance(v, (int, float)) and math.isfinite(v) for v in rng)):
        broken(f"preprocess.input_range must be [low, high], got {rng!r}")
    dataset = summary.get("dataset", {})
    classes = dataset.get("classes") if isinstance(dataset, dict) else None
    if classes is not None and not isinstance(classes, list):
        broken(f"dataset.classes must be a list of class names, got {classes!r}")
    return file, spec, pre, summary


def _read_array(path: str, parser: argparse.ArgumentParser) -> np.ndarray:
    """The array in a .npy file, or the one array of an .npz; anything else is refused with what is accepted."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        parser.error(f"--input {path}: no such file")
    except OSError as e:
        parser.error(f"--input {path}: cannot read it ({e.strerror or e})")
    if head.startswith(ZIP_MAGIC):
        try:
            with np.load(path, allow_pickle=False) as z:
                names = list(z.files)
                if len(names) != 1:
                    parser.error(f"--input {path}: an .npz holding {len(names)} arrays {names}; predict takes one: "
                                 f"save the images with numpy.save('images.npy', array)")
                return z[names[0]]
        except (ValueError, OSError) as e:
            parser.error(f"--input {path}: not a readable .npz archive ({e}); predict takes {ACCEPTED}")
    if not head.startswith(NPY_MAGIC):
        what = next((name for magic, name in KNOWN_FORMATS if head.startswith(magic)), None)
        if what is None:
            what = "text" if head and all(32 <= b < 127 or b in b"\t\r\n" for b in head) else "not a NumPy file"
        convert = ("numpy.save('images.npy', numpy.loadtxt(path, delimiter=','))" if what == "text"
                   else "numpy.save('images.npy', array)")
        parser.error(f"--input {path}: this file is {what}; predict takes {ACCEPTED}. Convert it first, "
                     f"e.g. {convert}")
    try:
        return np.load(path, allow_pickle=False)
    except ValueError as e:
        if "pickle" in str(e).lower():  # an object array: it could only load by running code
            parser.error(f"--input {path}: holds Python objects, not numbers (NumPy would need a pickle to load "
                         f"it, which predict never does); save a numeric array with numpy.save")
        parser.error(f"--input {path}: a damaged .npy file ({e})")
    except (OSError, EOFError) as e:
        parser.error(f"--input {path}: a damaged .npy file ({e})")


def _images(path: str, input_shape, parser: argparse.ArgumentParser):
    x = _read_array(path, parser)
    shape = tuple(input_shape)
    kind = "points" if len(shape) == 1 else "images"
    if x.dtype.kind not in "buif":
        parser.error(f"--input {path}: expected numbers, got an array of dtype {x.dtype}")
    n_features = int(np.prod(shape))
    accepted = [shape, (n_features,)] + ([shape[1:]] if len(shape) == 3 and shape[0] == 1 else [])
    accepted = list(dict.fromkeys(accepted))  # (N, 2) points: one form, listed once
    if x.size == 0:
        parser.error(f"--input {path}: holds no {kind} (shape {x.shape})")
    for s in accepted:
        if x.shape == s:  # a single image or point
            x = x.reshape((1,) + shape)
            break
        if x.ndim == len(s) + 1 and x.shape[1:] == s:
            x = x.reshape((len(x),) + shape)
            break
    else:
        forms = ", ".join(str(("N",) + s).replace("'", "") for s in accepted)
        parser.error(f"--input {path}: the model expects {kind} of shape {forms}; the file holds {x.shape}")
    bad = ~np.isfinite(x.reshape(len(x), -1)).all(axis=1) if x.dtype.kind == "f" else np.zeros(len(x), bool)
    if bad.any():
        which = np.flatnonzero(bad)
        parser.error(f"--input {path}: {len(which)} of {len(x)} {kind} hold NaN or infinite values (the first is "
                     f"number {which[0]}); a prediction for them would be meaningless: fix or drop them")
    return x, kind


def _check_scale(x, pre, summary, kind) -> None:
    """Warn when the inputs are not at the training data's scale (0-255 or 0-1 for a 0-16 model)."""
    lo, hi = pre.get("input_range") or [None, None]
    if lo is None or hi <= lo:
        return
    x_lo, x_hi = float(x.min()), float(x.max())
    span = hi - lo
    name = summary.get("dataset", {}).get("name", "?") if isinstance(summary.get("dataset"), dict) else "?"
    where = f"the {kind} range over [{x_lo:g}, {x_hi:g}] but the model was trained on [{lo:g}, {hi:g}] ({name})"
    if x_hi > hi + 0.5 * span or x_lo < lo - 0.5 * span:
        print(f"warning: {where}; scale them alike", file=sys.stderr)
    elif x_hi - x_lo < 0.25 * span:
        hint = f" (they look scaled to 0-1: multiply by {hi:g})" if x_lo >= 0 and x_hi <= 1 < hi else ""
        print(f"warning: {where}, a much narrower range{hint}; the predictions may all be one class",
              file=sys.stderr)


def predict(args, parser: argparse.ArgumentParser) -> list:
    """Run ``denpa predict``: print ``index: class`` per image (or point) and return the classes."""
    file, spec, pre, summary = _load_run(args.weights, parser)
    x, kind = _images(args.input, spec["input_shape"], parser)
    _check_scale(x, pre, summary, kind)
    try:
        model = build_model(spec)
    except (ValueError, KeyError, TypeError) as e:
        parser.error(f"--weights {args.weights}: the architecture in {SUMMARY} cannot be built ({e})")
    try:
        model.load_state_dict(nn.load(file))
    except (ValueError, RuntimeError, KeyError, OSError, TypeError) as e:
        raise CommandError(f"{file} does not load into the architecture in {SUMMARY}: {e}") from e
    model.eval()
    xs = ((x.astype(np.float64) - pre["mean"]) / pre["std"]).astype(np.float32)
    with autograd.no_grad():
        probs = np.concatenate([model(autograd.tensor(xs[i:i + BATCH])).softmax(-1).numpy()
                                for i in range(0, len(xs), BATCH)])
    if not np.isfinite(probs).all():
        raise CommandError(f"the model in {file} gives non-finite outputs for {kind} "
                           f"{np.flatnonzero(~np.isfinite(probs).all(axis=1))[:5].tolist()}: its weights are damaged; "
                           f"train again")
    classes = summary.get("dataset", {}).get("classes") or list(range(probs.shape[1]))
    if len(classes) != probs.shape[1]:
        parser.error(f"--weights {args.weights}: {SUMMARY} names {len(classes)} classes but the model has "
                     f"{probs.shape[1]} outputs")
    preds = probs.argmax(axis=1)
    for i, (k, p) in enumerate(zip(preds, probs)):
        line = f"{i}: {classes[k]}  (p={p[k]:.3f})"
        if args.probs:
            line += "  [" + " ".join(f"{v:.3f}" for v in p) + "]"
        print(line)
    return [classes[k] for k in preds]
