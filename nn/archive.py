"""The bytes of ``nn.save`` files: NumPy ``.npz`` archives and ``.safetensors``, read with resource limits.

Reading never runs code and never allocates more than the file declares, and what it declares is
checked against ``max_bytes`` first: a zip entry that would inflate past the limit, an ``.npy``
header promising terabytes, or a safetensors header larger than its file is refused before any
array is made. Files PyTorch wrote (``torch.save`` zips, TorchScript archives, legacy pickles) are
recognised and refused with the way to convert them.
"""
from __future__ import annotations

import io
import json
import os
import struct
import zipfile

import numpy as _np

META = "__denpa__"
DEFAULT_MAX_BYTES = 1 << 30  # 1 GiB: far above the models this engine trains, far below what exhausts a laptop
MAX_HEADER_BYTES = 1 << 16  # an .npy header is a short dict literal; NumPy's own limit is 10,000 characters
_SAFETENSORS_HEADER_MAX = 100_000_000  # the safetensors library's own limit on its JSON header
_CHUNK = 1 << 24  # read arrays 16 MiB at a time: no second full-size buffer


class FileError(ValueError):
    """A file ``nn.load`` refuses: damaged, over a resource limit, or of a kind it never reads (pickles)."""


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n} bytes" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)  # pragma: no cover


def corrupt(name: str, why) -> FileError:
    """The error for a file that is truncated, corrupt or not nn.save's (``why``: the detail or the exception)."""
    why = f"{type(why).__name__}: {why}" if isinstance(why, BaseException) else why
    return FileError(f"nn.load: {name} is truncated or corrupt, or is not a file nn.save wrote ({why})")


def over_limit(name: str, what: str, n: int, max_bytes: int) -> FileError:
    """The error for ``what`` of ``n`` bytes in ``name`` beyond ``max_bytes``; it says how to allow a trusted file."""
    return FileError(f"nn.load: {name} {what} {_size(n)}, more than max_bytes={max_bytes} ({_size(max_bytes)}); "
                     f"if you trust this file and have the memory, pass a larger max_bytes (or max_bytes=None)")


def check_limit(name: str, what: str, n: int, max_bytes) -> None:
    """Raise :func:`over_limit`'s error when ``n`` exceeds ``max_bytes`` (``None``: no limit)."""
    if max_bytes is not None and n > max_bytes:
        raise over_limit(name, what, n, max_bytes)


_CONVERT = ("Convert it once, in PyTorch, where you trust the file: for a state dict, "
            "safetensors.torch.save_file({k: v.contiguous() for k, v in torch.load(path, weights_only=True).items()}, "
            "'model.safetensors') (pip install safetensors); a checkpoint holding several state dicts needs one "
            "file per state dict. Then load the .safetensors file here.")


def torch_file(name: str, kind: str) -> FileError:
    """The error for a PyTorch pickle, zip or TorchScript file: refused, with how to convert it to safetensors."""
    return FileError(f"nn.load: {name} {kind}; pickles can run code when loaded and denpa never unpickles "
                     f"(whatever weights_only says). {_CONVERT}")


# -- sniffing --------------------------------------------------------------------------------------

def sniff(name: str, head: bytes) -> str:
    """``"zip"`` or ``"safetensors"`` from a file's first 16 bytes; anything else gets a clear error."""
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if len(head) >= 9 and head[8:9] == b"{":
        return "safetensors"
    if head[:1] == b"\x80":
        raise torch_file(name, "looks like a pickle (a legacy torch.save file, or pickle.dump)")
    if head[:6] == b"\x93NUMPY":
        raise FileError(f"nn.load: {name} is a single NumPy .npy array, not an nn.save file; read it with "
                        f"numpy.load(path, allow_pickle=False) and wrap it with torch.from_numpy(...)")
    if head[:2] == b"\x1f\x8b":
        raise FileError(f"nn.load: {name} is gzip-compressed; decompress it first (gunzip) and load the result")
    raise corrupt(name, f"unknown file header {head[:9]!r}; expected a .npz (zip) or .safetensors file")


def _torch_kind(names) -> str | None:
    if any(n == "data.pkl" or n.endswith("/data.pkl") for n in names):
        if any(n.endswith("/constants.pkl") or n == "constants.pkl" for n in names):
            return "is a TorchScript archive (torch.jit.save), which holds pickles"
        return "is a PyTorch file written by torch.save (a zip archive holding a pickle)"
    if any(n.endswith(".pkl") for n in names):
        return "is a zip archive of pickles (a PyTorch file?)"
    return None


# -- .npz ------------------------------------------------------------------------------------------

