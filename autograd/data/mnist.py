"""MNIST and Fashion-MNIST: downloaded once from public mirrors, SHA-256 checked, cached, read from IDX files.

The cache folder is ``$DENPA_DATA`` if set, else ``$XDG_CACHE_HOME/denpa`` or
``~/.cache/denpa``; each set has a sub-folder (``mnist``, ``fashion-mnist``).
Offline, put the four ``.gz`` files there by hand. A download goes to a
temporary file in that folder and is renamed into place only once its checksum
matches, so a broken transfer never leaves a half file behind.
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path
from typing import Optional, Sequence

import numpy as _np

from ..creation import as_tensor
from .dataset import LabeledDataset

_TRAIN = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz")
_TEST = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")

# IDX element types: code -> (dtype, big-endian)
_IDX_TYPES = {0x08: _np.dtype(">u1"), 0x09: _np.dtype(">i1"), 0x0B: _np.dtype(">i2"), 0x0C: _np.dtype(">i4"),
              0x0D: _np.dtype(">f4"), 0x0E: _np.dtype(">f8")}


def cache_dir() -> Path:
    """Where downloaded data sets live: ``$DENPA_DATA``, else ``$XDG_CACHE_HOME/denpa``, else ``~/.cache/denpa``."""
    env = os.environ.get("DENPA_DATA")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "denpa"


def read_idx(source) -> _np.ndarray:
    """An array from an IDX file (gzipped or not), given a path or the file's bytes.

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
        raw = Path(source).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as e:
            raise ValueError(f"read_idx: {name} is a damaged gzip file ({e}); delete it and download it again") from None
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise ValueError(f"read_idx: {name} is not an IDX file (bad magic number {raw[:4].hex() or 'empty'})")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    head = 4 + 4 * ndim
    if len(raw) < head:
        raise ValueError(f"read_idx: {name} is truncated: its header promises {ndim} dimensions")
    shape = tuple(int(d) for d in _np.frombuffer(raw, ">u4", ndim, 4))
    need = head + int(_np.prod(shape, dtype=_np.int64)) * dtype.itemsize
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


def download_file(name: str, mirrors: Sequence[str], folder: Path, sha256: str, timeout: float = 60.0) -> Path:
    """Fetch ``name`` from the first mirror that serves it with the right SHA-256 into ``folder`` (atomically)."""
    folder.mkdir(parents=True, exist_ok=True)
    dest = folder / name
    tried = []
    for base in mirrors:
        url = base.rstrip("/") + "/" + name
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)
        try:
            h, got = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as resp:
                size = resp.headers.get("Content-Length")
                for chunk in iter(lambda: resp.read(1 << 16), b""):
                    h.update(chunk)
                    out.write(chunk)
                    got += len(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size is not None and size.isdigit() and got < int(size):
                tried.append(f"{url} (the connection closed after {got} of {size} bytes)")
                continue
            if h.hexdigest() != sha256:
                tried.append(f"{url} (checksum mismatch: expected sha256 {sha256}, got {h.hexdigest()})")
                continue
            os.replace(tmp, dest)
            return dest
        # HTTPException: a mirror that drops the connection mid-file (IncompleteRead) is one more failed mirror
        except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as e:
            tried.append(f"{url} ({getattr(e, 'reason', None) or e})")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    raise RuntimeError(f"could not download {name}; tried:\n  " + "\n  ".join(tried) +
                       f"\nIf this machine is offline, download the file elsewhere and put it in {folder}")


class MNIST(LabeledDataset):
    """The MNIST handwritten digits: 60,000 training and 10,000 test images of 28x28 grey levels.

    ``download=True`` fetches missing files (SHA-256 checked) into ``root`` or the cache
    folder; ``flatten`` gives rows of 784 values, else ``(N, 1, 28, 28)``; ``normalize``
    scales grey levels to [0, 1]; ``mirrors`` overrides the download sites.
    """

    folder_name = "mnist"
    mirrors = ("https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/")
    sha256 = {
        "train-images-idx3-ubyte.gz": "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        "train-labels-idx1-ubyte.gz": "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    }
    class_names = [str(i) for i in range(10)]

    def __init__(self, root: Optional[str] = None, train: bool = True, download: bool = False,
                 flatten: bool = False, normalize: bool = True, dtype="float32", mirrors: Optional[Sequence[str]] = None):
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
                path = download_file(name, mirrors, folder, self.sha256[name])
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
    class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                   "Ankle boot"]
