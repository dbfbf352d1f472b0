"""nn.save / nn.load (torch.save / torch.load) against hostile files, odd targets and kill -9 mid-save."""
from __future__ import annotations

import io
import json
import os
import signal
import stat
import struct
import subprocess
import sys
import textwrap
import time
import zipfile
import zlib

import numpy as np
import pytest

import autograd
import denpa as torch
import nn
from nn import archive

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, arr, allow_pickle=False)
    return buf.getvalue()


# -- the torch-style API -------------------------------------------------------------------

def test_file_objects_round_trip_nested_containers():
    obj = {"model": nn.Linear(2, 3).state_dict(), "epoch": 4, "name": "run", "none": None,
           "losses": [0.5, 0.25], "pair": (autograd.ones(2), 3), "raw": np.arange(3)}
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    back = torch.load(buf, map_location="cpu", weights_only=True)
    assert back["epoch"] == 4 and back["name"] == "run" and back["none"] is None and back["losses"] == [0.5, 0.25]
    assert isinstance(back["pair"], tuple) and back["pair"][1] == 3 and back["pair"][0].tolist() == [1.0, 1.0]
    assert sorted(back["model"]) == ["bias", "weight"]
    assert back["raw"].tolist() == [0, 1, 2]


def test_open_files_and_text_mode(tmp_path):
    path = tmp_path / "w.pth"
    with open(path, "wb") as f:
        torch.save({"w": autograd.ones(2)}, f)
    with open(path, "rb") as f:
        assert torch.load(f)["w"].tolist() == [1.0, 1.0]
    with open(tmp_path / "t.txt", "w") as f, pytest.raises(TypeError, match="binary mode"):
        torch.save({"w": 1}, f)
    with pytest.raises(TypeError, match="file path .* or a binary file object"):
        torch.load(12)


def test_file_object_at_an_offset_and_a_pipe(tmp_path):
    buf = io.BytesIO(b"junk before")
    buf.seek(0, io.SEEK_END)
    torch.save([1, 2], buf)
    buf.seek(len(b"junk before"))
    assert torch.load(buf) == [1, 2]
    r, w = os.pipe()
    data = io.BytesIO()
    torch.save({"a": autograd.arange(3)}, data)
    os.write(w, data.getvalue())
    os.close(w)
    with os.fdopen(r, "rb") as pipe:
        assert torch.load(pipe)["a"].tolist() == [0, 1, 2]


def test_load_arguments_as_pytorch_names_them(tmp_path):
    path = str(tmp_path / "m.pt")
    torch.save({"w": autograd.ones(1)}, path)
    for kw in ({"weights_only": False}, {"weights_only": None}, {"mmap": True}, {"encoding": "latin1"},
               {"map_location": lambda storage, loc: storage}, {"map_location": {"cuda:0": "cpu"}},
               {"map_location": autograd.device("cpu")}):
        assert torch.load(path, **kw)["w"].tolist() == [1.0], kw
    with pytest.raises(TypeError, match="unexpected keyword"):
        torch.load(path, max_byte=3)
    with pytest.raises(TypeError, match="weights_only"):
        torch.load(path, weights_only="yes")
    with pytest.raises(TypeError, match="map_location returned"):
        torch.load(path, map_location=lambda s, loc: 3)


@pytest.mark.parametrize("bad", [nn.Linear(1, 1), object(), {1, 2}, print, 1 + 2j, np.datetime64("2020-01-01"),
                                 b"bytes"], ids=lambda v: type(v).__name__)
def test_modules_and_arbitrary_objects_are_refused_before_writing(tmp_path, bad):
    path = str(tmp_path / "m.pt")
    with pytest.raises(TypeError, match="cannot store") as e:
        torch.save({"x": bad}, path)
    if isinstance(bad, nn.Module):
        assert "state_dict()" in str(e.value)
    assert os.listdir(tmp_path) == []


def test_cycles_and_deep_nesting_are_refused_on_save(tmp_path):
    a = []
    a.append(a)
    with pytest.raises(ValueError, match="contains itself"):
        torch.save(a, str(tmp_path / "c.pt"))
    deep = 1
    for _ in range(3000):
        deep = [deep]
    with pytest.raises(ValueError, match="nested more than"):
        torch.save(deep, str(tmp_path / "d.pt"))
    shared = [1]
    torch.save([shared, shared], str(tmp_path / "ok.pt"))  # the same list twice is not a cycle
    assert torch.load(str(tmp_path / "ok.pt")) == [[1], [1]]
    assert os.listdir(tmp_path) == ["ok.pt"]


