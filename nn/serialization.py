"""nn.save / nn.load (also ``torch.save`` / ``torch.load`` under ``import denpa as torch``): state dicts and
nested plain data in files that cannot run code when loaded.

What each file name gets (the suffix picks the format when saving; content decides when loading):

- ``.safetensors``: the Hugging Face format (``pip install safetensors``), readable by
  ``safetensors.torch.load_file`` in PyTorch; the nesting goes in its string metadata.
  Numeric arrays only.
- ``.npz``, ``.pt``, ``.pth`` and any other name: a NumPy zip archive (``numpy.load(path,
  allow_pickle=False)`` reads the weights too), one ``.npy`` entry per array, named by
  its path in the nesting (``model/0.weight``), plus ``__denpa__`` holding the nesting
  and the non-array values as JSON. A ``.pt`` file from denpa is *not* a PyTorch pickle:
  PyTorch cannot ``torch.load`` it; to hand weights to PyTorch, save to ``.safetensors``.

What comes back is what was saved: dicts (str, int, float, bool or None keys), lists,
tuples, ints, floats, bools, strings, None, NumPy arrays as arrays, Tensors as Tensors
(``requires_grad`` kept; Parameters as Parameters). A ``.npz`` or ``.safetensors`` file
from another program loads as a flat dict of Tensors. A module or any other object is
refused (save its ``state_dict()``), as are files only a pickle reader could open:
``torch.save`` files from PyTorch get a message saying how to convert them.

Writes to a path are atomic (``autograd.files.atomic_write``): a crash leaves the old file
or the new one, an existing file keeps its permissions, a symlink's target is replaced.
Loads check every size the file declares against ``max_bytes`` before allocating.
"""
from __future__ import annotations

import io
import json
import os
import re
from typing import Any, Callable, TypeGuard, Union

import numpy as _np  # files hold host arrays: device data is copied to the host first

from autograd.files import atomic_write
from autograd.tensor import Tensor

from . import archive
from .archive import DEFAULT_MAX_BYTES, FileError, corrupt
from .parameter import Parameter

__all__ = ["save", "load"]

PathLike = Union[str, "os.PathLike[str]"]
FileLike = Union[str, "os.PathLike[str]", io.IOBase]

_VERSION = 1
MAX_DEPTH = 100  # nesting levels of dicts/lists/tuples; a checkpoint uses about 5
_SUPPORTED = "dict, list, tuple, Tensor, NumPy array, int, float, bool, str and None"
_PICKLE_ARGS = {"encoding", "errors", "fix_imports", "buffers"}  # torch.load passes these to pickle: no effect here
_LEGACY_TMP = "[0-9a-f]{12}"  # temporary names of nn.save before they carried the writer's pid


# -- nesting <-> JSON spec + flat arrays ---------------------------------------------------

def _host(a) -> _np.ndarray:
    """``a`` as a host NumPy array (CuPy arrays are copied off the device)."""
    return a if isinstance(a, _np.ndarray) else _np.asarray(a.get() if hasattr(a, "get") else a)


def _where(path) -> str:
    return "".join(f"[{k!r}]" for k in path) or "the top level"


def _plain(v) -> bool:
    return v is None or isinstance(v, (bool, str, int, float))


_SAFE_NAME = re.compile(r"[^A-Za-z0-9_./#-]")


