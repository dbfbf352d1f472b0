"""Random number state: one generator per array module, seeded together by ``manual_seed``."""
from __future__ import annotations

import json

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
    """The seed last given to :func:`manual_seed` (or restored by :func:`set_rng_state`); None before any
    (PyTorch reports the seed it started with).

    >>> import autograd
    >>> _ = autograd.manual_seed(7); autograd.initial_seed()
    7
    """
    return _seed


def get_rng_state():
    """The CPU generator's state, as an opaque uint8 tensor (as PyTorch's); :func:`set_rng_state` restores it.

    >>> import autograd
    >>> state = autograd.get_rng_state(); a = autograd.rand(3)
    >>> autograd.set_rng_state(state); bool((a == autograd.rand(3)).all())
    True
    """
    from .tensor import Tensor

    state = {"seed": _seed, "numpy": _generator(_np).bit_generator.state}
    return Tensor(_np.frombuffer(json.dumps(state).encode(), dtype=_np.uint8).copy())


# the bit generators a saved state may name: a name from a file must never pick an arbitrary numpy.random attribute
BIT_GENERATORS = {name: getattr(_np.random, name) for name in ("PCG64", "PCG64DXSM", "MT19937", "Philox", "SFC64")
                  if hasattr(_np.random, name)}


def bit_generator_from_state(bits, op: str = "set_rng_state"):
    """A fresh NumPy bit generator holding ``bits`` (a ``bit_generator.state`` dict); ValueError if it is not one.

    >>> import numpy as np
    >>> from autograd.random import bit_generator_from_state
    >>> g = np.random.default_rng(3); state = g.bit_generator.state
    >>> float(np.random.Generator(bit_generator_from_state(state)).random()) == float(g.random())
    True
    """
    name = bits.get("bit_generator") if isinstance(bits, dict) else None
    cls = BIT_GENERATORS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"{op}: the state names bit generator {name!r}; expected one of {sorted(BIT_GENERATORS)}")
    bg = cls()
    try:
        bg.state = bits
    except (ValueError, KeyError, TypeError, OverflowError) as e:
        raise ValueError(f"{op}: the {name} state does not fit a {name} generator ({type(e).__name__}: {e})") from None
    return bg


def decode_rng_state(new_state):
    """(seed, Generator) from a :func:`get_rng_state` tensor, without touching the current state."""
    data = _np.asarray(getattr(new_state, "array", new_state))
    try:
        if data.dtype != _np.uint8 or data.ndim != 1:
            raise ValueError
        state = json.loads(data.tobytes().decode())
        seed = state["seed"]
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError
        bits = state["numpy"]
    except (ValueError, KeyError, TypeError, RecursionError, UnicodeDecodeError):
        raise ValueError(f"set_rng_state: expected the uint8 tensor that get_rng_state() returns, got "
                         f"{data.dtype} of shape {data.shape} that does not decode to a generator state") from None
    return seed, _np.random.Generator(bit_generator_from_state(bits))


def set_rng_state(new_state) -> None:
    """Restore the CPU generator to a state from :func:`get_rng_state` (a tensor or a uint8 array).

    Everything is checked first: on a bad state nothing changes, and the state may only name one of
    NumPy's bit generators (``BIT_GENERATORS``).
    """
    global _seed
    seed, g = decode_rng_state(new_state)
    _seed = seed
    _generators["numpy"] = g