# -- files PyTorch wrote -----------------------------------------------------------------------

def _torch_like_zip(path, names):
    with zipfile.ZipFile(path, "w") as zf:
        for n in names:
            zf.writestr(n, b"\x80\x02}q\x00." if n.endswith(".pkl") else b"3")


@pytest.mark.parametrize("names,kind", [
    (["archive/data.pkl", "archive/version", "archive/data/0", "archive/byteorder"], "written by torch.save"),
    (["m/data.pkl", "m/constants.pkl", "m/code/__torch__.py", "m/version"], "TorchScript"),
])
def test_pytorch_zip_files_are_recognised_with_how_to_convert(tmp_path, names, kind):
    path = str(tmp_path / "model.pt")
    _torch_like_zip(path, names)
    with pytest.raises(ValueError, match=kind) as e:
        torch.load(path)
    assert path in str(e.value) and "safetensors" in str(e.value) and "never unpickles" in str(e.value)


def test_bfloat16_safetensors_says_what_to_do(tmp_path):
    header = json.dumps({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}).encode()
    path = str(tmp_path / "w.safetensors")
    open(path, "wb").write(struct.pack("<Q", len(header)) + header + b"\0" * 4)
    pytest.importorskip("safetensors")
    with pytest.raises(ValueError, match="BF16.*float32"):
        torch.load(path)


@pytest.mark.parametrize("head,match", [(b"\x93NUMPY\x01\x00", "single NumPy .npy"), (b"\x1f\x8b\x08\x00", "gzip"),
                                        (b"", "empty")])
def test_other_kinds_of_file_get_their_own_message(tmp_path, head, match):
    path = str(tmp_path / "x.pt")
    open(path, "wb").write(head + b"\0" * 20 if head else b"")
    with pytest.raises(ValueError, match=match):
        torch.load(path)


# -- resource limits ---------------------------------------------------------------------------

def _npy_header(shape, descr="|u1") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _one_entry_zip(path, name: bytes, body: bytes, file_size: int, method=8, crc=0):
    """A zip64 archive of one entry whose bytes (``body``, already deflated) and declared sizes are given."""
    with open(path, "wb") as f:
        local = struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0, method, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                            len(name), 20)
        f.write(local + name + struct.pack("<2H2Q", 1, 16, file_size, len(body)) + body)
        cd = f.tell()
        central = struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 45, 45, 0, method, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                              len(name), 20, 0, 0, 0, 0, 0)
        f.write(central + name + struct.pack("<2H2Q", 1, 16, file_size, len(body)))
        end = f.tell()
        f.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, end - cd, cd, 0))


