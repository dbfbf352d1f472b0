"""Files written atomically: a temporary file beside the target, fsync-ed, then renamed over it.

Used by ``nn.save`` and the data downloads, so a crash or ``kill -9`` mid-write leaves the old file or
the new one, never half of one. The rules, each as ``open(path, "wb")`` would behave unless noted:

- a symlink at the target: the file it points to is replaced (the link stays a link);
- an existing file keeps its permission bits (and its owner and group where the OS lets us);
- a read-only target, a folder, or a folder we cannot write in: ``PermissionError`` /
  ``IsADirectoryError`` naming the target, not the hidden temporary file;
- a hard-linked target gets a new file under this name (the other names keep the old
  contents): that is what makes the replacement atomic.

Temporary names are ``.<name>.<pid>-<random><suffix>``. A process killed mid-write leaves its
temporary file behind; the next write of the same target removes those whose process is gone
(plain files of this user only, never anything else in the folder).
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
import time
from typing import Iterator, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["atomic_write", "resolve_target", "remove_stale_temps", "temp_path"]

# temporary files of older versions had no pid in their name: they count as stale after this long
LEGACY_AGE_S = 3600.0


def resolve_target(path: PathLike, op: str) -> str:
    """The absolute path a write to ``path`` lands on (a symlink's target), refused early where ``open`` would fail.

    >>> import os, tempfile
    >>> from autograd.files import resolve_target
    >>> folder = tempfile.mkdtemp(); real = os.path.join(folder, "real.npz")
    >>> os.symlink(real, os.path.join(folder, "link.npz"))
    >>> resolve_target(os.path.join(folder, "link.npz"), "save") == os.path.realpath(real)
    True
    """
    shown = os.fspath(path)
    target = os.path.realpath(shown) if os.path.islink(shown) else os.path.abspath(shown)
    if os.path.islink(target):  # realpath stops inside a loop of links
        raise OSError(errno.ELOOP, f"{op}: {shown!r} is a loop of symbolic links", shown)
    if os.path.isdir(target):
        raise IsADirectoryError(errno.EISDIR, f"{op}: {shown!r} is a folder; give a file name inside it", shown)
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, f"{op}: folder {folder!r} does not exist; create it first", shown)
    if os.path.exists(target) and not os.access(target, os.W_OK):
        raise PermissionError(errno.EACCES, f"{op}: {shown!r} is read-only (open(path, 'wb') would fail too); "
                                            f"make it writable (chmod u+w) or write elsewhere", shown)
    return target


def temp_path(target: str, suffix: str = ".tmp") -> str:
    """A fresh temporary name beside ``target`` that names this process (so a later write can tell it is stale)."""
    folder, name = os.path.split(target)
    return os.path.join(folder, f".{name}.{os.getpid()}-{secrets.token_hex(6)}{suffix}")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True  # another thread of this process may be writing the same target
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would end the process there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists and belongs to someone else
        return True
    return True


def remove_stale_temps(target: str, suffix: str = ".tmp", legacy: Optional[str] = None) -> list:
    """Remove the temporary files of ``target`` that killed writers left; return their paths.

    Only names this module makes (``.<name>.<pid>-<12 hex><suffix>``, whose process is gone) and, when
    ``legacy`` (a regular expression for the middle part) is given, older names matching it that have
    not changed for an hour. Only plain files owned by this user; links and anything else stay.
    """
    folder, name = os.path.split(target)
    ours = re.compile(rf"\.{re.escape(name)}\.(\d+)-[0-9a-f]{{12}}{re.escape(suffix)}\Z")
    old = re.compile(rf"\.{re.escape(name)}\.(?:{legacy}){re.escape(suffix)}\Z") if legacy else None
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    uid = os.getuid() if hasattr(os, "getuid") else None
    for entry in entries:
        m = ours.match(entry.name)
        if m is None and (old is None or old.match(entry.name) is None):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or (uid is not None and st.st_uid != uid):
            continue
        stale = not _alive(int(m.group(1))) if m is not None else time.time() - st.st_mtime > LEGACY_AGE_S
        if stale:
            try:
                os.unlink(entry.path)
                removed.append(entry.path)
            except OSError:
                pass
    return removed


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


def _keep_mode_and_owner(fd: int, target: str) -> None:
    try:
        st = os.stat(target)
    except FileNotFoundError:
        return  # a new file: mode 0o666 less the umask, as open() gives
    if hasattr(os, "fchmod"):
        os.fchmod(fd, stat.S_IMODE(st.st_mode) & 0o777)  # no setuid/setgid/sticky on a data file
    if hasattr(os, "fchown") and (st.st_uid != os.getuid() or st.st_gid != os.getgid()):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except OSError:
            pass  # only root may give a file away; the new file is then ours, as with any rewrite


@contextlib.contextmanager
def atomic_write(path: PathLike, op: str, *, suffix: str = ".tmp", legacy: Optional[str] = None) -> Iterator:
    """A binary file to write; on a clean exit it replaces ``path`` atomically, on any error ``path`` is untouched.

    ``op`` names the caller in error messages. Stale temporary files of the same target are removed first.

    >>> import os, tempfile
    >>> from autograd.files import atomic_write
    >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
    >>> with atomic_write(path, "example") as f:
    ...     _ = f.write(b"hello")
    >>> open(path, "rb").read(), os.listdir(os.path.dirname(path))
    (b'hello', ['notes.txt'])
    """
    shown = os.fspath(path)
    target = resolve_target(shown, op)
    folder = os.path.dirname(target)
    remove_stale_temps(target, suffix, legacy)
    tmp = temp_path(target, suffix)
    try:  # O_EXCL: never reuse someone else's file; 0o666 lets the umask decide, as open() does
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except PermissionError:
        raise PermissionError(errno.EACCES, f"{op}: cannot write {shown!r}: no permission to create files in "
                                            f"{folder!r} (atomic writes need a temporary file beside the target)",
                              shown) from None
    try:
        with os.fdopen(fd, "wb") as f:
            _keep_mode_and_owner(f.fileno(), target)
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        if isinstance(e, OSError) and e.errno is not None and not (e.strerror or "").startswith(op):
            # name the target (the hidden temporary name means nothing to the caller)
            raise OSError(e.errno, f"{op}: writing {shown!r} failed: {e.strerror}; the previous file is "
                                   f"unchanged", shown) from e
        raise
    _fsync_folder(folder)