def _encode(obj, path: tuple, arrays: dict, open_ids: set) -> Any:
    """The JSON spec of ``obj``; arrays go into ``arrays`` under a readable, unique key."""
    if isinstance(obj, _np.generic) and not isinstance(obj, _np.ndarray):
        value = obj.item()
        if not _plain(value):
            raise TypeError(f"nn.save: cannot store the NumPy scalar {obj!r} ({obj.dtype}) at {_where(path)}; "
                            f"store it as a 0-d array (numpy.asarray(x)) or a Python number")
        obj = value
    if _plain(obj):
        return {"t": "v", "v": obj}
    if isinstance(obj, Tensor) or isinstance(obj, _np.ndarray) or type(obj).__module__ == "cupy":
        arr = _host(obj.array if isinstance(obj, Tensor) else obj)
        if arr.dtype.hasobject:
            raise TypeError(f"nn.save: the array at {_where(path)} has dtype object, which only pickle can store; "
                            f"convert it to a numeric or string dtype")
        # the array's name in the archive: readable, but only characters every format's entry names keep (a zip
        # name ends at a NUL); the description records the name, so a collision just takes a suffix
        key = _SAFE_NAME.sub("_", "/".join(str(k) for k in path)) or "array"
        base, n = key, 1
        while key in arrays or key == archive.META:
            key, n = f"{base}#{n}", n + 1
        arrays[key] = arr
        # the shape: safetensors stores 0-d arrays as (1,)
        spec: dict[str, Any] = {"t": "array", "k": key, "s": list(arr.shape)}
        if isinstance(obj, Tensor):
            spec.update(t="parameter" if isinstance(obj, Parameter) else "tensor", rg=bool(obj.requires_grad))
        return spec
    if isinstance(obj, (dict, list, tuple)):
        if len(path) >= MAX_DEPTH:
            raise ValueError(f"nn.save: the data is nested more than {MAX_DEPTH} levels deep at {_where(path[:3])}...; "
                             f"flatten it")
        if id(obj) in open_ids:
            raise ValueError(f"nn.save: the {type(obj).__name__} at {_where(path)} contains itself; a file cannot "
                             f"hold a cycle")
        open_ids.add(id(obj))
        try:
            if isinstance(obj, dict):
                items = []
                for k, v in obj.items():
                    if isinstance(k, _np.generic):
                        k = k.item()
                    if not _plain(k):
                        raise TypeError(f"nn.save: dict key {k!r} at {_where(path)} is a {type(k).__name__}; keys "
                                        f"must be str, int, float, bool or None")
                    items.append([k, _encode(v, path + (k,), arrays, open_ids)])
                return {"t": "dict", "items": items}
            return {"t": "list" if isinstance(obj, list) else "tuple",
                    "items": [_encode(v, path + (i,), arrays, open_ids) for i, v in enumerate(obj)]}
        finally:
            open_ids.discard(id(obj))
    hint = ""
    if hasattr(obj, "state_dict"):
        hint = (f"; save its state_dict() instead: torch.save(obj.state_dict(), path) (nn.save(model.state_dict(), "
                f"path)), and load it into a freshly built {type(obj).__name__} with load_state_dict")
    raise TypeError(f"nn.save: cannot store a {type(obj).__name__} at {_where(path)}{hint}; supported: {_SUPPORTED} "
                    f"(denpa never pickles, so files cannot run code when loaded)")


class _Decoder:
    """Rebuilds the nesting from a spec, checking every field (the spec comes from a file: trust nothing)."""

    def __init__(self, arrays: dict, name: str, place: Callable):
        self.arrays, self.name, self.place = arrays, name, place

    def bad(self, why: str) -> FileError:
        return corrupt(self.name, f"its {archive.META} description {why}")

    def __call__(self, spec, depth: int = 0):
        if depth > MAX_DEPTH:
            raise FileError(f"nn.load: {self.name} is nested more than {MAX_DEPTH} levels deep (nn.save never "
                            f"writes that); refusing it as hostile or damaged")
        if not isinstance(spec, dict) or not isinstance(spec.get("t"), str):
            raise self.bad(f"has an entry that is not a typed object: {str(spec)[:60]}")
        t = spec["t"]
        if t == "v":
            v = spec.get("v")
            if not _plain(v):
                raise self.bad(f"has a value of type {type(v).__name__}")
            return v
        if t in ("dict", "list", "tuple"):
            items = spec.get("items")
            if not isinstance(items, list):
                raise self.bad(f"has a {t} without items")
            if t != "dict":
                out = [self(v, depth + 1) for v in items]
                return out if t == "list" else tuple(out)
            out = {}
            for pair in items:
                if not (isinstance(pair, list) and len(pair) == 2 and _plain(pair[0])):
                    raise self.bad("has a dict item that is not a [key, value] pair")
                out[pair[0]] = self(pair[1], depth + 1)
            return out
        if t not in ("array", "tensor", "parameter"):
            raise FileError(f"nn.load: {self.name} holds an entry of unknown kind {t!r} (written by a newer denpa?)")
        key, shape = spec.get("k"), spec.get("s")
        if not isinstance(key, str) or key not in self.arrays:
            raise self.bad(f"names an array {key!r} the file does not hold")
        arr = self.arrays[key]
        if shape is not None:
            if not (isinstance(shape, list) and all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                    for s in shape)):
                raise self.bad(f"gives array {key!r} the shape {shape!r}")
            count = 1
            for s in shape:
                count *= s
            if count != arr.size:
                raise self.bad(f"gives array {key!r} the shape {tuple(shape)}, but it holds {arr.size} values")
            arr = arr.reshape(shape)
        if t == "array":
            return arr
        rg = spec.get("rg", False)
        if not isinstance(rg, bool) or (rg and arr.dtype.kind not in "fc"):
            raise self.bad(f"gives array {key!r} of {arr.dtype} requires_grad={rg!r}")
        made = Tensor(arr, requires_grad=rg) if t == "tensor" else Parameter(Tensor(arr), requires_grad=rg)
        return self.place(made)


