"""MNIST / Fashion-MNIST download, checksum, cache and IDX parsing, against a local HTTP server on 127.0.0.1.

The server serves small IDX files this test writes; the real network is never touched.
"""
from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading

import numpy as np
import pytest

from autograd import data
from autograd.data import mnist as mnist_mod

N = 20


def _idx(arr: np.ndarray) -> bytes:
    code = {"u1": 0x08, "i1": 0x09, "i2": 0x0B, "i4": 0x0C, "f4": 0x0D, "f8": 0x0E}[arr.dtype.str[1:]]
    arr = arr.astype(arr.dtype.newbyteorder(">"))  # IDX data are big-endian
    head = struct.pack(">BBBB", 0, 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return gzip.compress(head + arr.tobytes())


@pytest.fixture
def served(tmp_path):
    """Two mirror folders behind one local server; returns (files, mirror URLs, request log)."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (N, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, N).astype(np.uint8)
    files = {"train-images-idx3-ubyte.gz": _idx(images), "train-labels-idx1-ubyte.gz": _idx(labels),
             "t10k-images-idx3-ubyte.gz": _idx(images[:5]), "t10k-labels-idx1-ubyte.gz": _idx(labels[:5])}
    root = tmp_path / "www"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    for name, blob in files.items():
        (root / "b" / name).write_bytes(blob)  # mirror a is empty: every request to it is a 404
    log = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(root), **k)

        def log_message(self, *args):
            log.append(self.path)

        def do_GET(self):
            if not self.path.startswith("/cut/"):
                return super().do_GET()
            # a mirror that promises the whole file, sends half and hangs up
            blob = files[self.path.rsplit("/", 1)[1]]
            self.send_response(200)
            self.send_header("Content-Length", str(len(blob)))
            self.end_headers()
            self.wfile.write(blob[: len(blob) // 2])
            self.wfile.flush()
            self.close_connection = True

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield {"files": files, "images": images, "labels": labels, "root": root, "log": log,
               "mirrors": [base + "/a/", base + "/b/"]}
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch):
    """Every connection these tests open goes to the local server; anything else fails the test."""
    real = socket.create_connection

    def local_only(address, *args, **kwargs):
        assert address[0] in ("127.0.0.1", "localhost"), f"test tried to reach {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


@pytest.fixture
def checksums(served, monkeypatch):
    table = {k: hashlib.sha256(v).hexdigest() for k, v in served["files"].items()}
    monkeypatch.setattr(data.MNIST, "sha256", table)
    return table


def test_download_falls_back_to_the_second_mirror_and_loads(served, checksums, tmp_path):
    ds = data.MNIST(root=tmp_path / "cache", download=True, mirrors=served["mirrors"])
    assert len(ds) == N and ds.data.shape == (N, 1, 28, 28)
    assert np.allclose(ds.data.numpy()[:, 0], served["images"] / 255.0)
    assert ds.targets.tolist() == served["labels"].tolist()
    assert any(p.startswith("/a/") for p in served["log"]) and any(p.startswith("/b/") for p in served["log"])
    test = data.MNIST(root=tmp_path / "cache", train=False, download=True, mirrors=served["mirrors"], flatten=True)
    assert test.data.shape == (5, 784)


def test_cache_hit_does_not_download_again(served, checksums, tmp_path):
    data.MNIST(root=tmp_path / "c", download=True, mirrors=served["mirrors"])
    before = len(served["log"])
    data.MNIST(root=tmp_path / "c", download=True, mirrors=served["mirrors"])
    assert len(served["log"]) == before


def test_env_var_moves_the_cache(served, checksums, tmp_path, monkeypatch):
    monkeypatch.setenv("DENPA_DATA", str(tmp_path / "elsewhere"))
    data.MNIST(download=True, mirrors=served["mirrors"])
    assert (tmp_path / "elsewhere" / "mnist" / "train-images-idx3-ubyte.gz").exists()


def test_wrong_checksum_leaves_no_file(served, checksums, tmp_path, monkeypatch):
    bad = dict(checksums, **{"train-labels-idx1-ubyte.gz": "0" * 64})
    monkeypatch.setattr(data.MNIST, "sha256", bad)
    cache = tmp_path / "c"
    with pytest.raises(RuntimeError, match="checksum mismatch"):
        data.MNIST(root=cache, download=True, mirrors=served["mirrors"])
    assert not (cache / "train-labels-idx1-ubyte.gz").exists()
    assert not list(cache.glob("*.part"))


def test_all_mirrors_failing_names_urls_and_folder(served, checksums, tmp_path):
    mirrors = [served["mirrors"][0], served["mirrors"][0].replace("/a/", "/missing/")]
    with pytest.raises(RuntimeError) as err:
        data.MNIST(root=tmp_path / "c", download=True, mirrors=mirrors)
    msg = str(err.value)
    assert all(m + "train-images-idx3-ubyte.gz" in msg for m in mirrors)
    assert str(tmp_path / "c") in msg and "offline" in msg


def test_missing_files_without_download(tmp_path):
    with pytest.raises(RuntimeError, match="download=True"):
        data.MNIST(root=tmp_path)


def test_truncated_file_is_a_clear_error(served, checksums, tmp_path, monkeypatch):
    name = "train-images-idx3-ubyte.gz"
    raw = gzip.decompress(served["files"][name])[:-100]
    (served["root"] / "b" / name).write_bytes(gzip.compress(raw))
    monkeypatch.setattr(data.MNIST, "sha256", dict(checksums, **{name: hashlib.sha256(gzip.compress(raw)).hexdigest()}))
    with pytest.raises(ValueError, match="truncated"):
        data.MNIST(root=tmp_path / "c", download=True, mirrors=served["mirrors"])


def test_read_idx_errors(tmp_path):
    p = tmp_path / "x.idx"
    p.write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ValueError, match="not an IDX file"):
        data.read_idx(p)
    p.write_bytes(b"\x1f\x8b\x00garbage")
    with pytest.raises(ValueError, match="damaged gzip"):
        data.read_idx(p)
    arr = np.arange(6, dtype=">i4").reshape(2, 3)
    assert data.read_idx(_idx(arr)).tolist() == [[0, 1, 2], [3, 4, 5]]


def test_fashion_mnist_has_its_own_folder_and_names(served, tmp_path, monkeypatch):
    monkeypatch.setattr(data.FashionMNIST, "sha256",
                        {k: hashlib.sha256(v).hexdigest() for k, v in served["files"].items()})
    monkeypatch.setenv("DENPA_DATA", str(tmp_path))
    ds = data.FashionMNIST(download=True, mirrors=served["mirrors"])
    assert (tmp_path / "fashion-mnist").is_dir() and ds.classes[0] == "T-shirt/top"


def test_real_checksums_are_sha256():
    for table in (mnist_mod.MNIST.sha256, mnist_mod.FashionMNIST.sha256):
        assert len(table) == 4 and all(len(v) == 64 and int(v, 16) >= 0 for v in table.values())


def test_mirror_dropping_the_connection_falls_back(served, checksums, tmp_path):
    base = served["mirrors"][1].replace("/b/", "/cut/")
    cache = tmp_path / "c"
    ds = data.MNIST(root=cache, train=False, download=True, mirrors=[base, served["mirrors"][1]])
    assert ds.targets.tolist() == served["labels"][:5].tolist()
    assert any(p.startswith("/cut/") for p in served["log"])
    assert sorted(p.name for p in cache.iterdir()) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    with pytest.raises(RuntimeError, match=r"closed after \d+ of \d+ bytes"):
        data.MNIST(root=tmp_path / "d", download=True, mirrors=[base])
    assert list((tmp_path / "d").iterdir()) == []  # no half file, no temporary file


def test_truncated_gzip_is_a_clear_error(served, checksums, tmp_path, monkeypatch):
    name = "train-labels-idx1-ubyte.gz"
    cut = served["files"][name][:-9]  # the gzip stream ends early (its trailer is missing)
    (served["root"] / "b" / name).write_bytes(cut)
    monkeypatch.setattr(data.MNIST, "sha256", dict(checksums, **{name: hashlib.sha256(cut).hexdigest()}))
    with pytest.raises(ValueError, match="damaged gzip"):
        data.MNIST(root=tmp_path / "c", download=True, mirrors=served["mirrors"])
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(gzip.decompress(served["files"]["train-images-idx3-ubyte.gz"])[:15])  # inside the header


def test_damaged_cached_file_is_reported_or_replaced(served, checksums, tmp_path):
    cache = tmp_path / "c"
    data.MNIST(root=cache, download=True, mirrors=served["mirrors"])
    name = "train-images-idx3-ubyte.gz"
    (cache / name).write_bytes(b"not the file")
    with pytest.raises(RuntimeError, match="damaged") as err:
        data.MNIST(root=cache, mirrors=served["mirrors"])
    assert str(cache / name) in str(err.value) and served["mirrors"][0] + name in str(err.value)
    before = len(served["log"])
    ds = data.MNIST(root=cache, download=True, mirrors=served["mirrors"])
    assert len(served["log"]) > before and (cache / name).read_bytes() == served["files"][name]
    assert np.allclose(ds.data.numpy()[:, 0], served["images"] / 255.0)


def test_default_cache_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("DENPA_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / "denpa"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert data.cache_dir() == tmp_path / ".cache" / "denpa"


def test_idx_dtypes_and_raw_files(tmp_path):
    for dtype in (">i2", ">i4", ">f4", ">f8", "i1"):
        arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
        raw = gzip.decompress(_idx(arr))
        (tmp_path / "raw.idx").write_bytes(raw)  # not gzipped: read as is
        got = data.read_idx(tmp_path / "raw.idx")
        assert got.shape == (2, 3, 4) and got.dtype == np.dtype(dtype).newbyteorder("=") and (got == arr).all()
    with pytest.raises(ValueError, match="too long"):
        data.read_idx(raw + b"\0")
