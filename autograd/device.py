"""Devices: where a tensor's data lives: ``cpu`` (a NumPy array) or ``cuda`` / ``cuda:1`` (a CuPy array on an
NVIDIA GPU).

A device is also a context manager, as in PyTorch: inside ``with autograd.device("cuda"):`` the creation functions
(``tensor``, ``zeros``, ``randn``, ...) place the tensors they make there unless given ``device=``.
:func:`set_default_device` does the same for the rest of the thread. Which GPU a bare ``"cuda"`` means is
``autograd.cuda``'s current device (``with autograd.cuda.device(1):`` changes it).
"""
from __future__ import annotations

import operator
import threading

_TYPES = ("cpu", "cuda")


class Device:
    """A device name, compared equal to its string form.

    ``"cuda"`` without an index means the current CUDA device, as in PyTorch (so it is not equal to
    ``"cuda:0"``); ``"cpu:0"`` is ``"cpu"``.

    >>> import autograd
    >>> autograd.device("cpu") == "cpu", autograd.device("cuda:1"), autograd.device("cuda", 1).index
    (True, device(type='cuda', index=1), 1)
    """

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):  # noqa: A002 - PyTorch's argument name
        spec = type
        if isinstance(type, Device):
            type, index = type.type, type.index if index is None else index
        elif not isinstance(type, str):
            if isinstance(type, bool) or not hasattr(type, "__index__"):
                raise TypeError(f"device: expected a string such as 'cpu', 'cuda' or 'cuda:1', a Device or a GPU "
                                f"index, got {spec!r}")
            type, index = "cuda", type  # torch.device(1) is cuda:1
        elif ":" in type:
            type, digits = type.split(":", 1)
            if index is not None or not (digits.isascii() and digits.isdigit()) or digits != str(int(digits)):
                raise ValueError(f"device: invalid device string {spec!r}; expected e.g. 'cpu', 'cuda' or 'cuda:1'")
            index = int(digits)
        if type not in _TYPES:
            raise ValueError(f"device: unknown device type {type!r} in {spec!r}; expected 'cpu' or 'cuda' "
                             "(e.g. 'cuda:0')")
        if index is not None:
            try:
                index = operator.index(index)
            except TypeError:
                raise TypeError(f"device: the index must be an integer, got {index!r}") from None
            if index < 0:
                raise ValueError(f"device: the index must not be negative, got {spec!r} with index {index}")
        if type == "cpu":
            if index not in (None, 0):
                raise ValueError(f"device: the CPU has no index {index}; use 'cpu'")
            index = None
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
        return isinstance(other, Device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return Device, (self.type, self.index)

    # -- the default device of creation functions, as ``with torch.device(...)`` -----------------------
    def __enter__(self):
        _default.stack.append(self)
        return self

    def __exit__(self, *exc):
        _default.stack.pop()
        return False


cpu = Device("cpu")
device = Device


class _Default(threading.local):
    """Per thread: the device set by :func:`set_default_device`, and the devices of open ``with`` blocks."""

    def __init__(self):
        self.base = cpu
        self.stack = []


_default = _Default()


def get_default_device() -> Device:
    """Where creation functions put tensors when not given ``device=`` (``cpu`` unless changed).

    >>> from autograd.device import get_default_device
    >>> import autograd
    >>> with autograd.device("cpu"):
    ...     get_default_device()
    device(type='cpu')
    """
    stack = _default.stack
    return stack[-1] if stack else _default.base


def set_default_device(device) -> None:
    """Make ``device`` (``None``: the CPU) the default of creation functions on this thread, as PyTorch's."""
    _default.base = cpu if device is None else Device(device)
