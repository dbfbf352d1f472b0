"""``Generator``: a random number generator object, as PyTorch's ``torch.Generator``.

It is a NumPy ``Generator`` (PCG64) with PyTorch's methods added, so everything that takes ``generator=``
accepts it: ``randn``, ``rand``, ``randint``, ``randperm``, ``multinomial``, ``bernoulli``, the in-place
initialisers (``x.normal_(generator=g)``), ``nn.init``, ``DataLoader``, samplers and ``random_split``.
Its stream differs from PyTorch's (same seed, other numbers); what repeats is denpa's own sequence.

>>> import autograd
>>> g = autograd.Generator().manual_seed(42)
>>> a = autograd.randn(3, generator=g)
>>> _ = g.manual_seed(42); bool((a == autograd.randn(3, generator=g)).all())
True
"""
from __future__ import annotations

from typing import cast

import numpy as _np

from .device import Device

#: the seed a new Generator starts from (PyTorch's default_generator seed), so a fresh one is repeatable
DEFAULT_SEED = 67280421310721


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, _np.integer)):
        raise TypeError(f"manual_seed: expected an integer seed, got {type(seed).__name__} {seed!r}")
    seed = int(seed)
    if not -2 ** 63 <= seed < 2 ** 64:
        raise ValueError(f"manual_seed: seed {seed} is out of range; it must fit in 64 bits "
                         f"(in [-2**63, 2**64))")
    return seed % 2 ** 64  # negative seeds wrap, as PyTorch's (-1 is 2**64 - 1)


class Generator(_np.random.Generator):
    """A seeded source of random numbers (``torch.Generator``). ``device`` is recorded; draws are made on the
    host and moved to the tensor's device.

    >>> import autograd
    >>> g = autograd.Generator()
    >>> g.initial_seed()
    67280421310721
    >>> g.manual_seed(3).initial_seed()
    3
    """

    def __init__(self, device="cpu"):
        self._device = Device(device)
        self._initial = DEFAULT_SEED
        super().__init__(_np.random.PCG64(DEFAULT_SEED))

    @property
    def device(self) -> Device:
        """The device whose random numbers this generator makes (``cpu`` unless given)."""
        return self._device

    def manual_seed(self, seed: int) -> "Generator":
        """Restart the stream from ``seed``; returns the generator (so ``Generator().manual_seed(0)`` chains)."""
        seed = _check_seed(seed)
        self.bit_generator.state = _np.random.PCG64(seed).state
        self._initial = seed
        return self

    def seed(self) -> int:
        """Seed from fresh operating-system entropy; returns the seed used."""
        s = int(cast(int, _np.random.SeedSequence().entropy)) % 2 ** 64  # an int when no entropy is given
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the current stream started from."""
        return self._initial

    def get_state(self):
        """The state as an opaque uint8 tensor (the format of ``autograd.get_rng_state``)."""
        import json

        from .tensor import Tensor

        state = {"seed": self._initial, "numpy": self.bit_generator.state}
        return Tensor(_np.frombuffer(json.dumps(state).encode(), dtype=_np.uint8).copy())

    def set_state(self, new_state) -> "Generator":
        """Restore a state from :meth:`get_state` (or ``autograd.get_rng_state``); a bad one changes nothing."""
        from .random import decode_rng_state

        seed, g = decode_rng_state(new_state)
        bits = g.bit_generator.state
        if bits.get("bit_generator") != "PCG64":
            raise ValueError(f"set_state: a Generator runs PCG64, but the state is of {bits.get('bit_generator')}")
        self.bit_generator.state = bits
        self._initial = DEFAULT_SEED if seed is None else seed
        return self

    def __repr__(self):
        return f"<autograd.Generator device={self._device.type!r} initial_seed={self._initial}>"

    __str__ = __repr__

    def __reduce__(self):  # copies (deepcopy, pickling by the user) stay Generators with the same state
        return (_rebuild, (str(self._device), self._initial, self.bit_generator.state))


def _rebuild(device, initial, bits):
    g = Generator(device)
    g.bit_generator.state = bits
    g._initial = initial
    return g
