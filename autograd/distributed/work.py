"""``Work``: the handle an ``async_op=True`` collective returns (``torch.distributed.Work``)."""
from __future__ import annotations

import datetime
from typing import Callable, List, Optional

from .faults import poll_until

__all__ = ["Work", "seconds"]


def seconds(timeout) -> float:
    """A timeout given as ``datetime.timedelta`` or as a number of seconds, in seconds."""
    if isinstance(timeout, datetime.timedelta):
        timeout = timeout.total_seconds()
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ValueError(f"timeout must be a positive datetime.timedelta or number of seconds, got {timeout!r}")
    return float(timeout)


class Work:
    """A collective in flight: ``wait()`` blocks until it is done (its tensors then hold the result).

    >>> w = Work(lambda: True, lambda: None, None, "all_reduce", 1.0)
    >>> w.is_completed(), w.wait()
    (True, True)
    """

    __slots__ = ("_test", "_finish", "_faults", "_during", "_timeout_s", "_on_timeout", "_done", "_result")

    def __init__(self, test: Callable[[], bool], finish: Callable[[], None], faults, during: str, timeout_s: float,
                 result: Optional[List] = None, on_timeout: Optional[Callable[[], None]] = None):
        self._test, self._finish, self._faults, self._during = test, finish, faults, during
        self._timeout_s, self._on_timeout, self._result = timeout_s, on_timeout, result
        self._done = False

    def is_completed(self) -> bool:
        """True once the collective has finished (never blocks)."""
        if not self._done and self._test():
            self._complete()
        return self._done

    def is_success(self) -> bool:
        """True once the collective has finished without error (a failure raises from ``wait``)."""
        return self.is_completed()

    def wait(self, timeout=None) -> bool:
        """Block until done, for at most ``timeout`` (default: the process group's); then raise naming the peers."""
        if not self._done:
            limit = self._timeout_s if timeout is None else seconds(timeout)
            poll_until(self._test, self._faults, self._during, limit, self._on_timeout)
            self._complete()
        return True

    def result(self) -> List:
        """The tensors the collective wrote."""
        return list(self._result or ())

    def _complete(self) -> None:
        if not self._done:
            self._done = True
            self._finish()

    def __repr__(self) -> str:
        return f"Work({self._during}, {'completed' if self._done else 'in flight'})"