def _read_header(fh, name: str, entry: str):
    """(shape, fortran_order, dtype) of the .npy stream ``fh``, with the header's size bounded."""
    magic = fh.read(8)
    if len(magic) < 8 or magic[:6] != b"\x93NUMPY":
        raise corrupt(name, f"entry {entry!r} is not a .npy array")
    major = magic[6]
    if major not in (1, 2, 3):
        raise corrupt(name, f"entry {entry!r} has .npy format version {major}.{magic[7]}")
    fmt = "<H" if major == 1 else "<I"
    raw = fh.read(struct.calcsize(fmt))
    if len(raw) < struct.calcsize(fmt):
        raise corrupt(name, f"entry {entry!r} ends inside its header")
    (n,) = struct.unpack(fmt, raw)
    if n > MAX_HEADER_BYTES:
        raise FileError(f"nn.load: {name}: entry {entry!r} has a {_size(n)} .npy header (an array's header is "
                        f"a short line; more than {_size(MAX_HEADER_BYTES)} is refused as hostile or damaged)")
    text = fh.read(n)
    if len(text) < n:
        raise corrupt(name, f"entry {entry!r} ends inside its header")
    try:
        import ast

        d = ast.literal_eval(text.decode("utf8" if major == 3 else "latin1"))
        shape, fortran, descr = tuple(d["shape"]), bool(d["fortran_order"]), d["descr"]
        if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in shape):
            raise ValueError(f"bad shape {shape}")
        dtype = _np.dtype(descr if isinstance(descr, str) else [tuple(f) for f in descr])
    except (ValueError, SyntaxError, KeyError, TypeError, UnicodeDecodeError, MemoryError, RecursionError) as e:
        raise corrupt(name, f"entry {entry!r} has an unreadable .npy header ({type(e).__name__})") from None
    if dtype.hasobject:
        raise FileError(f"nn.load: {name} holds pickled objects (entry {entry!r} has dtype object), which can run "
                        f"code when loaded; refusing to load it (denpa files never contain pickles)")
    return shape, fortran, dtype


def _read_npy(fh, name: str, entry: str, size: int, max_bytes) -> _np.ndarray:
    """One array from a zip entry of ``size`` bytes, allocated once, after its declared size is checked."""
    shape, fortran, dtype = _read_header(fh, name, entry)
    count = 1
    for s in shape:
        count *= s
    nbytes = count * dtype.itemsize
    check_limit(name, f"declares in entry {entry!r} an array {shape} of {dtype} of", nbytes, max_bytes)
    if nbytes != size - fh.tell():
        raise corrupt(name, f"entry {entry!r} declares an array {shape} of {dtype} ({nbytes} bytes) but holds "
                            f"{size - fh.tell()} bytes of data")
    flat = _np.empty(count, dtype)
    if nbytes:
        view, pos = flat.view(_np.uint8).data, 0  # a memoryview of the array's bytes
        while pos < nbytes:
            got = fh.readinto(view[pos:pos + _CHUNK])
            if not got:
                raise corrupt(name, f"entry {entry!r} ends after {pos} of {nbytes} bytes")
            pos += got
    if fh.read(1):  # also makes zipfile check the entry's CRC
        raise corrupt(name, f"entry {entry!r} has bytes after its array")
    return flat.reshape(shape[::-1]).T if fortran else flat.reshape(shape)


def read_npz(f, name: str, max_bytes):
    """(arrays by key, the ``__denpa__`` JSON bytes or None) from a zip archive open as binary file ``f``."""
    try:
        zf = zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, struct.error) as e:
        raise corrupt(name, e) from None
    with zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        kind = _torch_kind(names)
        if kind:
            raise torch_file(name, kind)
        if len(set(names)) != len(names):
            raise corrupt(name, "two entries have the same name")
        check_limit(name, "declares arrays totalling", sum(i.file_size for i in infos), max_bytes)
        arrays = {}
        for info in infos:
            if info.is_dir():
                continue
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                # bzip2 and lzma inflate a whole read at once: no bound on one step's memory
                raise corrupt(name, f"entry {info.filename!r} uses zip compression method {info.compress_type}; "
                                    f"only stored and deflated entries (numpy.savez / savez_compressed) are read")
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            try:
                with zf.open(info) as fh:
                    arrays[key] = _read_npy(fh, name, info.filename, info.file_size, max_bytes)
            except FileError:
                raise
            except MemoryError:
                raise FileError(f"nn.load: {name}: not enough memory for entry {info.filename!r} "
                                f"({_size(info.file_size)})") from None
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError,
                    struct.error) as e:  # RuntimeError: an encrypted entry
                raise corrupt(name, e) from None
    meta = arrays.pop(META, None)
    if meta is not None and (meta.dtype != _np.uint8 or meta.ndim != 1):
        raise corrupt(name, f"its {META} entry is not JSON bytes")
    return arrays, None if meta is None else meta.tobytes()


