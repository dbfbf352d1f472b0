"""nn.save / nn.load: state dicts and nested plain data in files that cannot run code when loaded.

Two formats, picked by the file's suffix when saving (and by its content when loading):

- ``.npz`` (the default for any other suffix): a NumPy zip archive read with
  ``allow_pickle=False``. Each array is an entry named by its path in the
  nesting (``model/0.weight``, ``optimizer/state/0/momentum_buffer``), so plain
  ``numpy.load`` can read the weights too; one extra entry, ``__denpa__``,
  holds the nesting and the non-array values as JSON (a uint8 array).
- ``.safetensors``: the Hugging Face format (needs ``pip install safetensors``);
  the JSON nesting goes in its string metadata.

What comes back is what was saved: dicts (string, int, float, bool or None
keys), lists, tuples, ints, floats, bools, strings, None, NumPy arrays as NumPy
arrays and Tensors as Tensors (``requires_grad`` kept; Parameters come back as
Parameters), so ``model.load_state_dict(nn.load(path))`` works. A plain
``.npz`` or ``.safetensors`` file written by another program loads as a flat
dict of Tensors, one per array.

Writes are atomic: the file is written beside the target under a temporary
name, flushed, ``fsync``-ed and renamed over it, so a crash leaves either the
old file or the new one, never half of one.
"""
from __future__ import annotations

import json
import os
import secrets
import struct
import zipfile
from typing import Any, Union

import numpy as _np  # files hold host arrays: device data is copied to the host first

from autograd.tensor import Tensor

from .parameter import Parameter

__all__ = ["save", "load"]

PathLike = Union[str, "os.PathLike[str]"]

_META = "__denpa__"
_VERSION = 1
_SUPPORTED = "dict, list, tuple, Tensor, NumPy array, int, float, bool, str and None"


# -- nesting <-> JSON spec + flat arrays ---------------------------------------------------

def _host(a) -> _np.ndarray:
    """``a`` as a host NumPy array (CuPy arrays are copied off the device)."""
    return a if isinstance(a, _np.ndarray) else _np.asarray(a.get() if hasattr(a, "get") else a)


def _where(path) -> str:
    return "".join(f"[{k!r}]" for k in path) or "the top level"


def _encode(obj, path: tuple, arrays: dict) -> Any:
    """The JSON spec of ``obj``; arrays go into ``arrays`` under a readable, unique key."""
    if obj is None or isinstance(obj, (bool, str)):
        return {"t": "v", "v": obj}
    if isinstance(obj, (int, float)):
        return {"t": "v", "v": obj}
    if isinstance(obj, _np.generic):
        return {"t": "v", "v": obj.item()}
    if isinstance(obj, Tensor) or isinstance(obj, _np.ndarray) or type(obj).__module__ == "cupy":
        arr = _host(obj.array if isinstance(obj, Tensor) else obj)
        if arr.dtype.hasobject:
            raise TypeError(f"nn.save: the array at {_where(path)} has dtype object, which only pickle can store; "
                            f"convert it to a numeric or string dtype")
        key = "/".join(str(k) for k in path) or "array"
        base, n = key, 1
        while key in arrays or key == _META:
            key, n = f"{base}#{n}", n + 1
        arrays[key] = arr
        spec = {"t": "array", "k": key, "s": list(arr.shape)}  # the shape: safetensors stores 0-d arrays as (1,)
        if isinstance(obj, Tensor):
            spec.update(t="parameter" if isinstance(obj, Parameter) else "tensor", rg=bool(obj.requires_grad))
        return spec
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not (k is None or isinstance(k, (str, int, float, bool))):
                raise TypeError(f"nn.save: dict key {k!r} at {_where(path)} is a {type(k).__name__}; keys must be "
                                f"str, int, float, bool or None")
            items.append([k, _encode(v, path + (k,), arrays)])
        return {"t": "dict", "items": items}
    if isinstance(obj, (list, tuple)):
        return {"t": "list" if isinstance(obj, list) else "tuple",
                "items": [_encode(v, path + (i,), arrays) for i, v in enumerate(obj)]}
    hint = " (save its state_dict(): nn.save(model.state_dict(), path))" if hasattr(obj, "state_dict") else ""
    raise TypeError(f"nn.save: cannot store a {type(obj).__name__} at {_where(path)}{hint}; "
                    f"supported: {_SUPPORTED}")


def _decode(spec, arrays: dict, where: str):
    t = spec["t"]
    if t == "v":
        return spec["v"]
    if t == "dict":
        return {k: _decode(v, arrays, where) for k, v in spec["items"]}
    if t in ("list", "tuple"):
        items = [_decode(v, arrays, where) for v in spec["items"]]
        return items if t == "list" else tuple(items)
    arr = arrays[spec["k"]]
    shape = tuple(spec.get("s", arr.shape))
    if arr.shape != shape:
        arr = arr.reshape(shape)
    if t == "array":
        return arr
    if t == "parameter":
        return Parameter(Tensor(arr), requires_grad=spec["rg"])
    if t == "tensor":
        return Tensor(arr, requires_grad=spec["rg"])
    raise ValueError(f"nn.load: {where} holds an entry of unknown kind {t!r} (written by a newer denpa?)")


# -- atomic writes ---------------------------------------------------------------------

