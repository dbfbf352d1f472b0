"""Early stopping: stop when a monitored metric stops improving, keep the best weights."""
from __future__ import annotations

import math
from typing import Optional

from .history import resolve_mode


def snapshot(state: dict) -> dict:
    """A copy of a state dict that later training steps cannot change."""
    return {k: (v.detach().clone() if hasattr(v, "detach") else v) for k, v in state.items()}


class EarlyStopping:
    """Stop training once ``monitor`` has not improved for ``patience`` epochs.

    An epoch improves on the best so far when its value is lower by more than
    ``min_delta`` (``mode='min'``) or higher by more than ``min_delta``
    (``'max'``); ``'auto'`` maximises accuracy-like names and minimises the
    rest. With ``restore_best_weights`` the model's best state is kept and put
    back by :meth:`restore` (``fit`` does this when it stops). NaN never counts
    as an improvement.

    Use it in a hand-written loop as well as with ``fit``:

    >>> stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=False)
    >>> [stopper.step(v) for v in [1.0, 0.8, 0.85, 0.9]]
    [False, False, False, True]
    >>> stopper.best, stopper.best_epoch
    (0.8, 2)
    """

    def __init__(self, monitor: str = "val_loss", patience: int = 5, mode: str = "auto", min_delta: float = 0.0,
                 restore_best_weights: bool = True):
        if patience < 0:
            raise ValueError(f"EarlyStopping: patience must be >= 0, got {patience}")
        if min_delta < 0:
            raise ValueError(f"EarlyStopping: min_delta must be >= 0 (the direction comes from mode), got {min_delta}")
        self.monitor = monitor
        self.patience = int(patience)
        self.mode = resolve_mode(monitor, mode)
        self.min_delta = float(min_delta)
        self.restore_best_weights = restore_best_weights
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = 0
        self.wait = 0
        self.epochs_seen = 0
        self.best_weights: Optional[dict] = None

    def improved(self, value: float) -> bool:
        """True when ``value`` beats the best so far by more than ``min_delta`` in ``mode``'s direction
        (NaN and infinities never do); the state does not change.

        >>> s = EarlyStopping(monitor="val_loss", min_delta=0.1)
        >>> s.step(1.0), s.improved(0.95), s.improved(0.85)
        (False, False, True)
        """
        if not math.isfinite(value):
            return False
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    @property
    def should_stop(self) -> bool:
        """True once ``patience`` epochs in a row have not improved (``patience=0``: at the first one, as Keras)."""
        # patience=0 stops at the first epoch that does not improve, as in Keras
        return self.wait > 0 and self.wait >= self.patience

    def step(self, value, model=None, epoch: Optional[int] = None) -> bool:
        """Record one epoch's value (a number, or a dict of logs holding ``monitor``); True means stop."""
        if isinstance(value, dict):
            if self.monitor not in value:
                raise KeyError(f"EarlyStopping: monitor {self.monitor!r} is not among this epoch's metrics "
                               f"{sorted(value)}; pick one of those (validation metrics need a val_loader)")
            value = value[self.monitor]
        value = float(value)
        self.epochs_seen += 1
        epoch = self.epochs_seen if epoch is None else int(epoch)
        if self.improved(value):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best_weights and model is not None:
                self.best_weights = snapshot(model.state_dict())
        else:
            self.wait += 1
        return self.should_stop

    def restore(self, model) -> bool:
        """Load the best weights into ``model``; False when there are none to restore."""
        if not self.restore_best_weights or self.best_weights is None:
            return False
        model.load_state_dict(self.best_weights)
        return True

    def state_dict(self) -> dict:
        """The stopper's progress (best value and epoch, epochs waited and seen, best weights if kept) as a dict
        for a checkpoint; :meth:`load_state_dict` takes it back.

        >>> s = EarlyStopping(patience=3); _ = s.step(0.5)
        >>> t = EarlyStopping(patience=3); t.load_state_dict(s.state_dict())
        >>> t.best, t.best_epoch, t.wait
        (0.5, 1, 0)
        """
        state = {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait, "epochs_seen": self.epochs_seen}
        if self.best_weights is not None:
            state["best_weights"] = self.best_weights
        return state

    def load_state_dict(self, state: dict) -> None:
        """Resume from a :meth:`state_dict` (the weights are copied, so later training cannot change them)."""
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self.wait = int(state["wait"])
        self.epochs_seen = int(state["epochs_seen"])
        weights = state.get("best_weights")
        self.best_weights = snapshot(weights) if weights is not None else None

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, mode={self.mode!r}, "
                f"min_delta={self.min_delta}, restore_best_weights={self.restore_best_weights})")
