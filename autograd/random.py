"""Random number state: one generator per array module, seeded together by ``manual_seed``."""
from __future__ import annotations

import numpy as _np

_generators: dict = {}
_seed = None
_cuda_seeds: dict = {}  # GPU index -> seed given by cuda.manual_seed; others follow _seed


def generator(xp=_np):
    """The generator of array module ``xp`` (CuPy: one per GPU, the current one), made from the seed on first use."""
    key = "numpy" if xp is _np else (xp.__name__, xp.cuda.runtime.getDevice())  # CuPy's state lives on one GPU
    g = _generators.get(key)
    if g is None:
        g = xp.random.default_rng(_seed if key == "numpy" else _cuda_seeds.get(key[1], _seed))
        _generators[key] = g
    return g


_generator = generator  # the name the engine's own modules use


def manual_seed(seed: int):
    """Seed every backend's generator (NumPy's, and CuPy's on every GPU), so random creation and dropout repeat
    exactly on the same device. Each generator is remade from the seed when next used.

    >>> import autograd
    >>> _ = autograd.manual_seed(0); a = autograd.rand(2)
    >>> _ = autograd.manual_seed(0); bool((a == autograd.rand(2)).all())
    True
    """
    global _seed
    _seed = int(seed)
    _generators.clear()
    _cuda_seeds.clear()
    return _seed


def seed_cuda(seed: int, index=None) -> None:
    """Seed the CuPy generator of GPU ``index`` (None: every GPU) only, leaving the CPU's alone."""
    seed = int(seed)
    for key in [k for k in _generators if k != "numpy" and (index is None or k[1] == index)]:
        del _generators[key]
    if index is None:
        _cuda_seeds.clear()
        _cuda_seeds.update({i: seed for i in range(64)})
    else:
        _cuda_seeds[index] = seed


seed = manual_seed


def initial_seed():
    return _seed


def get_rng_state():
    """The CPU generator's state, as an opaque uint8 tensor (as PyTorch's); :func:`set_rng_state` restores it.

    >>> import autograd
    >>> state = autograd.get_rng_state(); a = autograd.rand(3)
    >>> autograd.set_rng_state(state); bool((a == autograd.rand(3)).all())
    True
    """
    import json

    from .tensor import Tensor

    state = {"seed": _seed, "numpy": _generator(_np).bit_generator.state}
    return Tensor(_np.frombuffer(json.dumps(state).encode(), dtype=_np.uint8).copy())


def set_rng_state(new_state) -> None:
    """Restore the CPU generator to a state from :func:`get_rng_state` (a tensor or a uint8 array)."""
    import json

    global _seed
    data = _np.asarray(getattr(new_state, "array", new_state))
    try:
        if data.dtype != _np.uint8 or data.ndim != 1:
            raise ValueError
        state = json.loads(data.tobytes().decode())
        bits = state["numpy"]
        g = _np.random.Generator(getattr(_np.random, bits["bit_generator"])())
        g.bit_generator.state = bits
    except (ValueError, KeyError, TypeError, AttributeError):
        raise ValueError(f"set_rng_state: expected the uint8 tensor that get_rng_state() returns, got "
                         f"{data.dtype} of shape {data.shape} that does not decode to a generator state") from None
    _seed = state["seed"]
    _generators["numpy"] = g
