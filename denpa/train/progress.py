"""A per-epoch progress bar: tqdm's widget in Jupyter, its text bar on a terminal, nothing in pipes and CI.

``tqdm.auto`` picks the bar: the notebook widget in a Jupyter kernel (with
``ipywidgets``; tqdm's text bar in the cell without it), the text bar
elsewhere. Without tqdm a one-line fallback redraws in place.
"""
from __future__ import annotations

import os
import sys
import time
from typing import Optional


def in_notebook() -> bool:
    """True inside a Jupyter kernel (an IPython shell with a kernel), where stderr is no terminal but shows bars.

    >>> in_notebook()  # a doctest runs in no kernel
    False
    """
    ipython = sys.modules.get("IPython")  # never imported here: a kernel has it loaded already
    if ipython is None:
        return False
    try:
        shell = ipython.get_ipython()
    except Exception:  # an IPython too old or broken to ask: treat as no notebook
        return False
    return shell is not None and getattr(shell, "kernel", None) is not None


def want_progress(progress: Optional[bool], stream=None) -> bool:
    """``None`` means: on a terminal or in a Jupyter notebook, but not in CI logs or pipes.

    >>> import io
    >>> want_progress(None, io.StringIO()), want_progress(True, io.StringIO())
    (False, True)
    """
    if progress is not None:
        return bool(progress)
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):  # CI logs: a bar would be noise
        return False
    if in_notebook() and (stream is None or stream in (sys.stderr, sys.stdout)):
        return True
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
        from tqdm import tqdm as text_bar
        from tqdm.auto import tqdm as auto_bar
    except ImportError:
        return _LineBar(total, desc, stream)
    options = dict(total=total, desc=desc, leave=False, unit="batch")
    if in_notebook():
        try:
            return auto_bar(**options)  # the widget (it draws in the cell, not on a stream)
        except ImportError:  # a notebook without ipywidgets: tqdm's text bar, in the cell's stderr
            pass
    return text_bar(**options, file=stream, dynamic_ncols=True)
