"""Saving and loading state dicts: atomic writes, formats that cannot run code on load.

``nn.save(obj, path)`` takes a state dict or any nesting of dicts, lists and
tuples whose leaves are arrays, Tensors, numbers, strings, bools or None (so an
optimizer's ``state_dict()`` and an epoch counter fit). The format follows the
suffix:

- ``.npz`` (the default): every array is one NumPy entry, read back with
  ``allow_pickle=False``; the nesting and the plain values are one JSON entry.
- ``.safetensors`` (needs the ``safetensors`` package): arrays as safetensors
  tensors, the nesting as JSON in the header's metadata.

Neither can run code when loaded. A save writes a temporary file in the target's
folder, flushes and fsyncs it, then renames it over the target, so a crash
mid-save leaves the previous file whole. ``nn.load`` gives arrays back as
Tensors on the CPU, so ``model.load_state_dict(nn.load(path))`` works.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

import numpy as _np  # files hold host arrays

from autograd.tensor import Tensor

__all__ = ["save", "load"]

_META = "__denpa_meta__"
_FORMAT = "denpa-state/1"


def _host(a):
    """A host NumPy array from a Tensor or a NumPy/CuPy array."""
    a = a.data if isinstance(a, Tensor) else a
    if type(a).__module__.startswith("cupy"):
        a = a.get()
    return _np.ascontiguousarray(a)


def _encode(obj, arrays: dict, where: str):
    """The JSON skeleton of ``obj``; arrays move into ``arrays`` under numbered keys."""
    if isinstance(obj, Tensor) or type(obj).__module__ in ("numpy", "cupy") and hasattr(obj, "shape"):
        key = f"a{len(arrays)}"
        arr = _host(obj)
        if arr.dtype.kind not in "biufc":
            raise TypeError(f"nn.save: the array at {where} has dtype {arr.dtype}; only numeric and bool arrays "
                            "can be saved (object arrays would need pickle)")
        arrays[key] = arr
        return {"$array": key}
    if isinstance(obj, _np.generic):
        obj = obj.item()
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    if isinstance(obj, float):
        return {"$float": repr(obj)} if obj != obj or obj in (float("inf"), float("-inf")) else obj
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            if not isinstance(k, (str, int)) or isinstance(k, bool):
                raise TypeError(f"nn.save: dict keys must be str or int, got {type(k).__name__} at {where}")
            items.append([k, _encode(v, arrays, f"{where}[{k!r}]")])
        return {"$dict": items}
    if isinstance(obj, (list, tuple)):
        return {"$list" if isinstance(obj, list) else "$tuple": [_encode(v, arrays, f"{where}[{i}]")
                                                                 for i, v in enumerate(obj)]}
    raise TypeError(f"nn.save: cannot save a {type(obj).__name__} at {where}; save dicts, lists, tuples, arrays, "
                    "Tensors, numbers, strings, bools or None (e.g. model.state_dict(), optimizer.state_dict())")


def _decode(node, arrays):
    if isinstance(node, dict):
        if "$array" in node:
            return Tensor._wrap(arrays[node["$array"]], None)
        if "$float" in node:
            return float(node["$float"])
        if "$dict" in node:
            from collections import OrderedDict

            return OrderedDict((k, _decode(v, arrays)) for k, v in node["$dict"])
        if "$list" in node:
            return [_decode(v, arrays) for v in node["$list"]]
        if "$tuple" in node:
            return tuple(_decode(v, arrays) for v in node["$tuple"])
        raise ValueError(f"unknown entry {sorted(node)}")
    return node


def _format(path: Path) -> str:
    return "safetensors" if path.suffix == ".safetensors" else "npz"


def _safetensors():
    try:
        from safetensors import safe_open
        from safetensors.numpy import save
    except ImportError:
        raise ImportError("nn.save/nn.load: .safetensors files need the safetensors package: "
                          "pip install safetensors (or pip install 'denpa[safetensors]'); "
                          "or use a .npz path") from None
    return save, safe_open


def _atomic_write(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` so that a crash at any moment leaves the old file or the new one, whole."""
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename itself durable
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on folders
        pass


def save(obj, path) -> None:
    """Write ``obj`` (a state dict or nested dicts/lists of arrays and plain values) to ``path`` atomically.

    >>> import os, tempfile, nn
    >>> layer = nn.Linear(2, 1)
    >>> path = os.path.join(tempfile.mkdtemp(), "layer.npz")
    >>> nn.save({"model": layer.state_dict(), "epoch": 3}, path)
    >>> nn.load(path)["epoch"]
    3
    """
    path = Path(path)
    arrays: dict = {}
    meta = json.dumps({"format": _FORMAT, "tree": _encode(obj, arrays, "the top level")})
    if _format(path) == "safetensors":
        st_save, _ = _safetensors()
        payload = st_save(arrays, metadata={_META: meta})
    else:
        buf = io.BytesIO()
        _np.savez(buf, **arrays, **{_META: _np.frombuffer(meta.encode(), dtype=_np.uint8)})
        payload = buf.getvalue()
    _atomic_write(path, payload)


def load(path):
    """Read what :func:`save` wrote; arrays come back as CPU Tensors, dicts as (ordered) dicts.

    Never runs code from the file: a file holding pickled objects is refused.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"nn.load: no such file: {path}")
    try:
        if _format(path) == "safetensors":
            _, safe_open = _safetensors()
            with safe_open(str(path), framework="numpy") as f:
                meta = (f.metadata() or {}).get(_META)
                arrays = {k: f.get_tensor(k) for k in f.keys()}
        else:
            with _np.load(path, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
            meta = arrays.pop(_META, None)
            meta = None if meta is None else meta.tobytes().decode()
        if meta is None:
            raise ValueError("it has no denpa metadata entry (was it written by nn.save?)")
        info = json.loads(meta)
        if info.get("format") != _FORMAT:
            raise ValueError(f"unknown format {info.get('format')!r}")
        return _decode(info["tree"], arrays)
    except ImportError:
        raise
    except ValueError as e:
        if "allow_pickle" in str(e) or "pickle" in str(e).lower():
            raise ValueError(f"nn.load: {path} holds pickled Python objects; refusing to load it, since unpickling "
                             "can run arbitrary code. Only files written by nn.save can be loaded.") from None
        raise ValueError(f"nn.load: {path} is not a readable denpa file ({e}); it may be truncated or corrupt") from None
    except Exception as e:  # zipfile, OSError, JSON, safetensors' own errors: all mean a damaged file
        raise ValueError(f"nn.load: {path} is truncated or corrupt ({type(e).__name__}: {e}); "
                         "re-save it or restore a backup") from None
