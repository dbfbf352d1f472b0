"""Random number state: one generator per array module, seeded together by ``manual_seed``."""
from __future__ import annotations

import numpy as _np

_generators: dict = {}
_seed = None


def _generator(xp=_np):
    g = _generators.get(xp.__name__)
    if g is None:
        g = xp.random.default_rng(_seed)
        _generators[xp.__name__] = g
    return g


def manual_seed(seed: int):
    """Seed every backend's generator, so random creation and dropout repeat exactly.

    >>> import autograd
    >>> _ = autograd.manual_seed(0); a = autograd.rand(2)
    >>> _ = autograd.manual_seed(0); bool((a == autograd.rand(2)).all())
    True
    """
    global _seed
    _seed = int(seed)
    _generators.clear()
    return _seed


seed = manual_seed


def initial_seed():
    return _seed
