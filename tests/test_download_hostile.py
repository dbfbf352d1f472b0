"""The MNIST downloader against a hostile server on 127.0.0.1: slow drip, oversize, gzip bombs, killed downloads."""
from __future__ import annotations

import gzip
import hashlib
import http.server
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib

import numpy as np
import pytest

from autograd import data
from autograd.data import mnist as mnist_mod

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(autouse=True)
def no_real_network(monkeypatch):
    real = socket.create_connection

    def local_only(address, *args, **kwargs):
        assert address[0] in ("127.0.0.1", "localhost"), f"test tried to reach {address}"
        return real(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", local_only)


@pytest.fixture
def server():
    """A server whose behaviour per path is set by the test: routes[path] = handler(request)."""
    routes = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            route = routes.get(self.path)
            if route is None:
                self.send_error(404)
                return
            try:
                route(self)
            except (BrokenPipeError, ConnectionResetError):
                pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{srv.server_address[1]}", routes
    finally:
        srv.shutdown()
        srv.server_close()


def _send(blob: bytes, length=None, drip: float = 0.0):
    def handle(req):
        req.send_response(200)
        req.send_header("Content-Length", str(len(blob) if length is None else length))
        req.end_headers()
        if not drip:
            req.wfile.write(blob)
            return
        for i in range(len(blob)):
            req.wfile.write(blob[i:i + 1])
            req.wfile.flush()
            time.sleep(drip)
    return handle


def _idx_gz(arr: np.ndarray) -> bytes:
    head = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return gzip.compress(head + arr.astype(np.uint8).tobytes())


def test_slow_drip_hits_the_overall_deadline_and_the_next_mirror_serves(server, tmp_path):
    base, routes = server
    blob = b"x" * 10_000
    routes["/slow/f.gz"] = _send(blob, drip=0.05)  # a byte every 50 ms: each read is quick, the whole is not
    routes["/fast/f.gz"] = _send(blob)
    t = time.perf_counter()
    path = mnist_mod.download_file("f.gz", [base + "/slow/", base + "/fast/"], tmp_path,
                                   hashlib.sha256(blob).hexdigest(), timeout=1.0)
    took = time.perf_counter() - t
    assert path.read_bytes() == blob and took < 3.0
    assert os.listdir(tmp_path) == ["f.gz"]


def test_slow_drip_everywhere_fails_within_the_deadline(server, tmp_path):
    base, routes = server
    routes["/slow/f.gz"] = _send(b"y" * 10_000, drip=0.05)
    t = time.perf_counter()
    with pytest.raises(RuntimeError, match="longer than timeout=0.5 s"):
        mnist_mod.download_file("f.gz", [base + "/slow/"], tmp_path, "0" * 64, timeout=0.5)
    assert time.perf_counter() - t < 2.5 and os.listdir(tmp_path) == []


def test_a_server_that_never_answers_times_out(server, tmp_path):
    base, routes = server
    routes["/mute/f.gz"] = lambda req: time.sleep(3)
    t = time.perf_counter()
    with pytest.raises(RuntimeError, match="could not download"):
        mnist_mod.download_file("f.gz", [base + "/mute/"], tmp_path, "0" * 64, timeout=0.5)
    assert time.perf_counter() - t < 2.5


def test_oversize_is_cut_off_announced_or_not(server, tmp_path):
    base, routes = server
    big = b"z" * (3 << 20)
    routes["/announced/f.gz"] = _send(big)
    routes["/unannounced/f.gz"] = lambda req: (req.send_response(200), req.end_headers(), req.wfile.write(big))
    with pytest.raises(RuntimeError) as e:
        mnist_mod.download_file("f.gz", [base + "/announced/", base + "/unannounced/"], tmp_path, "0" * 64,
                                timeout=5, size=1000)
    msg = str(e.value)
    assert "announces 3145728 bytes" in msg and "sent more than" in msg
    assert os.listdir(tmp_path) == []


def test_mnist_passes_its_timeout_and_sizes(server, tmp_path, monkeypatch):
    seen, real = [], mnist_mod.download_file
    monkeypatch.setattr(mnist_mod, "download_file", lambda name, mirrors, folder, sha, timeout, size:
                        seen.append((name, timeout, size)) or (_ for _ in ()).throw(RuntimeError("stop")))
    with pytest.raises(RuntimeError, match="stop"):
        data.MNIST(root=str(tmp_path), download=True, timeout=7.5)
    assert seen == [("train-images-idx3-ubyte.gz", 7.5, 9912422)]
    with pytest.raises(ValueError, match="timeout must be a positive"):
        real("f.gz", ["http://127.0.0.1:1/"], tmp_path, "0" * 64, timeout=0)


def test_stale_part_files_of_a_killed_download_are_removed(server, tmp_path):
    base, routes = server
    blob = b"w" * 200_000
    routes["/slow/f.gz"] = _send(blob, drip=0.0005)
    child = subprocess.Popen([sys.executable, "-c", (
        "import sys, pathlib; sys.path.insert(0, %r)\n"
        "from autograd.data import mnist\n"
        "mnist.download_file('f.gz', [%r], pathlib.Path(%r), '0' * 64, timeout=60)\n")
        % (ROOT, base + "/slow/", str(tmp_path))])
    deadline = time.time() + 10
    while not [n for n in os.listdir(tmp_path) if n.endswith(".part")] and time.time() < deadline:
        time.sleep(0.02)
    child.kill()
    child.wait()
    parts = [n for n in os.listdir(tmp_path) if n.endswith(".part")]
    assert parts, "the child never started writing"
    other = tmp_path / ".g.gz.123-0123456789ab.part"  # another file's download: not ours to remove
    other.write_bytes(b"x")
    routes["/fast/f.gz"] = _send(blob)
    mnist_mod.download_file("f.gz", [base + "/fast/"], tmp_path, hashlib.sha256(blob).hexdigest(), timeout=5)
    assert sorted(os.listdir(tmp_path)) == sorted(["f.gz", other.name])


# -- read_idx against bombs ---------------------------------------------------------------------

def _idx_bomb(n: int) -> bytes:
    """A gzip file whose IDX header declares n bytes and whose stream inflates to them (zeros), made quickly."""
    head = struct.pack(">BBBB", 0, 0, 0x08, 1) + struct.pack(">I", n)
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1 << 24)
    out = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    assert block == comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    return out + block * (n // len(chunk) - 2) + comp.flush()  # the trailer's CRC is wrong: never reached


def test_gzip_bomb_is_refused_before_inflating(tmp_path):
    bomb = _idx_bomb(2 << 30)  # 2 GiB from about 2 MB
    assert len(bomb) < 2_500_000
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(bomb)
    t = time.perf_counter()
    with pytest.raises(ValueError, match=r"declares an array of shape \(2147483648,\).*max_bytes"):
        data.read_idx(path)
    assert time.perf_counter() - t < 1.0


def test_gzip_that_inflates_past_its_header_is_too_long():
    raw = struct.pack(">BBBB", 0, 0, 0x08, 1) + struct.pack(">I", 3) + bytes(1000)
    with pytest.raises(ValueError, match="too long"):
        data.read_idx(gzip.compress(raw))
    with pytest.raises(ValueError, match="too long"):
        data.read_idx(gzip.compress(raw[:11]) + b"garbage")
    assert data.read_idx(gzip.compress(raw[:11])).tolist() == [0, 0, 0]


def test_header_with_many_huge_dimensions_does_not_wrap_around():
    raw = struct.pack(">BBBB", 0, 0, 0x08, 4) + struct.pack(">4I", *(2**32 - 1,) * 4)
    with pytest.raises(ValueError, match="max_bytes"):
        data.read_idx(gzip.compress(raw))
    with pytest.raises(ValueError, match="truncated"):
        data.read_idx(raw, max_bytes=None)