def _atomic_write(path: str, write) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"nn.save: folder {folder!r} does not exist; create it first")
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    # O_EXCL: never reuse someone else's file; mode 0o666 lets the umask decide permissions, as open() does
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: str) -> None:
    """Make the rename itself durable (POSIX; a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass
    finally:
        os.close(fd)


# -- the two formats -------------------------------------------------------------------

def _write_npz(f, arrays: dict, meta: bytes) -> None:
    entries = dict(arrays)
    entries[_META] = _np.frombuffer(meta, dtype=_np.uint8)
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in entries.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as fh:
                _np.lib.format.write_array(fh, _np.asanyarray(arr), allow_pickle=False)


def _read_npz(path: str):
    try:
        with _np.load(path, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ValueError as e:
        if "pickle" in str(e).lower():
            raise ValueError(f"nn.load: {path!r} holds pickled objects, which can run code when loaded; refusing to "
                             f"load it (denpa files never contain pickles)") from None
        raise _corrupt(path, e) from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError, struct.error) as e:
        raise _corrupt(path, e) from None
    meta = arrays.pop(_META, None)
    return arrays, None if meta is None else meta.tobytes()


def _safetensors(op: str):
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(f"nn.{op}: the .safetensors format needs the safetensors package: pip install safetensors "
                          f"(or use a .npz path, which needs nothing extra)") from None
    return st


def _write_safetensors(f, arrays: dict, meta: bytes) -> None:
    st = _safetensors("save")
    bad = [k for k, a in arrays.items() if a.dtype.kind in "USVc"]
    if bad:
        raise TypeError(f"nn.save: safetensors stores numbers only; {bad[0]!r} has dtype {arrays[bad[0]].dtype} "
                        f"(use a .npz path for it)")
    f.write(st.save({k: _np.ascontiguousarray(a) for k, a in arrays.items()}, metadata={_META: meta.decode()}))


def _read_safetensors(path: str):
    st = _safetensors("load")
    try:
        with open(path, "rb") as f:
            (n,) = struct.unpack("<Q", f.read(8))
            header = json.loads(f.read(n))
        arrays = st.load_file(path)
    except Exception as e:  # safetensors raises its own error types for every kind of damage
        raise _corrupt(path, e) from None
    meta = (header.get("__metadata__") or {}).get(_META)
    return arrays, None if meta is None else meta.encode()


def _corrupt(path: str, err) -> ValueError:
    return ValueError(f"nn.load: {path!r} is truncated or corrupt, or is not a file nn.save wrote "
                      f"({type(err).__name__}: {err})")


def _sniff(path: str, head: bytes) -> str:
    """The format by content: zip archives start with "PK", safetensors with an 8-byte length and "{"."""
    if head[:2] == b"PK":
        return "npz"
    if head[8:9] == b"{":
        return "safetensors"
    if head[:1] == b"\x80" or path.endswith((".pt", ".pth", ".pkl", ".pickle")):
        raise ValueError(f"nn.load: {path!r} looks like a pickle (e.g. a torch.save file), which can run code when "
                         f"loaded; refusing it. Convert it once where you trust it, e.g. "
                         f"nn.save({{k: v.numpy() for k, v in torch.load(p).items()}}, 'weights.npz')")
    raise _corrupt(path, ValueError(f"unknown file header {head[:9]!r}; expected a .npz (zip) or .safetensors file"))


# -- public API ------------------------------------------------------------------------

def save(obj: Any, path: PathLike) -> None:
    """Write ``obj`` (a state dict, or nested dicts/lists of arrays, Tensors and plain values) to ``path``, atomically.

    ``.safetensors`` paths use that format (``pip install safetensors``); any
    other path gets a NumPy ``.npz`` archive. Neither can run code when loaded.

    >>> import os, tempfile, nn
    >>> model = nn.Linear(3, 2)
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> nn.save({"model": model.state_dict(), "epoch": 7}, path)
    >>> state = nn.load(path)
    >>> state["epoch"], sorted(state["model"])
    (7, ['bias', 'weight'])
    >>> model.load_state_dict(state["model"])
    <All keys matched successfully>
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"nn.save: expected a file path (str or os.PathLike), got {type(path).__name__}; "
                        f"atomic writes need a path")
    path = os.fspath(path)
    arrays: dict = {}
    spec = _encode(obj, (), arrays)
    meta = json.dumps({"format": "denpa", "version": _VERSION, "spec": spec}).encode()
    writer = _write_safetensors if path.endswith(".safetensors") else _write_npz
    if writer is _write_safetensors:
        _safetensors("save")  # fail before touching the disk
    _atomic_write(path, lambda f: writer(f, arrays, meta))


def load(path: PathLike, map_location=None) -> Any:
    """Read what :func:`save` wrote (arrays come back as they went in; Tensors as Tensors).

    Never runs code: pickled content is refused. A truncated or corrupt file
    raises ValueError naming the path. ``map_location`` accepts ``"cpu"`` (the
    only device for now), for code ported from ``torch.load``.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"nn.load: expected a file path (str or os.PathLike), got {type(path).__name__}")
    path = os.fspath(path)
    if map_location is not None and str(map_location).split(":")[0] != "cpu":
        raise RuntimeError(f"nn.load: map_location={map_location!r}: CUDA support arrives with the GPU work "
                           f"(install the 'cuda' extra: pip install 'denpa[cuda]'); load to 'cpu' for now")
    if not os.path.exists(path):
        raise FileNotFoundError(f"nn.load: no file at {path!r}")
    with open(path, "rb") as f:
        head = f.read(9)
    arrays, meta = _read_safetensors(path) if _sniff(path, head) == "safetensors" else _read_npz(path)
    if meta is None:  # written by another program: a flat dict of Tensors
        return {k: Tensor(a) for k, a in arrays.items()}
    try:
        info = json.loads(meta.decode())
        spec = info["spec"]
        return _decode(spec, arrays, repr(path))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        if isinstance(e, ValueError) and str(e).startswith("nn.load"):
            raise
        raise _corrupt(path, e) from None
