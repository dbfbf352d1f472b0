"""A per-epoch progress bar: tqdm when installed, a one-line fallback when not."""
from __future__ import annotations

import sys
import time
from typing import Optional


def want_progress(progress: Optional[bool], stream=None) -> bool:
    """``None`` means: only when the stream is a terminal (not in CI logs or pipes)."""
    if progress is not None:
        return bool(progress)
    stream = sys.stderr if stream is None else stream
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _LineBar:
    """What is shown when tqdm is missing: ``epoch 2/10 [37/45] loss 0.1234`` redrawn in place."""

    def __init__(self, total, desc, stream):
        self.total, self.desc, self.stream = total, desc, stream
        self.n = 0
        self.postfix = ""
        self._last = 0.0

    def update(self, n=1):
        self.n += n
        now = time.perf_counter()
        if now - self._last > 0.1:
            self._last = now
            of = f"/{self.total}" if self.total else ""
            self.stream.write(f"\r{self.desc} [{self.n}{of}] {self.postfix}")
            self.stream.flush()

    def set_postfix_str(self, s, refresh=True):
        self.postfix = s

    def refresh(self):
        self._last = 0.0
        self.update(0)

    def close(self):
        self.stream.write("\r\x1b[2K")  # clear the line, as tqdm's leave=False does
        self.stream.flush()


class _Off:
    def update(self, n=1):
        pass

    def set_postfix_str(self, s, refresh=True):
        pass

    def refresh(self):
        pass

    def close(self):
        pass


def progress_bar(total: Optional[int], desc: str, enabled: bool, stream=None):
    """A bar with ``update()``, ``set_postfix_str()``, ``refresh()`` and ``close()``; a no-op when not ``enabled``.

    >>> bar = progress_bar(3, "epoch 1/1", enabled=False)
    >>> bar.update(); bar.set_postfix_str("loss 0.5"); bar.refresh(); bar.close()
    """
    if not enabled:
        return _Off()
    stream = sys.stderr if stream is None else stream
    try:
        from tqdm import tqdm
    except ImportError:
        return _LineBar(total, desc, stream)
    return tqdm(total=total, desc=desc, leave=False, unit="batch", file=stream, dynamic_ncols=True)
