"""Devices: where a tensor's data lives (``cpu`` now; ``cuda`` arrives with CuPy support)."""
from __future__ import annotations


class Device:
    """A device name, compared equal to its string form.

    >>> import autograd
    >>> autograd.device("cpu") == "cpu"
    True
    """

    __slots__ = ("type", "index")

    def __init__(self, type: str = "cpu", index=None):  # noqa: A002 - PyTorch's argument name
        if isinstance(type, Device):
            type, index = type.type, type.index
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda"):
            raise ValueError(f"device: unknown device type {type!r}; expected 'cpu' or 'cuda' (e.g. 'cuda:0')")
        if type == "cpu":
            index = None
        elif index is None:
            index = 0
        self.type = type
        self.index = index

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __repr__(self):
        return f"device(type='{self.type}'" + ("" if self.index is None else f", index={self.index}") + ")"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = Device(other)
            except ValueError:
                return False
        return isinstance(other, Device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


cpu = Device("cpu")
device = Device