def write_npz(f, arrays: dict, meta: bytes) -> None:
    """Write ``arrays`` and the ``meta`` bytes to ``f`` as an uncompressed ``.npz`` (no pickles)."""
    entries = dict(arrays)
    entries[META] = _np.frombuffer(meta, dtype=_np.uint8)
    # stored, not deflated: the file is the arrays' bytes, so reading needs no more memory than the arrays
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for key, arr in entries.items():
            with zf.open(key + ".npy", "w", force_zip64=True) as fh:
                _np.lib.format.write_array(fh, _np.asanyarray(arr), allow_pickle=False)


# -- .safetensors ----------------------------------------------------------------------------------

def safetensors_module(op: str):
    """``safetensors.numpy``, or an ImportError saying how to install it (``op``: the calling function's name)."""
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(f"nn.{op}: the .safetensors format needs the safetensors package: pip install safetensors "
                          f"(or use a .npz path, which needs nothing extra)") from None
    return st


def write_safetensors(f, arrays: dict, meta: bytes) -> None:
    """Write ``arrays`` and the ``meta`` bytes to ``f`` as ``.safetensors``; non-numeric dtypes are refused."""
    st = safetensors_module("save")
    bad = [k for k, a in arrays.items() if a.dtype.kind in "USVcOMm"]
    if bad:
        raise TypeError(f"nn.save: safetensors stores numbers only; {bad[0]!r} has dtype {arrays[bad[0]].dtype} "
                        f"(use a .npz path for it)")
    f.write(st.save({k: _np.ascontiguousarray(a) for k, a in arrays.items()}, metadata={META: meta.decode()}))


def read_safetensors(f, name: str, size: int, max_bytes, path=None):
    """(arrays, meta bytes or None) from a safetensors file of ``size`` bytes open as ``f`` (at its start)."""
    st = safetensors_module("load")
    raw = f.read(8)
    (n,) = struct.unpack("<Q", raw) if len(raw) == 8 else (None,)
    if n is None or n > size - 8 or n > _SAFETENSORS_HEADER_MAX:
        raise corrupt(name, f"its safetensors header declares {n} bytes; the file has {size}")
    check_limit(name, "holds tensor data of", size - 8 - n, max_bytes)
    try:
        header = json.loads(f.read(n))
        if not isinstance(header, dict):
            raise ValueError("the header is not a JSON object")
    except (ValueError, RecursionError, UnicodeDecodeError) as e:
        raise corrupt(name, e) from None
    dtypes = {v.get("dtype") for k, v in header.items() if k != "__metadata__" and isinstance(v, dict)}
    if dtypes & {"BF16", "F8_E4M3", "F8_E5M2"}:
        odd = sorted(str(d) for d in dtypes & {"BF16", "F8_E4M3", "F8_E5M2"})
        raise FileError(f"nn.load: {name} holds {', '.join(odd)} tensors, which NumPy cannot represent; convert "
                        f"them to float32 in PyTorch first ({{k: v.float() for k, v in state.items()}})")
    try:
        if path is not None:
            arrays = st.load_file(path)
        else:
            f.seek(0)
            arrays = st.load(f.read())
    except MemoryError:
        raise FileError(f"nn.load: {name}: not enough memory for {_size(size)} of tensors") from None
    except Exception as e:  # safetensors raises its own error types for every kind of damage
        raise corrupt(name, e) from None
    meta = (header.get("__metadata__") or {}).get(META)
    if meta is not None and not isinstance(meta, str):
        raise corrupt(name, f"its {META} metadata is not a string")
    return arrays, None if meta is None else meta.encode()


# -- files and file objects ------------------------------------------------------------------------

def read_arrays(f, name: str, max_bytes, path=None):
    """Sniff and read a binary file object ``f`` (seekable or not); ``path`` when it is a named file."""
    if not (hasattr(f, "seekable") and f.seekable()):
        # a pipe or socket: read it into memory, never more than the limit allows (plus headers)
        cap = None if max_bytes is None else max_bytes + (64 << 20)
        data = f.read() if cap is None else f.read(cap + 1)
        if cap is not None and len(data) > cap:
            raise over_limit(name, "streams more than", cap, max_bytes)
        f = io.BytesIO(data)
    start = f.tell()
    head = f.read(16)
    end = f.seek(0, os.SEEK_END)
    f.seek(start)
    if not head:
        raise corrupt(name, "the file is empty")
    if sniff(name, head) == "safetensors":
        if start:
            f = io.BytesIO(f.read())
        return read_safetensors(f, name, end - start, max_bytes, path=path if not start else None)
    return read_npz(f, name, max_bytes)
