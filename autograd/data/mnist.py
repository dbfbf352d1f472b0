"""MNIST and Fashion-MNIST: downloaded once from public mirrors, SHA-256 checked, cached, read from IDX files.

The cache folder is ``$DENPA_DATA`` if set, else ``$XDG_CACHE_HOME/denpa`` or
``~/.cache/denpa``; each set has a sub-folder (``mnist``, ``fashion-mnist``).
Offline, put the four ``.gz`` files there by hand. A download goes to a
temporary file in that folder and is renamed into place only once its checksum
matches, so a broken transfer never leaves a half file behind.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import struct
import time
import urllib.error
import urllib.request
import zlib
from pathlib import Path
from typing import Optional, Sequence

import numpy as _np

from ..creation import as_tensor
from ..files import atomic_write
from .dataset import LabeledDataset

_TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# IDX element types: code -> (dtype, big-endian)
_IDX_TYPES: dict[int, _np.dtype] = {0x08: _np.dtype(">u1"), 0x09: _np.dtype(">i1"), 0x0B: _np.dtype(">i2"),
                                    0x0C: _np.dtype(">i4"), 0x0D: _np.dtype(">f4"), 0x0E: _np.dtype(">f8")}


def cache_dir() -> Path:
    """Where downloaded data sets live: ``$DENPA_DATA``, else ``$XDG_CACHE_HOME/denpa``, else ``~/.cache/denpa``."""
    env = os.environ.get("DENPA_DATA")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "denpa"


def _inflate(raw: bytes, name: str, max_bytes) -> bytes:
    """The IDX bytes inside gzip ``raw``, inflating only as many as the IDX header declares (checked first)."""
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = bytearray()
    pending = raw

    def take(n: int) -> None:
        nonlocal pending
        while len(out) < n and not d.eof:
            if not pending:
                raise ValueError(f"read_idx: {name} is a damaged gzip file (truncated: it ends after {len(out)} of "
                                 f"{n} bytes); delete it and download it again")
            out.extend(d.decompress(pending, n - len(out)))
            pending = d.unconsumed_tail

    try:
        take(4)
        if len(out) < 4 or out[0] != 0 or out[1] != 0 or out[2] not in _IDX_TYPES:
            magic = bytes(out[:4]).hex() or "empty"
            raise ValueError(f"read_idx: {name} is not an IDX file (bad magic number {magic})")
        head = 4 + 4 * out[3]
        take(head)
        if len(out) < head:
            raise ValueError(f"read_idx: {name} is truncated: its header promises {out[3]} dimensions")
        need = _idx_size(bytes(out[:head]), name, max_bytes)
        take(need)
        while not d.eof:  # the gzip trailer (its CRC is checked here) and nothing more
            if not pending:
                break
            if d.decompress(pending, 1):
                raise ValueError(f"read_idx: {name} is too long: its header declares {need} bytes, the file "
                                 f"inflates to more; delete it and download it again")
            pending = d.unconsumed_tail
    except zlib.error as e:
        raise ValueError(f"read_idx: {name} is a damaged gzip file ({e}); delete it and download it again") from None
    if not d.eof and len(out) >= need:
        raise ValueError(f"read_idx: {name} is a damaged gzip file (it ends before its trailer); delete it and "
                         f"download it again")
    if d.unused_data.strip(b"\0"):
        raise ValueError(f"read_idx: {name} is too long: data follows its gzip stream; delete it and download it again")
    return bytes(out)


def _idx_size(raw: bytes, name: str, max_bytes) -> int:
    """The total size the IDX header at the start of ``raw`` declares, checked against ``max_bytes``."""
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    shape = struct.unpack(f">{ndim}I", raw[4:4 + 4 * ndim])
    count = 1
    for s in shape:  # Python ints: 255 dimensions of 2**32 must not wrap around
        count *= s
    need = 4 + 4 * ndim + count * dtype.itemsize
    if max_bytes is not None and need > max_bytes:
        raise ValueError(f"read_idx: {name} declares an array of shape {shape} ({need} bytes), more than "
                         f"max_bytes={max_bytes}; if the file is right, pass a larger max_bytes")
    return need


def read_idx(source, max_bytes: Optional[int] = 1 << 30) -> _np.ndarray:
    """An array from an IDX file (gzipped or not), given a path or the file's bytes.

    The header's declared size is checked against ``max_bytes`` (default 1 GiB; None: no
    limit) before anything is inflated, so a small gzip bomb cannot fill the memory.

    >>> import gzip, struct
    >>> from autograd.data import read_idx
    >>> raw = struct.pack(">BBBB", 0, 0, 0x08, 1) + struct.pack(">I", 3) + bytes([7, 8, 9])
    >>> read_idx(gzip.compress(raw)).tolist()
    [7, 8, 9]
    """
    name = "<bytes>"
    if isinstance(source, (bytes, bytearray)):
        raw = bytes(source)
    else:
        name = str(source)
        size = os.path.getsize(source)
        with open(source, "rb") as f:
            magic = f.read(2)  # not ``head``: that name is the header's length below
        if magic != b"\x1f\x8b" and max_bytes is not None and size > max_bytes:
            raise ValueError(f"read_idx: {name} is {size} bytes, more than max_bytes={max_bytes}")
        raw = Path(source).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = _inflate(raw, name, max_bytes)
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"read_idx: {name} is not an IDX file (bad magic number {raw[:4].hex() or 'empty'})")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise ValueError(f"read_idx: {name} is truncated: its header promises {ndim} dimensions")
    need = _idx_size(raw, name, max_bytes)
    shape = struct.unpack(f">{ndim}I", raw[4:head])
    if len(raw) != need:
        raise ValueError(f"read_idx: {name} is {'truncated' if len(raw) < need else 'too long'}: shape {shape} needs "
                         f"{need} bytes, the file has {len(raw)}; delete it and download it again")
    return _np.frombuffer(raw, dtype, offset=head).reshape(shape).astype(dtype.newbyteorder("="))


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _MirrorFailed(Exception):
    """This mirror did not deliver the file; the next one is tried (not an OSError: the file was not at fault)."""


DEFAULT_TIMEOUT_S = 300.0  # a whole file, connecting included; MNIST's largest is 10 MB (26 MB for Fashion-MNIST)
STALL_S = 30.0  # the longest wait for any one read before the mirror counts as dead
SIZE_MARGIN = 1 << 20  # bytes (or 10 %, if more) a mirror may send beyond the expected size before it is cut off
UNKNOWN_SIZE_CAP = 256 << 20  # the cap on a file whose size is not in the table


def _socket_of(resp):
    # urllib gives no public handle on the socket; its timeout is what bounds each blocking read
    return getattr(getattr(getattr(resp, "fp", None), "raw", None), "_sock", None)


def _fetch(url: str, out, cap: int, timeout: float) -> str:
    """Stream ``url`` into ``out`` within ``timeout`` seconds and ``cap`` bytes; return its SHA-256."""
    deadline = time.monotonic() + timeout
    h, got = hashlib.sha256(), 0
    try:
        resp = urllib.request.urlopen(url, timeout=min(timeout, STALL_S))
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
        raise _MirrorFailed(getattr(e, "reason", None) or e) from None
    with resp:
        size = resp.headers.get("Content-Length")
        if size is not None and size.isdigit() and int(size) > cap:
            raise _MirrorFailed(f"it announces {size} bytes, more than the {cap} expected")
        sock = _socket_of(resp)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise _MirrorFailed(f"timed out: the download took longer than timeout={timeout:g} s "
                                    f"({got} bytes received)")
            if sock is not None:
                sock.settimeout(min(left, STALL_S))
            try:
                # read1: one network read, so a server sending a byte a second cannot hold a full-buffer read
                chunk = resp.read1(1 << 16)
            except (http.client.HTTPException, OSError, ValueError) as e:
                # HTTPException: a mirror that drops the connection mid-file (IncompleteRead)
                if isinstance(e, TimeoutError):
                    late = time.monotonic() >= deadline - 0.01
                    why = (f"timed out: the download took longer than timeout={timeout:g} s" if late
                           else f"timed out: no data for {min(left, STALL_S):g} s")
                    raise _MirrorFailed(f"{why} ({got} bytes received)") from None
                raise _MirrorFailed(f"{type(e).__name__}: {e} after {got} bytes") from None
            if not chunk:
                break
            got += len(chunk)
            if got > cap:
                raise _MirrorFailed(f"it sent more than the {cap} bytes expected")
            h.update(chunk)
            out.write(chunk)  # disk errors are not the mirror's fault: they end the download
    if size is not None and size.isdigit() and got < int(size):
        raise _MirrorFailed(f"the connection closed after {got} of {size} bytes")
    return h.hexdigest()


def download_file(name: str, mirrors: Sequence[str], folder: Path, sha256: str, timeout: float = DEFAULT_TIMEOUT_S,
                  size: Optional[int] = None) -> Path:
    """Fetch ``name`` from the first mirror that serves it with the right SHA-256 into ``folder`` (atomically).

    Each mirror gets ``timeout`` seconds for the whole file and at most ``size`` bytes plus
    10 % or 1 MiB, whichever is more (``size`` unknown: 256 MiB). The file is written under a ``.part`` name and renamed
    into place only once its checksum matches; ``.part`` files that killed downloads of the
    same file left behind are removed first.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"download_file: timeout must be a positive number of seconds, got {timeout!r}")
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / name
    cap = UNKNOWN_SIZE_CAP if size is None else int(size) + max(SIZE_MARGIN, int(size) // 10)
    tried = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        try:
            # legacy: the .part names of earlier versions (tempfile.mkstemp's 8 random characters)
            with atomic_write(dest, f"download {name}", suffix=".part", legacy="[a-z0-9_]{8}") as out:
                digest = _fetch(url, out, cap, float(timeout))
                if digest != sha256:
                    raise _MirrorFailed(f"checksum mismatch: expected sha256 {sha256}, got {digest}")
        except _MirrorFailed as e:
            tried.append(f"{url} ({e})")
            continue
        return dest
    raise RuntimeError(f"could not download {name}; tried:\n  " + "\n  ".join(tried) +
                       f"\nIf this machine is offline, download the file elsewhere and put it in {folder}")


class MNIST(LabeledDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey levels.

    ``download=True`` fetches missing files (SHA-256 checked) into ``root`` or the cache
    folder; ``flatten`` gives rows of 784 values, else ``(N, 1, 28, 28)``; ``normalize``
    scales grey levels to [0, 1]; ``mirrors`` overrides the download sites; ``timeout``
    is the seconds each file's download may take in all (default 300) before the next
    mirror is tried.
    """

    folder_name = "mnist"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/")
    sha256 = {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }
    # the files' sizes in bytes (as LeCun's page lists them): a mirror sending more is cut off
    sizes = {"train-images-idx3-ubyte.gz": 9912422, "train-labels-idx1-ubyte.gz": 28881,
             "t10k-images-idx3-ubyte.gz": 1648877, "t10k-labels-idx1-ubyte.gz": 4542}
    class_names = [str(i) for i in range(10)]

    def __init__(self, root: Optional[str] = None, train: bool = True, download: bool = False,
                 flatten: bool = False, normalize: bool = True, dtype="float32",
                 mirrors: Optional[Sequence[str]] = None, timeout: float = DEFAULT_TIMEOUT_S):
        folder = Path(root).expanduser() if root is not None else cache_dir() / self.folder_name
        self.root, self.train = folder, train
        mirrors = tuple(mirrors or self.mirrors)
        paths = []
        for name in (_TRAIN if train else _TEST):
            path = folder / name
            if not path.exists() or _sha256(path) != self.sha256[name]:
                if not download:
                    state = "is damaged (checksum mismatch)" if path.exists() else "was not found"
                    raise RuntimeError(f"{type(self).__name__}: {path} {state}; pass download=True to fetch it, or "
                                       f"put the file there by hand (from {mirrors[0].rstrip('/')}/{name})")
                path = download_file(name, mirrors, folder, self.sha256[name], timeout=timeout,
                                     size=self.sizes.get(name))
            paths.append(path)
        images, labels = read_idx(paths[0]), read_idx(paths[1])
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise ValueError(f"{type(self).__name__}: images {images.shape} and labels {labels.shape} in {folder} "
                             "do not match")
        x = images.astype(dtype)  # the one float copy: 60,000 images are 188 MB in float32
        if normalize:
            x /= 255.0
        x = x.reshape(len(x), -1) if flatten else x[:, None]
        super().__init__(as_tensor(x), as_tensor(labels.astype(_np.int64)), classes=self.class_names)



class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 images of 10 kinds of clothing, a harder drop-in for MNIST."""

    folder_name = "fashion-mnist"
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
               "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/")
    # the canonical files' SHA-256 (their MD5s are the ones torchvision and the Fashion-MNIST README publish)
    sha256 = {
        "train-images-idx3-ubyte.gz": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        "train-labels-idx1-ubyte.gz": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        "t10k-images-idx3-ubyte.gz": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        "t10k-labels-idx1-ubyte.gz": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    }
    sizes = {"train-images-idx3-ubyte.gz": 26421880, "train-labels-idx1-ubyte.gz": 29515,
             "t10k-images-idx3-ubyte.gz": 4422102, "t10k-labels-idx1-ubyte.gz": 5148}
    class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]