# -- where loaded tensors go ------------------------------------------------------------------

def _placer(map_location) -> Callable:
    """A function giving each loaded Tensor its device, from torch.load's ``map_location`` forms."""
    if map_location is None:
        return lambda t: t
    if callable(map_location) and not isinstance(map_location, (str, dict)):
        def call(t):  # PyTorch calls fn(storage, location); our files are always saved from 'cpu'
            out = map_location(t, "cpu")
            if out is None:
                return t
            if not isinstance(out, Tensor):
                raise TypeError(f"nn.load: map_location returned a {type(out).__name__}; it must return the tensor "
                                f"it was given (moved where you want it) or None")
            return out
        return call
    if isinstance(map_location, dict):
        target = map_location.get("cpu", "cpu")
    else:
        target = map_location
    from autograd.backend import resolve

    try:
        device = resolve(target)
    except (TypeError, ValueError) as e:
        raise type(e)(f"nn.load: map_location={map_location!r} is not a device ({e})") from None
    if device.type == "cpu":
        return lambda t: t
    from autograd.backend import to_device

    try:
        to_device(_np.zeros(1), device)  # a clear error now (no CuPy, no such GPU) rather than mid-file
    except RuntimeError as e:
        raise RuntimeError(f"nn.load: map_location={map_location!r}: {e}; or load to 'cpu'") from None

    def move(t):
        moved = Tensor._wrap(to_device(t.array, device), None)
        if isinstance(t, Parameter):
            return Parameter(moved, requires_grad=t.requires_grad)
        return moved.requires_grad_(t.requires_grad) if t.requires_grad else moved
    return move


# -- public API ------------------------------------------------------------------------

def _is_path(f) -> TypeGuard[Union[str, "os.PathLike[str]"]]:
    return isinstance(f, (str, os.PathLike))


def _shown(f) -> str:
    if _is_path(f):
        return repr(os.fspath(f))
    name = getattr(f, "name", None)
    return repr(name) if isinstance(name, str) else f"the {type(f).__name__} file object"


