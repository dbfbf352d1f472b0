"""Checkpoints: a training run's whole state in one file, written atomically with ``nn.save``.

``nn.save`` writes to a temporary file in the same folder and renames it, so a
crash mid-write leaves the previous checkpoint whole, and its formats cannot
run code when loaded.
"""
from __future__ import annotations

import os
from typing import Union

import nn

PathLike = Union[str, "os.PathLike[str]"]


def save_checkpoint(state: dict, path: PathLike) -> None:
    """Write ``state`` (e.g. ``Trainer.state_dict()``) to ``path`` atomically."""
    if not isinstance(state, dict):
        raise TypeError(f"save_checkpoint: expected a dict of state, got {type(state).__name__}")
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save_checkpoint: folder {folder!r} does not exist; create it first")
    nn.save(state, path)


def load_checkpoint(path: PathLike) -> dict:
    """The state dict saved at ``path``; a missing file gets a message saying what was expected."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_checkpoint: no checkpoint at {path!r} (fit writes one when given "
                                f"checkpoint=path; resume from that same path)")
    state = nn.load(path)
    if not isinstance(state, dict):
        raise ValueError(f"load_checkpoint: {path!r} holds a {type(state).__name__}, not a checkpoint dict")
    return state


def _loader_generator(loader):
    # PyTorch's DataLoader keeps its shuffling generator as `.generator`; ours as `._generator`
    for name in ("generator", "_generator"):
        g = getattr(loader, name, None)
        if g is not None and hasattr(g, "bit_generator"):
            return g
    return None


def loader_rng_state(loader):
    """The state of a loader's own shuffling generator (``DataLoader(seed=...)``), or None when it uses the global one."""
    g = _loader_generator(loader)
    return None if g is None else g.bit_generator.state


def check_loader_rng_state(loader, state) -> None:
    """Raise ValueError unless ``state`` fits ``loader``'s own generator (checked on a fresh one: nothing changes)."""
    from autograd.random import bit_generator_from_state

    g = _loader_generator(loader)
    bg = bit_generator_from_state(state, "resume (loader_rng)")
    if type(bg) is not type(g.bit_generator):
        raise ValueError(f"resume: the checkpoint's loader_rng is a {type(bg).__name__} state, but the train_loader's "
                         f"generator is a {type(g.bit_generator).__name__}; build the loader the same way")


def set_loader_rng_state(loader, state: dict) -> None:
    """Put a state from :func:`loader_rng_state` back into ``loader``'s own generator."""
    _loader_generator(loader).bit_generator.state = state