def _zeros_bomb(n: int) -> tuple:
    """(npy header, a deflate stream of that header and ``n`` zero bytes) made in milliseconds."""
    head = _npy_header((n,))
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = bytes(1 << 24)
    first = comp.compress(head) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    assert block == comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)  # a full flush: blocks repeat exactly
    body = first + block * (n // len(chunk)) + comp.flush()
    d = zlib.decompressobj(-15)  # the stream is real: its start inflates to the header and zeros
    start = d.decompress(body, len(head) + (1 << 20))
    assert start[:len(head)] == head and not start[len(head):].strip(b"\0")
    return head, body


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    """1.5 GiB of zeros deflated to about 1.5 MB (the issue's bomb): refused from its declared size, at once."""
    path = str(tmp_path / "bomb.npz")
    n = 3 << 29
    head, body = _zeros_bomb(n)
    assert len(body) < 2_000_000
    _one_entry_zip(path, b"w.npy", body, len(head) + n)
    t = time.perf_counter()
    with pytest.raises(ValueError, match=r"bomb.npz.*1.5 GiB.*more than max_bytes") as e:
        torch.load(path)
    assert time.perf_counter() - t < 1.0
    assert "max_bytes=None" in str(e.value)


def test_zip_bomb_that_understates_its_size_is_cut_off(tmp_path):
    """The same stream declaring 1 KiB: never more than the declared bytes are inflated, and it is corrupt."""
    path = str(tmp_path / "liar.npz")
    head, body = _zeros_bomb(1 << 28)
    _one_entry_zip(path, b"w.npy", body, 1024)
    t = time.perf_counter()
    with pytest.raises(ValueError, match=r"liar.npz.*(truncated or corrupt|max_bytes)"):
        torch.load(path, max_bytes=None)
    assert time.perf_counter() - t < 1.0


def test_npy_header_declaring_terabytes_is_refused_without_allocating(tmp_path):
    path = str(tmp_path / "huge.npz")
    blob = _npy_header((1924145348608,), "<f4") + np.zeros(4, np.float32).tobytes()  # declares 7 TiB
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", blob)
    with pytest.raises(ValueError, match=r"huge.npz.*7.0 TiB.*max_bytes"):
        torch.load(path)
    with pytest.raises(ValueError, match="holds 16 bytes of data"):
        torch.load(path, max_bytes=None)


def test_huge_npy_header_is_refused(tmp_path):
    path = str(tmp_path / "hdr.npz")
    blob = b"\x93NUMPY\x02\x00" + struct.pack("<I", 1 << 30) + b"{" * 100
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", blob)
    with pytest.raises(ValueError, match=r"hdr.npz.*header"):
        torch.load(path)


def test_deeply_nested_metadata_is_refused(tmp_path):
    path = str(tmp_path / "deep.npz")
    deep = '{"t": "list", "items": [' * 3000 + '{"t": "v", "v": 1}' + "]}" * 3000  # too deep for json.dumps
    meta = ('{"format": "denpa", "version": 1, "spec": ' + deep + "}").encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(archive.META + ".npy", _npy_bytes(np.frombuffer(meta, np.uint8)))
    with pytest.raises(ValueError, match=r"deep.npz.*(nested|deep)"):
        torch.load(path)
    spec = {"t": "v", "v": 1}
    for _ in range(200):  # under the JSON reader's limit but over ours
        spec = {"t": "list", "items": [spec]}
    meta = json.dumps({"format": "denpa", "version": 1, "spec": spec}).encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(archive.META + ".npy", _npy_bytes(np.frombuffer(meta, np.uint8)))
    with pytest.raises(ValueError, match="nested more than"):
        torch.load(path)


@pytest.mark.parametrize("spec", [
    {"t": "v", "v": [1, 2]}, {"t": "dict", "items": [[[1], {"t": "v", "v": 1}]]}, {"t": "array", "k": "nope"},
    {"t": "array", "k": "w", "s": [5]}, {"t": "array", "k": "w", "s": [-2, -2]}, {"t": "tensor", "k": "i", "rg": True},
    {"t": "list"}, [1], {"t": "weird"},
])
def test_forged_descriptions_are_refused_as_corrupt(tmp_path, spec):
    path = str(tmp_path / "forged.npz")
    meta = json.dumps({"format": "denpa", "version": 1, "spec": spec}).encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w.npy", _npy_bytes(np.ones(4, np.float32)))
        zf.writestr("i.npy", _npy_bytes(np.ones(4, np.int64)))
        zf.writestr(archive.META + ".npy", _npy_bytes(np.frombuffer(meta, np.uint8)))
    with pytest.raises(ValueError, match="forged.npz"):
        torch.load(path)


def test_safetensors_header_longer_than_the_file(tmp_path):
    path = str(tmp_path / "x.safetensors")
    open(path, "wb").write(struct.pack("<Q", 1 << 62) + b"{}")
    pytest.importorskip("safetensors")
    with pytest.raises(ValueError, match="header declares"):
        torch.load(path)


def test_bzip2_entries_are_refused(tmp_path):
    path = str(tmp_path / "b.npz")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as zf:
        zf.writestr("w.npy", _npy_bytes(np.ones(3)))
    with pytest.raises(ValueError, match="compression method"):
        torch.load(path)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:  # savez_compressed: fine
        zf.writestr("w.npy", _npy_bytes(np.ones(3)))
    assert torch.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


# -- the target on disk --------------------------------------------------------------------------

def test_existing_permissions_are_kept(tmp_path):
    path = str(tmp_path / "m.pt")
    torch.save([1], path)
    os.chmod(path, 0o600)
    torch.save([2], path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and torch.load(path) == [2]
    os.chmod(path, 0o640)
    torch.save([3], path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640


def test_symlink_target_is_replaced_and_the_link_kept(tmp_path):
    real = tmp_path / "store" / "real.pt"
    real.parent.mkdir()
    torch.save([1], str(real))
    link = tmp_path / "link.pt"
    link.symlink_to(real)
    torch.save([2], str(link))
    assert link.is_symlink() and torch.load(str(real)) == [2]
    dangling = tmp_path / "dangling.pt"
    dangling.symlink_to(tmp_path / "store" / "new.pt")
    torch.save([3], str(dangling))  # as open(path, "w") does: the file it names is created
    assert dangling.is_symlink() and torch.load(str(tmp_path / "store" / "new.pt")) == [3]
    loop = tmp_path / "loop.pt"
    loop.symlink_to(tmp_path / "loop2.pt")
    (tmp_path / "loop2.pt").symlink_to(loop)
    with pytest.raises(OSError, match="loop"):
        torch.save([4], str(loop))


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_permission_errors_name_the_target(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        with pytest.raises(PermissionError) as e:
            torch.save([1], str(folder / "m.pt"))
        assert "m.pt" in str(e.value) and ".tmp" not in str(e.value)
    finally:
        os.chmod(folder, 0o700)


def test_read_only_target_is_refused_as_open_would(tmp_path):
    path = str(tmp_path / "m.pt")
    torch.save([1], path)
    os.chmod(path, 0o444)
    if os.access(path, os.W_OK):
        pytest.skip("root may write read-only files")
    with pytest.raises(PermissionError, match=r"m.pt.*read-only"):
        torch.save([2], path)
    assert torch.load(path) == [1]


def test_folder_target_and_disk_errors_name_the_target(tmp_path, monkeypatch):
    with pytest.raises(IsADirectoryError, match="is a folder"):
        torch.save([1], str(tmp_path))
    path = str(tmp_path / "m.pt")
    torch.save([1], path)
    real_fsync = os.fsync

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError, match=r"m.pt.*No space left.*unchanged") as e:
        torch.save([2], path)
    assert ".tmp" not in str(e.value)
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert torch.load(path) == [1] and os.listdir(tmp_path) == ["m.pt"]


def test_stale_temporary_files_are_removed_and_nothing_else(tmp_path):
    path = tmp_path / "m.pt"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".m.pt.{dead.pid}-0123456789ab.tmp"
    live = tmp_path / f".m.pt.{os.getppid()}-0123456789ab.tmp"  # a living process: maybe mid-save
    old_style = tmp_path / ".m.pt.0123456789ab.tmp"
    young_old_style = tmp_path / ".m.pt.ba9876543210.tmp"
    other = tmp_path / f".other.pt.{dead.pid}-0123456789ab.tmp"
    mine = tmp_path / "notes.tmp"
    for p in (stale, live, old_style, young_old_style, other, mine):
        p.write_bytes(b"x")
    os.utime(old_style, (time.time() - 7200, time.time() - 7200))
    link = tmp_path / f".m.pt.{dead.pid}-ffffffffffff.tmp"
    link.symlink_to(mine)
    torch.save([1], str(path))
    left = set(os.listdir(tmp_path))
    assert stale.name not in left and old_style.name not in left
    assert {live.name, young_old_style.name, other.name, mine.name, link.name, "m.pt"} <= left


# -- kill -9 in the middle of a save ---------------------------------------------------------------

_CHILD = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {root!r})
    import nn, autograd
    big = {{"w": autograd.tensor(np.full((1 << 20,), {value}, dtype=np.float32)), "i": {value}}}
    print("ready", flush=True)
    while True:
        nn.save(big, {path!r})
""")


@pytest.mark.parametrize("trial", range(4))
def test_kill_9_during_save_leaves_a_whole_file(tmp_path, trial):
    path = str(tmp_path / "ckpt.pt")
    nn.save({"w": autograd.tensor(np.full((1 << 20,), -1.0, dtype=np.float32)), "i": -1}, path)
    child = subprocess.Popen([sys.executable, "-c", _CHILD.format(root=ROOT, path=path, value=trial)],
                             stdout=subprocess.PIPE, env=dict(os.environ, OPENBLAS_NUM_THREADS="1"))
    assert child.stdout.readline().strip() == b"ready"
    time.sleep(0.05 + 0.07 * trial)  # somewhere inside a save (each writes 4 MB)
    child.send_signal(signal.SIGKILL)
    child.wait()
    state = nn.load(path)  # the old file or a new one, whole
    assert state["i"] in (-1, trial)
    assert set(np.unique(state["w"].numpy()).tolist()) == {float(state["i"])}
    nn.save({"i": 99}, path)  # the next save removes what the killed one left
    assert os.listdir(tmp_path) == ["ckpt.pt"] and nn.load(path) == {"i": 99}


def test_permission_error_creating_the_temporary_file_names_the_target(tmp_path, monkeypatch):
    """As the test above, but runs as root too: the folder refuses new files."""
    real_open = os.open

    def refuse(path, *args, **kwargs):
        if os.path.basename(path).startswith(".m.pt."):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    with pytest.raises(PermissionError) as e:
        torch.save([1], str(tmp_path / "m.pt"))
    assert "m.pt" in str(e.value) and ".tmp" not in str(e.value) and e.value.filename.endswith("m.pt")