def save(obj: Any, f: FileLike, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists/tuples of Tensors, arrays and plain values) to ``f``.

    ``f`` is a path or a binary file object (``open(p, "wb")``, ``io.BytesIO()``). A path
    ending in ``.safetensors`` gets that format; every other path (``.pt``, ``.pth``,
    ``.npz``, ...) and file objects get a NumPy ``.npz`` archive (see the module's notes).
    Writes to a path are atomic. ``pickle_module`` and the other torch.save arguments are
    accepted for ported code and change nothing: nothing here pickles.

    >>> import io, os, tempfile, nn
    >>> model = nn.Linear(3, 2)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.pt")
    >>> nn.save({"model": model.state_dict(), "epoch": 7}, path)
    >>> state = nn.load(path)
    >>> state["epoch"], sorted(state["model"])
    (7, ['bias', 'weight'])
    >>> model.load_state_dict(state["model"])
    <All keys matched successfully>
    >>> buffer = io.BytesIO(); nn.save([1, "two", None], buffer); _ = buffer.seek(0)
    >>> nn.load(buffer)
    [1, 'two', None]
    """
    if not _is_path(f) and not hasattr(f, "write"):
        raise TypeError(f"nn.save: expected a file path (str or os.PathLike) or a binary file object, got "
                        f"{type(f).__name__}")
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"nn.save: {_shown(f)} is open in text mode; open it in binary mode: open(path, 'wb')")
    arrays: dict = {}
    spec = _encode(obj, (), arrays, set())
    meta = json.dumps({"format": "denpa", "version": _VERSION, "spec": spec}).encode()
    name = os.fspath(f) if _is_path(f) else getattr(f, "name", "")
    st = isinstance(name, str) and name.endswith(".safetensors")
    if st:
        archive.safetensors_module("save")  # fail before touching the disk
    writer = archive.write_safetensors if st else archive.write_npz
    if not _is_path(f):
        writer(f, arrays, meta)
        return
    with atomic_write(f, "nn.save", legacy=_LEGACY_TMP) as out:
        writer(out, arrays, meta)


def load(f: FileLike, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         max_bytes=DEFAULT_MAX_BYTES, **pickle_load_args) -> Any:
    """Read what :func:`save` wrote, from a path or a binary file object (arrays as arrays, Tensors as Tensors).

    Never runs code: pickles, including PyTorch's own ``torch.save`` files, are refused with
    the way to convert them (``weights_only`` may be True, False or None: nothing is ever
    unpickled either way). ``map_location`` takes torch.load's forms: a device (``"cpu"``,
    ``"cuda:0"``, a ``device``), a dict from saved location to device, or a function
    ``fn(tensor, "cpu")`` returning the tensor. ``max_bytes`` (default 1 GiB; None: no
    limit) bounds the array data the file may declare, checked before anything is
    allocated. A damaged, hostile or over-limit file raises ``ValueError`` naming it, and
    nothing is loaded. ``mmap`` is accepted; the data is read into memory.

    >>> import io, nn, autograd
    >>> buffer = io.BytesIO()
    >>> nn.save({"w": autograd.ones(2)}, buffer)
    >>> _ = buffer.seek(0)
    >>> nn.load(buffer, map_location="cpu", weights_only=True)["w"].tolist()
    [1.0, 1.0]
    """
    unknown = set(pickle_load_args) - _PICKLE_ARGS
    if unknown:
        raise TypeError(f"nn.load() got unexpected keyword argument(s) {sorted(unknown)}")
    if weights_only is not None and not isinstance(weights_only, bool):
        raise TypeError(f"nn.load: weights_only must be True, False or None, got {weights_only!r}")
    if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0):
        raise ValueError(f"nn.load: max_bytes must be a non-negative int or None, got {max_bytes!r}")
    if not _is_path(f) and not hasattr(f, "read"):
        raise TypeError(f"nn.load: expected a file path (str or os.PathLike) or a binary file object, got "
                        f"{type(f).__name__}")
    if isinstance(f, io.TextIOBase):
        raise TypeError(f"nn.load: {_shown(f)} is open in text mode; open it in binary mode: open(path, 'rb')")
    place = _placer(map_location)
    name = _shown(f)
    if _is_path(f):
        path = os.fspath(f)
        if not os.path.exists(path):
            raise FileNotFoundError(f"nn.load: no file at {path!r}")
        if os.path.isdir(path):
            raise IsADirectoryError(f"nn.load: {path!r} is a folder; give the file inside it")
        with open(path, "rb") as fh:
            arrays, meta = archive.read_arrays(fh, name, max_bytes, path=path)
    else:
        arrays, meta = archive.read_arrays(f, name, max_bytes)
    if meta is None:  # written by another program: a flat dict of Tensors
        return {k: place(Tensor(a)) for k, a in arrays.items()}
    try:
        info = json.loads(meta.decode())
    except RecursionError:
        raise FileError(f"nn.load: {name} holds a description nested too deep to read (nn.save never writes "
                        f"that); refusing it as hostile or damaged") from None
    except (ValueError, UnicodeDecodeError) as e:
        raise corrupt(name, e) from None
    if not isinstance(info, dict) or "spec" not in info:
        raise corrupt(name, f"its {archive.META} entry is not a denpa description")
    return _Decoder(arrays, name, place)(info["spec"])
