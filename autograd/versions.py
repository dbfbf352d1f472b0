"""Version counters: how backward notices that a saved tensor was changed in place.

Each tensor's memory has one counter, shared with its views and detached
copies. An in-place write bumps it; a node keeps a copy of each counter it
depends on, and backward refuses to run when the two differ.

A counter is an 8-byte little-endian ``bytearray``, not a ``[0]`` list,
because the garbage collector does not track bytearrays: a deep graph keeps a
counter and a snapshot per saved tensor alive until backward, and tracked
survivors made every long forward pass pay for a full collection.

>>> import autograd
>>> x = autograd.ones(3)
>>> x._version, x.add_(1)._version
(0, 1)
"""
from __future__ import annotations

_ZERO = bytearray(8)
new_counter = _ZERO.copy  # a fresh counter at version 0 (a bound method: cheaper than bytearray(8))
AT_ZERO = bytes(8)  # the snapshot of a counter at version 0 (equal to a fresh counter; immutable, so shared)


def bump(t) -> None:
    """Record an in-place change of ``t``'s memory (counts up byte by byte: no int conversion)."""
    c = t._vc
    i = 0
    while c[i] == 255:
        c[i] = 0
        i += 1
    c[i] += 1


def read(counter) -> int:
    """A counter's (or snapshot's) version as an int, for ``Tensor._version`` and error messages."""
    return int.from_bytes(counter, "little")
